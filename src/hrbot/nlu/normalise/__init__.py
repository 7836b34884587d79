"""Normalisers for Chinese dates, months, durations, amounts and leave/expense types.

Every function takes the reference date as a parameter; nothing reads the clock.
"""

from hrbot.nlu.normalise.amounts import resolve_amount
from hrbot.nlu.normalise.categories import (
    EXPENSE_TYPES,
    LEAVE_TYPES,
    resolve_expense_type,
    resolve_leave_type,
)
from hrbot.nlu.normalise.dates import resolve_date
from hrbot.nlu.normalise.dispatch import ENTITIES, resolve
from hrbot.nlu.normalise.durations import resolve_duration
from hrbot.nlu.normalise.finder import DEFAULT_DIMENSIONS, ValueMatch, find_values
from hrbot.nlu.normalise.months import resolve_month
from hrbot.nlu.normalise.numbers import parse_number

__all__ = [
    "DEFAULT_DIMENSIONS",
    "ENTITIES",
    "EXPENSE_TYPES",
    "LEAVE_TYPES",
    "ValueMatch",
    "find_values",
    "parse_number",
    "resolve",
    "resolve_amount",
    "resolve_date",
    "resolve_duration",
    "resolve_expense_type",
    "resolve_leave_type",
    "resolve_month",
]
