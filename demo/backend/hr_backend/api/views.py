"""JSON views shared by several systems: an employee's profile and identity, name look-ups."""

from __future__ import annotations

from datetime import date
from typing import Any

from hr_backend.data.dataset import Dataset, Employee
from hr_backend.policy.access import Caller, sees_identifiers
from hr_backend.policy.masking import mask_bank_account, mask_id_card, mask_phone

JSON = dict[str, Any]


def full_years(since: date, today: date) -> int:
    years = today.year - since.year
    return years - 1 if (today.month, today.day) < (since.month, since.day) else years


def person(dataset: Dataset, employee_id: str | None) -> JSON | None:
    """``{"id", "name", "title"}`` of an employee, for naming approvers, managers, reviewers."""
    employee = dataset.employees.get(employee_id) if employee_id else None
    if employee is None:
        return None
    return {"id": employee.id, "name": employee.name, "title": employee.title}


def identity(employee: Employee, dataset: Dataset) -> JSON:
    """Who a channel user is: enough for the bot to act for them, no personal identifiers."""
    return {
        "employee_id": employee.id,
        "name": employee.name,
        "department_id": employee.department_id,
        "department": employee.department,
        "title": employee.title,
        "manager_id": employee.manager_id,
        "roles": list(employee.roles),
        "is_hr": employee.is_hr,
        "is_manager": bool(dataset.direct_reports(employee.id)),
        "wecom_userid": employee.wecom_userid,
        "dingtalk_userid": employee.dingtalk_userid,
    }


def profile(employee: Employee, caller: Caller, dataset: Dataset, today: date) -> JSON:
    """The HRM profile; ID card, bank account and phone masked unless the caller is HR (8.1)."""
    reveal = sees_identifiers(caller)
    return {
        "id": employee.id,
        "name": employee.name,
        "department_id": employee.department_id,
        "department": employee.department,
        "title": employee.title,
        "manager_id": employee.manager_id,
        "manager": person(dataset, employee.manager_id),
        "hire_date": employee.hire_date.isoformat(),
        "tenure_years": full_years(employee.hire_date, today),
        "email": employee.email,
        "phone": employee.phone if reveal else mask_phone(employee.phone),
        "id_card": employee.id_card if reveal else mask_id_card(employee.id_card),
        "bank_account": employee.bank_account if reveal else mask_bank_account(employee.bank_account),
        "identifiers_masked": not reveal,
        "wecom_userid": employee.wecom_userid,
        "dingtalk_userid": employee.dingtalk_userid,
        "roles": list(employee.roles),
        "base_salary": employee.base_salary,
    }


def with_names(row: JSON, dataset: Dataset, **fields: str) -> JSON:
    """A copy of ``row`` with ``name_field=id_field`` pairs resolved to people."""
    copy = dict(row)
    for name_field, id_field in fields.items():
        copy[name_field] = person(dataset, row.get(id_field))
    return copy
