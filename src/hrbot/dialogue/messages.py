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
    """A message for the user, in Rasa's REST output shape once `to_dict` is called with the
    recipient: `text` plus optional `buttons`, `image`, `custom`, `attachment`, ..."""

    text: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, recipient_id: str) -> dict[str, Any]:
        out: dict[str, Any] = {"recipient_id": recipient_id}
        if self.text is not None:
            out["text"] = self.text
        for key, value in self.data.items():
            if value not in (None, [], {}, ""):
                out[key] = value
        return out
