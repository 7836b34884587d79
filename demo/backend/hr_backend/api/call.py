"""One API call as handlers see it: who is asking, the parameters, the body; and the reply.

Handlers are plain functions ``(Call) -> Reply | JSON`` that never touch Starlette, so the rules
stay testable without HTTP. ``Call.owner`` resolves ``employee_id`` (default: the caller, ``me``
allowed) and answers 404 when the caller may not see that employee's data of the given scope.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hr_backend.backend import Backend
from hr_backend.data.dataset import Employee
from hr_backend.data.state import CompanyState
from hr_backend.errors import not_found
from hr_backend.policy.access import Caller, Scope, may_see

JSON = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """A response body with its status (200 unless said otherwise)."""

    body: Any
    status: int = 200


@dataclass(frozen=True)
class Call:
    backend: Backend
    acting: Caller | None
    state: CompanyState
    path: Mapping[str, str]
    query: Mapping[str, str]
    body: JSON | None = None

    @property
    def caller(self) -> Caller:
        if self.acting is None:
            raise RuntimeError("this endpoint does not name an acting employee")
        return self.acting

    def employee(self, employee_id: str) -> Employee:
        """The employee with ``employee_id`` (``me`` = the caller), or 404."""
        if employee_id == "me":
            return self.caller.employee
        employee = self.backend.dataset.employees.get(employee_id)
        if employee is None:
            raise not_found()
        return employee

    def owner(self, scope: Scope, employee_id: str | None = None) -> Employee:
        """The employee whose data is asked for (``employee_id`` query parameter by default), or 404."""
        wanted = employee_id if employee_id is not None else self.query.get("employee_id") or "me"
        employee = self.employee(wanted)
        if not may_see(self.caller, employee, scope):
            raise not_found()
        return employee


Handler = Callable[[Call], "Reply | JSON"]
