"""The web chat page's routes: the page itself (plain HTML, CSS and JS shipped in this package,
nothing fetched from elsewhere) and the two small JSON endpoints it needs besides the REST
webhook it talks to.

    GET /webchat                    the page
    GET /webchat/webchat.js|.css    its script and style sheet
    GET /webchat/config             {"mode": "trust" | "token", "max_message_chars": N}; the page
                                    also polls it to notice that a restarted server is back
    GET /webchat/history            the caller's own conversation (see `visible_messages`)
    GET /                           browsers (Accept: text/html) go to the page; other clients
                                    get what the wrapped route answers (see `with_browser_root`)

The history follows the webhook's identity rule: with `trust_sender` (the demo) the caller names
the conversation (`?sender=E1008`); otherwise only the subject of a signed token
(`Authorization: Bearer <jwt>`) may read its own conversation. The token never travels in a URL.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from importlib import resources

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hrbot.api.common import HTTPProblem, ServerState, token_subject
from hrbot.channels.rest import MAX_MESSAGE_CHARS, ChannelPayloadError, parse_rest_payload
from hrbot.channels.webchat.history import latest_messages
from hrbot.stores.base import StoreError

logger = logging.getLogger(__name__)

PAGE_PATH = "/webchat"
STATIC_FILES = {  # file in static/ -> content type
    "index.html": "text/html; charset=utf-8",
    "webchat.js": "text/javascript; charset=utf-8",
    "webchat.css": "text/css; charset=utf-8",
}
HISTORY_PARAMETERS = frozenset({"sender"})

# Everything the page loads comes from this server; bot images may be on https hosts.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' https: data:; base-uri 'none'; form-action 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

Endpoint = Callable[[Request], Awaitable[Response]]


def read_static_files() -> dict[str, bytes]:
    """The page's files, read once from the installed package."""
    folder = resources.files(__package__ or "hrbot.channels.webchat") / "static"
    found: dict[str, bytes] = {}
    for name in STATIC_FILES:
        try:
            found[name] = (folder / name).read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(
                f"the web chat file static/{name} is missing from the hrbot package: reinstall hrbot "
                "(pyproject.toml's package-data must include channels/webchat/static/*)"
            ) from None
    return found


def trusted_sender(claimed: str) -> str:
    """`claimed` checked by the webhook's own rules for `sender` (non-empty, at most 255
    characters, no control characters); HTTPProblem 400 otherwise."""
    try:
        return parse_rest_payload({"sender": claimed, "message": ""}).sender_id
    except ChannelPayloadError as error:
        raise HTTPProblem(400, "BadRequest", str(error)) from None


def history_sender(request: Request, state: ServerState) -> str:
    """Whose conversation the history request may read: the named sender in trust mode, the
    token's subject otherwise (401 without a valid token, 403 when `sender` names someone else);
    400 for parameters the endpoint does not take."""
    names = [name for name, _ in request.query_params.multi_items()]
    unknown = sorted(set(names) - HISTORY_PARAMETERS)
    if unknown:
        hint = ""
        if "token" in unknown:
            hint = " (send the token as 'Authorization: Bearer <jwt>', never in the URL)"
        raise HTTPProblem(400, "BadRequest",
                          f"unknown query parameter(s) {', '.join(unknown)}: only 'sender' is taken{hint}")
    if names.count("sender") > 1:
        raise HTTPProblem(400, "BadRequest", "give 'sender' once")
    claimed = request.query_params.get("sender")
    if state.trust_sender:
        if claimed is None:
            raise HTTPProblem(400, "BadRequest",
                              "name the conversation: GET /webchat/history?sender=<employee id>")
        return trusted_sender(claimed)
    subject = token_subject(request, state)
    if claimed is not None and claimed != subject:
        raise HTTPProblem(403, "NotAuthorized", "the token is not for this 'sender': leave 'sender' out")
    return subject


def webchat_routes(state: ServerState) -> list[Route]:
    files = read_static_files()

    def static(name: str) -> Endpoint:
        async def serve(request: Request) -> Response:
            return Response(files[name], media_type=STATIC_FILES[name], headers=PAGE_HEADERS)

        return serve

    async def config(request: Request) -> Response:
        return JSONResponse(
            {"mode": "trust" if state.trust_sender else "token", "max_message_chars": MAX_MESSAGE_CHARS},
            headers=NO_STORE,
        )

    async def history(request: Request) -> Response:
        try:
            sender = history_sender(request, state)
            if state.assistant is None or state.assistant.processor is None:
                raise HTTPProblem(409, "Conflict", "the loaded model has no dialogue part, so there is no "
                                  "conversation to show: train with domain.yml and stories or rules")
            tracker = await state.assistant.processor.tracker(sender)
        except HTTPProblem as problem:
            return problem.response()
        except StoreError as error:
            logger.error("store error: %s", error)
            return HTTPProblem(503, "ServiceUnavailable", str(error)).response()
        messages, truncated = latest_messages(tracker.events, sender)
        return JSONResponse({"sender": sender, "messages": messages, "truncated": truncated},
                            headers=NO_STORE)

    return [
        Route(PAGE_PATH, static("index.html"), methods=["GET"]),
        Route(f"{PAGE_PATH}/webchat.js", static("webchat.js"), methods=["GET"]),
        Route(f"{PAGE_PATH}/webchat.css", static("webchat.css"), methods=["GET"]),
        Route(f"{PAGE_PATH}/config", config, methods=["GET"]),
        Route(f"{PAGE_PATH}/history", history, methods=["GET"]),
    ]


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "").lower()


def with_browser_root(routes: list[Route]) -> list[Route]:
    """`routes` with `GET /` sending a browser to the chat page, so opening the server's address
    shows something to try; API clients (which do not ask for text/html) keep Rasa's answer."""

    def wrap(answer: Endpoint) -> Endpoint:
        async def root(request: Request) -> Response:
            if _wants_html(request):
                # relative, so the page is found behind a reverse proxy's path prefix as well
                return RedirectResponse(PAGE_PATH.lstrip("/"), status_code=303)
            return await answer(request)

        return root

    return [
        Route("/", wrap(route.endpoint), methods=["GET"]) if route.path == "/" else route
        for route in routes
    ]
