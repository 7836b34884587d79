"""The channels credentials.yml turns on, as the server runs them: each one's routes and what
must start and stop with the server (a stream connection, replies still being sent).

    rest:      the REST webhook (always served; see `rest_enabled` for who may use it)
    wecom:     the WeCom callback (POST/GET /webhooks/wecom/webhook)
    dingtalk:  the DingTalk robot, `mode: stream` (no public URL) or `mode: http`
               (POST /webhooks/dingtalk/webhook)

A channel's section is read, and its problems reported with the file, before the server starts;
a channel whose package is missing says which extra to install.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from starlette.routing import BaseRoute

from hrbot.dialogue.messages import BotMessage
from hrbot.shared.credentials import Credentials

if TYPE_CHECKING:
    from hrbot.api.common import ServerState
    from hrbot.channels.dingtalk.channel import DingTalkChannel
    from hrbot.channels.wecom.channel import WeComChannel


class ReplySender(Protocol):
    """How a message reaches a user of a channel outside a turn (an HR agent's reply)."""

    @property
    def name(self) -> str: ...

    async def send_response(self, recipient_id: str, message: BotMessage) -> None: ...


@dataclass(frozen=True)
class ChannelMount:
    """A channel on the server: its routes, and what to run when the server starts and stops
    (stopping comes before the assistant's stores close: unfinished replies still need them)."""

    name: str
    routes: Sequence[BaseRoute] = ()
    start: Callable[[], Awaitable[None]] | None = None
    stop: Callable[[], Awaitable[None]] | None = None
    reply: ReplySender | None = None


class WeComReplies:
    """An agent's reply to a WeCom user, through the app's message API."""

    name = "wecom"
    pushes = True

    def __init__(self, channel: WeComChannel) -> None:
        self._channel = channel

    async def send_response(self, recipient_id: str, message: BotMessage) -> None:
        from hrbot.channels.wecom.outbound import wecom_bodies

        for body in wecom_bodies(message, markdown=self._channel.settings.markdown):
            await self._channel.api.send_message(recipient_id, body)


class DingTalkReplies:
    """An agent's reply to a DingTalk user, through the robot's one-to-one API."""

    name = "dingtalk"
    pushes = True

    def __init__(self, channel: DingTalkChannel) -> None:
        self._channel = channel

    async def send_response(self, recipient_id: str, message: BotMessage) -> None:
        from hrbot.channels.dingtalk.replies import one_to_one_message, replies_for

        for reply in replies_for([message]):
            await self._channel.api.send_one_to_one(recipient_id, *one_to_one_message(reply))


def rest_enabled(credentials: Credentials) -> bool:
    """Whether the REST channel is one of the project's channels: yes without a credentials.yml
    (Rasa's default), else only when it lists `rest:`."""
    return credentials.path is None or credentials.channel("rest") is not None


def configured_channels(credentials: Credentials, state: ServerState) -> list[ChannelMount]:
    """The WeCom and DingTalk channels `credentials` configure, opened on `state`."""
    mounts: list[ChannelMount] = []
    if credentials.channel("wecom") is not None:
        from hrbot.channels.wecom import open_wecom_channel, wecom_settings

        settings = wecom_settings(credentials)
        if settings is not None:
            channel = open_wecom_channel(state, settings)
            mounts.append(ChannelMount("wecom", channel.routes(), stop=channel.aclose,
                                       reply=WeComReplies(channel)))
    if credentials.channel("dingtalk") is not None:
        from hrbot.channels.dingtalk import settings_from_credentials
        from hrbot.channels.dingtalk.channel import DingTalkChannel
        from hrbot.channels.dingtalk.engine import dialogue_handler

        dingtalk = settings_from_credentials(credentials)
        if dingtalk is not None:
            robot = DingTalkChannel(dingtalk, dialogue_handler(state))
            if dingtalk.mode == "http":
                from hrbot.channels.dingtalk.routes import dingtalk_routes

                mounts.append(ChannelMount("dingtalk", dingtalk_routes(state, dingtalk, channel=robot),
                                           reply=DingTalkReplies(robot)))
            else:
                from hrbot.channels.dingtalk.stream import DingTalkStreamRunner

                runner = DingTalkStreamRunner(dingtalk, robot)
                mounts.append(ChannelMount("dingtalk", (), start=runner.start, stop=runner.stop,
                                           reply=DingTalkReplies(robot)))
    return mounts
