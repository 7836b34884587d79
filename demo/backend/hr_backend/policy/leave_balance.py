"""Leave balances as of now: the HRM ledger adjusted by the requests filed through the backend.

company.json's ``leave_balances`` is the HRM ledger on the reference date and already accounts for
the requests in company.json. On top of it:

- a request filed through the backend holds its days while pending (``pending``), so two
  requests cannot spend the same days (handbook 2.9: a request is approved later);
- cancelling a request (handbook 2.10) gives its days back: a backend request stops holding them,
  a company.json request that was pending or approved is taken off ``used``.

``remaining = entitled - used - pending``. The demo's ledger has one year (2026); a request is
booked to the ledger of its start year, or to the latest year the ledger has.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from hr_backend.data.state import CompanyState
from hr_backend.policy.leave_types import ACTIVE_STATUSES, LEAVE_TYPES
from hr_backend.policy.numbers import plain

JSON = dict[str, Any]


@dataclass(frozen=True)
class Balance:
    employee_id: str
    leave_type: str
    year: int
    entitled: float
    used: float
    pending: float

    @property
    def remaining(self) -> float:
        return round(self.entitled - self.used - self.pending, 2)

    def to_json(self) -> JSON:
        return {
            "employee_id": self.employee_id,
            "leave_type": self.leave_type,
            "leave_type_name": LEAVE_TYPES[self.leave_type].name,
            "year": self.year,
            "entitled": plain(self.entitled),
            "used": plain(self.used),
            "pending": plain(self.pending),
            "remaining": plain(self.remaining),
        }


def ledger_year(day: date, years: set[int]) -> int:
    return day.year if day.year in years or not years else max(years)


def leave_balances(state: CompanyState, employee_id: str) -> list[Balance]:
    """Every ledger balance of the employee, adjusted by the backend's requests."""
    ledger = state.dataset.rows_of("leave_balances", employee_id)
    years = {int(row["year"]) for row in ledger}
    pending: defaultdict[tuple[str, int], float] = defaultdict(float)
    released: defaultdict[tuple[str, int], float] = defaultdict(float)
    for request in state.rows_of("leave_requests", employee_id):
        key = (str(request["leave_type"]), ledger_year(date.fromisoformat(request["start"]), years))
        original = state.original("leave_requests", str(request["id"]))
        if original is None:
            if request["status"] in ACTIVE_STATUSES:
                pending[key] += float(request["days"])
        elif original["status"] in ACTIVE_STATUSES and request["status"] not in ACTIVE_STATUSES:
            released[key] += float(request["days"])
    balances = []
    for row in ledger:
        key = (str(row["leave_type"]), int(row["year"]))
        balances.append(
            Balance(
                employee_id=employee_id,
                leave_type=key[0],
                year=key[1],
                entitled=float(row["entitled"]),
                used=max(0.0, float(row["used"]) - released[key]),
                pending=pending[key],
            )
        )
    return balances


def balance_for(state: CompanyState, employee_id: str, leave_type: str, day: date) -> Balance | None:
    """The balance a request of ``leave_type`` starting on ``day`` draws on (None: no ledger row)."""
    balances = [b for b in leave_balances(state, employee_id) if b.leave_type == leave_type]
    if not balances:
        return None
    year = ledger_year(day, {b.year for b in balances})
    return next(b for b in balances if b.year == year)


def days_taken_in_year(state: CompanyState, employee_id: str, leave_type: str, year: int) -> float:
    """Days of pending or approved ``leave_type`` requests starting in ``year`` (for yearly caps, 2.3)."""
    return sum(
        float(row["days"])
        for row in state.rows_of("leave_requests", employee_id)
        if row["leave_type"] == leave_type
        and row["status"] in ACTIVE_STATUSES
        and date.fromisoformat(row["start"]).year == year
    )
