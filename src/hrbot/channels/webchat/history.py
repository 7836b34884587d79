"""What the chat page shows of a conversation: the user's and the bot's visible messages,
read back from the stored events so a reloaded page (or one that outlived a server restart)
shows the same conversation as before.

Bot messages come out exactly as the REST webhook answers them (`rest_messages`), so the page
renders history and live replies with one code path. A user message that repeats a payload of
the buttons the bot had just offered is shown with that button's title, as it was when clicked.
Externally triggered intents and events with no text are not shown: the user never typed them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hrbot.channels.rest import rest_messages
from hrbot.dialogue.messages import BotMessage
from hrbot.dialogue.processor import EXTERNAL_MESSAGE_PREFIX
from hrbot.shared.core.events import BotUttered, Event, UserUttered

MAX_HISTORY_MESSAGES = 300


def _button_titles(buttons: Any) -> dict[str, str]:
    """payload -> title for the well-formed buttons of one bot message."""
    if not isinstance(buttons, list):
        return {}
    return {
        button["payload"]: button["title"]
        for button in buttons
        if isinstance(button, Mapping)
        and isinstance(button.get("payload"), str)
        and isinstance(button.get("title"), str)
    }


def visible_messages(events: Sequence[Event], recipient_id: str) -> list[dict[str, Any]]:
    """The conversation as the chat page shows it, oldest first: `{"role": "user", "text",
    "message_id", "timestamp"}` and `{"role": "bot", "text"?, "buttons"?, "image"?, ...,
    "timestamp"}`."""
    shown: list[dict[str, Any]] = []
    offered: dict[str, str] = {}  # the buttons since the user last spoke
    for event in events:
        if isinstance(event, UserUttered):
            if event.text is None or event.text.startswith(EXTERNAL_MESSAGE_PREFIX):
                continue
            shown.append({
                "role": "user", "text": offered.get(event.text, event.text),
                "message_id": event.message_id, "timestamp": event.timestamp,
            })
            offered = {}
        elif isinstance(event, BotUttered):
            for item in rest_messages(recipient_id, [BotMessage(event.text, dict(event.data))]):
                item.pop("recipient_id", None)
                offered.update(_button_titles(item.get("buttons")))
                shown.append({"role": "bot", **item, "timestamp": event.timestamp})
    return shown


def latest_messages(
    events: Sequence[Event], recipient_id: str, limit: int = MAX_HISTORY_MESSAGES
) -> tuple[list[dict[str, Any]], bool]:
    """The last `limit` visible messages, and whether older ones were left out."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    shown = visible_messages(events, recipient_id)
    return shown[-limit:], len(shown) > limit
