"""Locate normalisable expressions (dates, months, durations, amounts...) in a sentence.

A date's span includes a directly following time of day ("明天下午3点" in
"帮我订明天下午3点的会议室"); see hrbot.nlu.normalise.dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from hrbot.nlu.normalise._calendar import as_date
from hrbot.nlu.normalise._spans import Candidate, select_longest
from hrbot.nlu.normalise._text import EDGE_CHARS, MAX_RESOLVE_CHARS, fold_width
from hrbot.nlu.normalise.amounts import bare_amount, scan_amounts
from hrbot.nlu.normalise.categories import scan_expense_types, scan_leave_types
from hrbot.nlu.normalise.dates import scan_dates
from hrbot.nlu.normalise.durations import scan_durations
from hrbot.nlu.normalise.months import scan_months
from hrbot.nlu.normalise.numbers import CN_NUMERAL_CHARS

DEFAULT_DIMENSIONS: Final = ("date", "month", "duration", "amount")
_BARE_NUMBER_RE: Final = re.compile(
    f"[-+]?[0-9{CN_NUMERAL_CHARS}][0-9.,\\skKwW点{CN_NUMERAL_CHARS}]*",
)

_Scanner = Callable[[str, dt.date], "list[Candidate[Any]]"]

# Order matters: on equal-length overlaps the earlier dimension wins ("2025.08" is a month).
_SCANNERS: Final[MappingProxyType[str, _Scanner]] = MappingProxyType(
    {
        "date": lambda text, ref: scan_dates(text, ref, lenient=False),
        "month": lambda text, ref: scan_months(text, ref),
        "duration": lambda text, _ref: scan_durations(text, lenient=False),
        "amount": lambda text, _ref: scan_amounts(text, lenient=False),
        "leave_type": lambda text, _ref: scan_leave_types(text),
        "expense_type": lambda text, _ref: scan_expense_types(text),
    }
)


@dataclass(frozen=True, slots=True)
class ValueMatch:
    """A normalised value found at text[start:end]."""

    start: int
    end: int
    entity: str
    value: object
    text: str


class _Tagged(NamedTuple):
    start: int
    end: int
    entity: str
    value: object


def find_values(
    text: str,
    reference: dt.date,
    dimensions: Collection[str] = DEFAULT_DIMENSIONS,
) -> list[ValueMatch]:
    """Confident, non-overlapping matches (longest first, then leftmost), sorted by offset.

    Amounts need a currency marker unless the whole text is just a number.
    """
    if not isinstance(text, str) or not text:
        return []
    wanted = {dimensions} if isinstance(dimensions, str) else set(dimensions)
    folded = _without_codes(fold_width(text))
    ref = as_date(reference)
    tagged: list[_Tagged] = []
    for entity, scan in _SCANNERS.items():
        if entity in wanted:
            tagged.extend(_Tagged(c.start, c.end, entity, c.value) for c in scan(folded, ref))
    if "amount" in wanted:
        tagged.extend(_whole_text_amount(folded))
    chosen = select_longest(tagged, len(folded))
    return [ValueMatch(t.start, t.end, t.entity, t.value, text[t.start : t.end]) for t in chosen]


_CODE_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,4}-?[0-9]{2,}")
"""Employee, request and order numbers ("E1023", "OA-2031", "LV202600010")."""


def _without_codes(folded: str) -> str:
    """`folded` with codes blanked out (offsets kept): "E1023十月份" is 十月份 after a code,
    not the number 3 glued to 十月 — and a code's digits are never an amount or a date."""
    return _CODE_RE.sub(lambda match: " " * len(match.group()), folded)


def _whole_text_amount(folded: str) -> list[_Tagged]:
    if len(folded) > 2 * MAX_RESOLVE_CHARS:
        return []
    core = folded.strip(EDGE_CHARS)
    if _BARE_NUMBER_RE.fullmatch(core) is None:
        return []
    value = bare_amount(core)
    if value is None:
        return []
    start = len(folded) - len(folded.lstrip(EDGE_CHARS))
    return [_Tagged(start, start + len(core), "amount", value)]
