"""Fallback → clarify → handoff, silence while a human has the conversation, and the way
back: a small Chinese project served over REST with SQLite conversations."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hrbot.assistant import open_assistant
from hrbot.model.loading import load_model
from hrbot.model.training import train_project
from hrbot.server import ServerState, create_app
from hrbot.shared.clock import fixed_clock
from hrbot.shared.endpoints import parse_endpoints
from hrbot_test_support import REFERENCE_TIME, TINY_DOMAIN, write_tiny_project

WITH_HANDOFF = "  - attendance_correction\n  - human_handoff\n"
DOMAIN = TINY_DOMAIN.replace("  - attendance_correction\n", WITH_HANDOFF) + """
responses:
  utter_greet:
    - text: "您好,我是HR助手。"
  utter_goodbye:
    - text: "再见!"
  utter_human_handoff:
    - text: "已为您转接人工HR,人工服务时间为工作日 9:00-18:00。"
"""

RULES = """\
version: "3.1"
rules:
  - rule: greet
    steps:
      - intent: greet
      - action: utter_greet
  - rule: goodbye
    steps:
      - intent: goodbye
      - action: utter_goodbye
  - rule: a human on request
    steps:
      - intent: human_handoff
      - action: action_human_handoff
  - rule: clarify what was not understood
    steps:
      - intent: nlu_fallback
      - action: action_two_stage_fallback
      - active_loop: action_two_stage_fallback
"""

GIBBERISH = "zqxj vblorf"
OTHER_GIBBERISH = "qwpz xkcd"


class Client:
    def __init__(self, app: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")

    def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        response = self.call("POST", "/webhooks/rest/webhook", json={"sender": sender, "message": text})
        assert response.status_code == 200, response.text
        body: list[dict[str, Any]] = response.json()
        return body

    def reviews(self, **params: str) -> list[dict[str, Any]]:
        response = self.call("GET", "/reviews", params=params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    project = write_tiny_project(
        tmp_path_factory.mktemp("handoff"), {"domain.yml": DOMAIN, "data/rules.yml": RULES}
    )
    model = load_model(train_project(project, reference_time=REFERENCE_TIME).model)
    clock = fixed_clock(REFERENCE_TIME)
    assistant = open_assistant(model, project, parse_endpoints(""), clock)
    app = create_app(ServerState(model, clock, assistant=assistant, trust_sender=True))
    client = Client(app)
    yield client
    client.loop.run_until_complete(client.client.aclose())
    client.loop.run_until_complete(assistant.close())
    client.loop.close()


@pytest.fixture
def sender(request: pytest.FixtureRequest) -> str:
    return f"employee-{request.node.name}"


def test_an_unclear_message_is_clarified_with_the_top_intents_as_buttons(client: Client, sender: str) -> None:
    replies = client.say(sender, GIBBERISH)
    buttons = replies[-1]["buttons"]
    assert 1 <= len(buttons) <= 4
    assert buttons[-1] == {"title": "都不是", "payload": "/out_of_scope"}
    assert all(button["payload"].startswith("/") for button in buttons)


def test_choosing_a_suggested_intent_answers_it(client: Client, sender: str) -> None:
    client.say(sender, GIBBERISH)
    assert client.say(sender, "/greet")[-1]["text"] == "您好,我是HR助手。"


def test_still_unclear_after_rephrasing_hands_off_to_a_human_with_service_hours(
    client: Client, sender: str
) -> None:
    client.say(sender, GIBBERISH)
    rephrase = client.say(sender, "/out_of_scope")
    assert rephrase[-1]["text"]  # asked to rephrase
    handoff = client.say(sender, OTHER_GIBBERISH)
    assert handoff[-1]["text"] == "已为您转接人工HR,人工服务时间为工作日 9:00-18:00。"

    tracker = client.call("GET", f"/conversations/{sender}/tracker").json()
    assert tracker["paused"] is True
    handoffs = client.reviews(sender_id=sender, kind="handoff")
    assert [(item["reason"], item["resolved_at"]) for item in handoffs] == [("fallback", None)]
    assert len(client.reviews(sender_id=sender, kind="fallback")) >= 2


def test_the_bot_stays_silent_during_a_handoff_until_hr_returns_the_conversation(
    client: Client, sender: str
) -> None:
    assert client.say(sender, "/human_handoff")[-1]["text"].startswith("已为您转接人工HR")
    assert client.reviews(sender_id=sender, kind="handoff")[0]["reason"] == "requested"

    assert client.say(sender, "你好") == []
    assert client.say(sender, "还在吗") == []
    events = client.call("GET", f"/conversations/{sender}/tracker").json()["events"]
    assert [e["text"] for e in events if e["event"] == "user"][-2:] == ["你好", "还在吗"]

    back = client.call("POST", f"/conversations/{sender}/resume", json={"agent": "hr_li"})
    assert back.status_code == 200
    assert back.json()["paused"] is False
    closed = client.reviews(sender_id=sender, kind="handoff")[0]
    assert closed["resolved_by"] == "hr_li"
    assert client.say(sender, "你好")[-1]["text"] == "您好,我是HR助手。"


def test_returning_a_conversation_that_is_not_handed_off_is_refused(client: Client, sender: str) -> None:
    client.say(sender, "你好")
    response = client.call("POST", f"/conversations/{sender}/resume", json={"agent": "hr_li"})
    assert response.status_code == 409


def test_hr_can_also_resume_with_rasas_resume_event(client: Client, sender: str) -> None:
    client.say(sender, "/human_handoff")
    response = client.call("POST", f"/conversations/{sender}/tracker/events", json={"event": "resume"})
    assert response.status_code == 200
    assert response.json()["paused"] is False
    assert client.reviews(sender_id=sender, kind="handoff")[0]["resolved_by"] == "http_api"


def test_trigger_intent_runs_the_intent_and_returns_the_messages(client: Client, sender: str) -> None:
    response = client.call("POST", f"/conversations/{sender}/trigger_intent", json={"name": "greet"})
    assert response.status_code == 200
    assert response.json()["messages"][-1]["text"] == "您好,我是HR助手。"
    unknown = client.call("POST", f"/conversations/{sender}/trigger_intent", json={"name": "nope"})
    assert unknown.status_code == 404


def test_restart_starts_the_conversation_afresh(client: Client, sender: str) -> None:
    client.say(sender, "/human_handoff")
    client.say(sender, "/restart")
    tracker = client.call("GET", f"/conversations/{sender}/tracker").json()
    assert tracker["paused"] is False
    assert client.say(sender, "你好")[-1]["text"] == "您好,我是HR助手。"


def test_conversations_survive_a_restart_of_the_server(tmp_path: Path) -> None:
    project = write_tiny_project(tmp_path / "p", {"domain.yml": DOMAIN, "data/rules.yml": RULES})
    model = load_model(train_project(project, reference_time=REFERENCE_TIME).model)
    clock = fixed_clock(REFERENCE_TIME)
    for round_ in range(2):
        assistant = open_assistant(model, project, parse_endpoints(""), clock)
        client = Client(create_app(ServerState(model, clock, assistant=assistant, trust_sender=True)))
        client.say("alice", "你好")
        events = client.call("GET", "/conversations/alice/tracker").json()["events"]
        assert sum(1 for e in events if e["event"] == "user") == round_ + 1
        client.loop.run_until_complete(assistant.close())
        client.loop.close()
    assert (project / "hrbot.db").is_file()


def test_an_unexpected_failure_gets_rasas_error_body_and_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    project = write_tiny_project(tmp_path / "p", {"domain.yml": DOMAIN, "data/rules.yml": RULES})
    model = load_model(train_project(project, reference_time=REFERENCE_TIME).model)
    clock = fixed_clock(REFERENCE_TIME)
    assistant = open_assistant(model, project, parse_endpoints(""), clock)
    assert assistant.processor is not None

    class BrokenNLU:
        def parse(self, text: str, reference_time: object) -> object:
            raise RuntimeError("segmenter exploded")

    assistant.processor.nlu = BrokenNLU()  # type: ignore[assignment]
    app = create_app(ServerState(model, clock, assistant=assistant, trust_sender=True))

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            return await client.post("/webhooks/rest/webhook", json={"sender": "a", "message": "你好"})

    response = asyncio.run(post())
    assert response.status_code == 500
    assert response.json()["reason"] == "InternalError"
    assert "segmenter exploded" in caplog.text


def test_the_conversation_api_needs_a_token_or_a_jwt_for_that_conversation(tmp_path: Path) -> None:
    import jwt

    project = write_tiny_project(tmp_path / "p", {"domain.yml": DOMAIN, "data/rules.yml": RULES})
    model = load_model(train_project(project, reference_time=REFERENCE_TIME).model)
    clock = fixed_clock(REFERENCE_TIME)
    assistant = open_assistant(model, project, parse_endpoints(""), clock)
    state = ServerState(model, clock, "s3cret", assistant, jwt_secret="a-long-enough-jwt-secret-for-hs256",
                        trust_sender=True)
    client = Client(create_app(state))
    alice = jwt.encode({"user": {"username": "alice", "role": "user"}},
                       "a-long-enough-jwt-secret-for-hs256", algorithm="HS256")
    try:
        assert client.say("alice", "你好")  # the channel webhook needs no token, as in Rasa
        own = "/conversations/alice/tracker"
        assert client.call("GET", own).status_code == 401
        assert client.call("GET", own, params={"token": "wrong"}).status_code == 401
        assert client.call("GET", own, params={"token": "s3cret"}).status_code == 200
        bearer = {"Authorization": f"Bearer {alice}"}
        assert client.call("GET", own, headers=bearer).status_code == 200
        assert client.call("GET", "/conversations/bob/tracker", headers=bearer).status_code == 403
        assert client.call("GET", "/reviews", headers=bearer).status_code == 403
    finally:
        client.loop.run_until_complete(assistant.close())
        client.loop.close()


def test_a_bad_query_parameter_is_refused_before_anything_is_stored(client: Client, sender: str) -> None:
    response = client.call("POST", f"/conversations/{sender}/messages",
                           params={"include_events": "bogus"}, json={"text": "你好", "sender": "user"})
    assert response.status_code == 400
    assert "include_events" in response.json()["message"]
    assert client.call("GET", f"/conversations/{sender}/tracker").json()["events"] == []


def test_a_body_over_the_limit_is_refused(client: Client, sender: str) -> None:
    response = client.call("POST", "/webhooks/rest/webhook",
                           content=b'{"sender": "x", "message": "' + b"a" * 2_000_000 + b'"}')
    assert response.status_code == 413


def test_a_message_no_policy_can_handle_gets_one_fallback_answer_then_the_bot_listens(
    client: Client, sender: str
) -> None:
    client.say(sender, "你好")
    replies = client.say(sender, "/salary_query")  # known intent, but no rule or story for it
    assert len(replies) == 1
    tracker = client.call("GET", f"/conversations/{sender}/tracker").json()
    assert tracker["latest_action_name"] == "action_listen"
    assert client.say(sender, "你好")[-1]["text"] == "您好,我是HR助手。"
    assert [item["reason"] for item in client.reviews(sender_id=sender, kind="fallback")] == [
        "action_default_fallback"
    ]


def test_a_second_unhandled_message_in_a_row_goes_to_a_human(client: Client, sender: str) -> None:
    client.say(sender, "你好")
    first = client.say(sender, "/salary_query")
    second = client.say(sender, "/salary_query")

    assert first[-1]["text"] != second[-1]["text"]
    assert second[-1]["text"].startswith("已为您转接人工")
    assert client.call("GET", f"/conversations/{sender}/tracker").json()["paused"] is True
    assert [item["reason"] for item in client.reviews(sender_id=sender, kind="handoff")] == ["fallback"]


def test_an_understood_message_between_two_unhandled_ones_starts_the_count_again(
    client: Client, sender: str
) -> None:
    client.say(sender, "/salary_query")
    client.say(sender, "你好")
    replies = client.say(sender, "/salary_query")

    assert not replies[-1]["text"].startswith("已为您转接人工")
    assert client.call("GET", f"/conversations/{sender}/tracker").json()["paused"] is False


def test_without_trusting_the_sender_the_rest_channel_needs_a_token_for_that_user(tmp_path: Path) -> None:
    import jwt

    secret = "a-long-enough-jwt-secret-for-hs256"
    project = write_tiny_project(tmp_path / "p", {"domain.yml": DOMAIN, "data/rules.yml": RULES})
    model = load_model(train_project(project, reference_time=REFERENCE_TIME).model)
    clock = fixed_clock(REFERENCE_TIME)
    assistant = open_assistant(model, project, parse_endpoints(""), clock)
    client = Client(create_app(ServerState(model, clock, "s3cret", assistant, secret, trust_sender=False)))
    token = jwt.encode({"sub": "E1002"}, secret, algorithm="HS256")
    hook = "/webhooks/rest/webhook"
    try:
        assert client.call("POST", hook, json={"sender": "E1002", "message": "你好"}).status_code == 401
        forged = jwt.encode({"sub": "E1002"}, "another-secret-of-enough-length-32b", algorithm="HS256")
        assert client.call("POST", hook, json={"message": "你好"},
                           headers={"Authorization": f"Bearer {forged}"}).status_code == 401
        as_other = client.call("POST", hook, json={"sender": "E1001", "message": "你好"},
                               headers={"Authorization": f"Bearer {token}"})
        assert as_other.status_code == 403

        ok = client.call("POST", hook, json={"message": "你好"}, headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        assert ok.json()[0]["recipient_id"] == "E1002"
        tracker = client.call("GET", "/conversations/E1002/tracker", params={"token": "s3cret"}).json()
        assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["你好"]
    finally:
        client.loop.run_until_complete(assistant.close())
        client.loop.close()


def test_deleting_every_conversation_starts_everyone_afresh(tmp_path: Path) -> None:
    project = write_tiny_project(tmp_path / "p", {"domain.yml": DOMAIN, "data/rules.yml": RULES})
    model = load_model(train_project(project, reference_time=REFERENCE_TIME).model)
    clock = fixed_clock(REFERENCE_TIME)
    assistant = open_assistant(model, project, parse_endpoints(""), clock)
    client = Client(create_app(ServerState(model, clock, assistant=assistant, trust_sender=True)))
    try:
        client.say("alice", "/human_handoff")
        assert client.say("alice", "你好") == []  # with HR

        assert client.call("DELETE", "/conversations").status_code == 200

        assert client.say("alice", "你好")[-1]["text"] == "您好,我是HR助手。"
        assert client.reviews() == []
        events = client.call("GET", "/conversations/alice/tracker").json()["events"]
        assert [e["text"] for e in events if e["event"] == "user"] == ["你好"]
    finally:
        client.loop.run_until_complete(assistant.close())
        client.loop.close()
