"""The web chat page's routes over HTTP: the page and its files, the identity mode it is told,
and the history it reloads — the caller's own conversation under the webhook's identity rules."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from webchat_project import BUTTONS, GREETING, LEAVE_REPLY, Client, open_chat_assistant, train_chat_project

from hrbot import __version__
from hrbot.channels.webchat.history import latest_messages, visible_messages
from hrbot.channels.webchat.routes import STATIC_FILES
from hrbot.server import ServerState, create_app
from hrbot.shared.clock import fixed_clock
from hrbot.shared.core.events import ActionExecuted, BotUttered, UserUttered
from hrbot_test_support import REFERENCE_TIME

SECRET = "webchat-test-secret-of-more-than-32-bytes"


def token_for(subject: str, **claims: Any) -> str:
    return "Bearer " + jwt.encode({"sub": subject, **claims}, SECRET, algorithm="HS256")


@pytest.fixture(scope="module")
def chat_model(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return train_chat_project(tmp_path_factory.mktemp("webchat-project"))[1]


def serve(model: Any, folder: Path, **settings: Any) -> Iterator[Client]:
    assistant = open_chat_assistant(model, folder)
    state = ServerState(model, fixed_clock(REFERENCE_TIME), assistant=assistant, **settings)
    client = Client(create_app(state))
    yield client
    client.run(assistant.close())
    client.close()


@pytest.fixture(scope="module")
def demo(chat_model: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """The demo configuration: the body's sender is taken at its word."""
    yield from serve(chat_model, tmp_path_factory.mktemp("demo-store"), trust_sender=True)


@pytest.fixture(scope="module")
def portal(chat_model: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """The company configuration: only a signed token says who is talking."""
    folder = tmp_path_factory.mktemp("portal-store")
    yield from serve(chat_model, folder, jwt_secret=SECRET, trust_sender=False)


def say(client: Client, text: str, *, sender: str | None = None, token: str | None = None,
        message_id: str | None = None) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"message": text, "message_id": message_id}
    if sender is not None:
        body["sender"] = sender
    headers = {"authorization": token} if token else {}
    response = client.call("POST", "/webhooks/rest/webhook", json=body, headers=headers)
    assert response.status_code == 200, response.text
    replies: list[dict[str, Any]] = response.json()
    return replies


def error_of(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["status"], body["code"], body["version"]) == ("failure", status, __version__)
    message: str = body["message"]
    return message


# ------------------------------------------------------------------------------ the page itself


def test_the_page_script_and_style_are_served_by_hrbot_and_load_nothing_from_elsewhere(demo: Client) -> None:
    page = demo.call("GET", "/webchat")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="zh-CN">' in page.text
    assert "HR 助手" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"

    for name in ("webchat.js", "webchat.css"):
        assert f'"webchat/{name}"' in page.text
        response = demo.call("GET", f"/webchat/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"] == STATIC_FILES[name]
        assert "http://" not in response.text and "https://" not in response.text
        assert "@import" not in response.text and "url(" not in response.text
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", page.text)
    assert "<script>" not in page.text  # no inline script: the policy would block it


def test_the_script_never_puts_message_content_into_the_page_as_html(demo: Client) -> None:
    script = demo.call("GET", "/webchat/webchat.js").text

    assert "textContent" in script
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", script)


def test_a_browser_opening_the_server_root_is_sent_to_the_chat_page(demo: Client) -> None:
    browser = demo.call("GET", "/", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    api_client = demo.call("GET", "/", headers={"accept": "*/*"})

    assert browser.status_code == 303
    assert browser.headers["location"] == "webchat"
    assert api_client.text == f"Hello from hrbot: {__version__}"


def test_the_page_is_told_whether_it_names_the_employee_or_brings_a_token(
    demo: Client, portal: Client
) -> None:
    assert demo.call("GET", "/webchat/config").json() == {"mode": "trust", "max_message_chars": 5000}
    assert portal.call("GET", "/webchat/config").json() == {"mode": "token", "max_message_chars": 5000}


# -------------------------------------------------------------------- history in the demo mode


def test_history_shows_the_employees_conversation_with_buttons_and_the_clicked_title(demo: Client) -> None:
    say(demo, "你好", sender="E1008", message_id="m-1")
    say(demo, "/leave_balance", sender="E1008", message_id="m-2")
    say(demo, "你好", sender="E1009", message_id="m-other")

    response = demo.call("GET", "/webchat/history", params={"sender": "E1008"})

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert (body["sender"], body["truncated"]) == ("E1008", False)
    shown = [{key: value for key, value in item.items() if key != "timestamp"} for item in body["messages"]]
    assert shown == [
        {"role": "user", "text": "你好", "message_id": "m-1"},
        {"role": "bot", "text": GREETING, "buttons": BUTTONS},
        {"role": "user", "text": "查年假", "message_id": "m-2"},
        {"role": "bot", "text": LEAVE_REPLY},
    ]


def test_history_of_an_employee_who_never_wrote_is_empty(demo: Client) -> None:
    body = demo.call("GET", "/webchat/history?sender=E9999").json()

    assert body == {"sender": "E9999", "messages": [], "truncated": False}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("", "name the conversation"),
        ("?sender=", "'sender': must not be empty"),
        ("?sender=E1%0A008", "'sender': must not contain control characters"),
        ("?sender=" + "E" * 256, "'sender': is 256 characters long"),
        ("?sender=E1008&sender=E1009", "give 'sender' once"),
        ("?sender=E1008&limit=5", "unknown query parameter(s) limit"),
        ("?sender=E1008&token=abc", "never in the URL"),
    ],
    ids=["missing", "empty", "control-character", "too-long", "twice", "unknown-parameter", "token-in-url"],
)
def test_a_malformed_history_request_is_refused_with_what_to_fix(
    demo: Client, query: str, words: str
) -> None:
    assert words in error_of(demo.call("GET", "/webchat/history" + query), 400)


def test_history_on_a_server_without_a_dialogue_model_says_so(chat_model: Any) -> None:
    client = Client(create_app(ServerState(chat_model, fixed_clock(REFERENCE_TIME), trust_sender=True)))
    try:
        assert "no dialogue part" in error_of(client.call("GET", "/webchat/history?sender=E1008"), 409)
    finally:
        client.close()


# ----------------------------------------------------------------- history in the token mode


def test_with_tokens_history_shows_only_the_token_subjects_own_conversation(portal: Client) -> None:
    say(portal, "你好", token=token_for("E2001"), message_id="t-1")
    say(portal, "/salary_query", token=token_for("E2002"), message_id="t-2")

    mine = portal.call("GET", "/webchat/history", headers={"authorization": token_for("E2001")}).json()
    named = portal.call("GET", "/webchat/history?sender=E2001", headers={"authorization": token_for("E2001")})

    assert mine["sender"] == "E2001"
    assert [(item["role"], item.get("message_id")) for item in mine["messages"]] == [
        ("user", "t-1"), ("bot", None)]
    assert named.json() == mine


@pytest.mark.parametrize(
    ("headers", "query", "status", "words"),
    [
        ({}, "", 401, "Authorization: Bearer"),
        ({}, "?sender=E2001", 401, "Authorization: Bearer"),
        ({"authorization": "Bearer not-a-jwt"}, "", 401, "not valid"),
        ({"authorization": "Bearer " + jwt.encode({"sub": "E2001"}, "another-secret-of-32-bytes-or-more",
                                                  algorithm="HS256")}, "", 401, "not valid"),
        ({"authorization": token_for("E2001", exp=time.time() - 60)}, "", 401, "expired"),
        ({"authorization": token_for("E2002")}, "?sender=E2001", 403, "leave 'sender' out"),
    ],
    ids=["no-token", "sender-without-token", "garbage", "forged", "expired", "someone-else"],
)
def test_with_tokens_history_needs_a_valid_token_for_that_conversation(
    portal: Client, headers: dict[str, str], query: str, status: int, words: str
) -> None:
    assert words in error_of(portal.call("GET", "/webchat/history" + query, headers=headers), status)


# ------------------------------------------------------------------- what the history shows


def test_history_leaves_out_externally_triggered_intents_and_keeps_typed_payloads_without_buttons() -> None:
    events = [
        UserUttered(timestamp=1.0, text="EXTERNAL: remind_payday"),
        ActionExecuted(timestamp=1.0, name="utter_salary"),
        BotUttered(timestamp=1.0, text="今天发工资。"),
        UserUttered(timestamp=2.0, text="/leave_balance", message_id="x"),
        BotUttered(timestamp=2.0, text="第一段\n\n第二段"),
    ]

    shown = visible_messages(events, "E1008")

    assert [(item["role"], item["text"]) for item in shown] == [
        ("bot", "今天发工资。"), ("user", "/leave_balance"), ("bot", "第一段"), ("bot", "第二段"),
    ]


def test_history_keeps_the_latest_messages_and_says_when_older_ones_are_left_out() -> None:
    events = [UserUttered(timestamp=float(n), text=f"第{n}条") for n in range(5)]

    shown, truncated = latest_messages(events, "E1008", limit=2)

    assert [item["text"] for item in shown] == ["第3条", "第4条"]
    assert truncated is True
    assert latest_messages(events, "E1008", limit=5)[1] is False
