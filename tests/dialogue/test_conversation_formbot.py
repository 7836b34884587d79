"""Whole conversations over the REST channel with the Chinese form bot fixture: a trained
model, its rasa_sdk actions in a real action server, SQLite conversations, the HTTP API.

Form paths (happy, validation failure, digression, correction, cancellation), fallback →
clarify → handoff with silence until HR returns the conversation, a broken action server,
and message order under concurrency."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hrbot.actions.sdk_server import ActionServerProcess, start_action_server
from hrbot.assistant import Assistant, open_assistant
from hrbot.model.loading import LoadedModel, load_model
from hrbot.model.training import train_project
from hrbot.server import ServerState, create_app
from hrbot.shared.clock import fixed_clock
from hrbot.shared.endpoints import parse_endpoints
from hrbot_test_support import REFERENCE_TIME, subprocess_env

FORMBOT = Path(__file__).resolve().parents[1] / "fixtures" / "rasa_projects" / "formbot"


@dataclass
class Bot:
    """The served bot and a way to talk to it on one event loop."""

    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient
    assistant: Assistant

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        response = self.call("POST", "/webhooks/rest/webhook", json={"sender": sender, "message": text})
        assert response.status_code == 200, response.text
        body: list[dict[str, Any]] = response.json()
        return body

    def texts(self, sender: str, text: str) -> list[str]:
        return [message.get("text", "") for message in self.say(sender, text)]

    def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    def tracker(self, sender: str) -> dict[str, Any]:
        response = self.call("GET", f"/conversations/{sender}/tracker")
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module")
def formbot_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LoadedModel]:
    project = tmp_path_factory.mktemp("formbot") / "formbot"
    shutil.copytree(FORMBOT, project)
    cache = tmp_path_factory.mktemp("cache")
    result = train_project(project, cache_dir=cache, reference_time=REFERENCE_TIME)
    return project, load_model(result.model)


@pytest.fixture(scope="module")
def action_server(formbot_model: tuple[Path, LoadedModel]) -> Iterator[ActionServerProcess]:
    project, _ = formbot_model
    server = start_action_server(project, env=subprocess_env())
    yield server
    server.stop()


def serve(project: Path, model: LoadedModel, endpoints_yaml: str) -> Iterator[Bot]:
    loop = asyncio.new_event_loop()
    clock = fixed_clock(REFERENCE_TIME)
    assistant = open_assistant(model, project, parse_endpoints(endpoints_yaml), clock)
    app = create_app(ServerState(model, clock, assistant=assistant, trust_sender=True))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")
    try:
        yield Bot(loop, client, assistant)
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(assistant.close())
        loop.close()


@pytest.fixture(scope="module")
def bot(formbot_model: tuple[Path, LoadedModel], action_server: ActionServerProcess,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    _, model = formbot_model
    folder = tmp_path_factory.mktemp("served")
    yield from serve(folder, model, f"action_endpoint:\n  url: {action_server.webhook_url}\n")


@pytest.fixture
def sender(request: pytest.FixtureRequest) -> str:
    return f"user-{request.node.name}"[:200]


def test_a_greeting_is_answered(bot: Bot, sender: str) -> None:
    assert bot.texts(sender, "你好")[0] in (
        "您好！我是请假助手，可以帮您提交年假、病假、事假、调休和婚假申请。",
        "你好～需要请假的话直接告诉我，比如“我想请3天年假”。",
    )


def test_the_form_asks_for_each_missing_slot_then_confirms_and_submits(bot: Bot, sender: str) -> None:
    asked = bot.say(sender, "我想请假")
    assert asked[-1]["text"] == "请问您要请哪种假？"
    assert asked[-1]["buttons"][0] == {"title": "年假", "payload": '/inform{"leave_type": "年假"}'}

    assert bot.texts(sender, '/inform{"leave_type": "年假"}') == ["从哪天开始休年假？"]
    assert bot.texts(sender, "下周一") == ["一共请几天？（可以按半天请，例如 0.5 天）"]
    confirm = bot.say(sender, "3天")
    assert confirm[-1]["text"] == "请确认：年假 3 天，从下周一开始。确认提交吗？"

    submitted = bot.texts(sender, "/affirm")
    assert submitted[0].startswith("已提交年假申请：下周一起共3天，申请编号 QJ")
    tracker = bot.tracker(sender)
    assert tracker["active_loop"] == {}
    assert tracker["slots"]["leave_type"] is None  # the submit action cleared the form


def test_slots_given_up_front_are_not_asked_again(bot: Bot, sender: str) -> None:
    replies = bot.texts(sender, "我想从下周四开始请3天年假")
    assert replies[-1] == "请确认：年假 3 天，从下周四开始。确认提交吗？"


def test_an_invalid_value_is_refused_with_a_reason_and_asked_again(bot: Bot, sender: str) -> None:
    bot.say(sender, "我想请年假")
    bot.say(sender, "下周一")
    replies = bot.texts(sender, "40天")
    assert replies == [
        "单次请假最多30天，超过的话请分开申请或联系HR。请重新告诉我天数。",
        "一共请几天？（可以按半天请，例如 0.5 天）",
    ]
    assert bot.tracker(sender)["slots"]["days"] is None


def test_a_question_in_the_middle_of_the_form_is_answered_and_the_form_goes_on(bot: Bot, sender: str) -> None:
    bot.say(sender, "我想请年假")
    replies = bot.texts(sender, "你是机器人吗")
    assert replies == ["我是公司的请假助手机器人，不是真人哦。", "从哪天开始休年假？"]
    assert bot.texts(sender, "下周一") == ["一共请几天？（可以按半天请，例如 0.5 天）"]


def test_a_filled_slot_can_be_corrected_before_confirming(bot: Bot, sender: str) -> None:
    bot.say(sender, "我想从下周一开始请3天年假")
    replies = bot.texts(sender, "改成下周二开始")
    assert replies[-1] == "请确认：年假 3 天，从下周二开始。确认提交吗？"


def test_the_user_can_cancel_the_form(bot: Bot, sender: str) -> None:
    bot.say(sender, "我想请病假")
    assert bot.texts(sender, "算了不请了") == ["还要继续填写请假申请吗？"]
    assert bot.texts(sender, "不用了") == ["好的，这次请假申请已取消，没有提交。"]
    tracker = bot.tracker(sender)
    assert tracker["active_loop"] == {}
    assert tracker["slots"]["leave_type"] is None


def test_events_are_kept_in_rasas_tracker_shape(bot: Bot, sender: str) -> None:
    bot.say(sender, "你好")
    tracker = bot.tracker(sender)
    kinds = [event["event"] for event in tracker["events"]]
    assert kinds[:3] == ["action", "session_started", "action"]
    assert kinds[3] == "user"
    assert tracker["latest_message"]["intent"]["name"] == "greet"
    assert tracker["latest_action_name"] == "action_listen"


def test_messages_of_one_sender_are_processed_one_at_a_time_in_order(bot: Bot, sender: str) -> None:
    async def send_all() -> list[httpx.Response]:
        texts = ["你好", "我想请年假", "下周一", "2天"]
        tasks = []
        for text in texts:
            tasks.append(asyncio.ensure_future(bot.client.post(
                "/webhooks/rest/webhook", json={"sender": sender, "message": text}
            )))
            await asyncio.sleep(0)  # arrive in this order
        return list(await asyncio.gather(*tasks))

    responses = bot.loop.run_until_complete(send_all())
    assert all(response.status_code == 200 for response in responses)
    user_texts = [event["text"] for event in bot.tracker(sender)["events"] if event["event"] == "user"]
    assert user_texts == ["你好", "我想请年假", "下周一", "2天"]
    assert responses[-1].json()[-1]["text"] == "请确认：年假 2 天，从下周一开始。确认提交吗？"


def test_a_broken_payload_gets_a_clear_error(bot: Bot) -> None:
    response = bot.call("POST", "/webhooks/rest/webhook", json={"sender": "x", "message": 42})
    assert response.status_code == 400
    assert "message" in response.json()["message"]


@pytest.fixture(scope="module")
def bot_without_actions(formbot_model: tuple[Path, LoadedModel],
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    """The form bot whose action server is down (nothing listens on the port)."""
    from hrbot.actions.sdk_server import free_port

    _, model = formbot_model
    folder = tmp_path_factory.mktemp("down")
    yield from serve(folder, model, f"action_endpoint:\n  url: http://127.0.0.1:{free_port()}/webhook\n")


def test_when_the_action_server_is_down_the_user_is_told_and_the_conversation_goes_on(
    bot_without_actions: Bot, sender: str
) -> None:
    replies = bot_without_actions.say(sender, "我想请年假")
    assert "暂时无法使用" in replies[-1]["text"]
    # the form could not validate what the message gave: nothing unchecked stays in it
    assert bot_without_actions.tracker(sender)["slots"]["leave_type"] is None
    assert bot_without_actions.texts(sender, "你好")  # still answering
    reviews = bot_without_actions.call("GET", "/reviews", params={"sender_id": sender}).json()
    assert [item["reason"] for item in reviews["items"]] == ["action_failed"]
    assert reviews["items"][0]["details"]["action"] == "validate_leave_form"
