"""Logging in and out.

    GET  /login        the form (a visitor session is started for its CSRF token)
    POST /login        check the password; on success a NEW session (new id) replaces the
                       visitor's, so a planted session id never becomes a logged-in one
    POST /logout       end this session
    POST /logout-all   end every session of this user, on every device
    GET  /             the first page the user may see
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hrbot.console.accounts import Account
from hrbot.console.context import ConsoleContext
from hrbot.console.sections import ConsoleSection
from hrbot.console.web import (
    ConsoleRequest,
    action,
    base_path,
    checked_post,
    clear_session_cookie,
    cookie_name,
    error_page,
    identify,
    set_session_cookie,
    view,
)

MAX_USERNAME_CHARS = 64
LOGIN_FAILED = "用户名或密码错误。连续输错 {limit} 次后账号将被锁定 {minutes} 分钟。"


def _clean_username(raw: str) -> str:
    return "".join(ch for ch in raw.strip() if ch.isprintable())[:MAX_USERNAME_CHARS]


def auth_section(ctx: ConsoleContext) -> ConsoleSection:
    settings = ctx.settings
    failed_message = LOGIN_FAILED.format(limit=settings.max_failed_logins,
                                         minutes=int(settings.lockout_seconds // 60))

    async def login_form(request: Request) -> Response:
        session, account = await identify(ctx, request)
        if account is not None:
            return RedirectResponse(f"{base_path(request)}/", status_code=303)
        new_id = None
        if session is None:
            new_id, session = await ctx.sessions.start(None, ctx.now())
        page = ConsoleRequest(request, ctx, session, None).page("login.html", username="", error=None)
        if new_id is not None:
            set_session_cookie(ctx, page, new_id)
        return page

    async def login(request: Request) -> Response:
        session, signed_in = await identify(ctx, request)
        form, refusal = await checked_post(ctx, request, session)
        if signed_in is not None and (refusal is not None or form is None):
            # a forged login must not log the user out (nor in as someone else)
            return error_page(ctx, request, 403, refusal or "请求无效。", session, signed_in)
        if refusal is not None or form is None or session is None:
            # a stale form or a forged request: start over with a fresh visitor session
            new_id, fresh = await ctx.sessions.start(None, ctx.now())
            response = ConsoleRequest(request, ctx, fresh, None).page(
                "login.html", status=403, username="", error=refusal or "请刷新页面后重新登录。")
            set_session_cookie(ctx, response, new_id)
            return response
        username = _clean_username(form.get("username", ""))
        password = form.get("password", "")
        account = await ctx.accounts.get(username) if username else None
        now = ctx.now()
        usable = account is not None and not account.disabled and not account.locked(now)
        stored_hash = account.password_hash if usable and account is not None else None
        matches = await asyncio.to_thread(ctx.passwords.verify_or_waste_time, stored_hash, password)
        if not (usable and matches and account is not None):
            await _failed(ctx, username, account, now)
            return ConsoleRequest(request, ctx, session, None).page(
                "login.html", status=401, username=username, error=failed_message)
        await ctx.accounts.unlock(account.username)
        await ctx.sessions.end(session)  # the visitor session dies; its id never logs anyone in
        session_id, _ = await ctx.sessions.start(account.username, now)
        await ctx.audit.record(account.username, "login", account.username, {}, now=now)
        await _rehash_if_needed(ctx, account, password)
        home = RedirectResponse(f"{base_path(request)}/", status_code=303)
        set_session_cookie(ctx, home, session_id)
        return home

    async def logout(request: ConsoleRequest) -> Response:
        assert request.session is not None
        await request.ctx.sessions.end(request.session)
        await request.audit("logout", request.user.username)
        response = request.redirect("/login")
        clear_session_cookie(ctx, response)
        return response

    async def logout_everywhere(request: ConsoleRequest) -> Response:
        ended = await request.ctx.sessions.end_all(request.user.username)
        await request.audit("logout_all", request.user.username, {"sessions": ended})
        response = request.redirect("/login")
        clear_session_cookie(ctx, response)
        return response

    async def home(request: ConsoleRequest) -> Response:
        entries = [entry for entry in ctx.nav if request.may(entry.permission)]
        if not entries:
            return request.page("error.html", status=403, message="您的账号没有可用的页面,请联系 HR 管理员。")
        return request.redirect(entries[0].path)

    return ConsoleSection(routes=[
        Route("/", view(ctx, home, None), methods=["GET"]),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", action(ctx, logout, None), methods=["POST"]),
        Route("/logout-all", action(ctx, logout_everywhere, None), methods=["POST"]),
    ])


async def _failed(ctx: ConsoleContext, username: str, account: Account | None, now: float) -> None:
    """Count and audit a failed login (a wrong password, or any attempt on a locked or
    disabled account)."""
    details: dict[str, object] = {"known": account is not None}
    if account is not None and account.locked(now):
        details["locked"] = True
    elif account is not None and not account.disabled:
        settings = ctx.settings
        locked = await ctx.accounts.record_failure(
            account.username, now, limit=settings.max_failed_logins, lock_seconds=settings.lockout_seconds)
        if locked:
            details["locked_now"] = True
    await ctx.audit.record("-", "login.failed", username, details, now=now)


async def _rehash_if_needed(ctx: ConsoleContext, account: Account, password: str) -> None:
    if ctx.passwords.needs_rehash(account.password_hash):
        new_hash = await asyncio.to_thread(ctx.passwords.hash, password)
        await ctx.accounts.set_password_hash(account.username, new_hash, account.password_changed_at)


__all__ = ["auth_section", "cookie_name"]
