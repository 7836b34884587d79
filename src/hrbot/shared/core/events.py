"""Tracker events: everything that happened in a conversation, in Rasa 3.x's JSON shape.

Each event is a frozen dataclass with `to_dict()` giving exactly what Rasa stores and sends
(`event` discriminator, `timestamp` in float seconds, `metadata`, and the event's own keys), and
`event_from_dict()` reads both what Rasa writes and what `rasa_sdk` custom actions return.

Timestamps are always passed in, never read from a clock inside a constructor. A timestamp may
be `None`: `rasa_sdk` events usually arrive without one, and whoever appends them to a tracker
(the processor, with its injected clock) stamps them with `with_timestamp()`. `to_dict()` writes
a `None` timestamp as JSON `null`.

All fields are keyword-only. Equality compares every field, timestamp included (Rasa's own
events ignore timestamps in `==`; compare `to_dict()` without `timestamp` for that).

Not covered: Rasa Pro's `stack`, `flow_*` and `session_ended` events, and the legacy `form` /
`form_validation` names of Rasa 1.x; `event_from_dict` rejects them as unknown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, Self

from hrbot.shared.errors import HrbotError
from hrbot.shared.nlu.parse_result import ParseResult

ACTION_LISTEN_NAME = "action_listen"
ACTION_SESSION_START_NAME = "action_session_start"


class InvalidEventError(HrbotError, ValueError):
    """An event dict cannot be read: unknown `event` type, or a missing or ill-typed field."""


# ---------------------------------------------------------------------------------------------
# reading fields


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


class _Fields:
    """Typed access to one event dict; every failure names the event type and the field."""

    def __init__(self, data: Mapping[str, Any], event: str) -> None:
        self.data = data
        self.event = event

    def fail(self, key: str, expected: str) -> InvalidEventError:
        value = self.data[key]
        return InvalidEventError(
            f"event '{self.event}': field '{key}' must be {expected}, "
            f"got {_type_name(value)} {value!r}"
        )

    def missing(self, key: str, expected: str) -> InvalidEventError:
        return InvalidEventError(f"event '{self.event}': required field '{key}' ({expected}) is missing")

    def optional_str(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return value
        raise self.fail(key, "a string or null")

    def required_str(self, key: str) -> str:
        if key not in self.data:
            raise self.missing(key, "a string")
        value = self.data[key]
        if not isinstance(value, str):
            raise self.fail(key, "a string")
        return value

    def optional_float(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "a number or null")
        return float(value)

    def bool_(self, key: str, default: bool | None = None) -> bool:
        value = self.data.get(key)
        if value is None:
            if default is not None:
                return default
            if key in self.data:
                raise self.fail(key, "true or false")
            raise self.missing(key, "true or false")
        if not isinstance(value, bool):
            raise self.fail(key, "true or false")
        return value

    def dict_(self, key: str) -> dict[str, Any]:
        """A JSON object; a missing key or null reads as {}."""
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(key, "an object or null")
        return dict(value)

    def list_of_dicts(self, key: str) -> list[dict[str, Any]]:
        if key not in self.data:
            raise self.missing(key, "a list of objects")
        value = self.data[key]
        if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
            raise self.fail(key, "a list of objects")
        return [dict(item) for item in value]

    def timestamp(self) -> float | None:
        return self.optional_float("timestamp")

    def metadata(self) -> dict[str, Any]:
        return self.dict_("metadata")


# ---------------------------------------------------------------------------------------------
# the events


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of all events: when it happened (float seconds, or None before stamping) and
    free-form metadata."""

    type_name: ClassVar[str] = ""

    timestamp: float | None
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Rasa's JSON shape: `event`, `timestamp`, `metadata` (only when not empty, as Rasa),
        then the event's own keys."""
        data: dict[str, Any] = {"event": self.type_name, "timestamp": self.timestamp}
        if self.metadata:
            data["metadata"] = self.metadata
        data.update(self._own_fields())
        return data

    def _own_fields(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read this event type from a dict (the `event` key is not checked here; use
        `event_from_dict` to dispatch on it)."""
        fields = _Fields(data, cls.type_name)
        return cls._read(fields, timestamp=fields.timestamp(), metadata=fields.metadata())

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        return cls(timestamp=timestamp, metadata=metadata)

    def with_timestamp(self, timestamp: float) -> Self:
        """The same event stamped at `timestamp` (for events that arrived without one)."""
        return dataclasses.replace(self, timestamp=timestamp)


@dataclass(frozen=True, kw_only=True)
class UserUttered(Event):
    """The user said something. `parse_data` is Rasa's parse result of the message (`intent`,
    `entities`, `intent_ranking`, `text`, `message_id`, `metadata`, ...); missing keys are
    filled in as Rasa does."""

    type_name: ClassVar[str] = "user"

    text: str | None = None
    parse_data: dict[str, Any] = field(default_factory=dict)
    input_channel: str | None = None
    message_id: str | None = None

    def __post_init__(self) -> None:
        complete: dict[str, Any] = {
            "intent": {},
            "entities": [],
            "text": self.text,
            "message_id": self.message_id,
            "metadata": self.metadata,
        }
        complete.update(self.parse_data)
        object.__setattr__(self, "parse_data", complete)

    @classmethod
    def from_parse_result(
        cls,
        result: ParseResult,
        *,
        timestamp: float | None,
        input_channel: str | None = None,
        message_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> UserUttered:
        """The event for a message the NLU pipeline parsed into `result`."""
        return cls(
            timestamp=timestamp,
            metadata=dict(metadata or {}),
            text=result.text,
            parse_data=result.to_dict(),
            input_channel=input_channel,
            message_id=message_id,
        )

    @property
    def intent(self) -> dict[str, Any]:
        intent = self.parse_data.get("intent")
        return intent if isinstance(intent, dict) else {}

    @property
    def intent_name(self) -> str | None:
        name = self.intent.get("name")
        return name if isinstance(name, str) else None

    @property
    def entities(self) -> list[dict[str, Any]]:
        entities = self.parse_data.get("entities")
        return list(entities) if isinstance(entities, list) else []

    def parse_result(self) -> ParseResult:
        """`parse_data` as hrbot's ParseResult (without `message_id` and `metadata`, which
        belong to the event)."""
        return ParseResult.from_dict(
            {k: v for k, v in self.parse_data.items() if k not in ("message_id", "metadata")}
        )

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["metadata"] = self.metadata  # Rasa always writes it for user events
        return data

    def _own_fields(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "parse_data": self.parse_data,
            "input_channel": self.input_channel,
            "message_id": self.message_id,
        }

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        parse_data = fields.dict_("parse_data")
        for key, expected in (("intent", dict), ("entities", list)):
            value = parse_data.get(key)
            if value is not None and not isinstance(value, expected):
                raise InvalidEventError(
                    f"event 'user': field 'parse_data.{key}' must be "
                    f"{'an object' if expected is dict else 'a list'}, "
                    f"got {_type_name(value)} {value!r}"
                )
        return cls(
            timestamp=timestamp,
            metadata=metadata,
            text=fields.optional_str("text"),
            parse_data=parse_data,
            input_channel=fields.optional_str("input_channel"),
            message_id=fields.optional_str("message_id"),
        )


@dataclass(frozen=True, kw_only=True)
class BotUttered(Event):
    """The bot said something. `data` holds the rich parts of the response as Rasa keeps them:
    `elements`, `quick_replies`, `buttons`, `attachment`, `image`, `custom`."""

    type_name: ClassVar[str] = "bot"

    text: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["metadata"] = self.metadata  # Rasa always writes it for bot events
        return data

    def _own_fields(self) -> dict[str, Any]:
        return {"text": self.text, "data": self.data}

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        return cls(
            timestamp=timestamp, metadata=metadata,
            text=fields.optional_str("text"), data=fields.dict_("data"),
        )


@dataclass(frozen=True, kw_only=True)
class ActionExecuted(Event):
    """An action ran. `name` is None only for an end-to-end prediction, which has `action_text`."""

    type_name: ClassVar[str] = "action"

    name: str | None = None
    policy: str | None = None
    confidence: float | None = None
    action_text: str | None = None
    hide_rule_turn: bool = False

    def __post_init__(self) -> None:
        if self.name is None and self.action_text is None:
            raise InvalidEventError(
                "event 'action': needs a 'name' (or, for an end-to-end prediction, an 'action_text')"
            )

    def _own_fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "policy": self.policy,
            "confidence": self.confidence,
            "action_text": self.action_text,
            "hide_rule_turn": self.hide_rule_turn,
        }

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        return cls(
            timestamp=timestamp,
            metadata=metadata,
            name=fields.optional_str("name"),
            policy=fields.optional_str("policy"),
            confidence=fields.optional_float("confidence"),
            action_text=fields.optional_str("action_text"),
            hide_rule_turn=fields.bool_("hide_rule_turn", default=False),
        )


@dataclass(frozen=True, kw_only=True)
class SlotSet(Event):
    """A slot got a value (any JSON value, null included)."""

    type_name: ClassVar[str] = "slot"

    name: str
    value: Any = None

    def _own_fields(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value}

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        return cls(
            timestamp=timestamp, metadata=metadata,
            name=fields.required_str("name"), value=fields.data.get("value"),
        )


@dataclass(frozen=True, kw_only=True)
class ActiveLoop(Event):
    """A loop (form) became active; `name` None deactivates the active loop."""

    type_name: ClassVar[str] = "active_loop"

    name: str | None = None

    def _own_fields(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        return cls(timestamp=timestamp, metadata=metadata, name=fields.optional_str("name"))


@dataclass(frozen=True, kw_only=True)
class LoopInterrupted(Event):
    """Whether the active loop was interrupted (the user left the happy path)."""

    type_name: ClassVar[str] = "loop_interrupted"

    is_interrupted: bool

    def _own_fields(self) -> dict[str, Any]:
        return {"is_interrupted": self.is_interrupted}

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        # Rasa reads a missing flag as False
        return cls(
            timestamp=timestamp, metadata=metadata,
            is_interrupted=fields.bool_("is_interrupted", default=False),
        )


@dataclass(frozen=True, kw_only=True)
class ActionExecutionRejected(Event):
    """An action (typically a form) refused to run on this turn."""

    type_name: ClassVar[str] = "action_execution_rejected"

    name: str
    policy: str | None = None
    confidence: float | None = None

    def _own_fields(self) -> dict[str, Any]:
        return {"name": self.name, "policy": self.policy, "confidence": self.confidence}

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        return cls(
            timestamp=timestamp,
            metadata=metadata,
            name=fields.required_str("name"),
            policy=fields.optional_str("policy"),
            confidence=fields.optional_float("confidence"),
        )


@dataclass(frozen=True, kw_only=True)
class FollowupAction(Event):
    """Run this action next, whatever the policies predict."""

    type_name: ClassVar[str] = "followup"

    name: str

    def _own_fields(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        return cls(timestamp=timestamp, metadata=metadata, name=fields.required_str("name"))


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
class DefinePrevUserUtteredFeaturization(Event):
    """Whether the previous user message was featurized by its text (True) or intent (False)."""

    type_name: ClassVar[str] = "user_featurization"

    use_text_for_featurization: bool

    def _own_fields(self) -> dict[str, Any]:
        return {"use_text_for_featurization": self.use_text_for_featurization}

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        return cls(
            timestamp=timestamp, metadata=metadata,
            use_text_for_featurization=fields.bool_("use_text_for_featurization"),
        )


@dataclass(frozen=True, kw_only=True)
class EntitiesAdded(Event):
    """Entities added to the latest user message (e.g. by a policy)."""

    type_name: ClassVar[str] = "entities"

    entities: list[dict[str, Any]]

    def _own_fields(self) -> dict[str, Any]:
        return {"entities": self.entities}

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        return cls(timestamp=timestamp, metadata=metadata, entities=fields.list_of_dicts("entities"))


@dataclass(frozen=True, kw_only=True)
class AgentUttered(Event):
    """A human agent said something (`data` is any JSON value)."""

    type_name: ClassVar[str] = "agent"

    text: str | None = None
    data: Any = None

    def _own_fields(self) -> dict[str, Any]:
        return {"text": self.text, "data": self.data}

    @classmethod
    def _read(cls, fields: _Fields, *, timestamp: float | None, metadata: dict[str, Any]) -> Self:
        return cls(
            timestamp=timestamp, metadata=metadata,
            text=fields.optional_str("text"), data=fields.data.get("data"),
        )


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


# ---------------------------------------------------------------------------------------------
# the one registry of event types

EVENT_TYPES: Mapping[str, type[Event]] = MappingProxyType(
    {
        cls.type_name: cls
        for cls in (
            UserUttered,
            BotUttered,
            ActionExecuted,
            SlotSet,
            ActiveLoop,
            LoopInterrupted,
            ActionExecutionRejected,
            FollowupAction,
            Restarted,
            SessionStarted,
            UserUtteranceReverted,
            ActionReverted,
            AllSlotsReset,
            ConversationPaused,
            ConversationResumed,
            DefinePrevUserUtteredFeaturization,
            EntitiesAdded,
            AgentUttered,
            ReminderScheduled,
            ReminderCancelled,
            StoryExported,
        )
    }
)
"""Every event type by its `event` name, as Rasa names them."""


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """The event described by `data`, dispatched on its `event` key.

    Keys an event does not know are ignored, as Rasa does. Raises InvalidEventError (a
    ValueError) naming the unknown `event` value, or the missing or ill-typed field.
    """
    if not isinstance(data, Mapping):
        raise InvalidEventError(f"an event must be a JSON object, got {_type_name(data)} {data!r}")
    if "event" not in data:
        raise InvalidEventError(f"event has no 'event' key naming its type: {dict(data)!r}")
    name = data["event"]
    event_class = EVENT_TYPES.get(name) if isinstance(name, str) else None
    if event_class is None:
        raise InvalidEventError(
            f"unknown event type {name!r}; known types: {', '.join(sorted(EVENT_TYPES))}"
        )
    return event_class.from_dict(data)


def events_from_dicts(items: list[Mapping[str, Any]] | tuple[Mapping[str, Any], ...]) -> list[Event]:
    """Every event of a list, in order; the error of a bad one says which index it is."""
    events: list[Event] = []
    for index, item in enumerate(items):
        try:
            events.append(event_from_dict(item))
        except InvalidEventError as error:
            raise InvalidEventError(f"events[{index}]: {error}") from None
    return events
