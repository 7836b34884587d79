"""Fields every log line of the current request or turn carries (request id, sender id).

The fields live in a `ContextVar`: it is per task (each request and each turn sees its own,
tasks started inside inherit a copy), which is what makes a request id follow a message through
the processor and the stores without passing it to every call. It is the one piece of
module-level state in `hrbot.ops`, and holds nothing between requests."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_NO_FIELDS: Mapping[str, Any] = MappingProxyType({})
_FIELDS: ContextVar[Mapping[str, Any]] = ContextVar("hrbot_log_fields", default=_NO_FIELDS)


def current_log_fields() -> Mapping[str, Any]:
    """The fields bound around the code running now (empty outside any `log_fields`)."""
    return _FIELDS.get()


@contextmanager
def log_fields(**fields: Any) -> Iterator[None]:
    """Add `fields` to every log record made inside the block (nested blocks add to them)."""
    token = _FIELDS.set(MappingProxyType({**_FIELDS.get(), **fields}))
    try:
        yield
    finally:
        _FIELDS.reset(token)


def request_id_from(header: str | None) -> str:
    """The id a reverse proxy gave the request (nginx: `proxy_set_header X-Request-ID
    $request_id`), when it looks like one; otherwise a new random id."""
    if header and _ACCEPTED_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Binds `request_id` for the log lines of each HTTP request and echoes it in the
    `X-Request-ID` response header, so a user's report can be matched to the log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((value.decode("latin-1") for name, value in scope.get("headers", [])
                         if name.decode("latin-1").lower() == REQUEST_ID_HEADER), None)
        request_id = request_id_from(incoming)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(n, v) for n, v in message.get("headers", []) if n.lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        with log_fields(request_id=request_id):
            await self.app(scope, receive, send_with_id)
