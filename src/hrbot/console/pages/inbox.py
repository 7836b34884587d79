"""The handoff inbox and the agent's conversation page.

    GET  /inbox                          waiting conversations (live)
    GET  /inbox.json                     the same as JSON, with an ETag (for polling clients)
    GET  /live/inbox                     the inbox's event stream
    GET  /conversations/{id}             the full transcript with NLU results; claim, reply,
                                         canned replies, hand back (live)
    GET  /live/conversation?id=...       the conversation page's event stream
    POST /conversations/claim            sender_id
    POST /conversations/release          sender_id
    POST /conversations/reply            sender_id, text
    POST /conversations/hand-back        sender_id, note (optional)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hrbot.console.canned import by_chapter
from hrbot.console.context import ConsoleContext
from hrbot.console.feed import fingerprint
from hrbot.console.inbox import ConversationView, InboxError
from hrbot.console.pages.live import event_stream
from hrbot.console.roles import Permission
from hrbot.console.sections import ConsoleSection, NavEntry
from hrbot.console.web import ConsoleRequest, action, view

NOTICES = {
    "claimed": "已认领,您现在可以回复该员工。",
    "sent": "回复已发送给员工。",
    "stored": "回复已保存到会话,员工在网页聊天中可以看到。",
    "not_pushed": "回复已保存到会话,但推送到员工所在渠道失败,请稍后再试或通过其他方式联系员工。",
    "released": "已放回待处理队列。",
    "handed_back": "会话已交回机器人。",
}


def _conversation_path(sender_id: str) -> str:
    from urllib.parse import quote

    return "/conversations/" + quote(sender_id, safe="")


def _view_tag(conversation: ConversationView, viewer: str) -> str:
    body = json.dumps({
        "lines": [line.to_dict() for line in conversation.lines], "paused": conversation.paused,
        "handoff": conversation.handoff.handoff_id if conversation.handoff else None,
        "agent": conversation.claim.agent if conversation.claim else None, "viewer": viewer,
    }, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def inbox_section(ctx: ConsoleContext) -> ConsoleSection:
    inbox = ctx.inbox

    async def names() -> dict[str, str]:
        return {account.username: account.display_name for account in await ctx.accounts.all()}

    async def inbox_page(request: ConsoleRequest) -> Response:
        try:
            items = await ctx.waiting_feed.waiting()
        except InboxError as error:
            return request.page("error.html", status=error.status, message=error.message)
        await request.audit("inbox.view", "", {"waiting": len(items)})
        notice = NOTICES.get(request.request.query_params.get("notice", ""))
        return request.page("inbox.html", items=items, agents=await names(), notice=notice,
                            tag=fingerprint(items, request.user.username))

    async def inbox_json(request: ConsoleRequest) -> Response:
        try:
            items = await ctx.waiting_feed.waiting()
        except InboxError as error:
            return JSONResponse({"error": error.message}, status_code=error.status)
        tag = f'"{fingerprint(items, request.user.username)}"'
        headers = {"ETag": tag, "Cache-Control": "no-cache"}
        if request.request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers=headers)
        await request.audit("inbox.view", "", {"waiting": len(items), "via": "json"})
        body = [{**item.fingerprint(), "waited_seconds": item.waited_seconds, "since": item.handoff.since,
                 "profile": item.profile.to_dict() if item.profile else None, "channel": item.channel}
                for item in items]
        return JSONResponse({"items": body}, headers=headers)

    async def live_inbox(request: ConsoleRequest) -> Response:
        async def snapshot() -> tuple[str, Callable[[], dict[str, Any]]]:
            items = await ctx.waiting_feed.waiting()
            agents = await names()
            return fingerprint(items, request.user.username), lambda: {
                "count": len(items),
                "html": request.fragment("_inbox_cards.html", items=items, agents=agents),
            }

        return event_stream(request, "inbox", snapshot)

    async def render_conversation(request: ConsoleRequest, sender_id: str, *, status: int = 200,
                                  error: str | None = None) -> Response:
        conversation = await inbox.conversation(sender_id)
        notice = NOTICES.get(request.request.query_params.get("notice", "")) if error is None else None
        return request.page("conversation.html", status=status, conversation=conversation,
                            agents=await names(), canned=by_chapter(ctx.canned_replies),
                            notice=notice, error=error, tag=_view_tag(conversation, request.user.username))

    async def conversation_page(request: ConsoleRequest) -> Response:
        sender_id = request.request.path_params["sender_id"]
        try:
            response = await render_conversation(request, sender_id)
        except InboxError as error:
            return request.page("error.html", status=error.status, message=error.message)
        await request.audit("transcript.view", sender_id, {"page": "conversation"})
        return response

    async def live_conversation(request: ConsoleRequest) -> Response:
        sender_id = request.request.query_params.get("id", "")
        if not sender_id:
            return request.page("error.html", status=400, message="缺少会话编号 (?id=)。")
        agents = await names()

        async def snapshot() -> tuple[str, Callable[[], dict[str, Any]]]:
            conversation = await inbox.conversation(sender_id)
            return _view_tag(conversation, request.user.username), lambda: {
                "transcript": request.fragment("_transcript.html", lines=conversation.lines, agents=agents),
                "status": request.fragment("_conversation_status.html", conversation=conversation,
                                           agents=agents),
                "waiting": conversation.handoff is not None,
                "mine": conversation.claim is not None and conversation.claim.agent == request.user.username,
            }

        return event_stream(request, "conversation", snapshot)

    def acting(do: Callable[[ConsoleRequest, str], Any]) -> Callable[[ConsoleRequest], Any]:
        """A POST that acts on the form's `sender_id`; an InboxError re-renders the page with it."""

        async def handler(request: ConsoleRequest) -> Response:
            sender_id = request.form.get("sender_id", "")
            if not sender_id:
                return request.page("error.html", status=400, message="缺少会话编号 (sender_id)。")
            try:
                result: Response = await do(request, sender_id)
                ctx.waiting_feed.invalidate()
                return result
            except InboxError as error:
                ctx.waiting_feed.invalidate()
                return await render_conversation(request, sender_id, status=error.status, error=error.message)

        return handler

    async def claim(request: ConsoleRequest, sender_id: str) -> Response:
        await inbox.claim(sender_id, request.user.username)
        return request.redirect(_conversation_path(sender_id), notice="claimed")

    async def release(request: ConsoleRequest, sender_id: str) -> Response:
        await inbox.release(sender_id, request.user.username, anyone=request.may(Permission.SUPERVISE))
        return request.redirect("/inbox", notice="released")

    async def reply(request: ConsoleRequest, sender_id: str) -> Response:
        delivery = await inbox.reply(sender_id, request.user.username, request.form.get("text", ""))
        notice = "not_pushed" if delivery.error else "sent" if delivery.pushed else "stored"
        return request.redirect(_conversation_path(sender_id), notice=notice)

    async def hand_back(request: ConsoleRequest, sender_id: str) -> Response:
        await inbox.hand_back(sender_id, request.user.username, request.form.get("note", ""))
        return request.redirect("/inbox", notice="handed_back")

    return ConsoleSection(
        routes=[
            Route("/inbox", view(ctx, inbox_page, Permission.INBOX), methods=["GET"]),
            Route("/inbox.json", view(ctx, inbox_json, Permission.INBOX), methods=["GET"]),
            Route("/live/inbox", view(ctx, live_inbox, Permission.INBOX), methods=["GET"]),
            Route("/live/conversation", view(ctx, live_conversation, Permission.INBOX), methods=["GET"]),
            *(Route(f"/conversations/{name}", action(ctx, acting(do), Permission.INBOX), methods=["POST"])
              for name, do in (("claim", claim), ("release", release), ("reply", reply),
                               ("hand-back", hand_back))),
            Route("/conversations/{sender_id:path}", view(ctx, conversation_page, Permission.INBOX),
                  methods=["GET"]),
        ],
        nav=(NavEntry("inbox", "待处理", "/inbox", Permission.INBOX, order=10, also=("/conversations",)),),
    )
