"""Messages in and out of the dialogue engine, independent of any channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_CHANNEL = "rest"


@dataclass(frozen=True)
class UserMessage:
    """A message from a user, as a channel hands it to the processor."""

    text: str
    sender_id: str
    input_channel: str = DEFAULT_CHANNEL
    metadata: dict[str, Any] = field(default_factory=dict)
    message_id: str | None = None


@dataclass(frozen=True)
class BotMessage:
    """A message for the user: `text` plus the rich parts Rasa keeps in a bot event's `data`
    (`buttons`, `image`, `custom`, `attachment`, ...); channels turn it into their format."""

    text: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
