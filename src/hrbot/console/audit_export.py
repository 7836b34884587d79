"""The audit log as files: JSON Lines (every field, hashes included, so a copy can be verified
on its own) or CSV for spreadsheets (cells that a spreadsheet would run as a formula are
prefixed with an apostrophe)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

from hrbot.console.audit import AuditEntry

FORMATS = ("jsonl", "csv")
CSV_COLUMNS = ("id", "at", "actor", "action", "target", "details", "prev_hash", "hash")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def jsonl_line(entry: AuditEntry) -> str:
    return json.dumps(entry.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"


def csv_line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def csv_row(entry: AuditEntry) -> str:
    data = entry.to_dict()
    data["details"] = json.dumps(entry.details, ensure_ascii=False, sort_keys=True)
    return csv_line([_cell(str(data[column])) for column in CSV_COLUMNS])


async def export_lines(entries: AsyncIterator[AuditEntry], fmt: str) -> AsyncIterator[str]:
    """The file's text, piece by piece (a CSV header first)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "csv":
        yield "\ufeff" + csv_line(list(CSV_COLUMNS))  # the BOM makes Excel read UTF-8
    async for entry in entries:
        yield jsonl_line(entry) if fmt == "jsonl" else csv_row(entry)
