"""Account management for admins: who has access, locked and disabled accounts, sessions.

    GET  /accounts
    POST /accounts/unlock          username
    POST /accounts/disable         username   (ends the account's sessions too)
    POST /accounts/enable          username
    POST /accounts/end-sessions    username   (logout everywhere, for someone else)
    POST /accounts/password        username, password, password2 (ends the account's sessions)

Accounts are created from company.json with `hrbot console accounts seed`; an admin cannot
disable their own account, so the console always keeps one admin who can get in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.responses import Response
from starlette.routing import Route

from hrbot.console.context import ConsoleContext
from hrbot.console.passwords import WeakPasswordError, check_password_rules
from hrbot.console.roles import Permission, role_label
from hrbot.console.sections import ConsoleSection, NavEntry
from hrbot.console.web import ConsoleRequest, action, view

NOTICES = {
    "unlocked": "账号已解锁。",
    "disabled": "账号已停用,其所有会话已退出。",
    "enabled": "账号已启用。",
    "sessions_ended": "该账号在所有设备上的登录已退出。",
    "password_set": "密码已重设,该账号需要用新密码重新登录。",
}


def accounts_section(ctx: ConsoleContext) -> ConsoleSection:
    async def listing(request: ConsoleRequest, *, status: int = 200, error: str | None = None) -> Response:
        now = ctx.now()
        rows = [(account, role_label(account.roles), await ctx.sessions.count(account.username, now))
                for account in await ctx.accounts.all()]
        notice = NOTICES.get(request.request.query_params.get("notice", "")) if error is None else None
        return request.page("accounts.html", status=status, rows=rows, now=now, notice=notice, error=error)

    async def page(request: ConsoleRequest) -> Response:
        return await listing(request)

    def on_account(do: Callable[[ConsoleRequest, str], Awaitable[str | None]], notice: str) -> Callable[
            [ConsoleRequest], Awaitable[Response]]:
        async def handler(request: ConsoleRequest) -> Response:
            username = request.form.get("username", "")
            if await ctx.accounts.get(username) is None:
                return await listing(request, status=404, error="没有这个账号。")
            problem = await do(request, username)
            if problem is not None:
                return await listing(request, status=400, error=problem)
            return request.redirect("/accounts", notice=notice)

        return handler

    async def unlock(request: ConsoleRequest, username: str) -> str | None:
        await ctx.accounts.unlock(username)
        await request.audit("account.unlock", username)
        return None

    async def disable(request: ConsoleRequest, username: str) -> str | None:
        if username == request.user.username:
            return "不能停用自己的账号。"
        await ctx.accounts.set_disabled(username, True)
        ended = await ctx.sessions.end_all(username)
        await request.audit("account.disable", username, {"sessions": ended})
        return None

    async def enable(request: ConsoleRequest, username: str) -> str | None:
        await ctx.accounts.set_disabled(username, False)
        await request.audit("account.enable", username)
        return None

    async def end_sessions(request: ConsoleRequest, username: str) -> str | None:
        ended = await ctx.sessions.end_all(username)
        await request.audit("account.end_sessions", username, {"sessions": ended})
        return None

    async def set_password(request: ConsoleRequest, username: str) -> str | None:
        password = request.form.get("password", "")
        if password != request.form.get("password2", ""):
            return "两次输入的密码不一致。"
        try:
            check_password_rules(password, username)
        except WeakPasswordError as error:
            return str(error)
        new_hash = await asyncio.to_thread(ctx.passwords.hash, password)
        await ctx.accounts.set_password_hash(username, new_hash, ctx.now())
        ended = await ctx.sessions.end_all(username)
        await request.audit("account.set_password", username, {"sessions": ended})
        return None

    def post(path: str, do: Callable[[ConsoleRequest, str], Awaitable[str | None]], notice: str) -> Route:
        return Route(path, action(ctx, on_account(do, notice), Permission.ACCOUNTS), methods=["POST"])

    return ConsoleSection(
        routes=[
            Route("/accounts", view(ctx, page, Permission.ACCOUNTS), methods=["GET"]),
            post("/accounts/unlock", unlock, "unlocked"),
            post("/accounts/disable", disable, "disabled"),
            post("/accounts/enable", enable, "enabled"),
            post("/accounts/end-sessions", end_sessions, "sessions_ended"),
            post("/accounts/password", set_password, "password_set"),
        ],
        nav=(NavEntry("accounts", "账号管理", "/accounts", Permission.ACCOUNTS, order=90),),
    )
