"""The channels credentials.yml turns on are served: their routes are on the app, what they start
runs with the server and what they stop runs before the stores close; REST is a channel only
when there is no credentials.yml or it lists `rest:`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Route
from webchat_project import open_chat_assistant, train_chat_project

from hrbot.channels.configured import ChannelMount, configured_channels, rest_enabled
from hrbot.server import ServerState, create_app
from hrbot.shared.clock import fixed_clock
from hrbot.shared.credentials import read_credentials
from hrbot_test_support import REFERENCE_TIME

WECOM = """\
wecom:
  corp_id: ww1436e0e65a779aee
  agent_id: 1000002
  secret: a-secret
  token: hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo
  encoding_aes_key: 6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt
"""
DINGTALK_HTTP = """\
dingtalk:
  client_id: ding-app
  client_secret: ding-secret
  mode: http
"""


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    return train_chat_project(tmp_path_factory.mktemp("channels-project"))


def _credentials(folder: Path, text: str | None) -> Any:
    if text is None:
        return read_credentials(folder / "absent.yml")
    path = folder / "credentials.yml"
    path.write_text(text, encoding="utf-8")
    return read_credentials(path)


def test_rest_is_a_channel_without_credentials_or_when_listed(tmp_path: Path) -> None:
    assert rest_enabled(_credentials(tmp_path, None))
    assert rest_enabled(_credentials(tmp_path, "rest:\n" + WECOM))
    assert not rest_enabled(_credentials(tmp_path, WECOM))


def test_wecom_and_dingtalk_sections_put_their_webhooks_on_the_server(
    chat: tuple[Path, Any], tmp_path: Path
) -> None:
    project, model = chat
    assistant = open_chat_assistant(model, project)
    state = ServerState(model, fixed_clock(REFERENCE_TIME), assistant=assistant)
    channels = configured_channels(_credentials(tmp_path, WECOM + DINGTALK_HTTP), state)

    assert [channel.name for channel in channels] == ["wecom", "dingtalk"]
    assert [channel.reply.name for channel in channels if channel.reply] == ["wecom", "dingtalk"]
    paths = {route.path for route in create_app(state, channels).routes if isinstance(route, Route)}
    assert {"/webhooks/wecom/webhook", "/webhooks/dingtalk/webhook"} <= paths
    asyncio.run(assistant.close())


def test_a_channel_starts_with_the_server_and_stops_before_the_stores_close(
    chat: tuple[Path, Any]
) -> None:
    project, model = chat
    assistant = open_chat_assistant(model, project)
    happened: list[str] = []

    async def start() -> None:
        happened.append("start")

    async def stop() -> None:
        happened.append(f"stop (stores open: {assistant.processor is not None})")

    original_close = assistant.close

    async def close() -> None:
        happened.append("stores closed")
        await original_close()

    assistant.close = close  # type: ignore[method-assign]
    state = ServerState(model, fixed_clock(REFERENCE_TIME), assistant=assistant)
    app = create_app(state, [ChannelMount("fake", (), start=start, stop=stop)])

    async def serve() -> None:
        async with app.router.lifespan_context(app):
            assert happened == ["start"]

    asyncio.run(serve())

    assert happened == ["start", "stop (stores open: True)", "stores closed"]
