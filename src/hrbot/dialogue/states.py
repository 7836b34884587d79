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

Layout: what a state is (`FrozenState`, keys, substate names) is `state_types`, slot and entity
featurisation `state_features`, the replay of events `conversation_replay`; this module builds
the states of a domain's conversations. Import from here: every state name is re-exported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hrbot.dialogue.conversation_replay import ConversationReplay
from hrbot.dialogue.state_features import (
    DEFAULT_CATEGORICAL_SLOT_VALUE,
    ENTITY_LABEL_SEPARATOR,
    bool_from_any,
    categorical_values,
    entity_labels,
    slot_features,
)
from hrbot.dialogue.state_types import (
    ACTION_NAME,
    ACTION_TEXT,
    ACTIVE_LOOP,
    ENTITIES,
    INTENT,
    LOOP_NAME,
    PREVIOUS_ACTION,
    RULE_SNIPPET_ACTION_NAME,
    SHOULD_NOT_BE_SET,
    SLOTS,
    TEXT,
    USER,
    FrozenState,
    RuleOnlyData,
    State,
    SubState,
    active_loop_of,
    describe_state,
    freeze_state,
    is_prev_action_listen,
    prev_action_name,
    slice_states,
    state_key,
    states_from_key,
)
from hrbot.shared.core.domain import Domain, Slot
from hrbot.shared.core.events import ACTION_LISTEN_NAME, ActionExecuted, Event, UserUttered
from hrbot.shared.core.tracker import DialogueStateTracker

_INTERN_LIMIT = 50_000


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
    "ACTION_NAME",
    "ACTION_TEXT",
    "ACTIVE_LOOP",
    "DEFAULT_CATEGORICAL_SLOT_VALUE",
    "ENTITIES",
    "ENTITY_LABEL_SEPARATOR",
    "INTENT",
    "LOOP_NAME",
    "PREVIOUS_ACTION",
    "RULE_SNIPPET_ACTION_NAME",
    "SHOULD_NOT_BE_SET",
    "SLOTS",
    "TEXT",
    "USER",
    "ConversationReplay",
    "DomainStates",
    "FrozenState",
    "RuleOnlyData",
    "State",
    "SubState",
    "active_loop_of",
    "bool_from_any",
    "categorical_values",
    "describe_state",
    "entity_labels",
    "freeze_state",
    "is_prev_action_listen",
    "past_states",
    "prev_action_name",
    "slice_states",
    "slot_features",
    "state_key",
    "states_from_key",
]
