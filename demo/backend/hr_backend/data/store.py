"""The backend's own database: every write (new records and changes to company.json records).

One SQLite file in WAL mode with one table: ``writes(kind, id, body)``. ``kind`` is a company.json
collection name (``leave_requests``, ``meetings``, ...), ``id`` the record's id and ``body`` the
whole record as JSON. A row whose id exists in company.json replaces that record (e.g. a cancelled
leave request); other rows are new records, kept in the order they were written. Dropping every
row restores company.json's state (``reset``).

Checks and the write they guard run in one ``BEGIN IMMEDIATE`` transaction, so two processes on
the same file cannot both book the last free slot.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

JSON = dict[str, Any]

SCHEMA = """
CREATE TABLE IF NOT EXISTS writes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    written_at TEXT NOT NULL,
    UNIQUE (kind, id)
)
"""


class RowReader(Protocol):
    """Anything that lists the written rows of one kind, oldest first."""

    def rows(self, kind: str) -> list[JSON]: ...


def _read_rows(connection: sqlite3.Connection, kind: str) -> list[JSON]:
    cursor = connection.execute("SELECT body FROM writes WHERE kind = ? ORDER BY seq", (kind,))
    return [json.loads(body) for (body,) in cursor.fetchall()]


class Transaction:
    """Reads and writes inside one database transaction (see ``Store.transaction``)."""

    def __init__(self, connection: sqlite3.Connection, written_at: datetime) -> None:
        self._connection = connection
        self._written_at = written_at.isoformat()

    def rows(self, kind: str) -> list[JSON]:
        return _read_rows(self._connection, kind)

    def put(self, kind: str, record: JSON) -> None:
        """Insert ``record`` (which has an ``id``) or replace the written row with the same id."""
        self._connection.execute(
            "INSERT INTO writes (kind, id, body, written_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, written_at = excluded.written_at",
            (kind, str(record["id"]), json.dumps(record, ensure_ascii=False), self._written_at),
        )


class Store:
    """The SQLite file of writes. Thread-safe (one connection behind a re-entrant lock, so a read
    made inside a write transaction by the same thread sees that transaction)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=10.0
        )
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute(SCHEMA)

    def rows(self, kind: str) -> list[JSON]:
        with self._lock:
            return _read_rows(self._connection, kind)

    @contextmanager
    def transaction(self, written_at: datetime) -> Iterator[Transaction]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._connection, written_at)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def count(self) -> int:
        with self._lock:
            (count,) = self._connection.execute("SELECT COUNT(*) FROM writes").fetchone()
        return int(count)

    def reset(self) -> int:
        """Drop every write (back to company.json's state); returns how many rows were dropped."""
        with self._lock:
            cursor = self._connection.execute("DELETE FROM writes")
        return int(cursor.rowcount)

    def close(self) -> None:
        with self._lock:
            self._connection.close()
