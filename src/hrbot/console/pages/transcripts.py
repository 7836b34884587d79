"""Transcripts, read-only, for everyone with the transcripts permission; personal figures are
masked for users without the personal-data permission (designers). Every view is audited.

    GET /transcripts                   conversations (?q= filters by id or name, ?page=)
    GET /transcripts/{id}              one conversation with the bot's NLU results
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hrbot.console.context import ConsoleContext
from hrbot.console.roles import Permission
from hrbot.console.sections import ConsoleSection, NavEntry
from hrbot.console.transcript import transcript_lines
from hrbot.console.web import ConsoleRequest, view

PAGE_SIZE = 50


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 100_000 else 1


def transcripts_section(ctx: ConsoleContext) -> ConsoleSection:
    async def listing(request: ConsoleRequest) -> Response:
        if ctx.state.assistant is None:
            return request.page("error.html", status=409, message="当前模型没有对话部分,没有会话记录。")
        query = request.request.query_params.get("q", "").strip()[:100]
        page = _page_number(request.request.query_params.get("page"))
        rows = []
        for sender_id in await ctx.state.assistant.stores.tracker_store.conversation_ids():
            profile = ctx.directory.profile(sender_id)
            if query and query not in sender_id and (profile is None or query not in profile.name):
                continue
            rows.append((sender_id, profile))
        shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        return request.page("transcripts.html", rows=shown, query=query, page=page,
                            pages=max(1, -(-len(rows) // PAGE_SIZE)), total=len(rows))

    async def transcript(request: ConsoleRequest) -> Response:
        sender_id = request.request.path_params["sender_id"]
        processor = ctx.state.assistant.processor if ctx.state.assistant is not None else None
        if processor is None:
            return request.page("error.html", status=409, message="当前模型没有对话部分,没有会话记录。")
        tracker = await processor.tracker(sender_id)
        if not tracker.events:
            return request.page("error.html", status=404, message="没有这个会话。")
        await request.audit("transcript.view", sender_id, {"page": "transcripts", "masked": request.masked})
        agents = {account.username: account.display_name for account in await ctx.accounts.all()}
        return request.page("transcript.html", sender_id=sender_id, profile=ctx.directory.profile(sender_id),
                            lines=transcript_lines(tracker.events, masked=request.masked),
                            paused=tracker.paused, agents=agents, masked=request.masked)

    return ConsoleSection(
        routes=[
            Route("/transcripts", view(ctx, listing, Permission.TRANSCRIPTS), methods=["GET"]),
            Route("/transcripts/{sender_id:path}", view(ctx, transcript, Permission.TRANSCRIPTS),
                  methods=["GET"]),
        ],
        nav=(NavEntry("transcripts", "会话记录", "/transcripts", Permission.TRANSCRIPTS, order=20),),
    )
