"""Where the server plugs the console in. Kept apart from the console itself so that importing
the server stays cheap: the console's modules (SQLAlchemy, Jinja2, Argon2) load when the app is
built."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from starlette.routing import Mount

if TYPE_CHECKING:
    from hrbot.api.common import ServerState
    from hrbot.console.delivery import ReplyChannel


def console_mount(state: ServerState, path: str = "/console", *,
                  reply_channels: Mapping[str, ReplyChannel] | None = None) -> Mount:
    """The console at `path` of the server (settings from the current folder and environment);
    `reply_channels` push agents' replies for more input channels (e.g. {"wecom": ...})."""
    from hrbot.console.app import console_app

    return Mount(path, app=console_app(state, extra_channels=reply_channels))
