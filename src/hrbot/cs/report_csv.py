"""The report as CSV: one row per agent, every figure the HTML shows, machine-readable
(English column names, plain numbers, UTF-8)."""

from __future__ import annotations

import csv
from pathlib import Path

from hrbot.cs.kpi import GROUPS
from hrbot.cs.pool import COMPONENTS
from hrbot.cs.report import CsReport

COLUMNS = (
    "employee_id",
    "name",
    "nicknames",
    "sessions",
    *(f"sessions_{group}" for group in GROUPS),
    "sessions_split",
    "sessions_unsure",
    "first_response_seconds",
    "resolution_rate",
    "rating",
    "rated_sessions",
    *(f"points_{c}" for c in COMPONENTS),
    *(f"amount_{c}" for c in COMPONENTS),
    "exact_amount",
    "amount",
)


def _num(value: float | None, places: int = 4) -> str:
    return "" if value is None else f"{value:.{places}f}"


def write_csv(report: CsReport, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in report.kpis.agents:
            own = report.allocation.of(row.employee_id)
            shares = {s.component: s for s in own.components} if own else {}
            writer.writerow(
                [
                    row.employee_id,
                    row.name,
                    "|".join(row.nicknames),
                    _num(row.sessions),
                    *(_num(row.by_group.get(group, 0.0)) for group in GROUPS),
                    _num(row.split_sessions),
                    _num(row.unsure_sessions),
                    _num(row.first_response_seconds, 2),
                    _num(row.resolution_rate),
                    _num(row.rating, 3),
                    _num(row.rated),
                    *(_num(float(shares[c].points)) if c in shares else "" for c in COMPONENTS),
                    *(f"{float(shares[c].amount):.4f}" if c in shares else "" for c in COMPONENTS),
                    f"{float(own.exact):.4f}" if own else "",
                    f"{own.amount:.2f}" if own else "0.00",
                ]
            )
