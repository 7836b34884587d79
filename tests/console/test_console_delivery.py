"""Getting an agent's reply to the employee: Rasa's callback channel POSTs each message in the
REST webhook's shape; history-only channels push nothing; trouble is reported, never raised."""

from __future__ import annotations

import asyncio
import json

import httpx

from hrbot.console.delivery import CallbackChannel, ReplyChannels, default_reply_channels
from hrbot.dialogue.messages import BotMessage

URL = "https://employee-app.test/callback"


def test_the_callback_gets_each_part_of_the_reply_as_rasa_posts_it() -> None:
    posted: list[dict[str, object]] = []

    def app(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST" and str(request.url) == URL
        posted.append(json.loads(request.content))
        return httpx.Response(200)

    channel = CallbackChannel(URL, transport=httpx.MockTransport(app))
    asyncio.run(channel.send_response("E1008", BotMessage("第一段\n\n第二段")))

    assert posted == [{"recipient_id": "E1008", "text": "第一段"},
                      {"recipient_id": "E1008", "text": "第二段"}]


def test_rest_and_callback_conversations_use_the_callback_and_web_chat_uses_its_history() -> None:
    calls: list[str] = []
    transport = httpx.MockTransport(lambda request: calls.append(str(request.url)) or httpx.Response(204))
    channels = ReplyChannels(default_reply_channels(URL, transport=transport))

    rest = asyncio.run(channels.deliver("rest", "E1008", BotMessage("好的")))
    callback = asyncio.run(channels.deliver("callback", "E1008", BotMessage("好的")))
    webchat = asyncio.run(channels.deliver("webchat", "E1008", BotMessage("好的")))
    unknown = asyncio.run(channels.deliver("wecom", "wx_u1008", BotMessage("好的")))

    assert (rest.pushed, callback.pushed, webchat.pushed, unknown.pushed) == (True, True, False, False)
    assert calls == [URL, URL]
    assert channels.names() == ["callback", "rest", "webchat"]


def test_without_a_callback_url_rest_conversations_read_the_reply_from_their_history() -> None:
    channels = ReplyChannels(default_reply_channels(None))
    delivery = asyncio.run(channels.deliver("rest", "E1008", BotMessage("好")))
    assert not delivery.pushed and delivery.error is None


def test_a_callback_that_is_down_or_refuses_is_reported_not_raised() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    refused = ReplyChannels({"rest": CallbackChannel(URL, transport=httpx.MockTransport(
        lambda request: httpx.Response(500)))})
    unreachable = ReplyChannels({"rest": CallbackChannel(URL, transport=httpx.MockTransport(down))})

    first = asyncio.run(refused.deliver("rest", "E1008", BotMessage("好")))
    second = asyncio.run(unreachable.deliver("rest", "E1008", BotMessage("好")))

    assert not first.pushed and "HTTP 500" in (first.error or "")
    assert not second.pushed and "无法访问" in (second.error or "")
