"""The base of every tracker event, and the typed reading of event dicts it builds on.

`Event` holds what all events share (`timestamp`, `metadata`), writes Rasa's JSON shape in
`to_dict()` and reads it in `from_dict()`; each event type adds its own keys by overriding
`_own_fields()` and `_read()`. `_Fields` reads one event dict so that every failure is an
`InvalidEventError` naming the event type and the field. The event types themselves are in
`conversation_events` and `control_events`; import them from `hrbot.shared.core.events`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from hrbot.shared.errors import HrbotError


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
# the base of every event


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
