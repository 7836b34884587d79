"""States as sparse feature vectors for the learned policy (Rasa's SingleStateFeaturizer,
one-hot instead of learned embeddings).

Each state gives named features: the previous action, the active loop, the set slots (their
Rasa features), and — only right after a user turn, as Rasa — the intent and the entities.
A history of `max_history` states is laid out newest first, one block of the vocabulary per
position, plus a "this position exists" feature, so a model can learn both what just happened
and what happened a few turns ago.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from hrbot.dialogue.states import (
    ACTIVE_LOOP,
    ENTITIES,
    INTENT,
    LOOP_NAME,
    PREVIOUS_ACTION,
    SHOULD_NOT_BE_SET,
    SLOTS,
    TEXT,
    USER,
    State,
    is_prev_action_listen,
)

PRESENT = "present"
_CACHE_LIMIT = 50_000


def state_features(state: State) -> list[tuple[str, float]]:
    """The named features of one state."""
    features: list[tuple[str, float]] = [(PRESENT, 1.0)]
    previous = state.get(PREVIOUS_ACTION, {})
    for key, value in previous.items():
        features.append((f"prev:{key}:{value}", 1.0))
    if is_prev_action_listen(state):
        user = state.get(USER, {})
        if user.get(INTENT):
            features.append((f"intent:{user[INTENT]}", 1.0))
        elif user.get(TEXT):
            features.append((f"text:{user[TEXT]}", 1.0))
        for label in user.get(ENTITIES) or ():
            features.append((f"entity:{label}", 1.0))
    for slot, value in state.get(SLOTS, {}).items():
        if value == SHOULD_NOT_BE_SET:
            continue
        for index, number in enumerate(value):
            if number:
                features.append((f"slot:{slot}:{index}", float(number)))
    loop = state.get(ACTIVE_LOOP, {}).get(LOOP_NAME)
    if loop and loop != SHOULD_NOT_BE_SET:
        features.append((f"loop:{loop}", 1.0))
    return features


class StateVectors:
    """A fixed vocabulary of state features and the layout of `max_history` positions."""

    def __init__(self, vocabulary: Mapping[str, int], max_history: int) -> None:
        self.vocabulary = dict(vocabulary)
        self.max_history = max(1, max_history)
        self._columns: dict[State, list[tuple[int, float]]] = {}

    def _state_columns(self, state: State) -> list[tuple[int, float]]:
        """(vocabulary index, value) of a state's known features (cached per state)."""
        found = self._columns.get(state)
        if found is None:
            merged: dict[int, float] = {}
            for name, value in state_features(state):
                index = self.vocabulary.get(name)
                if index is not None:
                    merged[index] = value
            found = sorted(merged.items())
            if len(self._columns) >= _CACHE_LIMIT:
                self._columns.clear()
            self._columns[state] = found
        return found

    @classmethod
    def fit(cls, histories: Iterable[Sequence[State]], max_history: int) -> StateVectors:
        names: set[str] = set()
        for states in histories:
            for state in states:
                names.update(name for name, _ in state_features(state))
        return cls({name: index for index, name in enumerate(sorted(names))}, max_history)

    @property
    def width(self) -> int:
        return len(self.vocabulary) * self.max_history

    def sparse_row(self, states: Sequence[State]) -> tuple[list[int], list[float]]:
        """Column indices and values of a history (newest state at position 0)."""
        size = len(self.vocabulary)
        columns: list[int] = []
        values: list[float] = []
        recent = list(states[-self.max_history:])
        for position, state in enumerate(reversed(recent)):
            offset = position * size
            for index, value in self._state_columns(state):
                columns.append(offset + index)
                values.append(value)
        return columns, values

    def matrix(self, histories: Sequence[Sequence[State]]) -> Any:
        """A scipy CSR matrix with one row per history."""
        from scipy import sparse

        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        for row, states in enumerate(histories):
            row_columns, row_values = self.sparse_row(states)
            rows.extend([row] * len(row_columns))
            columns.extend(row_columns)
            values.extend(row_values)
        return sparse.csr_matrix(
            (np.asarray(values, dtype=np.float32), (np.asarray(rows), np.asarray(columns))),
            shape=(len(histories), self.width), dtype=np.float32,
        )

    def dense_row(self, states: Sequence[State]) -> npt.NDArray[np.float32]:
        row = np.zeros(self.width, dtype=np.float32)
        columns, values = self.sparse_row(states)
        row[columns] = values
        return row

    def to_dict(self) -> dict[str, Any]:
        return {"vocabulary": self.vocabulary, "max_history": self.max_history}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StateVectors:
        return cls(dict(data.get("vocabulary", {})), int(data.get("max_history", 1)))


__all__ = ["StateVectors", "state_features"]
