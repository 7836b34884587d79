"""Candidate spans and the longest-first, left-to-right overlap resolution."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Final, Generic, NamedTuple, Protocol, TypeVar

V = TypeVar("V")


class Spanned(Protocol):
    """Anything with a half-open character range."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


S = TypeVar("S", bound=Spanned)


class Candidate(NamedTuple, Generic[V]):
    """A recognised expression: text[start:end] normalises to value."""

    start: int
    end: int
    value: V
    confident: bool = True


def select_longest(items: Iterable[S], size: int) -> list[S]:
    """Keep non-overlapping items, longest first then leftmost; ties keep input order.

    The result is sorted by start offset.
    """
    pool = list(items)
    by_start = sorted(pool, key=_START)
    if all(a.end <= b.start for a, b in pairwise(by_start)):
        return [item for item in by_start if item.end > item.start]
    ordered = sorted(pool, key=_LONGEST_FIRST)
    taken = bytearray(max(size, 0))
    chosen: list[S] = []
    for item in ordered:
        if item.end <= item.start or taken.find(1, item.start, item.end) != -1:
            continue
        taken[item.start : item.end] = b"\x01" * (item.end - item.start)
        chosen.append(item)
    chosen.sort(key=_START)
    return chosen


def _start(item: Spanned) -> int:
    return item.start


def _longest_first(item: Spanned) -> tuple[int, int]:
    return item.start - item.end, item.start


_START: Final = _start
_LONGEST_FIRST: Final = _longest_first


def whole_value(candidates: Iterable[Candidate[V]], length: int) -> V | None:
    """Value of the candidate covering [0, length), preferring confident ones."""
    fallback: Candidate[V] | None = None
    for cand in candidates:
        if cand.start == 0 and cand.end == length:
            if cand.confident:
                return cand.value
            if fallback is None:
                fallback = cand
    return None if fallback is None else fallback.value
