"""The HTTP API (Rasa 3.x shapes). The app takes all its state through `create_app`."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from hrbot import __version__
from hrbot.model.loading import LoadedModel
from hrbot.shared.clock import DEFAULT_TIMEZONE, Clock, parse_reference_time

MINIMUM_COMPATIBLE_VERSION = "0.1.0"
MAX_BODY_BYTES = 1024 * 1024
MAX_TEXT_CHARS = 100_000


@dataclass(frozen=True)
class ServerState:
    model: LoadedModel
    clock: Clock
    auth_token: str | None = None


def error_response(status: int, reason: str, message: str) -> JSONResponse:
    """Rasa's error body."""
    return JSONResponse(
        {"version": __version__, "status": "failure", "message": message,
         "reason": reason, "code": status},
        status_code=status,
    )


async def _read_json(request: Request) -> Any:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise _HTTPProblem(413, "PayloadTooLarge", f"body is larger than {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise _HTTPProblem(400, "BadRequest", f"body is not valid UTF-8 JSON: {error}") from None


class _HTTPProblem(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


def _authorised(request: Request, token: str | None) -> bool:
    if token is None:
        return True
    given = request.query_params.get("token", "")
    return secrets.compare_digest(given.encode(), token.encode())


def create_app(state: ServerState) -> Starlette:
    async def hello(request: Request) -> Response:
        return PlainTextResponse(f"Hello from hrbot: {__version__}")

    async def version(request: Request) -> Response:
        return JSONResponse(
            {"version": __version__, "minimum_compatible_version": MINIMUM_COMPATIBLE_VERSION}
        )

    async def status(request: Request) -> Response:
        if not _authorised(request, state.auth_token):
            return error_response(401, "NotAuthenticated", "a valid ?token= is required")
        return JSONResponse(
            {
                "model_file": state.model.path.name,
                "model_id": state.model.fingerprint[:32],
                "num_active_training_jobs": 0,
            }
        )

    async def parse(request: Request) -> Response:
        if not _authorised(request, state.auth_token):
            return error_response(401, "NotAuthenticated", "a valid ?token= is required")
        try:
            body = await _read_json(request)
        except _HTTPProblem as problem:
            return error_response(problem.status, problem.reason, problem.message)
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return error_response(400, "BadRequest",
                                  'send a JSON object with a "text" string, e.g. {"text": "你好"}')
        # lone surrogates ("\ud800" escaped in JSON) cannot be encoded in the UTF-8 answer:
        # they become U+FFFD, as undecodable bytes do in `hrbot parse`
        text = body["text"].encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        if len(text) > MAX_TEXT_CHARS:
            return error_response(413, "PayloadTooLarge",
                                  f"text is longer than {MAX_TEXT_CHARS} characters")
        moment = state.clock()
        raw_time = body.get("reference_time")
        if raw_time is not None:
            try:
                moment = parse_reference_time(str(raw_time), moment.tzinfo or DEFAULT_TIMEZONE)
            except ValueError as error:
                return error_response(400, "BadRequest", f"reference_time: {error}")
        result = state.model.nlu.parse(text, moment).to_dict()
        if "message_id" in body:
            result["message_id"] = body["message_id"]
        return JSONResponse(result)

    routes = [
        Route("/", hello, methods=["GET"]),
        Route("/version", version, methods=["GET"]),
        Route("/status", status, methods=["GET"]),
        Route("/model/parse", parse, methods=["POST"]),
    ]
    return Starlette(routes=routes)
