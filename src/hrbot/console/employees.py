"""Who an employee is, as the console shows them: a profile looked up by the conversation's
sender id (employee id, WeCom userid or DingTalk userid) in the company's employee list, with
personal identifiers masked and salary, ID number and bank account left out altogether.

The directory is read from company.json (the demo company's HRM export); another source only
has to offer `profile(sender_id)`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hrbot.console.masking import mask_phone
from hrbot.shared.errors import HrbotError

LOOKUP_KEYS = ("id", "wecom_userid", "dingtalk_userid")


@dataclass(frozen=True)
class EmployeeProfile:
    """What an agent may see of an employee: no salary, ID number or bank account; the phone masked."""

    employee_id: str
    name: str
    department: str | None = None
    title: str | None = None
    hire_date: str | None = None
    phone_masked: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"employee_id": self.employee_id, "name": self.name, "department": self.department,
                "title": self.title, "hire_date": self.hire_date, "phone": self.phone_masked}


class EmployeeDirectory(Protocol):
    def profile(self, sender_id: str) -> EmployeeProfile | None: ...


class NoDirectory:
    """No employee list configured: conversations show only their sender id."""

    def profile(self, sender_id: str) -> EmployeeProfile | None:
        return None


def _text(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    return str(value) if value not in (None, "") else None


class CompanyDirectory:
    """Employees from a company.json-shaped list (`employees: [{id, name, ...}]`)."""

    def __init__(self, employees: Sequence[Mapping[str, Any]]) -> None:
        self._by_key: dict[str, EmployeeProfile] = {}
        for record in employees:
            employee_id, name = _text(record, "id"), _text(record, "name")
            if employee_id is None or name is None:
                continue
            profile = EmployeeProfile(employee_id, name, _text(record, "department"), _text(record, "title"),
                                      _text(record, "hire_date"), mask_phone(_text(record, "phone")))
            for key in LOOKUP_KEYS:
                value = _text(record, key)
                if value is not None:
                    self._by_key.setdefault(value, profile)

    @classmethod
    def from_file(cls, path: Path) -> CompanyDirectory:
        return cls(read_employees(path))

    def profile(self, sender_id: str) -> EmployeeProfile | None:
        return self._by_key.get(sender_id)


def read_employees(path: Path) -> list[dict[str, Any]]:
    """The `employees` list of a company.json; HrbotError saying what is wrong otherwise."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise HrbotError(f"cannot read the employee list {path}: {error.strerror}") from None
    except ValueError as error:
        raise HrbotError(f"{path} is not valid JSON: {error}") from None
    employees = data.get("employees") if isinstance(data, dict) else None
    if not isinstance(employees, list) or not all(isinstance(item, dict) for item in employees):
        raise HrbotError(f"{path}: expected an object with an 'employees' list of objects")
    return employees
