"""The description of one endpoint: used both to route requests and to write the OpenAPI spec.

Because the route table and the spec come from the same ``Endpoint`` values, the spec cannot
drift from what the server does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hr_backend.api.call import Handler

JSON = dict[str, Any]

STRING: Mapping[str, Any] = {"type": "string"}
DATE: Mapping[str, Any] = {"type": "string", "format": "date"}
DATETIME: Mapping[str, Any] = {"type": "string", "format": "date-time"}
MONTH: Mapping[str, Any] = {"type": "string", "pattern": r"^\d{4}-\d{2}$"}
INTEGER: Mapping[str, Any] = {"type": "integer"}


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    where: str = "query"
    required: bool = False
    schema: Mapping[str, Any] = field(default_factory=lambda: dict(STRING))


EMPLOYEE_ID = Param("employee_id", "whose data (default: the acting employee; `me` allowed)")


@dataclass(frozen=True)
class Endpoint:
    """One operation. ``system`` picks the token (``public`` needs none); ``acting`` whether the
    call must name the acting employee; ``body`` the request schema's name in components."""

    method: str
    path: str
    handler: Handler
    summary: str
    system: str
    params: tuple[Param, ...] = ()
    body: str | None = None
    acting: bool = True
    status: int = 200
    rights: str = ""
    errors: tuple[int, ...] = ()

    @property
    def operation_id(self) -> str:
        return self.handler.__name__
