"""The console as an ASGI app, mounted by the server at /console:

    Mount("/console", app=console_app(state))      # what `hrbot.console.console_mount` returns

`SECTIONS` lists the console's areas in one place; the navigation is built from them. Every
response carries a strict Content-Security-Policy (scripts and styles only from the console's
own files, no inline code, no framing) and is never cached.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hrbot.api.common import ServerState
from hrbot.console.context import ConsoleContext
from hrbot.console.delivery import ReplyChannel
from hrbot.console.employees import EmployeeDirectory
from hrbot.console.pages.accounts import accounts_section
from hrbot.console.pages.analytics import analytics_section
from hrbot.console.pages.audit import audit_section
from hrbot.console.pages.auth import auth_section
from hrbot.console.pages.inbox import inbox_section
from hrbot.console.pages.retrain import retrain_section
from hrbot.console.pages.review import review_section
from hrbot.console.pages.static import static_section
from hrbot.console.pages.transcripts import transcripts_section
from hrbot.console.passwords import Passwords
from hrbot.console.sections import SectionFactory
from hrbot.console.settings import ConsoleSettings
from hrbot.stores.sql import SQLDatabase

logger = logging.getLogger(__name__)

SECTIONS: tuple[SectionFactory, ...] = (
    static_section,
    auth_section,
    inbox_section,
    transcripts_section,
    review_section,
    retrain_section,
    analytics_section,
    audit_section,
    accounts_section,
)

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Adds SECURITY_HEADERS (and no-store unless a route chose its caching) to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.extend(header for header in SECURITY_HEADERS if header[0] not in names)
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def console_app(
    state: ServerState,
    settings: ConsoleSettings | None = None,
    *,
    database: SQLDatabase | None = None,
    passwords: Passwords | None = None,
    channels: Mapping[str, ReplyChannel] | None = None,
    extra_channels: Mapping[str, ReplyChannel] | None = None,
    directory: EmployeeDirectory | None = None,
    sections: Sequence[SectionFactory] = SECTIONS,
    wall_clock: Callable[[], float] = time.time,
) -> ASGIApp:
    """The console for the server with `state`. Without `settings`, they come from the current
    folder and HRBOT_CONSOLE_* variables (`ConsoleSettings.from_environment`); `database`
    defaults to the tracker store's SQL database, `channels` to those the settings configure;
    `extra_channels` are added to them (WeCom, DingTalk: input channel name -> ReplyChannel)."""
    settings = settings or ConsoleSettings.from_environment(Path.cwd())
    ctx = ConsoleContext(state, settings, database=database, passwords=passwords, channels=channels,
                         extra_channels=extra_channels, directory=directory, wall_clock=wall_clock)
    built = [section(ctx) for section in sections]
    ctx.nav = sorted((entry for section in built for entry in section.nav), key=lambda entry: entry.order)
    routes = [route for section in built for route in section.routes]

    async def internal_error(request: Request, error: Exception) -> Response:
        logger.exception("console: %s %s failed", request.method, request.url.path, exc_info=error)
        return PlainTextResponse("服务器内部错误,详情见服务器日志。", status_code=500)

    app = Starlette(routes=routes, exception_handlers={Exception: internal_error})
    app.state.console = ctx
    return SecurityHeaders(app)

