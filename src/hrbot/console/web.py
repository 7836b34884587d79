"""The request plumbing every console page uses: who is asking (session cookie -> session ->
account), whether they may (a permission), and, for anything that changes state, whether the
request really comes from the console's own page (Origin check and the session's CSRF token).

    view(ctx, handler, Permission.X)     GET pages: log in first, 403 without the permission
    action(ctx, handler, Permission.X)   POST: same-origin, CSRF token, permission, then handler

A route that changes state and is not built with `action` does not exist in the console: the
tests walk every route and try it without a token.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from hrbot.console.accounts import Account
from hrbot.console.context import ConsoleContext
from hrbot.console.roles import Permission, role_label
from hrbot.console.sections import NavEntry
from hrbot.console.sessions import Session

logger = logging.getLogger(__name__)

MAX_FORM_BYTES = 64 * 1024
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def cookie_name(ctx: ConsoleContext) -> str:
    """`__Host-` cookies are only ever sent back to this host, over HTTPS, for the whole site."""
    return "__Host-hrbot-console" if ctx.settings.secure_cookies else "hrbot-console"


def set_session_cookie(ctx: ConsoleContext, response: Response, session_id: str) -> None:
    response.set_cookie(cookie_name(ctx), session_id, path="/", secure=ctx.settings.secure_cookies,
                        httponly=True, samesite="strict")


def clear_session_cookie(ctx: ConsoleContext, response: Response) -> None:
    response.delete_cookie(cookie_name(ctx), path="/", secure=ctx.settings.secure_cookies,
                           httponly=True, samesite="strict")


def base_path(request: Request) -> str:
    """Where the console is mounted ('/console' in the server; '' when served on its own)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


@dataclass
class ConsoleRequest:
    """One request with its session and (when logged in) account; `form` for POSTs."""

    request: Request
    ctx: ConsoleContext
    session: Session | None
    account: Account | None
    form: Mapping[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return base_path(self.request)

    @property
    def user(self) -> Account:
        assert self.account is not None, "only for handlers behind view() or action()"
        return self.account

    def may(self, permission: Permission) -> bool:
        return self.account is not None and self.account.may(permission)

    @property
    def masked(self) -> bool:
        """Whether personal figures must be masked for this user."""
        return not self.may(Permission.PERSONAL_DATA)

    def redirect(self, path: str, **query: str) -> RedirectResponse:
        from urllib.parse import urlencode

        suffix = f"?{urlencode(query)}" if query else ""
        return RedirectResponse(f"{self.base}{path}{suffix}", status_code=303)

    def layout(self) -> dict[str, Any]:
        """The variables base.html needs."""
        nav: list[NavEntry] = [entry for entry in self.ctx.nav if self.may(entry.permission)]
        path = self.request.url.path[len(self.base):] or "/"
        return {
            "base": self.base,
            "user": self.account,
            "roles": role_label(self.account.roles) if self.account else "",
            "nav": nav,
            "active": next((entry.key for entry in nav if entry.covers(path)), None),
            "csrf_token": self.session.csrf_token if self.session else "",
        }

    def page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.ctx.renderer.render(template, {**self.layout(), **context})
        return HTMLResponse(html, status_code=status)

    def fragment(self, template: str, **context: Any) -> str:
        return self.ctx.renderer.render(template, {**self.layout(), **context})

    async def audit(self, action: str, target: str = "", details: Mapping[str, Any] | None = None) -> None:
        actor = self.account.username if self.account else "-"
        await self.ctx.audit.record(actor, action, target, details, now=self.ctx.now())


Handler = Callable[[ConsoleRequest], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


async def identify(ctx: ConsoleContext, request: Request) -> tuple[Session | None, Account | None]:
    """The request's live session and its account (None, None for a stranger). A session whose
    account was disabled or deleted is ended on the spot."""
    session = await ctx.sessions.find(request.cookies.get(cookie_name(ctx)), ctx.now())
    if session is None or session.username is None:
        return session, None
    account = await ctx.accounts.get(session.username)
    if account is None or account.disabled:
        await ctx.sessions.end(session)
        return None, None
    return session, account


def error_page(ctx: ConsoleContext, request: Request, status: int, message: str,
               session: Session | None = None, account: Account | None = None) -> Response:
    return ConsoleRequest(request, ctx, session, account).page("error.html", status=status, message=message)


def _wants_page(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept or not accept


def login_redirect(request: Request) -> Response:
    if not _wants_page(request):
        return Response("登录已失效,请重新登录", status_code=401, media_type="text/plain; charset=utf-8")
    return RedirectResponse(f"{base_path(request)}/login", status_code=303)


def view(ctx: ConsoleContext, handler: Handler, permission: Permission | None) -> Endpoint:
    """A GET page for logged-in users with `permission` (any logged-in user when None)."""

    async def endpoint(request: Request) -> Response:
        session, account = await identify(ctx, request)
        if account is None:
            return login_redirect(request)
        if permission is not None and not account.may(permission):
            return error_page(ctx, request, 403, "您的角色无权查看此页面。", session, account)
        return await handler(ConsoleRequest(request, ctx, session, account))

    return endpoint


def request_origin_allowed(ctx: ConsoleContext, request: Request) -> bool:
    """Whether the request comes from a page of this console: its Origin (or, without one, its
    Referer) is this server's own origin or one of the configured origins."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        referer = request.headers.get("referer")
        if not referer:
            return False
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    host = request.headers.get("host", "")
    if not host:
        return False
    allowed = {f"{request.url.scheme}://{host}", f"https://{host}", *ctx.settings.allowed_origins}
    return origin.rstrip("/").lower() in {item.lower() for item in allowed}


async def read_form(request: Request) -> dict[str, str] | None:
    """The urlencoded body as a dict (the last value of a repeated field), or None when the body
    is too large, not urlencoded or not UTF-8."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("application/x-www-form-urlencoded", ""):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
    try:
        text = b"".join(chunks).decode("utf-8")
        return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=100))
    except (UnicodeDecodeError, ValueError):
        return None


async def checked_post(ctx: ConsoleContext, request: Request,
                       session: Session | None) -> tuple[dict[str, str] | None, str | None]:
    """The form of a state-changing request, or the reason it is refused (same origin, body,
    CSRF token of `session`)."""
    if not request_origin_allowed(ctx, request):
        return None, "请求来源不是本控制台页面,已拒绝 (cross-origin request refused)。"
    form = await read_form(request)
    if form is None:
        return None, "请求内容无法识别 (the body must be a form of at most 64 KB)。"
    offered = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if session is None or not session.csrf_matches(offered):
        return None, "页面已过期或请求未携带有效的安全令牌,请刷新页面后重试 (CSRF token missing or wrong)。"
    return form, None


def action(ctx: ConsoleContext, handler: Handler, permission: Permission | None) -> Endpoint:
    """A state-changing request (POST) from a logged-in user with `permission`."""

    async def endpoint(request: Request) -> Response:
        session, account = await identify(ctx, request)
        form, refusal = await checked_post(ctx, request, session)
        if refusal is not None:
            logger.warning("console: %s %s refused: %s", request.method, request.url.path, refusal)
            return error_page(ctx, request, 403, refusal, session, account)
        if account is None:
            return login_redirect(request)
        if permission is not None and not account.may(permission):
            return error_page(ctx, request, 403, "您的角色无权执行此操作。", session, account)
        return await handler(ConsoleRequest(request, ctx, session, account, form or {}))

    return endpoint
