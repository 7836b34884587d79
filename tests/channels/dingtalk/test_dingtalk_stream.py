"""The stream mode: frames in the SDK's real format go through the SDK's own dispatch to our
ChatbotHandler and are acknowledged and answered on the bot's event loop; the SDK runs on a
thread of its own, so its blocking calls never stall the bot; stopping ends it even though
its reconnect loop swallows a cancellation. No network: the connection itself is faked."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import dingtalk_stream
import pytest
from dingtalk_support import CLIENT_ID, NOW_MS, SECRET, FakeDingTalk, fake_dingtalk, robot_message, settings

from hrbot.channels.dingtalk.channel import DingTalkChannel
from hrbot.channels.dingtalk.stream import DingTalkStreamRunner
from hrbot.dialogue.messages import BotMessage, UserMessage
from hrbot.shared.errors import MissingDependencyError
from hrbot_test_support import subprocess_env

SDK_LOGGER = logging.getLogger("tests.dingtalk.sdk")


class Dialogue:
    def __init__(self) -> None:
        self.asked: list[UserMessage] = []
        self.loops: set[int] = set()

    async def __call__(self, message: UserMessage) -> Sequence[BotMessage]:
        self.asked.append(message)
        self.loops.add(id(asyncio.get_running_loop()))
        return [BotMessage(f"收到：{message.text}")]


def frame(data: Any, message_id: str = "frame-1") -> dict[str, Any]:
    """A CALLBACK frame as DingTalk's gateway sends it over the WebSocket."""
    return {
        "specVersion": "1.0",
        "type": "CALLBACK",
        "headers": {"appId": "app-1", "connectionId": "conn-1", "contentType": "application/json",
                    "messageId": message_id, "time": str(NOW_MS),
                    "topic": dingtalk_stream.ChatbotMessage.TOPIC},
        "data": json.dumps(data, ensure_ascii=False),
    }


class Socket:
    """Where the SDK writes its acknowledgements."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))


@pytest.fixture
def fake() -> Iterator[FakeDingTalk]:
    with fake_dingtalk() as server:
        yield server


def runner_for(fake: FakeDingTalk, dialogue: Dialogue, **options: Any) -> DingTalkStreamRunner:
    channel_settings = settings(fake.base_url, mode="stream")
    channel = DingTalkChannel(channel_settings, dialogue, now=lambda: NOW_MS / 1000)
    return DingTalkStreamRunner(channel_settings, channel, **options)


def dispatch(runner: DingTalkStreamRunner, *frames: dict[str, Any]) -> list[dict[str, Any]]:
    """The frames through the SDK's real `route_message` on a loop in another thread (as in
    production); the acknowledgements it sent back."""
    async def scenario() -> list[dict[str, Any]]:
        credential = dingtalk_stream.Credential(CLIENT_ID, SECRET)
        client = dingtalk_stream.DingTalkStreamClient(credential, SDK_LOGGER)
        client.register_callback_handler(dingtalk_stream.ChatbotMessage.TOPIC,
                                         runner.chatbot_handler(asyncio.get_running_loop()))
        socket = Socket()
        client.websocket = socket

        def sdk_thread() -> None:
            async def route_all() -> None:
                for item in frames:
                    await client.route_message(item)
            asyncio.run(route_all())

        await asyncio.to_thread(sdk_thread)
        await runner.drain(5)
        return socket.sent

    return asyncio.run(scenario())


def test_dingtalk_stream_frame_is_acknowledged_and_answered_on_the_bots_loop(fake: FakeDingTalk) -> None:
    dialogue = Dialogue()
    runner = runner_for(fake, dialogue)

    [ack] = dispatch(runner, frame(robot_message("我还有几天年假", webhook=fake.webhook("s1"))))

    assert (ack["code"], ack["headers"]["messageId"]) == (200, "frame-1")
    assert json.loads(ack["data"]) == {"response": "OK"}
    [asked] = dialogue.asked
    assert (asked.sender_id, asked.input_channel, asked.text) == ("manager4521", "dingtalk", "我还有几天年假")
    assert fake.webhook_posts("s1") == [{"msgtype": "text", "text": {"content": "收到：我还有几天年假"}}]


def test_dingtalk_stream_message_delivered_in_two_frames_is_answered_once(fake: FakeDingTalk) -> None:
    dialogue = Dialogue()
    data = robot_message("查工资", msg_id="msg-same", webhook=fake.webhook("s1"))

    acks = dispatch(runner_for(fake, dialogue), frame(data, "frame-1"), frame(data, "frame-2"))

    assert [(a["code"], a["headers"]["messageId"]) for a in acks] == [(200, "frame-1"), (200, "frame-2")]
    assert len(dialogue.asked) == 1
    assert len(fake.webhook_posts("s1")) == 1


def test_dingtalk_stream_frame_that_is_not_a_robot_message_is_refused_naming_the_field(
    fake: FakeDingTalk, caplog: pytest.LogCaptureFixture
) -> None:
    dialogue = Dialogue()

    [ack] = dispatch(runner_for(fake, dialogue), frame({**robot_message(), "msgId": 12}))

    assert ack["code"] == 400
    assert json.loads(ack["data"])["response"] == (
        "not a DingTalk robot message: 'msgId': must be a string, got int")
    assert "'msgId': must be a string" in caplog.text
    assert dialogue.asked == [] and fake.calls == []


def test_dingtalk_stream_group_talk_is_acknowledged_but_only_mentions_are_answered(
    fake: FakeDingTalk,
) -> None:
    dialogue = Dialogue()
    talk = robot_message("周五团建", msg_id="g1", group=True, webhook=fake.webhook("g"))
    mention = robot_message("查工资", msg_id="g2", group=True, at_robot=True, webhook=fake.webhook("g"))

    acks = dispatch(runner_for(fake, dialogue), frame(talk, "f1"), frame(mention, "f2"))

    assert [a["code"] for a in acks] == [200, 200]
    assert dialogue.asked == []
    assert len(fake.webhook_posts("g")) == 1 and len(fake.one_to_one()) == 1


class BlockingSdkClient:
    """Behaves like the SDK's client where it matters: connecting blocks its thread (the SDK
    calls `requests.post` inside `async start()`), its reconnect loop catches a cancellation
    and sleeps, and it hands frames to the handler registered for their topic."""

    def __init__(self, frames: list[dict[str, Any]]) -> None:
        self.frames = frames
        self.handlers: dict[str, Any] = {}
        self.acks: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self.cancellations = 0

    def register_callback_handler(self, topic: str, handler: Any) -> None:
        self.handlers[topic] = handler

    async def start(self) -> None:
        time.sleep(0.3)  # the blocking connection request
        for item in self.frames:
            message = dingtalk_stream.CallbackMessage.from_dict(item)
            ack = await self.handlers[message.headers.topic].raw_process(message)
            self.acks.append(ack.to_dict())
        self.connected.set()
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                self.cancellations += 1
                await asyncio.sleep(10)  # the SDK waits before reconnecting


def test_dingtalk_stream_runner_keeps_the_sdk_off_the_bots_loop_and_stops_it(fake: FakeDingTalk) -> None:
    dialogue = Dialogue()
    client = BlockingSdkClient([frame(robot_message("查工资", webhook=fake.webhook("s1")))])
    runner = runner_for(fake, dialogue, client_factory=lambda _: client, stop_timeout=5)

    async def scenario() -> tuple[int, bool, float, int]:
        await runner.start()
        ticks = 0
        while not client.connected.is_set():  # the bot's loop runs on while the SDK blocks
            await asyncio.sleep(0.01)
            ticks += 1
        await runner.drain(5)
        was_running = runner.running
        started = time.monotonic()
        await runner.stop()
        return ticks, was_running, time.monotonic() - started, id(asyncio.get_running_loop())

    ticks, was_running, stop_seconds, bot_loop = asyncio.run(scenario())

    assert ticks >= 10
    assert was_running and not runner.running
    assert client.cancellations == 1 and stop_seconds < 3
    assert [ack["code"] for ack in client.acks] == [200]
    assert dialogue.loops == {bot_loop}  # the dialogue ran on the bot's loop, not the SDK's
    assert fake.webhook_posts("s1") == [{"msgtype": "text", "text": {"content": "收到：查工资"}}]


def test_dingtalk_stream_runner_cannot_start_twice_and_stops_when_never_started(fake: FakeDingTalk) -> None:
    client = BlockingSdkClient([])
    runner = runner_for(fake, Dialogue(), client_factory=lambda _: client, stop_timeout=5)

    async def scenario() -> None:
        await runner.stop()  # nothing to stop
        await runner.start()
        with pytest.raises(RuntimeError, match="already started"):
            await runner.start()
        await runner.stop()

    asyncio.run(scenario())

    assert not runner.running


def test_dingtalk_stream_mode_without_the_sdk_says_what_to_install(
    fake: FakeDingTalk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dingtalk_stream", None)
    runner = runner_for(fake, Dialogue())

    with pytest.raises(MissingDependencyError, match=r"'dingtalk-stream'.*pip install 'hrbot\[dingtalk\]'"):
        asyncio.run(runner.start())


def test_dingtalk_channel_imports_the_sdk_only_when_the_stream_mode_starts() -> None:
    code = ("import sys, hrbot.channels.dingtalk, hrbot.channels.dingtalk.engine, "
            "hrbot.channels.dingtalk.routes; print('dingtalk_stream' in sys.modules)")

    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               env=subprocess_env(), timeout=60)

    assert (completed.returncode, completed.stdout.strip()) == (0, "False"), completed.stderr


class CrashingSdkClient(BlockingSdkClient):
    """An SDK client whose first run ends with an error it did not catch."""

    def __init__(self) -> None:
        super().__init__([])
        self.starts = 0

    async def start(self) -> None:
        self.starts += 1
        if self.starts == 1:
            raise AttributeError("module 'websockets' has no attribute 'exceptions'")
        await super().start()


def test_dingtalk_stream_runner_starts_the_sdk_again_when_it_ends_by_itself(
    fake: FakeDingTalk, caplog: pytest.LogCaptureFixture
) -> None:
    client = CrashingSdkClient()
    runner = runner_for(fake, Dialogue(), client_factory=lambda _: client, stop_timeout=5, restart_delay=0.01)

    async def scenario() -> None:
        await runner.start()
        await asyncio.to_thread(client.connected.wait, 5)
        await runner.stop()

    asyncio.run(scenario())

    assert client.starts == 2 and not runner.running
    assert "the DingTalk stream client ended (module 'websockets' has no attribute" in caplog.text
