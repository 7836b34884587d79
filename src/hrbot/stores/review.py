"""The review log: every fallback (the bot did not understand) and every handoff (the
conversation went to a human HR agent), kept so HR staff can review them later in the console
and turn them into training data.

A handoff stays open until an agent closes it (`close_handoff`); a fallback is a record to look
at. Items come back newest first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, get_args

from hrbot.stores.base import StoreError, check_sender_id

ReviewKind = Literal["fallback", "handoff"]
REVIEW_KINDS: tuple[str, ...] = get_args(ReviewKind)
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, kw_only=True)
class ReviewItem:
    """One fallback or handoff. `id` is given by the log when it is recorded; `resolved_at` and
    `resolved_by` are set when a handoff is closed."""

    kind: ReviewKind
    sender_id: str
    reason: str
    text: str | None
    timestamp: float
    details: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    resolved_at: float | None = None
    resolved_by: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in REVIEW_KINDS:
            raise ValueError(f"review item kind must be one of {', '.join(REVIEW_KINDS)}, got {self.kind!r}")

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (for the console API)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "sender_id": self.sender_id,
            "reason": self.reason,
            "text": self.text,
            "timestamp": self.timestamp,
            "details": self.details,
            "resolved_at": self.resolved_at,
            "resolved_by": self.resolved_by,
        }


class ReviewLog(Protocol):
    """Where fallbacks and handoffs are kept for review."""

    async def record(self, item: ReviewItem) -> ReviewItem:
        """Store `item`; returns it with its `id`."""
        ...

    async def items(
        self, kind: ReviewKind | None = None, *, open_only: bool = False, sender_id: str | None = None,
        limit: int = 100, offset: int = 0,
    ) -> list[ReviewItem]:
        """Items newest first, optionally of one kind, one sender, or only the unresolved ones."""
        ...

    async def count(self, kind: ReviewKind | None = None, *, open_only: bool = False,
                    sender_id: str | None = None) -> int:
        """How many items `items` would page through."""
        ...

    async def close_handoff(self, sender_id: str, by: str, timestamp: float) -> int:
        """Mark the sender's open handoffs resolved by `by`; returns how many were closed."""
        ...

    async def clear(self) -> None:
        """Forget every item (a demo reset)."""
        ...

    async def close(self) -> None:
        ...


def check_new_item(item: ReviewItem) -> str:
    """Validate an item before recording it; returns its details as JSON text."""
    check_sender_id(item.sender_id)
    try:
        return json.dumps(item.details, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise StoreError(f"review item details must be JSON values: {error}") from None


def check_page(limit: int, offset: int) -> None:
    if not 0 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 0 and {MAX_PAGE_SIZE}, got {limit}")
    if offset < 0:
        raise ValueError(f"offset must not be negative, got {offset}")


class InMemoryReviewLog:
    """The review log in this process only."""

    def __init__(self) -> None:
        self._items: list[ReviewItem] = []

    async def clear(self) -> None:
        self._items.clear()

    async def record(self, item: ReviewItem) -> ReviewItem:
        details = check_new_item(item)
        stored = replace(item, id=len(self._items) + 1, details=json.loads(details))
        self._items.append(stored)
        return stored

    def _matching(self, kind: ReviewKind | None, open_only: bool, sender_id: str | None) -> list[ReviewItem]:
        return [
            item for item in reversed(self._items)
            if (kind is None or item.kind == kind)
            and (not open_only or item.is_open)
            and (sender_id is None or item.sender_id == sender_id)
        ]

    async def items(
        self, kind: ReviewKind | None = None, *, open_only: bool = False, sender_id: str | None = None,
        limit: int = 100, offset: int = 0,
    ) -> list[ReviewItem]:
        check_page(limit, offset)
        return self._matching(kind, open_only, sender_id)[offset: offset + limit]

    async def count(self, kind: ReviewKind | None = None, *, open_only: bool = False,
                    sender_id: str | None = None) -> int:
        return len(self._matching(kind, open_only, sender_id))

    async def close_handoff(self, sender_id: str, by: str, timestamp: float) -> int:
        closed = 0
        for index, item in enumerate(self._items):
            if item.kind == "handoff" and item.sender_id == sender_id and item.is_open:
                self._items[index] = replace(item, resolved_at=timestamp, resolved_by=by)
                closed += 1
        return closed

    async def close(self) -> None:
        """Nothing to release."""
