"""`/`, `/version`, `/status` and `POST /model/parse`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from hrbot import __version__
from hrbot.api.common import HTTPProblem, ServerState, read_json, require_caller
from hrbot.shared.clock import DEFAULT_TIMEZONE, parse_reference_time

MINIMUM_COMPATIBLE_VERSION = "0.1.0"
MAX_TEXT_CHARS = 100_000


def model_routes(state: ServerState) -> list[Route]:
    async def hello(request: Request) -> Response:
        return PlainTextResponse(f"Hello from hrbot: {__version__}")

    async def version(request: Request) -> Response:
        return JSONResponse(
            {"version": __version__, "minimum_compatible_version": MINIMUM_COMPATIBLE_VERSION}
        )

    async def status(request: Request) -> Response:
        try:
            require_caller(request, state)
        except HTTPProblem as problem:
            return problem.response()
        return JSONResponse(
            {
                "model_file": state.model.path.name,
                "model_id": state.model.fingerprint[:32],
                "num_active_training_jobs": 0,
            }
        )

    async def parse(request: Request) -> Response:
        try:
            require_caller(request, state)
            body = await read_json(request)
        except HTTPProblem as problem:
            return problem.response()
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return HTTPProblem(
                400, "BadRequest", 'send a JSON object with a "text" string, e.g. {"text": "你好"}'
            ).response()
        # lone surrogates ("\ud800" escaped in JSON) cannot be encoded in the UTF-8 answer:
        # they become U+FFFD, as undecodable bytes do in `hrbot parse`
        text = body["text"].encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        if len(text) > MAX_TEXT_CHARS:
            return HTTPProblem(
                413, "PayloadTooLarge", f"text is longer than {MAX_TEXT_CHARS} characters"
            ).response()
        moment = state.clock()
        raw_time = body.get("reference_time")
        if raw_time is not None:
            try:
                moment = parse_reference_time(str(raw_time), moment.tzinfo or DEFAULT_TIMEZONE)
            except ValueError as error:
                return HTTPProblem(400, "BadRequest", f"reference_time: {error}").response()
        result = state.model.nlu.parse(text, moment).to_dict()
        if "message_id" in body:
            result["message_id"] = body["message_id"]
        return JSONResponse(result)

    return [
        Route("/", hello, methods=["GET"]),
        Route("/version", version, methods=["GET"]),
        Route("/status", status, methods=["GET"]),
        Route("/model/parse", parse, methods=["POST"]),
    ]
