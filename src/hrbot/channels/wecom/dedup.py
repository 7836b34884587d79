"""Each WeCom message is processed once, however often WeCom delivers it and to whichever process.

WeCom retries a callback it did not get a 200 for within five seconds, up to three times, and
behind a load balancer each retry may reach another hrbot process. Before a message is processed
its key (`InboundMessage.dedup_key`: the MsgId, or for events FromUserName + CreateTime + the
event) is *claimed*; only the one caller whose claim is new processes it.

    MessageDeduplicator            the protocol
    InMemoryMessageDeduplicator    one process (the memory tracker store's companion)
    SQLMessageDeduplicator         every process sharing the tracker store's SQL database

The SQL claim is one INSERT that does nothing on conflict with the primary key (scope,
message_key), so when two processes race for one message the database decides, and exactly one
of them sees its row inserted:

    channel_message_claims(scope VARCHAR(128), message_key VARCHAR(255), claimed_at FLOAT (indexed),
                           PRIMARY KEY (scope, message_key))

Claims are only needed while WeCom may still retry (seconds), so old ones are purged with
`forget_before`. A Redis implementation can follow the same protocol.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

T = TypeVar("T")

CLAIMS_TABLE = "channel_message_claims"
MAX_SCOPE_CHARS = 128
MAX_KEY_CHARS = 255


class MessageDeduplicator(Protocol):
    """Remembers which messages have been claimed for processing."""

    async def claim(self, scope: str, key: str, now: float) -> bool:
        """True for the first claim of (`scope`, `key`), False for every later one."""
        ...

    async def forget_before(self, cutoff: float) -> int:
        """Forget claims made before `cutoff` (Unix time); how many were forgotten."""
        ...

    async def close(self) -> None:
        """Release resources."""
        ...


def _check(scope: str, key: str) -> None:
    if not scope or len(scope) > MAX_SCOPE_CHARS:
        raise ValueError(f"a claim's scope must be 1 to {MAX_SCOPE_CHARS} characters, got {len(scope)}")
    if not key or len(key) > MAX_KEY_CHARS:
        raise ValueError(f"a claim's key must be 1 to {MAX_KEY_CHARS} characters, got {len(key)}")


class InMemoryMessageDeduplicator:
    """Claims in this process's memory: enough for a single process."""

    def __init__(self) -> None:
        self._claimed: dict[tuple[str, str], float] = {}

    async def claim(self, scope: str, key: str, now: float) -> bool:
        _check(scope, key)
        if (scope, key) in self._claimed:
            return False
        self._claimed[(scope, key)] = now
        return True

    async def forget_before(self, cutoff: float) -> int:
        old = [claim for claim, when in self._claimed.items() if when < cutoff]
        for claim in old:
            del self._claimed[claim]
        return len(old)

    async def close(self) -> None:
        self._claimed.clear()


class SQLRunner(Protocol):
    """What the deduplicator needs of a SQL database (hrbot's `SQLDatabase` is one): its tables,
    created if missing, and a way to run work in a transaction off the event loop."""

    def table(self, name: str, *columns: sa.Column[Any]) -> sa.Table: ...

    def run_sync(self, work: Callable[[Connection], T]) -> T: ...

    def run(self, work: Callable[[Connection], T]) -> Awaitable[T]: ...


def claims_table(database: SQLRunner) -> sa.Table:
    """The claims table in `database`, created if missing (a schema migration may also have made
    it: then this finds it). When two processes create it at the same moment, the loser finds
    the winner's table."""
    table = database.table(
        CLAIMS_TABLE,
        sa.Column("scope", sa.String(MAX_SCOPE_CHARS), primary_key=True),
        sa.Column("message_key", sa.String(MAX_KEY_CHARS), primary_key=True),
        sa.Column("claimed_at", sa.Float, nullable=False, index=True),
    )
    try:
        database.run_sync(lambda connection: table.create(connection, checkfirst=True))
    except Exception:
        exists = database.run_sync(
            lambda connection: sa.inspect(connection).has_table(CLAIMS_TABLE, schema=table.schema))
        if not exists:
            raise
    return table


class SQLMessageDeduplicator:
    """Claims in a SQL database shared by every process (the tracker store's). Database errors
    propagate as the database raises them (hrbot's SQLDatabase: StoreError), so that a caller
    can refuse the callback and let WeCom retry rather than lose the message."""

    def __init__(self, database: SQLRunner) -> None:
        self.database = database
        self._table = claims_table(database)

    def _insert_if_absent(self, connection: Connection, values: dict[str, Any]) -> bool:
        table = self._table
        dialect = connection.dialect.name
        if dialect == "sqlite":
            statement: Any = sqlite.insert(table).values(values).on_conflict_do_nothing()
        elif dialect == "postgresql":
            statement = postgresql.insert(table).values(values).on_conflict_do_nothing()
        else:  # any other database: a plain INSERT in a savepoint, its unique key deciding
            try:
                with connection.begin_nested():
                    connection.execute(table.insert().values(values))
            except sa.exc.IntegrityError:
                return False
            return True
        return bool(connection.execute(statement).rowcount == 1)

    async def claim(self, scope: str, key: str, now: float) -> bool:
        _check(scope, key)
        values = {"scope": scope, "message_key": key, "claimed_at": now}
        return await self.database.run(lambda connection: self._insert_if_absent(connection, values))

    async def forget_before(self, cutoff: float) -> int:
        delete = self._table.delete().where(self._table.c.claimed_at < cutoff)
        return await self.database.run(lambda connection: int(connection.execute(delete).rowcount))

    async def close(self) -> None:
        """Nothing to release: the database belongs to the stores."""
