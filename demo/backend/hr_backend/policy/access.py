"""Who may see whose data.

The acting employee (``X-Acting-Employee``) is the caller. Two scopes cover personal data:

- ``TEAM``: the employee, their direct manager, and HR roles. Profile, leave, attendance and
  punch corrections, payslips (handbook 4.7), performance, training records, customer-service
  records and project assignments.
- ``PERSONAL``: the employee and HR roles only. Reimbursements, welfare records, material requests.

HR roles are employees with the ``hr_admin`` or ``hr_agent`` role (the HR department's staff,
handbook 4.7 "人力资源部授权人员"); they see everything. Records that involve several people
(OA approvals, meetings, hiring) have their own rules next to the endpoints that serve them.
Whatever the caller may not see is answered exactly like a record that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hr_backend.data.dataset import Employee


class Scope(StrEnum):
    TEAM = "team"
    PERSONAL = "personal"


@dataclass(frozen=True)
class Caller:
    """The employee on whose behalf a request is made."""

    employee: Employee

    @property
    def id(self) -> str:
        return self.employee.id

    @property
    def is_hr(self) -> bool:
        return self.employee.is_hr

    def is_manager_of(self, other: Employee) -> bool:
        return other.manager_id == self.employee.id


def may_see(caller: Caller, owner: Employee, scope: Scope) -> bool:
    """Whether ``caller`` may read ``owner``'s data of ``scope``."""
    if caller.id == owner.id or caller.is_hr:
        return True
    return scope is Scope.TEAM and caller.is_manager_of(owner)


def sees_identifiers(caller: Caller) -> bool:
    """Whether ``caller`` gets ID card, bank account and phone numbers unmasked (HR roles only)."""
    return caller.is_hr
