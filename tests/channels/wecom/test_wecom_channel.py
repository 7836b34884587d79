"""The callback URL at the protocol level, with a stand-in for the bot and a fake WeCom API:
URL verification, messages answered with an empty 200 and replied to through message/send,
retries processed once, button clicks, and every kind of bad input refused with a reason."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from starlette.applications import Starlette
from wecom_fakes import (
    MESSAGE_CHECK,
    MESSAGE_ENCRYPT,
    SAMPLE_AES_KEY,
    SAMPLE_AGENT_ID,
    SAMPLE_TOKEN,
    URL_CHECK,
    URL_CHECK_PLAINTEXT,
    WEBHOOK,
    FakeWeCom,
    callback,
    click_xml,
    envelope,
    event_xml,
    media_xml,
    sample_crypto,
    sample_settings,
    text_xml,
)

from hrbot.channels.wecom import (
    ChannelReplies,
    InMemoryMessageDeduplicator,
    SQLMessageDeduplicator,
    WeComChannel,
)
from hrbot.channels.wecom.api import WeComAPI
from hrbot.channels.wecom.crypto import WeComCrypto
from hrbot.channels.wecom.dedup import MessageDeduplicator
from hrbot.channels.wecom.outbound import button_keys
from hrbot.dialogue.messages import BotMessage, UserMessage
from hrbot.stores.base import StoreUnavailableError
from hrbot.stores.sql import SQLDatabase

NOW = 1476422779  # the published message's timestamp: "now" for these tests
REPLIES = ChannelReplies()


@dataclass
class StandInBot:
    """Answers every message with "收到:<text>" (or `answer`), optionally after `gate` opens."""

    answer: Callable[[UserMessage], list[BotMessage]] | None = None
    gate: asyncio.Event | None = None
    delays: dict[str, float] = field(default_factory=dict)
    received: list[UserMessage] = field(default_factory=list)
    said: list[BotMessage] = field(default_factory=list)

    async def respond(self, message: UserMessage) -> list[BotMessage]:
        self.received.append(message)
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.sleep(self.delays.get(message.text, 0.0))
        replies = self.answer(message) if self.answer else [BotMessage(f"收到:{message.text}")]
        self.said.extend(replies)
        return replies

    async def recent_bot_messages(self, sender_id: str) -> list[BotMessage]:
        return list(self.said)


@dataclass
class Running:
    channel: WeComChannel
    client: httpx.AsyncClient
    bot: StandInBot
    wecom: FakeWeCom

    async def post(self, plaintext: str, timestamp: int = NOW) -> httpx.Response:
        url, body = callback(plaintext, timestamp)
        return await self.client.post(url, content=body)

    async def settled(self) -> None:
        await self.channel.wait_idle(10)


@contextlib.asynccontextmanager
async def running(bot: StandInBot | None = None, *, deduplicator: MessageDeduplicator | None = None,
                  wecom: FakeWeCom | None = None, now: float = NOW) -> AsyncIterator[Running]:
    bot = bot or StandInBot()
    wecom = wecom or FakeWeCom()
    settings = sample_settings()
    channel = WeComChannel(settings, bot, WeComAPI(settings, transport=wecom.transport()),
                           deduplicator or InMemoryMessageDeduplicator(), now=lambda: now,
                           task_ids=lambda: "task-1")
    app = Starlette(routes=channel.routes())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        yield Running(channel, client, bot, wecom)
    await channel.aclose()


def texts_sent(wecom: FakeWeCom) -> list[tuple[str, str]]:
    return [(body["touser"], body["text"]["content"]) for body in wecom.sent]


# ------------------------------------------------------------------------------ URL verification


def test_wecom_checks_the_callback_url_and_gets_the_decrypted_echostr_as_plain_text() -> None:
    async def scenario() -> httpx.Response:
        async with running(now=int(URL_CHECK["timestamp"]) + 2) as bot:
            return await bot.client.get(WEBHOOK, params=URL_CHECK)

    response = asyncio.run(scenario())

    assert response.status_code == 200
    assert response.text == URL_CHECK_PLAINTEXT
    assert response.headers["content-type"].startswith("text/plain")


def test_an_echostr_whose_plus_signs_were_not_percent_encoded_still_verifies() -> None:
    raw_query = "&".join(f"{key}={value}" for key, value in URL_CHECK.items())  # '+' left as is

    async def scenario() -> httpx.Response:
        async with running(now=int(URL_CHECK["timestamp"])) as bot:
            return await bot.client.get(f"{WEBHOOK}?{raw_query}")

    response = asyncio.run(scenario())

    assert (response.status_code, response.text) == (200, URL_CHECK_PLAINTEXT)


def test_a_url_check_with_a_wrong_signature_is_refused_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    params = {**URL_CHECK, "msg_signature": "0" * 40}

    async def scenario() -> httpx.Response:
        async with running(now=int(URL_CHECK["timestamp"])) as bot:
            return await bot.client.get(WEBHOOK, params=params)

    with caplog.at_level(logging.WARNING):
        response = asyncio.run(scenario())

    assert response.status_code == 403 and URL_CHECK_PLAINTEXT not in response.text
    assert "refused with 403: msg_signature does not match" in caplog.text


# ------------------------------------------------------------------------------ messages


def test_the_published_message_gets_an_empty_200_and_chen_jia_shun_a_reply_from_the_bot() -> None:
    query = urlencode(MESSAGE_CHECK)

    async def scenario() -> tuple[httpx.Response, Running]:
        async with running() as bot:
            response = await bot.client.post(f"{WEBHOOK}?{query}", content=envelope(MESSAGE_ENCRYPT))
            await bot.settled()
            return response, bot

    response, bot = asyncio.run(scenario())

    assert (response.status_code, response.content) == (200, b"")
    assert bot.bot.received == [UserMessage(
        text="你好", sender_id="ChenJiaShun", input_channel="wecom", message_id="1456453720",
        metadata={"corp_id": "ww1436e0e65a779aee", "agent_id": "1000002", "chat_type": "single",
                  "msg_type": "text", "create_time": 1476422779, "msg_id": "1456453720"},
    )]
    assert bot.wecom.sent == [{"touser": "ChenJiaShun", "agentid": SAMPLE_AGENT_ID, "msgtype": "text",
                               "text": {"content": "收到:你好"}}]


def test_wecom_is_answered_before_the_bot_has_finished_thinking() -> None:
    async def scenario() -> tuple[httpx.Response, int, Running]:
        gate = asyncio.Event()
        async with running(StandInBot(gate=gate)) as bot:
            response = await bot.post(text_xml("上个月工资多少"))
            await asyncio.sleep(0.05)
            sent_while_thinking = len(bot.wecom.sent)
            gate.set()
            await bot.settled()
            return response, sent_while_thinking, bot

    response, sent_while_thinking, bot = asyncio.run(scenario())

    assert (response.status_code, response.content) == (200, b"")
    assert sent_while_thinking == 0 and len(bot.bot.received) == 1
    assert texts_sent(bot.wecom) == [("ChenJiaShun", "收到:上个月工资多少")]


def test_wecoms_retries_of_a_message_are_processed_once(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> tuple[list[int], Running]:
        async with running() as bot:
            statuses = [(await bot.post(text_xml("你好", msg_id="42"), NOW + second)).status_code
                        for second in (0, 5, 10)]  # the first try and WeCom's retries
            await bot.settled()
            return statuses, bot

    with caplog.at_level(logging.INFO):
        statuses, bot = asyncio.run(scenario())

    assert statuses == [200, 200, 200]
    assert len(bot.bot.received) == 1 and len(bot.wecom.sent) == 1
    assert caplog.text.count("WeCom delivered MsgId 42 from 'ChenJiaShun'") == 2


def test_retries_that_reach_two_processes_sharing_one_database_are_processed_once(tmp_path: Path) -> None:
    databases = [SQLDatabase(f"sqlite:///{tmp_path / 'hrbot.db'}") for _ in range(2)]
    wecom = FakeWeCom()

    async def scenario() -> list[StandInBot]:
        bots = [StandInBot(), StandInBot()]
        first_process = running(bots[0], deduplicator=SQLMessageDeduplicator(databases[0]), wecom=wecom)
        second_process = running(bots[1], deduplicator=SQLMessageDeduplicator(databases[1]), wecom=wecom)
        async with first_process as first, second_process as second:
            message = text_xml("我还有几天年假", msg_id="777")
            await asyncio.gather(first.post(message), second.post(message, NOW + 5),
                                 first.post(message, NOW + 9))
            await first.settled()
            await second.settled()
        return bots

    bots = asyncio.run(scenario())
    for database in databases:
        database.dispose()

    assert sum(len(bot.received) for bot in bots) == 1
    assert texts_sent(wecom) == [("ChenJiaShun", "收到:我还有几天年假")]


def test_one_users_messages_are_answered_in_the_order_they_were_sent() -> None:
    async def scenario() -> Running:
        bot = StandInBot(delays={"第一条": 0.1})
        async with running(bot) as run:
            await run.post(text_xml("第一条", msg_id="1"))
            await run.post(text_xml("第二条", msg_id="2"))
            await run.post(text_xml("别人的", msg_id="3", from_user="lisi"))
            await run.settled()
            return run

    run = asyncio.run(scenario())

    mine = [text for user, text in texts_sent(run.wecom) if user == "ChenJiaShun"]
    assert mine == ["收到:第一条", "收到:第二条"]
    assert texts_sent(run.wecom)[0] == ("lisi", "收到:别人的")  # not kept waiting behind the slow one


def test_buttons_in_a_reply_go_as_a_card_whose_keys_are_the_payloads() -> None:
    def greet(message: UserMessage) -> list[BotMessage]:
        return [BotMessage("您好,我是HR助手。\n想查什么?", {"buttons": [
            {"title": "查年假", "payload": "/leave_balance"},
            {"title": "查工资", "payload": "/salary_query"},
        ]})]

    async def scenario() -> Running:
        async with running(StandInBot(answer=greet)) as run:
            await run.post(text_xml("你好"))
            await run.settled()
            return run

    [card] = asyncio.run(scenario()).wecom.sent

    assert card["msgtype"] == "template_card" and card["touser"] == "ChenJiaShun"
    assert [(b["text"], b["key"]) for b in card["template_card"]["button_list"]] == [
        ("查年假", "/leave_balance"), ("查工资", "/salary_query")]


# ------------------------------------------------------------------------------ clicks and media


def test_a_card_click_reaches_the_bot_as_the_buttons_payload_and_the_card_is_marked_answered() -> None:
    async def scenario() -> Running:
        async with running() as run:
            response = await run.post(click_xml("/salary_query", response_code="rc-9", task_id="hrbot-x"))
            assert (response.status_code, response.content) == (200, b"")
            await run.settled()
            return run

    run = asyncio.run(scenario())

    [message] = run.bot.received
    assert (message.text, message.sender_id, message.message_id) == ("/salary_query", "ChenJiaShun", None)
    assert message.metadata["event"] == "template_card_event" and message.metadata["task_id"] == "hrbot-x"
    assert run.wecom.card_updates == [{"userids": ["ChenJiaShun"], "agentid": SAMPLE_AGENT_ID,
                                       "response_code": "rc-9", "button": {"replace_name": "已选择"}}]
    assert texts_sent(run.wecom) == [("ChenJiaShun", "收到:/salary_query")]


def test_a_click_on_a_long_payloads_short_key_reaches_the_bot_as_the_full_payload() -> None:
    long_payload = '/inform{"leave_reason": "' + "孩子生病需要在家照顾" * 60 + '"}'
    key = button_keys([long_payload])[0]
    bot = StandInBot(said=[BotMessage("确认吗?", {"buttons": [{"title": "确认", "payload": long_payload}]})])

    async def scenario() -> None:
        async with running(bot) as run:
            await run.post(click_xml(key))
            await run.settled()

    asyncio.run(scenario())

    assert key != long_payload and [message.text for message in bot.received] == [long_payload]


def test_a_click_on_a_key_the_user_was_never_offered_says_the_choice_expired() -> None:
    async def scenario() -> Running:
        async with running() as run:
            await run.post(click_xml(button_keys(["/inform" + "x" * 2000])[0]))
            await run.settled()
            return run

    run = asyncio.run(scenario())

    assert run.bot.received == []
    assert texts_sent(run.wecom) == [("ChenJiaShun", REPLIES.expired_choice)]


@pytest.mark.parametrize("kind", ["image", "voice", "location"])
def test_pictures_voice_and_other_media_get_a_note_that_only_text_is_understood(kind: str) -> None:
    async def scenario() -> Running:
        async with running() as run:
            await run.post(media_xml(kind))
            await run.settled()
            return run

    run = asyncio.run(scenario())

    assert run.bot.received == []
    assert texts_sent(run.wecom) == [("ChenJiaShun", REPLIES.unsupported)]


def test_events_with_nothing_to_answer_get_an_empty_200_and_nothing_else() -> None:
    async def scenario() -> tuple[httpx.Response, Running]:
        async with running() as run:
            response = await run.post(event_xml("enter_agent"))
            await run.settled()
            return response, run

    response, run = asyncio.run(scenario())

    assert (response.status_code, response.content) == (200, b"")
    assert run.bot.received == [] and run.wecom.sent == []


# ------------------------------------------------------------------------------ failures


def test_when_the_bot_fails_the_user_is_asked_to_try_again_and_the_error_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(message: UserMessage) -> list[BotMessage]:
        raise RuntimeError("the action server is down")

    async def scenario() -> Running:
        async with running(StandInBot(answer=broken)) as run:
            await run.post(text_xml("查工资", msg_id="5"))
            await run.settled()
            return run

    with caplog.at_level(logging.ERROR):
        run = asyncio.run(scenario())

    assert texts_sent(run.wecom) == [("ChenJiaShun", REPLIES.failure)]
    assert "handling WeCom MsgId 5 from 'ChenJiaShun'" in caplog.text
    assert "the action server is down" in caplog.text


class FlakyDeduplicator(InMemoryMessageDeduplicator):
    """Its database is down for the first claim."""

    def __init__(self) -> None:
        super().__init__()
        self.down = True

    async def claim(self, scope: str, key: str, now: float) -> bool:
        if self.down:
            self.down = False
            raise StoreUnavailableError("cannot use the database postgresql://db/hrbot: connection refused")
        return await super().claim(scope, key, now)


def test_when_a_message_cannot_be_recorded_wecom_gets_503_and_its_retry_is_processed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> tuple[list[int], Running]:
        async with running(deduplicator=FlakyDeduplicator()) as run:
            first = await run.post(text_xml("你好", msg_id="9"))
            await run.settled()
            assert run.bot.received == []
            retry = await run.post(text_xml("你好", msg_id="9"), NOW + 5)
            await run.settled()
            return [first.status_code, retry.status_code], run

    with caplog.at_level(logging.ERROR):
        statuses, run = asyncio.run(scenario())

    assert statuses == [503, 200]
    assert len(run.bot.received) == 1 and len(run.wecom.sent) == 1
    assert "cannot record WeCom MsgId 9" in caplog.text and "connection refused" in caplog.text


def test_replies_still_reach_wecom_after_its_access_token_expired_between_messages() -> None:
    async def scenario() -> Running:
        async with running() as run:
            await run.post(text_xml("第一条", msg_id="1"))
            await run.settled()
            run.wecom.expire_tokens()
            await run.post(text_xml("第二条", msg_id="2"))
            await run.settled()
            return run

    run = asyncio.run(scenario())

    assert texts_sent(run.wecom) == [("ChenJiaShun", "收到:第一条"), ("ChenJiaShun", "收到:第二条")]
    assert len(run.wecom.tokens_issued) == 2


def test_a_reply_wecom_refuses_is_logged_and_the_replies_after_it_still_go(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def answer(message: UserMessage) -> list[BotMessage]:
        return [BotMessage(None, {"custom": {"wecom": {"msgtype": "hologram"}}}), BotMessage("好的。")]

    async def scenario() -> Running:
        async with running(StandInBot(answer=answer)) as run:
            await run.post(text_xml("你好"))
            await run.settled()
            return run

    with caplog.at_level(logging.ERROR):
        run = asyncio.run(scenario())

    assert texts_sent(run.wecom) == [("ChenJiaShun", "好的。")]
    assert "a hologram reply to WeCom user 'ChenJiaShun' was not sent" in caplog.text
    assert "errcode 40008" in caplog.text


# ------------------------------------------------------------------------------ bad input


def signed(encrypted: str, timestamp: int = NOW) -> str:
    query = {"msg_signature": sample_crypto().sign(str(timestamp), "123", encrypted),
             "timestamp": str(timestamp), "nonce": "123"}
    return f"{WEBHOOK}?{urlencode(query)}"


def bad_requests() -> dict[str, tuple[str, bytes, int, str]]:
    """name -> (URL, body, status, what the log and answer say)."""
    good = sample_crypto().encrypt(text_xml("你好"))
    wrong_signature = signed(good).replace("msg_signature=", "msg_signature=0")
    other_corp = WeComCrypto(SAMPLE_TOKEN, SAMPLE_AES_KEY, "ww-some-other-corp").encrypt(text_xml("你好"))
    broken_inner = sample_crypto().encrypt("<xml><FromUserName>ChenJiaShun</FromUserName>")
    return {
        "wrong signature": (wrong_signature, envelope(good), 403, "msg_signature does not match"),
        "stale timestamp": (signed(good, NOW - 3600), envelope(good), 403,
                            "3600 s older than this server's clock"),
        "timestamp from the future": (signed(good, NOW + 3600), envelope(good), 403, "3600 s newer"),
        "no signature": (f"{WEBHOOK}?timestamp={NOW}&nonce=1", envelope(good), 400, "lacks msg_signature"),
        "broken XML": (signed(good), b"<xml><Encrypt>" + good.encode(), 400, "not well-formed XML"),
        "no Encrypt": (signed(good), b"<xml><ToUserName>ww</ToUserName></xml>", 400, "no <Encrypt> element"),
        "huge body": (signed(good), b"<xml>" + b" " * 70_000 + b"</xml>", 413, "larger than 65536 bytes"),
        "wrong receiver": (signed(other_corp), envelope(other_corp), 403, "not this app's CorpID"),
        "signed garbage": (signed("bm90IGNpcGhlcg=="), envelope("bm90IGNpcGhlcg=="), 400,
                           "not a whole number of AES blocks"),
        "broken decrypted XML": (signed(broken_inner), envelope(broken_inner), 400,
                                 "decrypted message is not well-formed XML"),
    }


@pytest.mark.parametrize("case", list(bad_requests()))
def test_bad_callbacks_are_refused_with_a_status_and_reason_and_nothing_is_processed(
    case: str, caplog: pytest.LogCaptureFixture,
) -> None:
    url, body, status, reason = bad_requests()[case]

    async def scenario() -> tuple[httpx.Response, Running]:
        async with running() as run:
            response = await run.client.post(url, content=body)
            await run.settled()
            return response, run

    with caplog.at_level(logging.WARNING):
        response, run = asyncio.run(scenario())

    assert response.status_code == status and reason in response.text
    assert f"refused with {status}" in caplog.text and reason in caplog.text
    assert run.bot.received == [] and run.wecom.sent == []


def test_a_message_for_another_app_is_not_answered_and_the_mix_up_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> tuple[httpx.Response, Running]:
        async with running() as run:
            response = await run.post(text_xml("你好", agent_id=1000099))
            await run.settled()
            return response, run

    with caplog.at_level(logging.ERROR):
        response, run = asyncio.run(scenario())

    assert response.status_code == 200 and run.bot.received == []
    assert "is for app 1000099, not this app (1000002)" in caplog.text


def test_a_channel_that_is_shutting_down_asks_wecom_to_retry_elsewhere() -> None:
    async def scenario() -> int:
        async with running() as run:
            await run.channel.dispatcher.aclose()
            return (await run.post(text_xml("你好"))).status_code

    assert asyncio.run(scenario()) == 503


def test_the_channel_state_has_no_secrets_in_its_repr() -> None:
    settings = sample_settings()
    shown = repr(settings) + repr(WeComCrypto(settings.token, settings.encoding_aes_key, settings.corp_id))

    assert SAMPLE_TOKEN not in shown and SAMPLE_AES_KEY not in shown and settings.secret not in shown
