"""The WeCom API client against a fake WeCom: the access token cached for its lifetime and
replaced when WeCom says it expired, messages sent once, and errors that say what to fix."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
from wecom_fakes import SAMPLE_AGENT_ID, SAMPLE_SECRET, FakeWeCom, free_port, sample_settings

from hrbot.channels.wecom.api import WeComAPI
from hrbot.channels.wecom.errors import WeComAPIError

TEXT = {"msgtype": "text", "text": {"content": "年假还剩 5 天。"}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client(fake: FakeWeCom, clock: Clock | None = None, **settings: Any) -> WeComAPI:
    return WeComAPI(sample_settings(**settings), transport=fake.transport(), monotonic=clock or Clock())


def test_a_message_goes_to_the_user_with_the_apps_agent_id() -> None:
    fake = FakeWeCom()

    async def scenario() -> None:
        api = client(fake)
        await api.send_message("ChenJiaShun", TEXT)
        await api.aclose()

    asyncio.run(scenario())

    assert fake.sent == [{"touser": "ChenJiaShun", "agentid": SAMPLE_AGENT_ID, **TEXT}]


def test_the_access_token_is_fetched_once_and_reused_while_it_is_valid() -> None:
    fake = FakeWeCom(token_lifetime=7200)
    clock = Clock()

    async def scenario() -> None:
        api = client(fake, clock)
        for moment in (1000, 5000, 7899, 7901):  # refreshed 5 minutes before its 7200 s run out
            clock.now = moment
            await api.send_message("u1", TEXT)
            issued.append(len(fake.tokens_issued))
        await api.aclose()

    issued: list[int] = []
    asyncio.run(scenario())

    assert len(fake.sent) == 4
    assert issued == [1, 1, 1, 2]


def test_many_messages_waiting_for_a_token_share_one_gettoken() -> None:
    fake = FakeWeCom()

    async def scenario() -> None:
        api = client(fake)
        await asyncio.gather(*(api.send_message(f"user{n}", TEXT) for n in range(10)))
        await api.aclose()

    asyncio.run(scenario())

    assert len(fake.sent) == 10 and len(fake.tokens_issued) == 1


def test_when_wecom_says_the_token_expired_a_new_one_is_fetched_and_the_message_sent_once() -> None:
    fake = FakeWeCom()

    async def scenario() -> None:
        api = client(fake)
        await api.send_message("u1", TEXT)
        fake.expire_tokens()  # WeCom's clock says two hours passed; ours does not
        await api.send_message("u1", {"msgtype": "text", "text": {"content": "第二条"}})
        await api.aclose()

    asyncio.run(scenario())

    assert [m["text"]["content"] for m in fake.sent] == ["年假还剩 5 天。", "第二条"]
    assert len(fake.tokens_issued) == 2
    assert [r["errcode"] for r in fake.refused] == [42001]


def test_an_unknown_token_40014_is_replaced_as_well() -> None:
    fake = FakeWeCom()

    async def scenario() -> None:
        api = client(fake)
        await api.access_token()
        fake.revoke_tokens()  # WeCom no longer knows the token, without saying it expired
        await api.send_message("u1", TEXT)
        await api.aclose()

    asyncio.run(scenario())

    assert len(fake.sent) == 1 and [r["errcode"] for r in fake.refused] == [40014]


def test_a_wrong_secret_is_reported_with_errcode_and_what_to_fix() -> None:
    fake = FakeWeCom(secret="the-real-secret")

    async def scenario() -> None:
        api = client(fake)
        try:
            await api.send_message("u1", TEXT)
        finally:
            await api.aclose()

    with pytest.raises(WeComAPIError) as failed:
        asyncio.run(scenario())

    assert failed.value.errcode == 40001 and failed.value.call == "gettoken"
    assert "copy the app's Secret" in str(failed.value)
    assert fake.sent == []


def test_an_error_wecom_gives_for_the_message_itself_is_raised_without_a_second_try() -> None:
    fake = FakeWeCom()

    async def scenario() -> None:
        api = client(fake)
        try:
            await api.send_message("u1", {"msgtype": "text", "text": {"content": ""}})
        finally:
            await api.aclose()

    with pytest.raises(WeComAPIError, match="errcode 44004"):
        asyncio.run(scenario())

    assert len(fake.refused) == 1


def test_an_unreachable_wecom_is_an_error_naming_the_address() -> None:
    url = f"http://127.0.0.1:{free_port()}/cgi-bin"  # nothing listens there

    async def scenario() -> None:
        api = WeComAPI(sample_settings(api_base_url=url, request_timeout_seconds=2))
        try:
            await api.send_message("u1", TEXT)
        finally:
            await api.aclose()

    with pytest.raises(WeComAPIError) as failed:
        asyncio.run(scenario())

    assert failed.value.errcode is None and f"cannot connect to {url}" in str(failed.value)


def test_an_answer_that_is_not_json_is_an_error_saying_so() -> None:
    def garbage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>gateway</html>")

    async def scenario() -> None:
        api = WeComAPI(sample_settings(), transport=httpx.MockTransport(garbage))
        try:
            await api.access_token()
        finally:
            await api.aclose()

    with pytest.raises(WeComAPIError, match="gettoken failed: the answer is not JSON"):
        asyncio.run(scenario())


def test_the_secret_and_token_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeWeCom()
    caplog.set_level(logging.DEBUG)

    async def scenario() -> None:
        api = client(fake)
        await api.send_message("u1", TEXT)
        await api.aclose()

    asyncio.run(scenario())

    assert "HTTP Request" in caplog.text  # httpx logged its requests...
    assert SAMPLE_SECRET not in caplog.text and fake.tokens_issued[0] not in caplog.text  # ...redacted
    assert "corpsecret=***" in caplog.text


def test_a_clicked_card_is_updated_with_its_response_code() -> None:
    fake = FakeWeCom()

    async def scenario() -> None:
        api = client(fake)
        await api.update_card_button("ChenJiaShun", "rc-1", "已选择")
        await api.aclose()

    asyncio.run(scenario())

    assert fake.card_updates == [{"userids": ["ChenJiaShun"], "agentid": SAMPLE_AGENT_ID,
                                  "response_code": "rc-1", "button": {"replace_name": "已选择"}}]
