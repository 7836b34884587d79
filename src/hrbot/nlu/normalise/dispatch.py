"""Route an entity name to its resolver."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import MappingProxyType
from typing import Final

from hrbot.nlu.normalise.amounts import resolve_amount
from hrbot.nlu.normalise.categories import resolve_expense_type, resolve_leave_type
from hrbot.nlu.normalise.dates import resolve_date
from hrbot.nlu.normalise.durations import resolve_duration
from hrbot.nlu.normalise.months import resolve_month

_RESOLVERS: Final[MappingProxyType[str, Callable[[str, dt.date], object]]] = MappingProxyType(
    {
        "date": resolve_date,
        "month": resolve_month,
        "duration": lambda text, _ref: resolve_duration(text),
        "amount": lambda text, _ref: resolve_amount(text),
        "leave_type": lambda text, _ref: resolve_leave_type(text),
        "expense_type": lambda text, _ref: resolve_expense_type(text),
    }
)

ENTITIES: Final = tuple(_RESOLVERS)


def resolve(entity: str, text: str, reference: dt.date) -> object | None:
    """Normalise *text* as *entity*; None for unknown entities or unparseable text."""
    if not isinstance(entity, str) or not isinstance(text, str):
        return None
    resolver = _RESOLVERS.get(entity.strip().lower())
    return None if resolver is None else resolver(text, reference)
