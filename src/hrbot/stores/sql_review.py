"""The review log in SQL, next to the tracker store's `events` table in the same database:

    review_items(id INTEGER PK, kind VARCHAR(16) (indexed), sender_id VARCHAR(255) (indexed),
                 reason TEXT, text TEXT, timestamp FLOAT, details TEXT (JSON),
                 resolved_at FLOAT NULL, resolved_by VARCHAR(255) NULL)
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any, cast

import sqlalchemy as sa

from hrbot.stores.review import ReviewItem, ReviewKind, check_new_item, check_page
from hrbot.stores.sql import SQLDatabase


def review_items_table(database: SQLDatabase) -> sa.Table:
    """The `review_items` table in `database` (made by migration v0001)."""
    return database.table(
        "review_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False, index=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("resolved_at", sa.Float),
        sa.Column("resolved_by", sa.String(255)),
    )


class SQLReviewLog:
    """Fallbacks and handoffs in the `review_items` table.

    `owns_database`: whether `close()` disposes the engine (False when shared with the tracker store).
    """

    def __init__(self, database: SQLDatabase, *, owns_database: bool = True) -> None:
        self.database = database
        self._owns_database = owns_database
        self._table = review_items_table(database)

    async def clear(self) -> None:
        delete = self._table.delete()
        await self.database.run(lambda conn: conn.execute(delete))

    async def record(self, item: ReviewItem) -> ReviewItem:
        details = check_new_item(item)
        values = {
            "kind": item.kind, "sender_id": item.sender_id, "reason": item.reason, "text": item.text,
            "timestamp": item.timestamp, "details": details, "resolved_at": item.resolved_at,
            "resolved_by": item.resolved_by,
        }
        insert = self._table.insert().values(**values)
        new_id = await self.database.run(lambda conn: _first(conn.execute(insert).inserted_primary_key))
        return replace(item, id=new_id, details=json.loads(details))

    def _where(self, kind: ReviewKind | None, open_only: bool, sender_id: str | None) -> list[Any]:
        columns = self._table.c
        conditions: list[Any] = []
        if kind is not None:
            conditions.append(columns.kind == kind)
        if open_only:
            conditions.append(columns.resolved_at.is_(None))
        if sender_id is not None:
            conditions.append(columns.sender_id == sender_id)
        return conditions

    async def items(
        self, kind: ReviewKind | None = None, *, open_only: bool = False, sender_id: str | None = None,
        limit: int = 100, offset: int = 0,
    ) -> list[ReviewItem]:
        check_page(limit, offset)
        query = (
            sa.select(self._table).where(*self._where(kind, open_only, sender_id))
            .order_by(self._table.c.id.desc()).limit(limit).offset(offset)
        )
        rows = await self.database.run(lambda conn: conn.execute(query).mappings().all())
        return [_item(row) for row in rows]

    async def count(self, kind: ReviewKind | None = None, *, open_only: bool = False,
                    sender_id: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(self._table).where(
            *self._where(kind, open_only, sender_id)
        )
        return int(await self.database.run(lambda conn: conn.execute(query).scalar_one()))

    async def close_handoff(self, sender_id: str, by: str, timestamp: float) -> int:
        update = (
            self._table.update()
            .where(*self._where("handoff", True, sender_id))
            .values(resolved_at=timestamp, resolved_by=by)
        )
        return int(await self.database.run(lambda conn: conn.execute(update).rowcount))

    async def close(self) -> None:
        if self._owns_database:
            await asyncio.to_thread(self.database.dispose)


def _first(key: Any) -> int:
    return int(key[0])


def _item(row: sa.RowMapping) -> ReviewItem:
    return ReviewItem(
        id=int(row["id"]),
        kind=cast(ReviewKind, row["kind"]),
        sender_id=str(row["sender_id"]),
        reason=str(row["reason"]),
        text=row["text"],
        timestamp=float(row["timestamp"]),
        details=json.loads(row["details"]) if row["details"] else {},
        resolved_at=row["resolved_at"],
        resolved_by=row["resolved_by"],
    )
