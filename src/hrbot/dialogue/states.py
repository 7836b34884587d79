"""A conversation as Rasa 3.x's per-action states (`tracker.past_states(domain)`).

A conversation is featurised into one state before every action and one for "now":

    [{}, {"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}},
         {"user": {"intent": "greet"}, "prev_action": {"action_name": "utter_greet"}}]

Each state is a read-only, hashable mapping (`FrozenState`) of up to four substates:
- `user`: the latest user message — its `intent` (or its `text` when it has no intent) and the
  sorted labels of the `entities` that may influence the conversation (the intent's
  `use_entities` / `ignore_entities`, the entity's `influence_conversation`; roles and groups
  as `entity#role`). As in Rasa, the latest message stays in the states of the actions that
  follow it until the next message; learned policies read it only in the state right after a
  user turn (where `prev_action` is `action_listen`).
- `prev_action`: `{"action_name": ...}` (or `{"action_text": ...}` for an end-to-end bot turn).
- `slots`: slots that influence the conversation and are set, featurised as Rasa does
  (text/list: `(1.0,)`; bool: `(1.0, 0/1)`; categorical: one-hot over the values plus
  `__other__`; float: `(1.0, clipped scaled value)`); `any` slots never appear; a slot holding
  Rasa's `should_not_be_set` marker (rule conditions) appears as that marker.
- `active_loop`: `{"name": loop}`, the loop name possibly being `should_not_be_set`.

`ConversationReplay` applies *applied* events (after `tracker.applied_events()`) and gives the
current state, so the same events give the same states whether they come from a story at
training time or from a live tracker at prediction time. `state_key` is the hashable,
order-independent key used for memoisation (sorted JSON).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from hrbot.shared.core.domain import Domain, Slot
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
from hrbot.shared.core.tracker import DialogueStateTracker

USER = "user"
PREVIOUS_ACTION = "prev_action"
SLOTS = "slots"
ACTIVE_LOOP = "active_loop"
INTENT = "intent"
ENTITIES = "entities"
TEXT = "text"
ACTION_NAME = "action_name"
ACTION_TEXT = "action_text"
LOOP_NAME = "name"

SHOULD_NOT_BE_SET = "should_not_be_set"
RULE_SNIPPET_ACTION_NAME = "..."
ENTITY_LABEL_SEPARATOR = "#"
DEFAULT_CATEGORICAL_SLOT_VALUE = "__other__"

SubState = Mapping[str, Any]
State = Mapping[str, SubState]
_INTERN_LIMIT = 50_000


@dataclass(frozen=True)
class RuleOnlyData:
    """Slots and loops that appear only in rules: ML policies ignore them, and the turns the
    rule policy predicted from rules no story contains (Rasa's `rule_only_data`)."""

    slots: frozenset[str] = frozenset()
    loops: frozenset[str] = frozenset()

    def to_dict(self) -> dict[str, list[str]]:
        return {"rule_only_slots": sorted(self.slots), "rule_only_loops": sorted(self.loops)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleOnlyData:
        return cls(frozenset(data.get("rule_only_slots", ())), frozenset(data.get("rule_only_loops", ())))


# --------------------------------------------------------------------------------------- keys


class FrozenState(Mapping[str, SubState]):
    """One state: a read-only mapping of read-only substates, hashable, that knows its own
    sorted-JSON form (computed once, so that keys of long histories are cheap)."""

    __slots__ = ("_data", "_json")

    def __init__(self, data: Mapping[str, Mapping[str, Any]]) -> None:
        plain = {
            name: {key: tuple(value) if isinstance(value, list) else value for key, value in sub.items()}
            for name, sub in data.items()
        }
        self._data: dict[str, SubState] = {name: MappingProxyType(sub) for name, sub in plain.items()}
        self._json = json.dumps(plain, sort_keys=True, ensure_ascii=False)

    @property
    def json(self) -> str:
        return self._json

    def __getitem__(self, key: str) -> SubState:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenState):
            return self._json == other._json
        return isinstance(other, Mapping) and dict(self._data) == dict(other)

    def __hash__(self) -> int:
        return hash(self._json)

    def __repr__(self) -> str:
        return f"State({self._json})"


def state_key(states: Sequence[State]) -> str:
    """A hashable, order-independent key of a state sequence (sorted JSON, as Rasa)."""
    return "[" + ", ".join(freeze_state(state).json for state in states) + "]"


def states_from_key(key: str) -> list[State]:
    """The states a key was made of (tuples come back as tuples)."""
    return [freeze_state(state) for state in json.loads(key)]


def freeze_state(state: Mapping[str, Mapping[str, Any]]) -> FrozenState:
    """A read-only copy with lists turned into tuples (JSON gives lists)."""
    return state if isinstance(state, FrozenState) else FrozenState(state)


def slice_states(states: Sequence[State], max_history: int | None) -> list[State]:
    """The last `max_history` states (all of them for None or 0), as Rasa's featurizer."""
    if not max_history:
        return list(states)
    return list(states[-max_history:])


def prev_action_name(state: State) -> str | None:
    value = state.get(PREVIOUS_ACTION, {}).get(ACTION_NAME)
    return value if isinstance(value, str) else None


def is_prev_action_listen(state: State) -> bool:
    return prev_action_name(state) == ACTION_LISTEN_NAME


def active_loop_of(state: State) -> str | None:
    """The active loop of a state; None when none or `should_not_be_set`."""
    name = state.get(ACTIVE_LOOP, {}).get(LOOP_NAME)
    if not isinstance(name, str) or name == SHOULD_NOT_BE_SET:
        return None
    return name


def describe_state(state: State) -> str:
    """One state in a few words: "user greet[leave_type]", "bot utter_greet", plus slots and
    loop ("start" for the empty first state)."""
    parts: list[str] = []
    user = state.get(USER, {})
    previous = state.get(PREVIOUS_ACTION, {})
    if is_prev_action_listen(state) and (user.get(INTENT) or user.get(TEXT)):
        entities = user.get(ENTITIES) or ()
        said = user.get(INTENT) or repr(user.get(TEXT))
        parts.append(f"user {said}" + (f"[{', '.join(entities)}]" if entities else ""))
    elif previous:
        parts.append(f"bot {previous.get(ACTION_NAME) or repr(previous.get(ACTION_TEXT))}")
    if state.get(SLOTS):
        parts.append("slots " + ", ".join(sorted(state[SLOTS])))
    if state.get(ACTIVE_LOOP):
        parts.append(f"loop {state[ACTIVE_LOOP].get(LOOP_NAME)}")
    return " ".join(parts) or "start"


# ------------------------------------------------------------------------------- featurising


def bool_from_any(value: Any) -> bool:
    """Rasa's conversion of a slot value to bool (ValueError/TypeError when impossible)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value == 1.0)
    if isinstance(value, str):
        if value.isnumeric():
            return float(value) == 1.0
        if value.strip().lower() == "true":
            return True
        if value.strip().lower() == "false":
            return False
        raise ValueError(f"cannot read {value!r} as a boolean")
    raise TypeError(f"cannot read {type(value).__name__} as a boolean")


def slot_features(slot: Slot, value: Any) -> tuple[float, ...]:
    """Rasa's `Slot.as_feature()`: empty for slots that do not influence the conversation."""
    if not slot.influence_conversation or slot.type == "any":
        return ()
    if slot.type == "text":
        return (1.0,) if value is not None else (0.0,)
    if slot.type == "list":
        try:
            return (1.0,) if value is not None and len(value) > 0 else (0.0,)
        except TypeError:
            return (0.0,)
    if slot.type == "bool":
        if value is None:
            return (0.0, 0.0)
        try:
            return (1.0, float(bool_from_any(value)))
        except (TypeError, ValueError):
            return (0.0, 0.0)
    if slot.type == "float":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return (0.0, 0.0)
        low, high = float(slot.min_value), float(slot.max_value)
        capped = max(low, min(high, number))
        covered = abs(high - low) if abs(high - low) > 0 else 1.0
        return (1.0, (capped - low) / covered)
    if slot.type == "categorical":
        values = categorical_values(slot)
        features = [0.0] * len(values)
        if value is None:
            return tuple(features)
        wanted = str(value).lower()
        index = values.index(wanted) if wanted in values else values.index(DEFAULT_CATEGORICAL_SLOT_VALUE)
        features[index] = 1.0
        return tuple(features)
    return ()


def categorical_values(slot: Slot) -> list[str]:
    """A categorical slot's values as Rasa featurises them: lowercased, plus `__other__`."""
    values = [str(value).lower() for value in slot.values]
    if DEFAULT_CATEGORICAL_SLOT_VALUE not in values:
        values.append(DEFAULT_CATEGORICAL_SLOT_VALUE)
    return values


def entity_labels(entities: Iterable[Mapping[str, Any]]) -> set[str]:
    """`entity`, `entity#role` and `entity#group` labels of a message's entities."""
    labels: set[str] = set()
    for entity in entities:
        name = entity.get("entity")
        if not isinstance(name, str):
            continue
        labels.add(name)
        for key in ("role", "group"):
            if entity.get(key) is not None:
                labels.add(f"{name}{ENTITY_LABEL_SEPARATOR}{entity[key]}")
    return labels


class DomainStates:
    """What of a domain shapes the states: which entities each intent lets through and which
    slots influence the conversation. Build once per domain and reuse."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.slots: tuple[Slot, ...] = tuple(
            slot for slot in domain.slots if slot.influence_conversation and slot.type != "any"
        )
        self.initial_slots: dict[str, Any] = {slot.name: slot.initial_value for slot in domain.slots}
        ignored_by_default = {entity.name for entity in domain.entities if not entity.influence_conversation}
        role_labels = {
            entity.name: {f"{entity.name}{ENTITY_LABEL_SEPARATOR}{label}"
                          for label in (*entity.roles, *entity.groups)}
            for entity in domain.entities
        }
        every_role = set().union(*role_labels.values()) if role_labels else set()
        self.used_entities: dict[str, frozenset[str]] = {}
        for intent in domain.intents:
            if isinstance(intent.use_entities, bool):
                included = (set(domain.entity_names) - ignored_by_default) | every_role \
                    if intent.use_entities else set()
            else:
                included = set(intent.use_entities)
                for name in intent.use_entities:
                    included |= role_labels.get(name, set())
            excluded = set(intent.ignore_entities)
            for name in intent.ignore_entities:
                excluded |= role_labels.get(name, set())
            self.used_entities[intent.name] = frozenset(included - excluded)
        self._interned: dict[tuple[Any, ...], FrozenState] = {}

    def intern(self, key: tuple[Any, ...], parts: tuple[tuple[str, SubState], ...]) -> FrozenState:
        """The one FrozenState for `key` (a hashable summary of the parts): conversations
        repeat the same states over and over, so each is built (and serialised) once. The
        cache is emptied when it grows large (live conversations bring ever new slot values)."""
        state = self._interned.get(key)
        if state is None:
            if len(self._interned) >= _INTERN_LIMIT:
                self._interned.clear()
            state = FrozenState({kind: sub for kind, sub in parts if sub})
            self._interned[key] = state
        return state

    def user_substate(self, message: UserUttered | None, entities: Sequence[Mapping[str, Any]]) -> SubState:
        if message is None:
            return {}
        intent = message.intent_name
        if not message.text and not intent and not entities:
            return {}
        sub: dict[str, Any] = {}
        if intent:
            sub[INTENT] = intent
        elif message.text:
            sub[TEXT] = message.text
        labels = entity_labels(entities)
        wanted = self.used_entities.get(intent) if intent else None
        if wanted is not None:
            labels &= wanted
        if labels:
            sub[ENTITIES] = tuple(sorted(labels))
        return sub

    def slots_substate(self, values: Mapping[str, Any], has_been_set: Iterable[str] | None) -> SubState:
        """Featurised slots; with `has_been_set` given, slots never set are left out (Rasa's
        `omit_unset_slots`, used for rules so that initial values are no condition)."""
        allowed = None if has_been_set is None else set(has_been_set)
        sub: dict[str, Any] = {}
        for slot in self.slots:
            if allowed is not None and slot.name not in allowed:
                continue
            value = values.get(slot.name)
            if value == SHOULD_NOT_BE_SET:
                sub[slot.name] = SHOULD_NOT_BE_SET
                continue
            features = slot_features(slot, value)
            if any(features):
                sub[slot.name] = features
        return sub

    def past_states(
        self,
        tracker: DialogueStateTracker,
        *,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: RuleOnlyData | None = None,
    ) -> list[State]:
        return self.states_for_events(
            tracker.applied_events(),
            omit_unset_slots=omit_unset_slots,
            ignore_rule_only_turns=ignore_rule_only_turns,
            rule_only_data=rule_only_data,
        )

    def states_for_events(
        self,
        applied_events: Iterable[Event],
        *,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: RuleOnlyData | None = None,
    ) -> list[State]:
        """Rasa's `Domain.states_for_tracker_history` over already applied events: a state
        before every action and one at the end. With `ignore_rule_only_turns`, turns a rule
        predicted that no story contains (`hide_rule_turn`) are left out, and rule-only slots
        and loops removed, as ML policies see the conversation in Rasa."""
        replay = ConversationReplay(self, track_set_slots=omit_unset_slots)
        if ignore_rule_only_turns:
            return _ml_states(replay, applied_events, rule_only_data)
        states: list[State] = []
        for event in applied_events:
            if isinstance(event, ActionExecuted):
                states.append(replay.state())
            replay.apply(event)
        states.append(replay.state())
        return states


def _ml_states(replay: ConversationReplay, applied_events: Iterable[Event],
               rule_only_data: RuleOnlyData | None) -> list[State]:
    """States without the turns of rules no story contains, as Rasa's ML policies see them:
    the hidden turns are skipped, the action before them stands in as previous action, and
    a non-listen state keeps the user input of the last visible state."""
    states: list[State] = []
    last_ml_action: SubState | None = None
    turn_was_hidden = False

    def add(hide_rule_turn: bool) -> None:
        nonlocal last_ml_action, turn_was_hidden
        if not turn_was_hidden:
            last_ml_action = replay.prev_action_substate()
        # a followup action or the loop's happy path does not change whether the turn is hidden
        if replay.followup_action is None and replay.latest_action_name != replay.loop_name:
            turn_was_hidden = hide_rule_turn
        if turn_was_hidden:
            return
        state = replay.state_dict()
        _remove_rule_only_features(state, rule_only_data)
        if states:
            _substitute_rule_only_user_input(state, states[-1])
        if last_ml_action:
            state[PREVIOUS_ACTION] = dict(last_ml_action)
        states.append(freeze_state({key: sub for key, sub in state.items() if sub}))

    for event in applied_events:
        if isinstance(event, ActionExecuted):
            add(event.hide_rule_turn)
        replay.apply(event)
    add(False)
    return states


def _remove_rule_only_features(state: dict[str, dict[str, Any]], data: RuleOnlyData | None) -> None:
    if data is None:
        return
    for slot in data.slots:
        state.get(SLOTS, {}).pop(slot, None)
    if state.get(ACTIVE_LOOP, {}).get(LOOP_NAME) in data.loops:
        del state[ACTIVE_LOOP]


def _substitute_rule_only_user_input(state: dict[str, dict[str, Any]], last_ml_state: State) -> None:
    if state.get(PREVIOUS_ACTION, {}).get(ACTION_NAME) == ACTION_LISTEN_NAME:
        return
    if not last_ml_state.get(USER) and state.get(USER):
        del state[USER]
    elif last_ml_state.get(USER):
        state[USER] = dict(last_ml_state[USER])


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


def past_states(
    tracker: DialogueStateTracker,
    domain: Domain,
    *,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: RuleOnlyData | None = None,
) -> list[State]:
    """The states of a live tracker (Rasa's `tracker.past_states(domain)`)."""
    return DomainStates(domain).past_states(
        tracker,
        omit_unset_slots=omit_unset_slots,
        ignore_rule_only_turns=ignore_rule_only_turns,
        rule_only_data=rule_only_data,
    )


__all__ = [
    "ACTIVE_LOOP",
    "ENTITIES",
    "INTENT",
    "PREVIOUS_ACTION",
    "RULE_SNIPPET_ACTION_NAME",
    "SHOULD_NOT_BE_SET",
    "SLOTS",
    "USER",
    "ConversationReplay",
    "DomainStates",
    "FrozenState",
    "RuleOnlyData",
    "State",
    "active_loop_of",
    "describe_state",
    "freeze_state",
    "is_prev_action_listen",
    "past_states",
    "slice_states",
    "slot_features",
    "state_key",
    "states_from_key",
]
