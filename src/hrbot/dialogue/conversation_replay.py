"""Replaying a conversation's applied events into the parts of its state that policies read
(latest message and entities, slots, previous action, active loop), so that a story at
training time and a live tracker at prediction time give the same states.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hrbot.dialogue.state_types import (
    ACTION_NAME,
    ACTION_TEXT,
    ACTIVE_LOOP,
    LOOP_NAME,
    PREVIOUS_ACTION,
    SHOULD_NOT_BE_SET,
    SLOTS,
    USER,
    State,
    SubState,
)
from hrbot.shared.core.events import (
    ACTION_LISTEN_NAME,
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    AllSlotsReset,
    EntitiesAdded,
    Event,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)

if TYPE_CHECKING:
    from hrbot.dialogue.states import DomainStates


class ConversationReplay:
    """The parts of a conversation's state that policies read, built by applying applied
    events one by one (the same code for stories and live trackers)."""

    def __init__(self, domain_states: DomainStates, *, track_set_slots: bool = False) -> None:
        self.domain_states = domain_states
        self.track_set_slots = track_set_slots
        self._reset()

    def _reset(self) -> None:
        self.slots: dict[str, Any] = dict(self.domain_states.initial_slots)
        self.set_slots: set[str] = set()
        self.latest_message: UserUttered | None = None
        self.latest_entities: list[Mapping[str, Any]] = []
        self.latest_action: dict[str, str] = {}
        self.loop: str | None = None
        self.loop_rejected = False
        self.followup_action: str | None = ACTION_LISTEN_NAME
        self._user: tuple[SubState, tuple[Any, ...]] | None = None
        self._slots: tuple[SubState, tuple[Any, ...]] | None = None

    @property
    def latest_action_name(self) -> str | None:
        return self.latest_action.get(ACTION_NAME) or self.latest_action.get(ACTION_TEXT)

    @property
    def loop_name(self) -> str | None:
        """The active loop as Rasa's `tracker.active_loop_name` (None for `should_not_be_set`)."""
        return None if self.loop in (None, SHOULD_NOT_BE_SET) else self.loop

    @property
    def latest_intent(self) -> str | None:
        return None if self.latest_message is None else self.latest_message.intent_name

    def apply(self, event: Event) -> None:
        if isinstance(event, UserUttered):
            self.latest_message = event
            self.latest_entities = list(event.entities)
            self.followup_action = None
            self._user = None
        elif isinstance(event, ActionExecuted):
            if event.name:
                self.latest_action = {ACTION_NAME: event.name}
            else:
                self.latest_action = {ACTION_TEXT: event.action_text or ""}
            if self.loop is not None:
                self.loop_rejected = self.loop_rejected and event.name != self.loop
            self.followup_action = None
        elif isinstance(event, SlotSet):
            if event.name in self.slots:
                self.slots[event.name] = event.value
                self.set_slots.add(event.name)
                self._slots = None
        elif isinstance(event, ActiveLoop):
            self.loop = event.name
            self.loop_rejected = False
        elif isinstance(event, ActionExecutionRejected):
            if self.loop is not None and event.name == self.loop:
                self.loop_rejected = True
        elif isinstance(event, FollowupAction):
            self.followup_action = event.name
        elif isinstance(event, Restarted | SessionStarted):
            self._reset()
        elif isinstance(event, AllSlotsReset):
            self.slots = dict(self.domain_states.initial_slots)
            self.set_slots.clear()
            self._slots = None
        elif (
            isinstance(event, EntitiesAdded)
            and self.latest_action.get(ACTION_NAME) == ACTION_LISTEN_NAME
            and self.latest_message is not None
        ):
            for entity in event.entities:
                if entity not in self.latest_entities:
                    self.latest_entities.append(entity)
            self._user = None

    def prev_action_substate(self) -> SubState:
        return dict(self.latest_action)

    def _user_substate(self) -> tuple[SubState, tuple[Any, ...]]:
        if self._user is None:
            sub = self.domain_states.user_substate(self.latest_message, self.latest_entities)
            self._user = (sub, tuple(sorted(sub.items())))
        return self._user

    def _slots_substate(self) -> tuple[SubState, tuple[Any, ...]]:
        if self._slots is None:
            sub = self.domain_states.slots_substate(
                self.slots, self.set_slots if self.track_set_slots else None
            )
            self._slots = (sub, tuple(sorted(sub.items())))
        return self._slots

    def state_dict(self) -> dict[str, dict[str, Any]]:
        """The current state as plain dicts (empty substates included)."""
        return {
            USER: dict(self._user_substate()[0]),
            SLOTS: dict(self._slots_substate()[0]),
            PREVIOUS_ACTION: dict(self.latest_action),
            ACTIVE_LOOP: {LOOP_NAME: self.loop} if self.loop else {},
        }

    def state(self) -> State:
        user, user_key = self._user_substate()
        slots, slots_key = self._slots_substate()
        action = tuple(self.latest_action.items())
        return self.domain_states.intern((user_key, slots_key, action, self.loop), (
            (USER, user),
            (SLOTS, slots),
            (PREVIOUS_ACTION, self.latest_action),
            (ACTIVE_LOOP, {LOOP_NAME: self.loop} if self.loop else {}),
        ))
