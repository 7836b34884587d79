"""How RulePolicy matches learned rules against a conversation (Rasa 3.x's rule lookup).

A rule is remembered as the states from its rule-snippet action `...` on (everything before
it is "any history"). A rule applies when, walking back from the current state, every rule
state's features are present in the conversation's state at the same distance from the end —
with `should_not_be_set` meaning the feature must be absent. Among matching rules the longest
(most specific) wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from hrbot.dialogue.states import (
    PREVIOUS_ACTION,
    RULE_SNIPPET_ACTION_NAME,
    SHOULD_NOT_BE_SET,
    State,
    active_loop_of,
    is_prev_action_listen,
    prev_action_name,
    state_key,
    states_from_key,
)

DO_NOT_PREDICT_LOOP_ACTION = "do_not_predict_loop_action"
LOOP_WAS_INTERRUPTED = "loop_was_interrupted"


def rule_feature_key(states: Sequence[State]) -> str | None:
    """The key of a rule: its states after the last `...` state; None when nothing is left."""
    kept: list[State] = []
    for state in reversed(states):
        if prev_action_name(state) == RULE_SNIPPET_ACTION_NAME:
            break
        kept.insert(0, state)
    return state_key(kept) if kept else None


def rule_matches_state(rule_state: State, conversation_state: State) -> bool:
    """Every feature of the rule state is in the conversation state (`should_not_be_set`:
    absent)."""
    for kind, rule_sub in rule_state.items():
        sub = conversation_state.get(kind, {})
        for key, value in rule_sub.items():
            if isinstance(value, list):
                value = tuple(value)
            found = sub.get(key)
            if value and value != SHOULD_NOT_BE_SET and found != value:
                return False
            if value == SHOULD_NOT_BE_SET and found and found != SHOULD_NOT_BE_SET:
                return False
    return True


def _applicable(reversed_rule: Sequence[State], turn: int, conversation_state: State) -> bool:
    if turn >= len(reversed_rule):
        return True
    rule_state = reversed_rule[turn]
    if not rule_state:
        return not conversation_state
    return bool(conversation_state) and rule_matches_state(rule_state, conversation_state)


class RuleIndex:
    """Rule keys with their states parsed once."""

    def __init__(self) -> None:
        self._reversed: dict[str, list[State]] = {}

    def reversed_states(self, key: str) -> list[State]:
        found = self._reversed.get(key)
        if found is None:
            found = list(reversed(states_from_key(key)))
            self._reversed[key] = found
        return found

    def last_state(self, key: str) -> State:
        states = self.reversed_states(key)
        return states[0] if states else {}

    def possible_keys(self, keys: Iterable[str], states: Sequence[State]) -> list[str]:
        """The keys whose rule applies to the conversation ending in `states`."""
        candidates = list(keys)
        for turn, state in enumerate(reversed(states)):
            if not candidates:
                break
            if all(len(self.reversed_states(key)) <= turn for key in candidates):
                break
            candidates = [key for key in candidates
                          if _applicable(self.reversed_states(key), turn, state)]
        return candidates


def loop_unhappy_lookup(examples: Iterable[tuple[Sequence[State], str]]) -> dict[str, str]:
    """Rasa's "rules for loop unhappy path": after `action_listen` inside a loop the loop ran
    (the loop was interrupted: do not validate), or after another action inside a loop
    something other than the loop ran (do not return to the loop here)."""
    lookup: dict[str, str] = {}
    for states, action in examples:
        if action == RULE_SNIPPET_ACTION_NAME or not states:
            continue
        loop = active_loop_of(states[-1])
        if not loop:
            continue
        if len(states) == 1 or not states[-2].get(PREVIOUS_ACTION):
            reduced: list[State] = [states[-1]]
        else:
            reduced = [{PREVIOUS_ACTION: states[-2][PREVIOUS_ACTION]}, states[-1]]
        key = rule_feature_key(reduced)
        if not key:
            continue
        after_listen = is_prev_action_listen(states[-1])
        if after_listen and action == loop:
            lookup[key] = LOOP_WAS_INTERRUPTED
        elif not after_listen and action != loop:
            lookup[key] = DO_NOT_PREDICT_LOOP_ACTION
    return lookup


def slots_and_loops(states: Iterable[State]) -> tuple[set[str], set[str]]:
    """Slot names and active loops that occur in states (`should_not_be_set` excluded)."""
    slots: set[str] = set()
    loops: set[str] = set()
    for state in states:
        slots.update(state.get("slots", {}))
        loop = active_loop_of(state)
        if loop:
            loops.add(loop)
    return slots - {SHOULD_NOT_BE_SET}, loops


def longest(keys: Sequence[str], lookup: Mapping[str, str]) -> str:
    """The most specific rule: the longest key (ties: the alphabetically last, so the choice
    does not depend on set order)."""
    return max(keys, key=lambda key: (len(key), key))


__all__ = [
    "DO_NOT_PREDICT_LOOP_ACTION",
    "LOOP_WAS_INTERRUPTED",
    "RuleIndex",
    "longest",
    "loop_unhappy_lookup",
    "rule_feature_key",
    "rule_matches_state",
    "slots_and_loops",
]
