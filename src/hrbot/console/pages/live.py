"""Live updates over Server-Sent Events: the page opens an `EventSource`, the server re-reads
what the page shows every `live_poll_seconds` and sends an event only when it changed. Each
event carries the re-rendered HTML of the changed part (escaped like any page) and an `id`, so a
browser that reconnects (`Last-Event-ID`) is not sent what it already shows.

The page passes the tag of what it was rendered with (`?shown=`), so a fresh page is not sent
what it already shows either. A stream ends after `live_stream_seconds` (the browser reconnects
by itself after `retry`), and at once when its session ends — logout everywhere closes the live
pages too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.responses import StreamingResponse

from hrbot.console.web import ConsoleRequest, identify

RETRY_MILLISECONDS = 2000
KEEPALIVE_SECONDS = 15.0

Snapshot = Callable[[], Awaitable[tuple[str, Callable[[], dict[str, Any]]]]]
"""Returns the current tag and a function that renders the event's data (called only when the
tag changed)."""


def sse_event(name: str, data: dict[str, Any], event_id: str | None = None) -> str:
    lines = [f"event: {name}"]
    if event_id:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False))  # one line: JSON escapes newlines
    return "\n".join(lines) + "\n\n"


async def _events(request: ConsoleRequest, name: str, snapshot: Snapshot) -> AsyncIterator[str]:
    ctx = request.ctx
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ctx.settings.live_stream_seconds
    # what the page already shows: the last event it got (on a reconnect) or the page's own tag
    shown = request.request.headers.get("last-event-id") or request.request.query_params.get("shown")
    quiet_since = loop.time()
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    while True:
        _, account = await identify(ctx, request.request)
        if account is None or account.username != request.user.username:
            yield sse_event("logout", {})
            return
        tag, render = await snapshot()
        if tag != shown:
            yield sse_event(name, render(), tag)
            shown, quiet_since = tag, loop.time()
        elif loop.time() - quiet_since >= KEEPALIVE_SECONDS:
            yield ": keepalive\n\n"
            quiet_since = loop.time()
        if loop.time() >= deadline:
            return
        await asyncio.sleep(ctx.settings.live_poll_seconds)


def event_stream(request: ConsoleRequest, name: str, snapshot: Snapshot) -> StreamingResponse:
    return StreamingResponse(
        _events(request, name, snapshot), media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
