"""DingTalk's APIs as the channel calls them (through httpx.MockTransport): the access token
bought once per lifetime, the one-to-one send API's body, and failures that name the cause."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from dingtalk_support import CLIENT_ID, ROBOT_CODE, SECRET, settings

from hrbot.channels.dingtalk.api import DeliveryError, DingTalkApi

Handler = Callable[[httpx.Request], httpx.Response]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def api_with(handler: Handler, clock: Clock | None = None) -> tuple[DingTalkApi, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return DingTalkApi(settings(), transport=httpx.MockTransport(record), now=clock or Clock()), seen


def dingtalk(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/v1.0/oauth2/accessToken":
        return httpx.Response(200, json={"accessToken": "tok-1", "expireIn": 7200})
    return httpx.Response(200, json={"processQueryKey": "k", "invalidStaffIdList": []})


def test_dingtalk_api_sends_a_one_to_one_message_with_a_bought_token() -> None:
    api, seen = api_with(dingtalk)

    asyncio.run(api.send_one_to_one("manager4521", "sampleText", {"content": "年假还剩 5 天"}))

    token_request, send_request = seen
    assert str(token_request.url) == "https://api.dingtalk.com/v1.0/oauth2/accessToken"
    assert json.loads(token_request.content) == {"appKey": CLIENT_ID, "appSecret": SECRET}
    assert str(send_request.url) == "https://api.dingtalk.com/v1.0/robot/oToMessages/batchSend"
    assert send_request.headers["x-acs-dingtalk-access-token"] == "tok-1"
    body = json.loads(send_request.content)
    assert body == {"robotCode": ROBOT_CODE, "userIds": ["manager4521"], "msgKey": "sampleText",
                    "msgParam": '{"content": "年假还剩 5 天"}'}  # a JSON string, Chinese unescaped


def test_dingtalk_api_buys_the_token_once_per_lifetime() -> None:
    clock = Clock()
    api, seen = api_with(dingtalk, clock)

    async def scenario() -> list[str]:
        tokens = [await api.access_token(), await api.access_token()]
        clock.now += 7200 - 301  # still inside the lifetime less the five-minute margin
        tokens.append(await api.access_token())
        clock.now += 2  # inside the margin: bought again
        tokens.append(await api.access_token())
        return tokens

    assert asyncio.run(scenario()) == ["tok-1"] * 4
    assert [r.url.path for r in seen].count("/v1.0/oauth2/accessToken") == 2


def test_dingtalk_api_buys_one_token_for_concurrent_messages() -> None:
    api, seen = api_with(dingtalk)

    async def scenario() -> None:
        await asyncio.gather(*(api.send_one_to_one(f"u{n}", "sampleText", {"content": "x"})
                               for n in range(5)))

    asyncio.run(scenario())

    assert [r.url.path for r in seen].count("/v1.0/oauth2/accessToken") == 1


def test_dingtalk_api_buys_a_new_token_once_when_dingtalk_says_it_is_no_longer_valid() -> None:
    issued = iter(["old", "new"])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1.0/oauth2/accessToken":
            return httpx.Response(200, json={"accessToken": next(issued), "expireIn": 7200})
        if request.headers["x-acs-dingtalk-access-token"] == "old":
            return httpx.Response(401, json={"code": "InvalidAuthentication", "message": "不合法的token"})
        return httpx.Response(200, json={"processQueryKey": "k"})

    api, seen = api_with(handler)

    asyncio.run(api.send_one_to_one("u1", "sampleText", {"content": "x"}))

    sends = [r for r in seen if r.url.path.endswith("batchSend")]
    assert [r.headers["x-acs-dingtalk-access-token"] for r in sends] == ["old", "new"]


def sending(answer: httpx.Response) -> Handler:
    """A DingTalk that gives tokens and answers every message with `answer`."""
    return lambda r: dingtalk(r) if r.url.path.endswith("accessToken") else answer


@pytest.mark.parametrize(("handler", "message"), [
    (lambda r: httpx.Response(400, json={"code": "invalidClientIdOrSecret", "message": "无效的clientId"}),
     "refused an access token (HTTP 400 invalidClientIdOrSecret: 无效的clientId): check client_id"),
    (sending(httpx.Response(403, json={"code": "Forbidden.AccessDenied.AccessTokenPermissionDenied",
                                       "message": "没有调用该接口的权限"})),
     "one-to-one API refused the message (HTTP 403 Forbidden.AccessDenied.AccessTokenPermissionDenied"),
    (sending(httpx.Response(200, json={"invalidStaffIdList": ["u1"]})),
     "'u1' is not a valid staff id for this robot"),
    (sending(httpx.Response(200, json={"flowControlledStaffIdList": ["u1"]})),
     "'u1' was flow-controlled"),
    (sending(httpx.Response(502, text="<html>bad gateway")),
     "HTTP 502: '<html>bad gateway'"),
])
def test_dingtalk_api_failures_name_the_cause(handler: Handler, message: str) -> None:
    api, _ = api_with(handler)

    with pytest.raises(DeliveryError) as caught:
        asyncio.run(api.send_one_to_one("u1", "sampleText", {"content": "x"}))

    assert message in str(caught.value)


def test_dingtalk_api_says_when_dingtalk_cannot_be_reached() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    api, _ = api_with(unreachable)

    with pytest.raises(DeliveryError, match=r"could not be reached .*ConnectError"):
        asyncio.run(api.post_to_webhook("https://oapi.dingtalk.com/robot/sendBySession?session=s", {}))


def test_dingtalk_api_posts_to_a_session_webhook_and_checks_its_errcode() -> None:
    answers: list[dict[str, Any]] = [{"errcode": 0, "errmsg": "ok"},
                                     {"errcode": 300001, "errmsg": "session expired"}]
    api, seen = api_with(lambda r: httpx.Response(200, json=answers.pop(0)))
    url = "https://oapi.dingtalk.com/robot/sendBySession?session=s1"

    asyncio.run(api.post_to_webhook(url, {"msgtype": "text", "text": {"content": "好的"}}))
    with pytest.raises(DeliveryError, match=r"refused the message .*300001: session expired"):
        asyncio.run(api.post_to_webhook(url, {"msgtype": "text", "text": {"content": "好的"}}))

    assert json.loads(seen[0].content) == {"msgtype": "text", "text": {"content": "好的"}}


@pytest.mark.parametrize(("url", "allowed"), [
    ("https://oapi.dingtalk.com/robot/sendBySession?session=s", True),
    ("https://api.dingtalk.com/x", True),
    ("https://dingtalk.com/x", True),
    ("http://oapi.dingtalk.com/robot/sendBySession", False),  # not https
    ("https://oapi.dingtalk.com.evil.example/robot", False),
    ("https://evildingtalk.com/robot", False),
    ("https://169.254.169.254/latest/meta-data", False),
    ("https://user@oapi.dingtalk.com@evil.example/", False),
])
def test_dingtalk_api_posts_only_to_dingtalks_own_hosts(url: str, allowed: bool) -> None:
    api, seen = api_with(lambda r: httpx.Response(200, json={"errcode": 0}))

    assert api.allows_webhook(url) is allowed
    if not allowed:
        with pytest.raises(DeliveryError, match="not a DingTalk host"):
            asyncio.run(api.post_to_webhook(url, {}))
        assert seen == []
