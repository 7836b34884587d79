"""Getting an agent's reply to the employee on the channel they wrote from.

The reply is always stored in the conversation first (the web chat and every history show it
from there); then the channel of the conversation's latest user message is looked up here and,
if it can push, the reply is pushed. A channel is anything with Rasa's `OutputChannel` shape
reduced to what an agent's reply needs:

    class ReplyChannel(Protocol):
        name: str
        async def send_response(self, recipient_id: str, message: BotMessage) -> None

    callback   Rasa's callback channel: each message is POSTed as {"recipient_id", "text", ...}
               (the REST webhook's answer shape) to credentials.yml `callback: {url}`. Used for
               conversations that came in through `callback` or the REST webhook.
    webchat    nothing to push: the page reads the conversation's history.
    wecom,     not built in: the server passes them as `console_mount(state, reply_channels=
    dingtalk   {"wecom": ..., "dingtalk": ...})`, each a thin ReplyChannel around the channel's
               own send-to-user client (WeCom `api.send_message(user, body)` over `wecom_bodies`,
               DingTalk `api.send_one_to_one(staff_id, ...)` over `one_to_one_message`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx

from hrbot.channels.rest import rest_messages
from hrbot.dialogue.messages import BotMessage
from hrbot.shared.errors import HrbotError

logger = logging.getLogger(__name__)

CALLBACK_TIMEOUT_SECONDS = 10.0


class DeliveryError(HrbotError):
    """A channel could not take the reply; the message says what the channel answered."""


class ReplyChannel(Protocol):
    @property
    def name(self) -> str: ...

    async def send_response(self, recipient_id: str, message: BotMessage) -> None: ...


class HistoryOnly:
    """A channel whose client reads the conversation's history (nothing to push)."""

    pushes = False

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    async def send_response(self, recipient_id: str, message: BotMessage) -> None:
        return None


class CallbackChannel:
    """Rasa's CallbackOutput: every message of the reply POSTed as JSON to `url`."""

    pushes = True

    def __init__(self, url: str, *, transport: httpx.AsyncBaseTransport | None = None,
                 timeout: float = CALLBACK_TIMEOUT_SECONDS) -> None:
        self.url = url
        self.transport = transport
        self.timeout = timeout

    @property
    def name(self) -> str:
        return "callback"

    async def send_response(self, recipient_id: str, message: BotMessage) -> None:
        async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout) as client:
            for body in rest_messages(recipient_id, [message]):
                try:
                    response = await client.post(self.url, json=body)
                except httpx.HTTPError as error:
                    raise DeliveryError(f"回调地址无法访问 (callback {self.url}: {error})") from None
                if response.status_code >= 300:
                    raise DeliveryError(f"回调地址返回 HTTP {response.status_code} (callback {self.url})")


@dataclass(frozen=True)
class Delivery:
    """What happened to a reply: `channel` it came in on, whether it was pushed, and an error."""

    channel: str | None
    pushed: bool
    error: str | None = None


class ReplyChannels:
    """Input channel name -> the channel that takes replies for it."""

    def __init__(self, channels: Mapping[str, ReplyChannel]) -> None:
        self._channels = dict(channels)

    def names(self) -> list[str]:
        return sorted(self._channels)

    async def deliver(self, input_channel: str | None, recipient_id: str, message: BotMessage) -> Delivery:
        """Push `message` to the channel of `input_channel`; never raises for channel trouble
        (the reply is stored already): the result says what happened."""
        channel = self._channels.get(input_channel or "")
        if channel is None:
            return Delivery(input_channel, False, None)
        try:
            await channel.send_response(recipient_id, message)
        except DeliveryError as error:
            logger.warning("reply to %s via %s not delivered: %s", recipient_id, input_channel, error)
            return Delivery(input_channel, False, str(error))
        except Exception as error:  # a platform's own error (WeCom, DingTalk): the reply is stored
            logger.exception("reply to %s via %s not delivered", recipient_id, input_channel)
            return Delivery(input_channel, False, f"{input_channel} 未能送达:{error}")
        return Delivery(input_channel, bool(getattr(channel, "pushes", True)))


def default_reply_channels(callback_url: str | None, *,
                           transport: httpx.AsyncBaseTransport | None = None) -> dict[str, ReplyChannel]:
    """The reply channels from the settings: the callback for REST and callback conversations
    (when a callback URL is configured), history-only otherwise."""
    channels: dict[str, ReplyChannel] = {"webchat": HistoryOnly("webchat")}
    if callback_url:
        callback = CallbackChannel(callback_url, transport=transport)
        channels["callback"] = callback
        channels["rest"] = callback
    else:
        channels["rest"] = HistoryOnly("rest")
    return channels
