"""Events of the conversation itself: what the user, the bot and a human agent said, the
actions that ran or were rejected, slots set, loops (forms) activated or interrupted, the
next action forced, and what was added to the latest user message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from hrbot.shared.core.event_base import Event, InvalidEventError, _Fields, _type_name
from hrbot.shared.nlu.parse_result import ParseResult


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
