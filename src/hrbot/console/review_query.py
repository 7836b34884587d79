"""Reading conversations for review and analytics straight from the tracker store's `events`
table, one conversation at a time, without building trackers.

SQL does what it can: the time window (the `timestamp` column), the intent (`intent_name`) and
a first cut of the full-text search (a LIKE over the event JSON, in both the UTF-8 spelling
hrbot writes and the \\uXXXX spelling Rasa writes) pick the conversations; their rows in the
window are then streamed in order (`sender_id`, `id`) and turned into `review_facts` per
conversation, so memory holds one conversation's rows at a time. The work runs in a worker
thread, so a long scan never blocks the server's event loop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hrbot.console.review_facts import REVIEW_EVENT_TYPES, ConversationFacts, EventRow, conversation_facts
from hrbot.stores.sql import SQLDatabase, events_table

T = TypeVar("T")
CONTEXT_SECONDS = 6 * 3600  # rows read before the window (what the first messages answered) and after it
SENDER_CHUNK = 200
STREAM_ROWS = 2000


@dataclass(frozen=True)
class Window:
    """[since, until) in seconds; None: open."""

    since: float | None = None
    until: float | None = None

    def holds(self, at: float) -> bool:
        return (self.since is None or at >= self.since) and (self.until is None or at < self.until)


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_spellings(query: str) -> list[str]:
    """How `query` can appear inside stored event JSON: as written (hrbot, ensure_ascii=False)
    and \\u-escaped (Rasa, json.dumps' default)."""
    plain = json.dumps(query, ensure_ascii=False)[1:-1]
    escaped = json.dumps(query)[1:-1]
    return list(dict.fromkeys([plain, escaped]))


class EventsReader:
    """Queries over one database's `events` table."""

    def __init__(self, database: SQLDatabase) -> None:
        self.database = database
        self.events = events_table(database)

    async def run(self, work: Callable[[Connection], T]) -> T:
        """`work` in a worker thread (also for SQLite: a scan may take a while)."""
        return await asyncio.to_thread(self.database.run_sync, work)

    def senders(self, connection: Connection, window: Window, *, intent: str | None = None,
                text: str | None = None) -> list[str]:
        """Conversations with an employee message in `window` (with `intent`, containing `text`)."""
        events = self.events
        query = sa.select(events.c.sender_id).distinct().where(events.c.type_name == "user")
        if window.since is not None:
            query = query.where(events.c.timestamp >= window.since)
        if window.until is not None:
            query = query.where(events.c.timestamp < window.until)
        if intent:
            query = query.where(events.c.intent_name == intent)
        if text:
            query = query.where(sa.or_(*(events.c.data.ilike(like_pattern(spelling), escape="\\")
                                         for spelling in text_spellings(text))))
        return [str(value) for value in connection.execute(query.order_by(events.c.sender_id)).scalars()]

    def facts(self, connection: Connection, senders: Sequence[str],
              window: Window) -> Iterator[ConversationFacts]:
        """The facts of each of `senders` from its rows around `window`, one conversation at a time."""
        events = self.events
        columns = (events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp,
                   events.c.action_name, events.c.data)
        for start in range(0, len(senders), SENDER_CHUNK):
            chunk = list(senders[start: start + SENDER_CHUNK])
            query = sa.select(*columns).where(events.c.sender_id.in_(chunk),
                                              events.c.type_name.in_(REVIEW_EVENT_TYPES))
            if window.since is not None:
                query = query.where(sa.or_(events.c.timestamp >= window.since - CONTEXT_SECONDS,
                                           events.c.timestamp.is_(None)))
            if window.until is not None:
                query = query.where(sa.or_(events.c.timestamp < window.until + CONTEXT_SECONDS,
                                           events.c.timestamp.is_(None)))
            result = connection.execution_options(yield_per=STREAM_ROWS).execute(
                query.order_by(events.c.sender_id, events.c.id))
            current: str | None = None
            rows: list[EventRow] = []
            for row in result:
                if row.sender_id != current:
                    if current is not None:
                        yield conversation_facts(current, rows)
                    current, rows = str(row.sender_id), []
                rows.append(EventRow(int(row.id), str(row.type_name), row.timestamp, row.action_name,
                                     row.data))
            if current is not None:
                yield conversation_facts(current, rows)

    def conversation_rows(self, connection: Connection, sender_id: str, window: Window,
                          limit: int) -> tuple[list[EventRow], bool]:
        """The newest `limit` rows of one conversation in `window` (oldest first), and whether
        older rows in the window were left out."""
        events = self.events
        query = sa.select(events.c.id, events.c.type_name, events.c.timestamp, events.c.action_name,
                          events.c.data).where(events.c.sender_id == sender_id)
        if window.since is not None:
            query = query.where(events.c.timestamp >= window.since)
        if window.until is not None:
            query = query.where(events.c.timestamp < window.until)
        found = connection.execute(query.order_by(events.c.id.desc()).limit(limit + 1)).all()
        rows = [EventRow(int(row.id), str(row.type_name), row.timestamp, row.action_name, row.data)
                for row in found[:limit]]
        return rows[::-1], len(found) > limit

    def user_event(self, connection: Connection, event_id: int) -> tuple[str, EventRow] | None:
        """An employee message by its row id: (sender_id, row), or None."""
        events = self.events
        row = connection.execute(
            sa.select(events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp,
                      events.c.action_name, events.c.data)
            .where(events.c.id == event_id, events.c.type_name == "user")
        ).first()
        if row is None:
            return None
        return str(row.sender_id), EventRow(int(row.id), "user", row.timestamp, row.action_name, row.data)

    def newest_id(self, connection: Connection) -> tuple[int, int]:
        """(largest id, row count): changes whenever a conversation does (or the store is cleared)."""
        events = self.events
        found = connection.execute(sa.select(sa.func.max(events.c.id), sa.func.count())).one()
        return int(found[0] or 0), int(found[1] or 0)
