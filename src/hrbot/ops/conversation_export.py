"""Writing conversations to a conversations file (hrbot.ops.conversation_file), one
conversation at a time: the sender ids are listed first, then each conversation is read, written
and dropped, so an export never holds more than one conversation in memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from hrbot.ops.conversation_file import ConversationRecord
from hrbot.shared.core.events import Event
from hrbot.stores.base import TrackerStore
from hrbot.stores.review import MAX_PAGE_SIZE, ReviewItem, ReviewLog
from hrbot.stores.sql import SQLTrackerStore, events_table

Progress = Callable[[int, int], None]
"""Called after each conversation with (done, total)."""


@dataclass(frozen=True)
class ExportSummary:
    conversations: int
    events: int
    review_items: int
    missing: tuple[str, ...] = ()  # asked for with --sender but not stored


async def export_conversations(
    store: TrackerStore,
    write: Callable[[str], object],
    *,
    review_log: ReviewLog | None = None,
    senders: Sequence[str] | None = None,
    since: float | None = None,
    progress: Progress | None = None,
) -> ExportSummary:
    """Write every conversation of `store` (only `senders` when given; only those with an
    event at or after the Unix time `since` when given) as lines through `write`, each with
    its items from `review_log`."""
    ids = sorted(set(senders)) if senders else await _candidate_ids(store, since)
    conversations = events = reviews = 0
    missing: list[str] = []
    for done, sender_id in enumerate(ids, start=1):
        stored = await store.retrieve(sender_id)
        if not stored:
            if senders:
                missing.append(sender_id)
        elif since is None or _active_since(stored, since):
            items = await _review_items(review_log, sender_id) if review_log is not None else []
            write(ConversationRecord(sender_id, stored, items).to_line())
            conversations += 1
            events += len(stored)
            reviews += len(items)
        if progress is not None:
            progress(done, len(ids))
    return ExportSummary(conversations, events, reviews, tuple(missing))


async def _candidate_ids(store: TrackerStore, since: float | None) -> list[str]:
    """Every stored sender id; with `since` and a SQL store only those with a recent event
    (the index does the filtering instead of reading every conversation)."""
    if since is not None and isinstance(store, SQLTrackerStore):
        table = events_table(store.database)
        query = (sa.select(table.c.sender_id).where(table.c.timestamp >= since)
                 .distinct().order_by(table.c.sender_id))
        return await store.database.run(lambda conn: [str(value) for value in conn.execute(query).scalars()])
    return await store.conversation_ids()


def _active_since(events: Sequence[Event], since: float) -> bool:
    return any(event.timestamp is not None and event.timestamp >= since for event in events)


async def _review_items(review_log: ReviewLog, sender_id: str) -> list[ReviewItem]:
    """The sender's review items, oldest first."""
    found: list[ReviewItem] = []
    while True:
        page = await review_log.items(sender_id=sender_id, limit=MAX_PAGE_SIZE, offset=len(found))
        found.extend(page)
        if len(page) < MAX_PAGE_SIZE:
            return found[::-1]
