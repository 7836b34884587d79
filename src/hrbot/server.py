"""The ASGI app: the HTTP API in Rasa 3.x's shapes. All state comes in through `create_app`;
the assistant's stores are closed when the app shuts down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from hrbot.api.common import ServerState, error_response
from hrbot.api.conversation_routes import conversation_routes
from hrbot.api.model_routes import MAX_TEXT_CHARS, MINIMUM_COMPATIBLE_VERSION, model_routes


def create_app(state: ServerState) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if state.assistant is not None:
            await state.assistant.close()

    routes = model_routes(state) + conversation_routes(state)
    return Starlette(routes=routes, lifespan=lifespan)


__all__ = ["MAX_TEXT_CHARS", "MINIMUM_COMPATIBLE_VERSION", "ServerState", "create_app", "error_response"]
