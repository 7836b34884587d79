"""Reading a conversations file into a SQL tracker store (and its review log), e.g. to move
from SQLite to PostgreSQL.

The file is read twice, one line at a time: first to check every line and to find the
conversations the target already has, then to write. So a bad line or, by default, a
conversation that would be doubled stops the import before anything is written. Each
conversation is written in one transaction (its events in order, then its review items), and
written directly, not through the event broker: an import is not new traffic to stream."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hrbot.ops.conversation_file import ConversationRecord, read_records
from hrbot.shared.core.events import Event
from hrbot.shared.errors import HrbotError
from hrbot.stores.base import event_columns, event_to_json
from hrbot.stores.review import ReviewItem, check_new_item
from hrbot.stores.sql import SQLDatabase, events_table
from hrbot.stores.sql_review import review_items_table

Progress = Callable[[int, int], None]
_ID_BATCH = 500
_SHOWN_CONFLICTS = 10


class Existing(StrEnum):
    """What to do with a conversation the target already has events for."""

    REFUSE = "refuse"  # stop before writing anything
    SKIP = "skip"  # keep the target's, leave the file's out
    REPLACE = "replace"  # delete the target's events and review items, write the file's


class ImportConflictError(HrbotError):
    """The target already has conversations from the file, and no --skip-existing/--replace."""


@dataclass(frozen=True)
class ImportSummary:
    imported: int  # conversations written (replaced ones included)
    replaced: int
    skipped: int
    events: int
    review_items: int


async def import_conversations(
    database: SQLDatabase, path: Path, *, existing: Existing = Existing.REFUSE,
    progress: Progress | None = None,
) -> ImportSummary:
    """Write the conversations of the file at `path` into `database`'s tracker store."""
    senders = _check_file(path)
    if existing is Existing.REFUSE:
        conflicts = await _stored_among(database, senders)
        if conflicts:
            shown = ", ".join(conflicts[:_SHOWN_CONFLICTS])
            if len(conflicts) > _SHOWN_CONFLICTS:
                shown += ", ..."
            raise ImportConflictError(
                f"{len(conflicts)} conversation(s) in {path} already have events in {database.display_url}: "
                f"{shown}; nothing was imported. Use --skip-existing to keep the stored ones, or "
                "--replace to overwrite them with the file's"
            )
    writer = _Writer(database, existing)
    for done, (_, record) in enumerate(read_records(path), start=1):
        await writer.write(record)
        if progress is not None:
            progress(done, len(senders))
    return writer.summary()


def _check_file(path: Path) -> list[str]:
    """Every sender id of the file in order, after reading every line once; a sender id on
    two lines is an error (which one would win?)."""
    first_line: dict[str, int] = {}
    for number, record in read_records(path):
        earlier = first_line.setdefault(record.sender_id, number)
        if earlier != number:
            raise HrbotError(f"{path}:{number}: conversation {record.sender_id!r} is also on line {earlier}; "
                             "a file must hold each conversation once")
    return list(first_line)


async def _stored_among(database: SQLDatabase, senders: Sequence[str]) -> list[str]:
    """Which of `senders` have events in `database` (asked in batches)."""
    column = events_table(database).c.sender_id
    found: list[str] = []
    for start in range(0, len(senders), _ID_BATCH):
        batch = list(senders[start:start + _ID_BATCH])
        found.extend(await database.run(_stored_ids(column, batch)))
    return sorted(found)


def _stored_ids(column: sa.Column[Any], batch: list[str]) -> Callable[[Connection], list[str]]:
    query = sa.select(column).where(column.in_(batch)).distinct()
    return lambda conn: [str(value) for value in conn.execute(query).scalars()]


class _Writer:
    def __init__(self, database: SQLDatabase, existing: Existing) -> None:
        self.database = database
        self.existing = existing
        self.events = events_table(database)
        self.reviews = review_items_table(database)
        self.counts = {"imported": 0, "replaced": 0, "skipped": 0, "events": 0, "review_items": 0}

    async def write(self, record: ConversationRecord) -> None:
        if not record.events and not record.review_items:
            self.counts["skipped"] += 1
            return
        event_rows = [_event_row(record.sender_id, event) for event in record.events]
        review_rows = [_review_row(item) for item in record.review_items]
        outcome = await self.database.run(
            lambda conn: self._write(conn, record.sender_id, event_rows, review_rows))
        if outcome == "skipped":
            self.counts["skipped"] += 1
            return
        self.counts["imported"] += 1
        self.counts["replaced"] += outcome == "replaced"
        self.counts["events"] += len(event_rows)
        self.counts["review_items"] += len(review_rows)

    def _write(self, conn: Connection, sender_id: str, event_rows: list[dict[str, Any]],
               review_rows: list[dict[str, Any]]) -> str:
        stored = conn.execute(
            sa.select(self.events.c.id).where(self.events.c.sender_id == sender_id).limit(1)
        ).first()
        outcome = "imported"
        if stored is not None:
            if self.existing is Existing.SKIP:
                return "skipped"
            if self.existing is Existing.REFUSE:
                raise ImportConflictError(
                    f"conversation {sender_id!r} got events in {self.database.display_url} while importing "
                    "(is a bot running on it?); the conversations before it were imported. Run again "
                    "with --skip-existing to import the rest"
                )
            conn.execute(self.events.delete().where(self.events.c.sender_id == sender_id))
            conn.execute(self.reviews.delete().where(self.reviews.c.sender_id == sender_id))
            outcome = "replaced"
        if event_rows:
            conn.execute(self.events.insert(), event_rows)
        if review_rows:
            conn.execute(self.reviews.insert(), review_rows)
        return outcome

    def summary(self) -> ImportSummary:
        counts = self.counts
        return ImportSummary(counts["imported"], counts["replaced"], counts["skipped"], counts["events"],
                             counts["review_items"])


def _event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """A row of Rasa's `events` table, as SQLTrackerStore writes it."""
    intent_name, action_name = event_columns(event.to_dict())
    return {
        "sender_id": sender_id, "type_name": event.type_name, "timestamp": event.timestamp,
        "intent_name": intent_name[:255] if intent_name else None,
        "action_name": action_name[:255] if action_name else None,
        "data": event_to_json(event),
    }


def _review_row(item: ReviewItem) -> dict[str, Any]:
    return {
        "kind": item.kind, "sender_id": item.sender_id, "reason": item.reason, "text": item.text,
        "timestamp": item.timestamp, "details": check_new_item(item), "resolved_at": item.resolved_at,
        "resolved_by": item.resolved_by,
    }
