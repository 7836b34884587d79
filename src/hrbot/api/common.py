"""What every route shares: the server's state, Rasa's error body, reading JSON bodies,
and authentication."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from hrbot import __version__
from hrbot.channels.auth import AuthConfig, AuthFailure, Caller, authenticate, authorise, sender_from_token
from hrbot.model.loading import LoadedModel
from hrbot.shared.clock import Clock

MAX_BODY_BYTES = 1024 * 1024

if TYPE_CHECKING:
    from hrbot.assistant import Assistant


@dataclass(frozen=True)
class ServerState:
    """Everything the routes use. `assistant` is None for an NLU-only server."""

    model: LoadedModel
    clock: Clock
    auth_token: str | None = None
    assistant: Assistant | None = None
    jwt_secret: str | None = None
    jwt_method: str = "HS256"
    trust_sender: bool = False  # True: the REST body's sender is taken at its word (demo only)

    @property
    def auth(self) -> AuthConfig:
        return AuthConfig(self.auth_token, self.jwt_secret, self.jwt_method)


class HTTPProblem(Exception):
    """A request that cannot be served; becomes Rasa's error body."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message

    def response(self) -> JSONResponse:
        return error_response(self.status, self.reason, self.message)


def error_response(status: int, reason: str, message: str) -> JSONResponse:
    """Rasa's error body."""
    return JSONResponse(
        {"version": __version__, "status": "failure", "message": message,
         "reason": reason, "code": status},
        status_code=status,
    )


async def read_json(request: Request) -> Any:
    """The JSON body; a body over MAX_BODY_BYTES is refused without reading it all."""
    too_large = HTTPProblem(413, "PayloadTooLarge", f"body is larger than {MAX_BODY_BYTES} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    body = b"".join(chunks)
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise HTTPProblem(400, "BadRequest", f"body is not valid UTF-8 JSON: {error}") from None


def token_subject(request: Request, state: ServerState) -> str:
    """The user a channel request comes from when senders are not trusted: the subject of its
    signed token (`Authorization: Bearer <jwt>`); HTTPProblem 401 without a valid one."""
    subject = sender_from_token(state.auth, request.headers.get("authorization"), now=time.time())
    if isinstance(subject, AuthFailure):
        raise HTTPProblem(subject.status, subject.reason, subject.message)
    return subject


def require_caller(request: Request, state: ServerState, conversation_id: str | None = None) -> Caller:
    """The authenticated caller allowed to use this endpoint, or HTTPProblem 401/403."""
    found = authenticate(
        state.auth,
        query_token=request.query_params.get("token"),
        authorization=request.headers.get("authorization"),
        now=time.time(),
    )
    if isinstance(found, AuthFailure):
        raise HTTPProblem(found.status, found.reason, found.message)
    refused = authorise(found, conversation_id)
    if refused is not None:
        raise HTTPProblem(refused.status, refused.reason, refused.message)
    return found
