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

Layout: the base `Event` and field reading are in `event_base`, the conversation's own events
(user, bot, action, slot, loop, ...) in `conversation_events`, the ones steering it (restart,
session, rewind, pause, reminders, ...) in `control_events`; this module holds the registry
and the readers. Import from here: every event name is re-exported.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from hrbot.shared.core.control_events import (
    ActionReverted,
    AllSlotsReset,
    ConversationPaused,
    ConversationResumed,
    ReminderCancelled,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    StoryExported,
    UserUtteranceReverted,
)
from hrbot.shared.core.conversation_events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    AgentUttered,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    FollowupAction,
    LoopInterrupted,
    SlotSet,
    UserUttered,
)
from hrbot.shared.core.event_base import Event, InvalidEventError, _type_name

ACTION_LISTEN_NAME = "action_listen"
ACTION_SESSION_START_NAME = "action_session_start"


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


__all__ = [
    "ACTION_LISTEN_NAME",
    "ACTION_SESSION_START_NAME",
    "EVENT_TYPES",
    "ActionExecuted",
    "ActionExecutionRejected",
    "ActionReverted",
    "ActiveLoop",
    "AgentUttered",
    "AllSlotsReset",
    "BotUttered",
    "ConversationPaused",
    "ConversationResumed",
    "DefinePrevUserUtteredFeaturization",
    "EntitiesAdded",
    "Event",
    "FollowupAction",
    "InvalidEventError",
    "LoopInterrupted",
    "ReminderCancelled",
    "ReminderScheduled",
    "Restarted",
    "SessionStarted",
    "SlotSet",
    "StoryExported",
    "UserUtteranceReverted",
    "UserUttered",
    "event_from_dict",
    "events_from_dicts",
]
