"""The ASGI app: the HTTP API in Rasa 3.x's shapes, plus the web chat page at /webchat (where
`GET /` sends browsers). All state comes in through `create_app`; the assistant's stores are
closed when the app shuts down."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from hrbot.api.common import ServerState, error_response
from hrbot.api.conversation_routes import conversation_routes
from hrbot.api.model_routes import MAX_TEXT_CHARS, MINIMUM_COMPATIBLE_VERSION, model_routes
from hrbot.channels.configured import ChannelMount
from hrbot.channels.webchat import webchat_routes, with_browser_root
from hrbot.console import console_mount
from hrbot.ops.log_context import RequestIdMiddleware
from hrbot.ops.routes import Operations, operations, ops_routes
from hrbot.stores.base import StoreError

logger = logging.getLogger(__name__)


def create_app(
    state: ServerState, channels: Sequence[ChannelMount] = (), ops: Operations | None = None
) -> Starlette:
    """The app for `state`, with the WeCom/DingTalk `channels` credentials.yml configures and the
    health, readiness and metrics endpoints of `ops` (made for `state` when not given)."""
    ops = ops if ops is not None else operations(state)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if state.assistant is not None:
            await state.assistant.stores.start()  # the event broker connects, resends what it kept
        for channel in channels:
            if channel.start is not None:
                await channel.start()
        yield
        for channel in channels:
            if channel.stop is not None:
                try:
                    await channel.stop()
                except Exception:
                    logger.exception("the %s channel did not stop cleanly", channel.name)
        if state.assistant is not None:
            await state.assistant.close()

    async def store_unavailable(request: Request, error: Exception) -> Response:
        logger.error("%s %s: the conversation store failed: %s", request.method, request.url.path, error)
        return error_response(503, "ServiceUnavailable", f"the conversation store is unavailable: {error}")

    async def internal_error(request: Request, error: Exception) -> Response:
        logger.exception("%s %s failed", request.method, request.url.path, exc_info=error)
        return error_response(
            500, "InternalError", "the server failed to handle this request; its log has the details"
        )

    replies = {channel.name: channel.reply for channel in channels if channel.reply is not None}
    routes: list[BaseRoute] = [*with_browser_root(model_routes(state)), *ops_routes(state, ops),
                               *conversation_routes(state), *webchat_routes(state),
                               console_mount(state, reply_channels=replies)]
    for channel in channels:
        routes.extend(channel.routes)
    return Starlette(routes=routes, lifespan=lifespan,
                     exception_handlers={StoreError: store_unavailable, Exception: internal_error},
                     middleware=[Middleware(RequestIdMiddleware)])


__all__ = ["MAX_TEXT_CHARS", "MINIMUM_COMPATIBLE_VERSION", "ServerState", "create_app", "error_response"]
