"""WeCom end to end over real sockets: an encrypted callback reaches hrbot (a tiny trained project
with its SQLite conversations), WeCom gets an empty 200 well within its five seconds, the dialogue
engine answers, and the answer arrives at a fake WeCom API as an app message for the right user
and app; retries are processed once, even by two hrbot processes sharing one database; a button
click comes back as its payload."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from wecom_fakes import SAMPLE_AGENT_ID, FakeWeCom, callback, click_xml, sample_settings, serving, text_xml

from hrbot.api.common import ServerState
from hrbot.assistant import Assistant, open_assistant
from hrbot.channels.wecom import InMemoryMessageDeduplicator, SQLMessageDeduplicator, open_wecom_channel
from hrbot.channels.wecom.errors import WeComError
from hrbot.model.loading import LoadedModel, load_model
from hrbot.model.training import train_project
from hrbot.shared.clock import fixed_clock
from hrbot.shared.core.events import UserUttered
from hrbot.shared.endpoints import parse_endpoints
from hrbot_test_support import LIGHT_CONFIG, REFERENCE_TIME, TINY_DOMAIN, write_tiny_project

pytestmark = pytest.mark.integration

WECOM_LIMIT_SECONDS = 5.0
DOMAIN = TINY_DOMAIN + """
responses:
  utter_greet:
    - text: |-
        您好,我是HR助手。
        想查什么?
      buttons:
        - title: "查年假"
          payload: "/leave_balance"
        - title: "查工资"
          payload: "/salary_query"
  utter_leave_balance:
    - text: "年假还剩 5 天。"
  utter_salary:
    - text: "10月实发 12,345.67 元。"
"""
RULES = """\
version: "3.1"
rules:
  - rule: greet
    steps:
      - intent: greet
      - action: utter_greet
  - rule: leave balance
    steps:
      - intent: leave_balance
      - action: utter_leave_balance
  - rule: salary
    steps:
      - intent: salary_query
      - action: utter_salary
"""


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LoadedModel]:
    project = write_tiny_project(tmp_path_factory.mktemp("wecom-project"),
                                 {"domain.yml": DOMAIN, "data/rules.yml": RULES, "config.yml": LIGHT_CONFIG})
    return project, load_model(train_project(project, reference_time=REFERENCE_TIME).model)


@pytest.fixture
def wecom() -> Iterator[tuple[FakeWeCom, str]]:
    fake = FakeWeCom()
    with serving(fake.app) as url:
        yield fake, url


def bot_app(model: LoadedModel, project: Path, wecom_url: str) -> tuple[Starlette, Assistant]:
    """hrbot with the WeCom channel, wired as the server wires it: the channel's routes, and at
    shutdown the channel closed before the assistant's stores."""
    assistant = open_assistant(model, project, parse_endpoints(""), fixed_clock(REFERENCE_TIME))
    state = ServerState(model, fixed_clock(REFERENCE_TIME), assistant=assistant)
    channel = open_wecom_channel(state, sample_settings(api_base_url=f"{wecom_url}/cgi-bin"))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await channel.aclose()
        await assistant.close()

    return Starlette(routes=channel.routes(), lifespan=lifespan), assistant


def deliver(bot_url: str, plaintext: str, *, delay: int = 0) -> tuple[httpx.Response, float]:
    """POST a callback as WeCom does (now, plus `delay` seconds for a retry); the answer and how
    long it took."""
    url, body = callback(plaintext, int(time.time()) + delay)
    started = time.monotonic()
    response = httpx.post(f"{bot_url}{url}", content=body, timeout=10)
    return response, time.monotonic() - started


def user_texts(assistant: Assistant, sender: str) -> list[tuple[str | None, str | None, Any]]:
    assert assistant.processor is not None
    tracker = asyncio.run(assistant.processor.tracker(sender))
    return [(event.text, event.input_channel, event.metadata.get("msg_id"))
            for event in tracker.events if isinstance(event, UserUttered)]


def test_a_wecom_user_talks_to_the_trained_bot_and_gets_cards_and_answers_from_it(
    trained: tuple[Path, LoadedModel], wecom: tuple[FakeWeCom, str],
) -> None:
    project, model = trained
    fake, wecom_url = wecom
    app, assistant = bot_app(model, project, wecom_url)

    with serving(app) as bot_url:
        response, took = deliver(bot_url, text_xml("你好", msg_id="1001"))
        assert (response.status_code, response.content) == (200, b"")
        assert took < WECOM_LIMIT_SECONDS
        for retry in (5, 10):  # WeCom did not see the answer in time and tries again
            assert deliver(bot_url, text_xml("你好", msg_id="1001"), delay=retry)[0].status_code == 200
        [card] = fake.wait_for_sent(1)

        fake.expire_tokens()  # two hours later, as far as WeCom is concerned
        deliver(bot_url, text_xml("查工资", msg_id="1002"))
        salary = fake.wait_for_sent(2)[1]

        key = card["template_card"]["button_list"][0]["key"]
        deliver(bot_url, click_xml(key, response_code="rc-1", create_time=int(time.time())))
        leave = fake.wait_for_sent(3)[2]
        user_events = user_texts(assistant, "ChenJiaShun")

    assert (card["touser"], card["agentid"]) == ("ChenJiaShun", SAMPLE_AGENT_ID)
    assert card["msgtype"] == "template_card"
    assert card["template_card"]["main_title"] == {"title": "您好,我是HR助手。"}
    assert [(b["text"], b["key"]) for b in card["template_card"]["button_list"]] == [
        ("查年假", "/leave_balance"), ("查工资", "/salary_query")]
    assert salary == {"touser": "ChenJiaShun", "agentid": SAMPLE_AGENT_ID, "msgtype": "text",
                      "text": {"content": "10月实发 12,345.67 元。"}}
    assert leave["text"] == {"content": "年假还剩 5 天。"}
    assert len(fake.sent) == 3  # the retries of 1001 were not answered again
    assert len(fake.tokens_issued) == 2 and fake.card_updates[0]["response_code"] == "rc-1"
    assert user_events == [("你好", "wecom", "1001"), ("查工资", "wecom", "1002"),
                           ("/leave_balance", "wecom", None)]


def test_two_hrbot_processes_sharing_the_conversations_database_answer_a_retried_message_once(
    trained: tuple[Path, LoadedModel], wecom: tuple[FakeWeCom, str], tmp_path: Path,
) -> None:
    _, model = trained
    fake, wecom_url = wecom
    project = write_tiny_project(tmp_path / "shared", {"domain.yml": DOMAIN, "data/rules.yml": RULES})
    first_app, _ = bot_app(model, project, wecom_url)
    second_app, _ = bot_app(model, project, wecom_url)

    with serving(first_app) as first, serving(second_app) as second:
        message = text_xml("查工资", msg_id="2001", from_user="zhangsan")
        statuses = [deliver(url, message, delay=delay)[0].status_code
                    for url, delay in ((first, 0), (second, 5), (first, 10), (second, 15))]
        deliver(second, text_xml("你好", msg_id="2002", from_user="zhangsan"))
        sent = fake.wait_for_sent(2)
        time.sleep(0.2)

    assert statuses == [200, 200, 200, 200]
    assert [body["msgtype"] for body in fake.sent] == ["text", "template_card"]
    assert sent[0]["text"] == {"content": "10月实发 12,345.67 元。"} and sent[0]["touser"] == "zhangsan"


def test_claims_go_to_the_tracker_stores_sql_database_or_to_memory_next_to_a_memory_store(
    trained: tuple[Path, LoadedModel], tmp_path: Path,
) -> None:
    _, model = trained
    clock = fixed_clock(REFERENCE_TIME)
    sql = open_assistant(model, tmp_path, parse_endpoints(""), clock)
    memory = open_assistant(model, tmp_path, parse_endpoints("tracker_store:\n  type: memory\n"), clock)

    channels = [open_wecom_channel(ServerState(model, clock, assistant=assistant), sample_settings())
                for assistant in (sql, memory)]

    assert isinstance(channels[0].deduplicator, SQLMessageDeduplicator)
    assert isinstance(channels[1].deduplicator, InMemoryMessageDeduplicator)
    for channel, assistant in zip(channels, (sql, memory), strict=True):
        asyncio.run(channel.aclose())
        asyncio.run(assistant.close())


def test_a_model_without_a_dialogue_part_cannot_serve_wecom_and_is_told_why(
    trained: tuple[Path, LoadedModel],
) -> None:
    _, model = trained

    with pytest.raises(WeComError, match="needs a model with a dialogue part"):
        open_wecom_channel(ServerState(model, fixed_clock(REFERENCE_TIME)), sample_settings())
