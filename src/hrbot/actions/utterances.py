"""Turning bot messages into `BotUttered` events, and uttering a response by name.

`bot_uttered` gives the event exactly as Rasa's `create_bot_utterance` does: `text`, the rich
parts under `data` (`elements`, `quick_replies`, `buttons`, `attachment`, `image`, `custom`;
`attachment` falls back to `image`), and every other key of the message as `metadata`
(e.g. `utter_action`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hrbot.actions.base import ActionRuntime
from hrbot.actions.defaults import DEFAULT_TEXTS
from hrbot.actions.responses import fill_template
from hrbot.shared.core.events import BotUttered, Event
from hrbot.shared.core.tracker import DialogueStateTracker

RICH_KEYS = ("elements", "quick_replies", "buttons", "attachment", "image", "custom")


def bot_uttered(message: Mapping[str, Any], *, timestamp: float | None) -> BotUttered:
    """The event for a bot message dict (Rasa's `create_bot_utterance`)."""
    rest = dict(message)
    text = rest.pop("text", None)
    data = {
        "elements": rest.pop("elements", None),
        "quick_replies": rest.pop("quick_replies", None),
        "buttons": rest.pop("buttons", None),
        # as Rasa: without an attachment, the image is the attachment
        "attachment": rest.pop("attachment", None) or rest.get("image"),
        "image": rest.pop("image", None),
        "custom": rest.pop("custom", None),
    }
    return BotUttered(timestamp=timestamp, text=text, data=data, metadata=rest)


def render(
    name: str, tracker: DialogueStateTracker, runtime: ActionRuntime, **kwargs: Any
) -> dict[str, Any] | None:
    """Response `name` rendered for this conversation; when the domain has no such response,
    hrbot's default text for it (if any, see `defaults.py`); else None."""
    message = runtime.responses.generate(name, tracker, runtime.channel, **kwargs)
    if message is not None or name in runtime.domain.responses:
        return message
    default = DEFAULT_TEXTS.get(name)
    if default is None:
        return None
    values = {**tracker.slots, **kwargs}
    return {"text": fill_template(default, values)}


def utter(name: str, tracker: DialogueStateTracker, runtime: ActionRuntime, **kwargs: Any) -> list[Event]:
    """`[BotUttered]` for response `name` (metadata `utter_action`), or `[]` when there is
    nothing to say."""
    message = render(name, tracker, runtime, **kwargs)
    if message is None:
        return []
    return [bot_uttered({**message, "utter_action": name}, timestamp=runtime.now())]
