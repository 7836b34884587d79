"""Chinese month expressions to "YYYY-MM"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from hrbot.nlu.normalise._calendar import as_date, shift_month
from hrbot.nlu.normalise._patterns import (
    DATE_START,
    MONTH_END,
    MONTH_NUM,
    NUM_BOUNDARY,
    REL_PREFIX,
    REL_YEAR,
    YEAR_NUM,
    prefix_offset,
    year_of,
)
from hrbot.nlu.normalise._spans import Candidate, select_longest, whole_value
from hrbot.nlu.normalise._text import core_text
from hrbot.nlu.normalise.numbers import parse_int

_REL_RE: Final = re.compile(rf"(?P<pre>{REL_PREFIX})月份?{MONTH_END}")
_NAMED_RE: Final = re.compile(
    DATE_START
    + NUM_BOUNDARY
    + rf"(?:(?P<y>{YEAR_NUM})年|(?P<ry>{REL_YEAR}))?(?P<m>{MONTH_NUM})月份?{MONTH_END}"
)
_NUMERIC_RE: Final = re.compile(
    r"(?<![0-9.\-/])(?P<y>(?:19|20)[0-9]{2})[-/.](?P<m>[0-9]{1,2})(?![0-9]|[-/.][0-9])"
)


def _format(year: int | None, month: int | None) -> str | None:
    if year is None or month is None or not 1 <= month <= 12 or not 1 <= year <= 9999:
        return None
    return f"{year:04d}-{month:02d}"


def _numeric(text: str) -> list[Candidate[str]]:
    found: list[Candidate[str]] = []
    for m in _NUMERIC_RE.finditer(text):
        value = _format(int(m["y"]), int(m["m"]))
        if value is not None:
            found.append(Candidate(m.start(), m.end(), value))
    return found


def scan_months(text: str, reference: dt.date) -> list[Candidate[str]]:
    """All month expressions in (width-folded) *text*; every month rule is confident."""
    ref = as_date(reference)
    found: list[Candidate[str]] = []
    if "月" not in text:
        return _numeric(text) if "-" in text or "/" in text or "." in text else found
    for m in _REL_RE.finditer(text):
        value = _format(*shift_month(ref.year, ref.month, prefix_offset(m["pre"])))
        if value is not None:
            found.append(Candidate(m.start(), m.end(), value))
    for m in _NAMED_RE.finditer(text):
        value = _format(year_of(m["y"], m["ry"], ref.year), parse_int(m["m"]))
        if value is not None:
            found.append(Candidate(m.start(), m.end(), value))
    found.extend(_numeric(text))
    return select_longest(found, len(text)) if len(found) > 1 else found


def resolve_month(text: str, reference: dt.date) -> str | None:
    """Month: 上个月 -> "2026-10", 今年三月 -> "2026-03", 2025年8月 -> "2025-08"; else None."""
    core = core_text(text)
    if core is None:
        return None
    return whole_value(scan_months(core, reference), len(core))
