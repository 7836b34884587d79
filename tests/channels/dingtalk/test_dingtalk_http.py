"""The HTTP mode end to end: signed callbacks into the route, a tiny trained bot answering, and
the answers arriving at a fake DingTalk on a real socket; every bad request refused with a
status and a message that say what is wrong, and nothing answered twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from dingtalk_support import (
    BUTTONS,
    GREETING,
    NOW_MS,
    SALARY_REPLY,
    Client,
    FakeDingTalk,
    clicked,
    fake_dingtalk,
    open_chat_assistant,
    robot_message,
    settings,
    signed,
    train_chat_project,
)
from starlette.applications import Starlette

from hrbot.api.common import MAX_BODY_BYTES, ServerState
from hrbot.assistant import Assistant
from hrbot.channels.dingtalk.channel import GROUP_NOTICE_SENT
from hrbot.channels.dingtalk.routes import WEBHOOK_PATH, dingtalk_routes
from hrbot.model.loading import LoadedModel
from hrbot.shared.clock import fixed_clock
from hrbot.shared.core.events import UserUttered
from hrbot_test_support import REFERENCE_TIME

RECEIVED = {"msgtype": "empty"}


@dataclass
class Bot:
    client: Client
    assistant: Assistant

    def post(self, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        sent = {"content-type": "application/json", **(signed(NOW_MS - 2000) if headers is None else headers)}
        return self.client.call("POST", WEBHOOK_PATH, content=content, headers=sent)

    def said(self, sender: str) -> list[UserUttered]:
        assert self.assistant.processor is not None
        tracker = self.client.run(self.assistant.processor.tracker(sender))
        return [event for event in tracker.events if isinstance(event, UserUttered)]


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LoadedModel]:
    return train_chat_project(tmp_path_factory.mktemp("dingtalk-project"))


@pytest.fixture
def fake() -> Iterator[FakeDingTalk]:
    with fake_dingtalk() as server:
        yield server


@pytest.fixture
def bot(chat: tuple[Path, LoadedModel], fake: FakeDingTalk, tmp_path: Path) -> Iterator[Bot]:
    """The bot's DingTalk route with its wall clock pinned, answering with the tiny project."""
    _, model = chat
    assistant = open_chat_assistant(model, tmp_path)
    state = ServerState(model, fixed_clock(REFERENCE_TIME), assistant=assistant)
    app = Starlette(routes=dingtalk_routes(state, settings(fake.base_url), now=lambda: NOW_MS / 1000))
    client = Client(app)
    yield Bot(client, assistant)
    client.run(assistant.close())
    client.close()


def refusal(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["status"], body["code"]) == ("failure", status)
    message: str = body["message"]
    return message


# ------------------------------------------------------------------------------ conversations


def test_dingtalk_http_greeting_is_answered_with_an_action_card_through_the_session_webhook(
    bot: Bot, fake: FakeDingTalk
) -> None:
    response = bot.post(robot_message("你好", webhook=fake.webhook("s1")))

    assert (response.status_code, response.json()) == (200, RECEIVED)
    [card] = fake.webhook_posts("s1")
    assert card["msgtype"] == "actionCard"
    assert card["actionCard"]["text"] == GREETING.replace("\n", "\n\n")
    assert [(b["title"], clicked(b["actionURL"])) for b in card["actionCard"]["btns"]] == [
        (button["title"], button["payload"]) for button in BUTTONS]


def test_dingtalk_http_a_button_click_runs_its_payload_in_the_same_conversation(
    bot: Bot, fake: FakeDingTalk
) -> None:
    bot.post(robot_message("你好", msg_id="m1", webhook=fake.webhook("s1")))
    [card] = fake.webhook_posts("s1")
    salary_button = card["actionCard"]["btns"][1]["actionURL"]

    bot.post(robot_message(clicked(salary_button), msg_id="m2", webhook=fake.webhook("s2")))

    assert fake.webhook_posts("s2") == [{"msgtype": "text", "text": {"content": SALARY_REPLY}}]
    assert [event.text for event in bot.said("manager4521")] == ["你好", "/salary_query"]


def test_dingtalk_http_conversation_is_the_staff_members_and_keeps_no_webhook(
    bot: Bot, fake: FakeDingTalk
) -> None:
    bot.post(robot_message("查工资", msg_id="m-store", staff_id="E1008", webhook=fake.webhook("s1")))

    [said] = bot.said("E1008")
    assert (said.text, said.input_channel, said.message_id) == ("查工资", "dingtalk", "m-store")
    assert (said.metadata["conversationType"], said.metadata["msgId"]) == ("1", "m-store")
    assert "sessionWebhook" not in said.metadata
    assert "session=" not in json.dumps(said.metadata)


def test_dingtalk_http_expired_webhook_answers_through_the_one_to_one_api(
    bot: Bot, fake: FakeDingTalk
) -> None:
    bot.post(robot_message("查工资", webhook=fake.webhook("old"), expires_ms=NOW_MS - 60_000))

    assert fake.webhook_posts() == []
    [sent] = fake.one_to_one()
    assert (sent["userIds"], sent["msgKey"], sent["msgParam"]) == (
        ["manager4521"], "sampleText", {"content": SALARY_REPLY})
    [call] = fake.sent("/v1.0/robot/oToMessages/batchSend")
    assert call.headers["x-acs-dingtalk-access-token"] == "token-1"


def test_dingtalk_http_message_delivered_twice_is_answered_once(bot: Bot, fake: FakeDingTalk) -> None:
    body = robot_message("查工资", msg_id="m-twice", webhook=fake.webhook("s1"))

    first, second = bot.post(body), bot.post(body, signed(NOW_MS - 1000))

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == RECEIVED
    assert len(fake.webhook_posts("s1")) == 1
    assert len(bot.said("manager4521")) == 1


def test_dingtalk_http_group_mention_gets_an_invitation_and_runs_no_dialogue(
    bot: Bot, fake: FakeDingTalk
) -> None:
    bot.post(robot_message("查工资", group=True, at_robot=True, webhook=fake.webhook("g")))

    assert [post["text"]["content"] for post in fake.webhook_posts("g")] == [GROUP_NOTICE_SENT]
    assert [sent["msgKey"] for sent in fake.one_to_one()] == ["sampleActionCard"]
    assert SALARY_REPLY not in json.dumps([call.body for call in fake.calls], ensure_ascii=False)
    assert bot.said("manager4521") == []


def test_dingtalk_http_group_talk_without_a_mention_is_ignored(bot: Bot, fake: FakeDingTalk) -> None:
    response = bot.post(robot_message("查工资", group=True, webhook=fake.webhook("g")))

    assert (response.status_code, response.json()) == (200, RECEIVED)
    assert fake.calls == []


# ------------------------------------------------------------------------------- bad requests


@pytest.mark.parametrize(("headers", "problem"), [
    ({}, "'timestamp' header is missing"),
    ({"timestamp": str(NOW_MS)}, "'sign' header is missing"),
    (signed(NOW_MS, secret="another-apps-secret"), "'sign' header does not match"),
    (signed(NOW_MS - 2 * 3_600_000), "120 minutes away from this server's clock"),
    ({"timestamp": "now", "sign": "x"}, "not a time in milliseconds"),
])
def test_dingtalk_http_refuses_a_callback_without_a_valid_fresh_signature(
    bot: Bot, fake: FakeDingTalk, headers: dict[str, str], problem: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = bot.post(robot_message("查工资", webhook=fake.webhook("s1")), headers)

    assert problem in refusal(response, 401)
    assert problem in caplog.text
    assert fake.calls == [] and bot.said("manager4521") == []


def test_dingtalk_http_refuses_broken_json_saying_so(bot: Bot, fake: FakeDingTalk) -> None:
    response = bot.post(b'{"msgId": "m1", "text": {"content": "\xe6\x9f')

    assert "body is not valid UTF-8 JSON" in refusal(response, 400)


def test_dingtalk_http_refuses_a_body_that_is_not_a_robot_message_naming_the_field(
    bot: Bot, fake: FakeDingTalk, caplog: pytest.LogCaptureFixture
) -> None:
    response = bot.post({**robot_message(), "conversationType": "9"})

    message = refusal(response, 400)
    assert message.startswith("not a DingTalk robot message: 'conversationType'")
    assert "'conversationType'" in caplog.text


def test_dingtalk_http_refuses_a_huge_body_before_reading_it(bot: Bot, fake: FakeDingTalk) -> None:
    body = robot_message("年" * (MAX_BODY_BYTES // 2))

    response = bot.post(body)

    assert f"larger than {MAX_BODY_BYTES} bytes" in refusal(response, 413)
    assert fake.calls == []


def test_dingtalk_http_refuses_messages_when_the_model_cannot_hold_conversations(
    chat: tuple[Path, LoadedModel], fake: FakeDingTalk
) -> None:
    state = ServerState(chat[1], fixed_clock(REFERENCE_TIME))
    routes = dingtalk_routes(state, settings(fake.base_url), now=lambda: NOW_MS / 1000)
    client = Client(Starlette(routes=routes))
    try:
        response = client.call("POST", WEBHOOK_PATH, json=robot_message(), headers=signed(NOW_MS))
    finally:
        client.close()

    assert "no dialogue part" in refusal(response, 409)
