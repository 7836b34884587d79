"""What a state is: the names of its substates and keys, the read-only hashable `FrozenState`,
the sorted-JSON keys used for memoisation, and small readers of a state (its previous action,
its active loop, a few words describing it). `RuleOnlyData` says which slots and loops only
rules use. Building states from a conversation is `states`; import from there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from hrbot.shared.core.events import ACTION_LISTEN_NAME

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

SubState = Mapping[str, Any]
State = Mapping[str, SubState]


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

