"""The one error type of the backend and the JSON body every error answers with.

Every failure is an :class:`ApiError` carrying an HTTP status, a machine-readable ``code`` and a
Chinese ``message`` the bot can relay to the employee. Rule violations also name the handbook
section (``section``) they enforce. ``not_found()`` is the single body for "no such record" *and*
"not yours to see", so a response never reveals that a record exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]

NOT_FOUND_MESSAGE = "未找到该记录"


class ApiError(Exception):
    """A failure answered as ``{"error": code, "message": ..., "section"?: ...}`` with ``status``."""

    def __init__(
        self, status: int, code: str, message: str, *, section: str | None = None, extra: JSON | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.section = section
        self.extra = dict(extra or {})

    def body(self) -> JSON:
        """The JSON body of the response."""
        body: JSON = {"error": self.code, "message": self.message}
        if self.section is not None:
            body["section"] = self.section
        body.update(self.extra)
        return body


def not_found() -> ApiError:
    """The answer for a record that does not exist or that the caller may not see (same body)."""
    return ApiError(404, "not_found", NOT_FOUND_MESSAGE)


def invalid(field: str, message: str) -> ApiError:
    """A malformed request: ``field`` names the query parameter or body field at fault."""
    return ApiError(400, "invalid_request", message, extra={"field": field})


def violation(code: str, message: str, section: str | None = None) -> ApiError:
    """A well-formed request that breaks a company rule (422)."""
    return ApiError(422, code, message, section=section)


def forbidden(message: str, section: str | None = None) -> ApiError:
    """The caller may see the record but may not perform this action on it."""
    return ApiError(403, "forbidden", message, section=section)


@dataclass(frozen=True)
class Problem:
    """One broken rule, found by a check that collects every problem (e.g. the leave preview)."""

    code: str
    message: str
    section: str | None = None

    def to_json(self) -> JSON:
        body: JSON = {"error": self.code, "message": self.message}
        if self.section is not None:
            body["section"] = self.section
        return body

    def error(self) -> ApiError:
        """The 422 answer for this problem."""
        return violation(self.code, self.message, self.section)
