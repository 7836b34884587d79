"""Featurising slots and entities as Rasa does: a slot value as its feature tuple
(`Slot.as_feature()`), a categorical slot's featurised values, a message's entity labels
(`entity`, `entity#role`, `entity#group`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hrbot.shared.core.domain import Slot

ENTITY_LABEL_SEPARATOR = "#"
DEFAULT_CATEGORICAL_SLOT_VALUE = "__other__"


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
