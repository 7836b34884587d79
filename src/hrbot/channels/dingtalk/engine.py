"""The one thing the channel needs from the server: the dialogue engine as an `OnMessage`
(a user message in, the bot's messages out), read from the server's state at each message so
the channel never holds on to a processor of its own; and the stream mode built on it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hrbot.channels.dingtalk.channel import DingTalkChannel, OnMessage
from hrbot.channels.dingtalk.settings import DingTalkSettings
from hrbot.channels.dingtalk.stream import DingTalkStreamRunner
from hrbot.dialogue.messages import BotMessage, UserMessage
from hrbot.shared.errors import HrbotError

if TYPE_CHECKING:
    from hrbot.api.common import ServerState


class NoDialogueError(HrbotError):
    """The served model cannot hold conversations."""


def dialogue_handler(state: ServerState) -> OnMessage:
    """`state`'s processor as the channel's `OnMessage`."""

    async def on_message(message: UserMessage) -> Sequence[BotMessage]:
        processor = state.assistant.processor if state.assistant is not None else None
        if processor is None:
            raise NoDialogueError("the loaded model has no dialogue part, so DingTalk messages cannot be "
                                  "answered: add domain.yml and stories or rules, then 'hrbot train'")
        return (await processor.handle_message(message)).messages

    return on_message


def dingtalk_stream_runner(state: ServerState, settings: DingTalkSettings) -> DingTalkStreamRunner:
    """The stream mode for a server: start it in the app's lifespan, stop it on shutdown."""
    return DingTalkStreamRunner(settings, DingTalkChannel(settings, dialogue_handler(state)))
