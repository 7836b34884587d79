"""The WeCom channel on a running server: its settings from credentials.yml, the dialogue engine
and the deduplication store taken from the server's state.

    settings = wecom_settings(read_credentials(path))        # None without a `wecom:` section
    channel = open_wecom_channel(state, settings)
    routes += channel.routes()
    ... at shutdown, before the assistant's stores close:
    await channel.aclose()

Claims go to the tracker store's SQL database when there is one (so every process sharing it
processes each message once), otherwise to memory (the memory tracker store serves one process).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from hrbot.channels.wecom.api import WeComAPI
from hrbot.channels.wecom.channel import WeComChannel
from hrbot.channels.wecom.dedup import (
    InMemoryMessageDeduplicator,
    MessageDeduplicator,
    SQLMessageDeduplicator,
)
from hrbot.channels.wecom.errors import WeComError
from hrbot.channels.wecom.settings import WeComSettings
from hrbot.dialogue.messages import BotMessage, UserMessage
from hrbot.dialogue.processor import MessageProcessor
from hrbot.shared.core.events import BotUttered
from hrbot.shared.credentials import Credentials

if TYPE_CHECKING:
    from hrbot.api.common import ServerState
    from hrbot.stores.factory import Stores

RECENT_EVENTS = 200  # how far back a clicked mapped button key is looked for


class ProcessorDialogue:
    """The dialogue engine as the channel uses it."""

    def __init__(self, processor: MessageProcessor) -> None:
        self.processor = processor

    async def respond(self, message: UserMessage) -> list[BotMessage]:
        return (await self.processor.handle_message(message)).messages

    async def recent_bot_messages(self, sender_id: str) -> list[BotMessage]:
        tracker = await self.processor.tracker(sender_id)
        return [BotMessage(event.text, dict(event.data))
                for event in tracker.events[-RECENT_EVENTS:] if isinstance(event, BotUttered)]


def _deduplicator(stores: Stores) -> MessageDeduplicator:
    """Where message claims go: the Redis of a Redis lock store (shared by every process), else
    the tracker store's SQL database, else memory (one process)."""
    from hrbot.stores.redis_dedup import RedisMessageDeduplicator
    from hrbot.stores.redis_locks import RedisLockStore

    if isinstance(stores.lock_store, RedisLockStore):
        return RedisMessageDeduplicator(stores.lock_store.settings)
    if stores.database is not None:
        return SQLMessageDeduplicator(stores.database)
    return InMemoryMessageDeduplicator()


def wecom_settings(credentials: Credentials) -> WeComSettings | None:
    """The `wecom:` section of credentials.yml as settings; None when there is none."""
    section = credentials.channel("wecom")
    if section is None:
        return None
    return WeComSettings.from_credentials(section, credentials.path or "credentials.yml")


def open_wecom_channel(
    state: ServerState,
    settings: WeComSettings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    now: Callable[[], float] = time.time,
) -> WeComChannel:
    """The channel for `settings`, answering with the server's dialogue engine. `transport`
    replaces the network for the WeCom API (tests)."""
    assistant = state.assistant
    if assistant is None or assistant.processor is None:
        raise WeComError(
            "the WeCom channel needs a model with a dialogue part: add domain.yml and stories or "
            "rules, then 'hrbot train' (or remove the 'wecom:' section from credentials.yml)"
        )
    deduplicator = _deduplicator(assistant.stores)
    api = WeComAPI(settings, transport=transport)
    return WeComChannel(settings, ProcessorDialogue(assistant.processor), api, deduplicator, now=now)
