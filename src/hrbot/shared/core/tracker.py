"""The state of one conversation, derived by replaying its events as Rasa 3.x does.

The tracker knows nothing of domains or policies: the caller passes the slots and their initial
values as a plain dict. With `initial_slots=None` every slot an event sets is accepted (Rasa's
tracker without a domain); otherwise a `slot` event for an undeclared slot changes nothing (as
Rasa, which only logs it).

Replay follows Rasa's rules:
- `restart` and `session_started` reset the state (slots back to their initial values, no
  latest message or action, no active loop, not paused). After `restart` the follow-up action is
  `action_session_start`. Slots "carried over" into a new session are the `slot` events that
  follow `session_started`.
- `rewind` undoes everything back to before the latest user message and the `action_listen`
  before it; `undo` undoes the latest action and what came after it. Both reset the state and
  replay `applied_events()`.
- `applied_events()` are the events after the latest `restart` / `session_started`, without
  reverted ones, and with the turns between two executions of a loop on its happy path folded
  away (as Rasa, so policies see a loop's happy path as one step).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from hrbot.shared.core.events import (
    ACTION_LISTEN_NAME,
    ACTION_SESSION_START_NAME,
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
    events_from_dicts,
)


class EventVerbosity(Enum):
    """Which events `DialogueStateTracker.to_dict` includes (Rasa's `include_events`)."""

    NONE = "NONE"
    APPLIED = "APPLIED"
    AFTER_RESTART = "AFTER_RESTART"
    ALL = "ALL"


@dataclass(frozen=True)
class ActiveLoopState:
    """The active loop as Rasa 3.x reports it."""

    name: str
    is_interrupted: bool = False
    rejected: bool = False
    trigger_message: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "is_interrupted": self.is_interrupted,
            "rejected": self.rejected,
            "trigger_message": self.trigger_message,
        }


class DialogueStateTracker:
    """One conversation: its events, in order, and the state they add up to."""

    def __init__(
        self,
        sender_id: str,
        *,
        initial_slots: Mapping[str, Any] | None = None,
        events: Iterable[Event] = (),
    ) -> None:
        self.sender_id = sender_id
        self._declared_slots = initial_slots is not None
        self._initial_slots: dict[str, Any] = copy.deepcopy(dict(initial_slots or {}))
        self._events: list[Event] = []
        self._slots: dict[str, Any] = {}
        self._reset()
        for event in events:
            self.update(event)

    @classmethod
    def from_dicts(
        cls,
        sender_id: str,
        events: Iterable[Mapping[str, Any]],
        *,
        initial_slots: Mapping[str, Any] | None = None,
    ) -> DialogueStateTracker:
        """A tracker replaying events given in Rasa's JSON shape (ValueError on a bad one)."""
        return cls(sender_id, initial_slots=initial_slots, events=events_from_dicts(tuple(events)))

    # -----------------------------------------------------------------------------------------
    # state

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(self._events)

    @property
    def slots(self) -> dict[str, Any]:
        """Current slot values (a copy)."""
        return copy.deepcopy(self._slots)

    def get_slot(self, name: str) -> Any:
        return self._slots.get(name)

    @property
    def latest_message(self) -> dict[str, Any]:
        """The latest user message's parse data in Rasa's shape, entities added by `entities`
        events included; Rasa's empty message when there is none."""
        if self._latest_message is None:
            return UserUttered(timestamp=None).parse_data
        data = dict(self._latest_message.parse_data)
        data["entities"] = list(self._latest_entities)
        return data

    @property
    def latest_user_event(self) -> UserUttered | None:
        return self._latest_message

    @property
    def latest_intent_name(self) -> str | None:
        return None if self._latest_message is None else self._latest_message.intent_name

    def get_latest_entity_values(
        self, entity_type: str, *, role: str | None = None, group: str | None = None
    ) -> Iterator[Any]:
        """Values of the latest message's entities of a type (and role and group)."""
        return (
            entity.get("value")
            for entity in self._latest_entities
            if entity.get("entity") == entity_type
            and entity.get("role") == role
            and entity.get("group") == group
        )

    @property
    def latest_bot_utterance(self) -> BotUttered | None:
        return self._latest_bot_utterance

    @property
    def latest_action(self) -> dict[str, str]:
        """`{"action_name": ...}` or `{"action_text": ...}`; `{}` before any action."""
        return dict(self._latest_action)

    @property
    def latest_action_name(self) -> str | None:
        return self._latest_action.get("action_name") or self._latest_action.get("action_text")

    @property
    def followup_action(self) -> str | None:
        return self._followup_action

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def active_loop(self) -> ActiveLoopState | None:
        return self._active_loop

    @property
    def active_loop_name(self) -> str | None:
        return None if self._active_loop is None else self._active_loop.name

    @property
    def latest_input_channel(self) -> str | None:
        """The input channel of the latest user message, reverted or not (as Rasa)."""
        for event in reversed(self._events):
            if isinstance(event, UserUttered):
                return event.input_channel
        return None

    @property
    def latest_event_time(self) -> float | None:
        return self._events[-1].timestamp if self._events else None

    # -----------------------------------------------------------------------------------------
    # events

    def update(self, event: Event) -> None:
        """Append an event and apply it."""
        self._events.append(event)
        self._apply(event)

    def update_with_events(self, events: Iterable[Event]) -> None:
        for event in events:
            self.update(event)

    def events_after_latest_restart(self) -> list[Event]:
        for index in range(len(self._events) - 1, -1, -1):
            if isinstance(self._events[index], Restarted):
                return self._events[index + 1 :]
        return list(self._events)

    def applied_events(self) -> list[Event]:
        """The events that make up the current state (see the module docstring)."""
        loop_names = {e.name for e in self._events if isinstance(e, ActiveLoop) and e.name}
        applied: list[Event] = []
        for event in self._events:
            if isinstance(event, Restarted | SessionStarted):
                applied = []
            elif isinstance(event, ActionReverted):
                _undo_till_previous(ActionExecuted, applied)
            elif isinstance(event, UserUtteranceReverted):
                _undo_till_previous(UserUttered, applied)
                _undo_till_previous(ActionExecuted, applied)
            elif (
                isinstance(event, ActionExecuted)
                and event.name in loop_names
                and not _first_loop_execution_or_unhappy_path(event.name, applied)
            ):
                _undo_till_previous_loop_execution(event.name, applied)
            else:
                applied.append(event)
        return applied

    def to_dict(self, events: EventVerbosity = EventVerbosity.AFTER_RESTART) -> dict[str, Any]:
        """Rasa's `GET /conversations/{id}/tracker` body (`events` null for NONE)."""
        chosen: list[Event] | None
        if events is EventVerbosity.ALL:
            chosen = list(self._events)
        elif events is EventVerbosity.AFTER_RESTART:
            chosen = self.events_after_latest_restart()
        elif events is EventVerbosity.APPLIED:
            chosen = self.applied_events()
        else:
            chosen = None
        return {
            "sender_id": self.sender_id,
            "slots": self.slots,
            "latest_message": self.latest_message,
            "latest_event_time": self.latest_event_time,
            "followup_action": self._followup_action,
            "paused": self._paused,
            "events": None if chosen is None else [event.to_dict() for event in chosen],
            "latest_input_channel": self.latest_input_channel,
            "active_loop": {} if self._active_loop is None else self._active_loop.to_dict(),
            "latest_action": self.latest_action,
            "latest_action_name": self.latest_action_name,
        }

    # -----------------------------------------------------------------------------------------
    # applying events

    def _reset(self) -> None:
        self._reset_slots()
        self._paused = False
        self._latest_action: dict[str, str] = {}
        self._latest_message: UserUttered | None = None
        self._latest_entities: list[dict[str, Any]] = []
        self._latest_bot_utterance: BotUttered | None = None
        self._followup_action: str | None = ACTION_LISTEN_NAME
        self._active_loop: ActiveLoopState | None = None

    def _reset_slots(self) -> None:
        fresh = copy.deepcopy(self._initial_slots)
        if not self._declared_slots:
            fresh.update({name: None for name in self._slots if name not in fresh})
        self._slots = fresh

    def _replay(self) -> None:
        self._reset()
        for event in self.applied_events():
            self._apply(event)

    def _apply(self, event: Event) -> None:
        if isinstance(event, UserUttered):
            self._latest_message = event
            self._latest_entities = event.entities
            self._followup_action = None
        elif isinstance(event, BotUttered):
            self._latest_bot_utterance = event
        elif isinstance(event, ActionExecuted):
            self._apply_action(event)
        elif isinstance(event, SlotSet):
            if event.name in self._slots or not self._declared_slots:
                self._slots[event.name] = copy.deepcopy(event.value)
        elif isinstance(event, ActiveLoop):
            self._active_loop = (
                None
                if event.name is None
                else ActiveLoopState(
                    event.name,
                    trigger_message=(
                        None if self._latest_message is None else dict(self._latest_message.parse_data)
                    ),
                )
            )
        elif isinstance(event, LoopInterrupted):
            if self._active_loop is not None:
                self._active_loop = _replace(self._active_loop, is_interrupted=event.is_interrupted)
        elif isinstance(event, ActionExecutionRejected):
            if self._active_loop is not None and event.name == self._active_loop.name:
                self._active_loop = _replace(self._active_loop, rejected=True)
        elif isinstance(event, FollowupAction):
            self._followup_action = event.name
        elif isinstance(event, Restarted):
            self._reset()
            self._followup_action = ACTION_SESSION_START_NAME
        elif isinstance(event, SessionStarted):
            self._reset()
        elif isinstance(event, UserUtteranceReverted | ActionReverted):
            self._replay()
        elif isinstance(event, AllSlotsReset):
            self._reset_slots()
        elif isinstance(event, ConversationPaused):
            self._paused = True
        elif isinstance(event, ConversationResumed):
            self._paused = False
        elif (
            isinstance(event, EntitiesAdded)
            and self.latest_action_name == ACTION_LISTEN_NAME
            and self._latest_message is not None
        ):
            # entities belong to the latest user message, which is always followed by action_listen
            for entity in event.entities:
                if entity not in self._latest_entities:
                    self._latest_entities.append(entity)
        # user_featurization, agent, reminder, cancel_reminder and export change no state here

    def _apply_action(self, event: ActionExecuted) -> None:
        if event.name:
            self._latest_action = {"action_name": event.name}
        else:
            self._latest_action = {"action_text": event.action_text or ""}
        if self._active_loop is not None:
            rejected = self._active_loop.rejected and event.name != self._active_loop.name
            self._active_loop = _replace(self._active_loop, is_interrupted=False, rejected=rejected)
        self._followup_action = None


def _replace(state: ActiveLoopState, **changes: Any) -> ActiveLoopState:
    values = {**state.to_dict(), **changes}
    return ActiveLoopState(**values)


def _undo_till_previous(event_type: type[Event], done: list[Event]) -> None:
    """Drop events from the end up to and including the latest one of `event_type`."""
    while done:
        event = done.pop()
        if isinstance(event, event_type):
            break


def _first_loop_execution_or_unhappy_path(loop_name: str, applied: list[Event]) -> bool:
    next_action: str | None = None
    for event in reversed(applied):
        if isinstance(event, ActiveLoop) and event.name is None:
            return True  # the loop was deactivated: this is a new run
        if isinstance(event, ActionExecutionRejected) and event.name == loop_name:
            return True
        if isinstance(event, UserUttered) and next_action is not None and next_action != loop_name:
            return True
        if isinstance(event, ActionExecuted):
            if event.name == loop_name:
                return False
            next_action = event.name
    return True


def _undo_till_previous_loop_execution(loop_name: str, done: list[Event]) -> None:
    """Remove the user messages and actions since the loop last ran; keep everything else."""
    kept_after: list[Event] = []
    while done:
        event = done[-1]
        if isinstance(event, ActionExecuted) and event.name == loop_name:
            break
        done.pop()
        if not isinstance(event, ActionExecuted | UserUttered | DefinePrevUserUtteredFeaturization):
            kept_after.append(event)
    done.extend(reversed(kept_after))
