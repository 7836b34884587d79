"""Events that steer the conversation as a whole rather than take part in it: restarts and
new sessions, rewinding and resetting, pausing and resuming for a human, reminders, and
exporting the conversation as a story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self

from hrbot.shared.core.event_base import Event, _Fields


@dataclass(frozen=True, kw_only=True)
class Restarted(Event):
    """Start over: forget everything before this event and reset the slots."""

    type_name: ClassVar[str] = "restart"


@dataclass(frozen=True, kw_only=True)
class SessionStarted(Event):
    """A new conversation session begins (slots carried over follow as `slot` events)."""

    type_name: ClassVar[str] = "session_started"


@dataclass(frozen=True, kw_only=True)
class UserUtteranceReverted(Event):
    """Undo everything back to before the latest user message (and its `action_listen`)."""

    type_name: ClassVar[str] = "rewind"


@dataclass(frozen=True, kw_only=True)
class ActionReverted(Event):
    """Undo the latest action and what came after it."""

    type_name: ClassVar[str] = "undo"


@dataclass(frozen=True, kw_only=True)
class AllSlotsReset(Event):
    """Every slot back to its initial value; history is kept."""

    type_name: ClassVar[str] = "reset_slots"


@dataclass(frozen=True, kw_only=True)
class ConversationPaused(Event):
    """A human took over: the bot stays silent until `resume`."""

    type_name: ClassVar[str] = "pause"


@dataclass(frozen=True, kw_only=True)
class ConversationResumed(Event):
    """The bot takes the conversation back."""

    type_name: ClassVar[str] = "resume"


@dataclass(frozen=True, kw_only=True)
class ReminderScheduled(Event):
    """Trigger `intent` at `trigger_date_time` (read and kept; hrbot's engine may not act on it).

    `entities` is what the action sent: a list of entity objects, an object or null. `name`
    may be None here; Rasa gives unnamed reminders a random name when it creates them.
    """

    type_name: ClassVar[str] = "reminder"

    intent: str
    trigger_date_time: datetime
    entities: Any = None
    name: str | None = None
    kill_on_user_message: bool = True

    def _own_fields(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "date_time": self.trigger_date_time.isoformat(),
            "entities": self.entities,
            "name": self.name,
            "kill_on_user_msg": self.kill_on_user_message,
        }

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        text = fields.required_str("date_time")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise fields.fail("date_time", "an ISO 8601 date-time") from None
        return cls(
            timestamp=timestamp,
            metadata=metadata,
            intent=fields.required_str("intent"),
            trigger_date_time=moment,
            entities=fields.data.get("entities"),
            name=fields.optional_str("name"),
            kill_on_user_message=fields.bool_("kill_on_user_msg", default=True),
        )


@dataclass(frozen=True, kw_only=True)
class ReminderCancelled(Event):
    """Cancel reminders matching `name`, `intent` and `entities` (all None: every reminder).

    Written with the keys `rasa_sdk` sends (Rasa's own `as_dict` drops them)."""

    type_name: ClassVar[str] = "cancel_reminder"

    name: str | None = None
    intent: str | None = None
    entities: Any = None

    def _own_fields(self) -> dict[str, Any]:
        return {"name": self.name, "intent": self.intent, "entities": self.entities}

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        return cls(
            timestamp=timestamp,
            metadata=metadata,
            name=fields.optional_str("name"),
            intent=fields.optional_str("intent"),
            entities=fields.data.get("entities"),
        )


@dataclass(frozen=True, kw_only=True)
class StoryExported(Event):
    """Export the conversation as a story to `path` (written only when set, as Rasa omits it)."""

    type_name: ClassVar[str] = "export"

    path: str | None = None

    def _own_fields(self) -> dict[str, Any]:
        return {} if self.path is None else {"path": self.path}

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        return cls(timestamp=timestamp, metadata=metadata, path=fields.optional_str("path"))
