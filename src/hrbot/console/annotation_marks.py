"""Which employee messages were reviewed, so the review list can leave them out:

    console_review_marks(event_id PK -- the events row of the message, sender_id (indexed),
                         review (confirm | correct | out_of_scope), intent, outcome (written |
                         duplicate | near_duplicate | near_conflict), detail (the warning shown),
                         reviewed_by, reviewed_at)

Kept next to the console's other tables (created when missing). Reviewing a message again
replaces its mark; the audit log keeps every review.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hrbot.stores.migrations import lock_schema_changes
from hrbot.stores.sql import SQLDatabase

CHUNK = 500


@dataclass(frozen=True)
class ReviewMark:
    event_id: int
    sender_id: str
    review: str
    intent: str
    outcome: str
    detail: str
    reviewed_by: str
    reviewed_at: float


class ReviewMarks:
    """The marks in one database."""

    def __init__(self, database: SQLDatabase) -> None:
        self.database = database
        self.table = database.table(
            "console_review_marks",
            sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("sender_id", sa.String(255), nullable=False, index=True),
            sa.Column("review", sa.String(16), nullable=False),
            sa.Column("intent", sa.String(255), nullable=False),
            sa.Column("outcome", sa.String(16), nullable=False),
            sa.Column("detail", sa.Text, nullable=False),
            sa.Column("reviewed_by", sa.String(64), nullable=False),
            sa.Column("reviewed_at", sa.Float, nullable=False),
        )
        table = self.table
        def create(connection: Connection) -> None:
            lock_schema_changes(connection, database.metadata.schema)  # processes may start together
            database.metadata.create_all(connection, tables=[table], checkfirst=True)

        database.run_sync(create)

    async def save(self, marks: Iterable[ReviewMark]) -> None:
        rows = [mark.__dict__ for mark in marks]
        if not rows:
            return
        table = self.table

        def write(connection: Connection) -> None:
            connection.execute(table.delete().where(table.c.event_id.in_([row["event_id"] for row in rows])))
            connection.execute(table.insert(), rows)

        await self.database.run(write)

    async def for_events(self, event_ids: Iterable[int]) -> dict[int, ReviewMark]:
        wanted = sorted(set(event_ids))
        table = self.table

        def read(connection: Connection) -> dict[int, ReviewMark]:
            found: dict[int, ReviewMark] = {}
            for start in range(0, len(wanted), CHUNK):
                query = sa.select(table).where(table.c.event_id.in_(wanted[start: start + CHUNK]))
                for row in connection.execute(query).mappings():
                    found[int(row["event_id"])] = ReviewMark(**dict(row))
            return found

        return await self.database.run(read) if wanted else {}

    async def reviewed(self, event_ids: Iterable[int]) -> set[int]:
        return set(await self.for_events(event_ids))
