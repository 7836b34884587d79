"""company.json, loaded once and indexed: employees, who reports to whom, the calendar.

The dataset is read-only. Rows are plain JSON dicts shared by every request: code that decorates a
row copies it first (``{**row, ...}``). Collections that the backend writes to (``WRITABLE``) are
merged with the database's rows by :mod:`hr_backend.data.state`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from hr_backend.data.workcal import WorkCalendar

JSON = dict[str, Any]

HR_ROLES = frozenset({"hr_admin", "hr_agent"})
WRITABLE = ("leave_requests", "reimbursements", "attendance_corrections", "material_requests", "meetings")
REQUIRED_KEYS = (
    "company",
    "calendar",
    "departments",
    "employees",
    "leave_balances",
    "leave_requests",
    "payslips",
    "attendance",
    "attendance_corrections",
    "reimbursements",
    "oa_approvals",
    "trainings",
    "training_records",
    "positions",
    "candidates",
    "welfare",
    "welfare_records",
    "material_requests",
    "meeting_rooms",
    "meetings",
    "projects",
    "project_assignments",
    "performance_reviews",
    "cs_accounts",
    "cs_agent_nicknames",
    "cs_account_shifts",
    "cs_sessions",
)


class DataError(ValueError):
    """company.json is missing or malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Employee:
    """One employee as HRM knows them (identifiers unmasked: mask before answering)."""

    id: str
    name: str
    department_id: str
    department: str
    title: str
    manager_id: str | None
    hire_date: date
    email: str
    phone: str
    id_card: str
    bank_account: str
    wecom_userid: str
    dingtalk_userid: str
    base_salary: float
    roles: tuple[str, ...]

    @property
    def is_hr(self) -> bool:
        """HR roles (handbook 4.7 "人力资源部授权人员"): ``hr_admin`` or ``hr_agent``."""
        return bool(HR_ROLES.intersection(self.roles))

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Employee:
        return cls(
            id=str(row["id"]),
            name=str(row["name"]),
            department_id=str(row["department_id"]),
            department=str(row["department"]),
            title=str(row["title"]),
            manager_id=None if row.get("manager_id") is None else str(row["manager_id"]),
            hire_date=date.fromisoformat(str(row["hire_date"])),
            email=str(row["email"]),
            phone=str(row["phone"]),
            id_card=str(row["id_card"]),
            bank_account=str(row["bank_account"]),
            wecom_userid=str(row["wecom_userid"]),
            dingtalk_userid=str(row["dingtalk_userid"]),
            base_salary=float(row["base_salary"]),
            roles=tuple(str(role) for role in row["roles"]),
        )


@dataclass(frozen=True)
class Dataset:
    """The company as of its reference date."""

    source: Path
    company: JSON
    calendar: WorkCalendar
    employees: Mapping[str, Employee]
    collections: Mapping[str, Sequence[JSON]]

    @property
    def reference_date(self) -> date:
        return date.fromisoformat(str(self.company["reference_date"]))

    def rows(self, kind: str) -> Sequence[JSON]:
        """The rows of one company.json collection, as loaded (do not modify them)."""
        return self.collections[kind]

    def rows_of(self, kind: str, employee_id: str) -> list[JSON]:
        """The rows of ``kind`` whose ``employee_id`` is ``employee_id``."""
        return [row for row in self.collections[kind] if row.get("employee_id") == employee_id]

    def find(self, kind: str, record_id: str) -> JSON | None:
        return next((row for row in self.collections[kind] if row.get("id") == record_id), None)

    def direct_reports(self, manager_id: str) -> list[Employee]:
        return [employee for employee in self.employees.values() if employee.manager_id == manager_id]

    def employee_by_channel(
        self, *, wecom_userid: str | None = None, dingtalk_userid: str | None = None
    ) -> Employee | None:
        for employee in self.employees.values():
            if wecom_userid is not None and employee.wecom_userid == wecom_userid:
                return employee
            if dingtalk_userid is not None and employee.dingtalk_userid == dingtalk_userid:
                return employee
        return None

    def hr_director(self) -> Employee | None:
        """The ``hr_admin`` who approves for employees without a manager."""
        return next((e for e in self.employees.values() if "hr_admin" in e.roles), None)


def load_dataset(path: Path) -> Dataset:
    """Read and index company.json; DataError names the file and what is wrong."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: not found; pass --data PATH to the demo's company.json") from None
    except json.JSONDecodeError as error:
        raise DataError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a JSON object at the top level")
    missing = [key for key in REQUIRED_KEYS if key not in raw]
    if missing:
        raise DataError(f"{path}: missing key(s) {', '.join(missing)}")
    try:
        employees = {str(row["id"]): Employee.from_json(row) for row in raw["employees"]}
        calendar = WorkCalendar.from_json(raw["calendar"])
        date.fromisoformat(str(raw["company"]["reference_date"]))
    except (KeyError, TypeError, ValueError) as error:
        raise DataError(
            f"{path}: malformed employees, calendar or company.reference_date: {error!r}"
        ) from None
    collections = {key: list(value) for key, value in raw.items() if isinstance(value, list)}
    return Dataset(
        source=path,
        company=dict(raw["company"]),
        calendar=calendar,
        employees=employees,
        collections=collections,
    )
