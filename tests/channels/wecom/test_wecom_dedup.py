"""Each WeCom message is claimed once: in memory, and in SQL shared by several processes (two
engines on one SQLite file; PostgreSQL when reachable, always under CI), even when they race."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from wecom_fakes import drop_schema, postgres_url_or_skip

from hrbot.channels.wecom.dedup import (
    CLAIMS_TABLE,
    InMemoryMessageDeduplicator,
    MessageDeduplicator,
    SQLMessageDeduplicator,
)
from hrbot.stores.sql import SQLDatabase

SCOPE = "wecom:ww1436e0e65a779aee:1000002"
DatabaseFactory = Callable[[], SQLDatabase]


@pytest.fixture
def sqlite_databases(tmp_path: Path) -> Iterator[DatabaseFactory]:
    """Databases on one SQLite file, each with its own engine, as separate processes have."""
    opened: list[SQLDatabase] = []

    def open_one() -> SQLDatabase:
        opened.append(SQLDatabase(f"sqlite:///{tmp_path / 'hrbot.db'}"))
        return opened[-1]

    yield open_one
    for database in opened:
        database.dispose()


@pytest.fixture
def postgresql_databases() -> Iterator[DatabaseFactory]:
    """Databases on the test PostgreSQL server, each with its own engine, in a schema of their own."""
    url = postgres_url_or_skip()
    schema = f"hrbot_test_{uuid.uuid4().hex[:12]}"
    opened: list[SQLDatabase] = []

    def open_one() -> SQLDatabase:
        opened.append(SQLDatabase(url, schema=schema))
        return opened[-1]

    yield open_one
    for database in opened:
        database.dispose()
    drop_schema(url, schema)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def deduplicator(request: pytest.FixtureRequest) -> MessageDeduplicator:
    if request.param == "memory":
        return InMemoryMessageDeduplicator()
    factory: DatabaseFactory = request.getfixturevalue(f"{request.param}_databases")
    return SQLMessageDeduplicator(factory())


def test_only_the_first_claim_of_a_message_wins(deduplicator: MessageDeduplicator) -> None:
    async def claims() -> list[bool]:
        return [await deduplicator.claim(SCOPE, "msg:1456453720", 100.0),
                await deduplicator.claim(SCOPE, "msg:1456453720", 101.0),
                await deduplicator.claim(SCOPE, "msg:1456453721", 102.0),
                await deduplicator.claim("wecom:ww-other:1", "msg:1456453720", 103.0)]

    assert asyncio.run(claims()) == [True, False, True, True]


def test_old_claims_are_forgotten_and_recent_ones_kept(deduplicator: MessageDeduplicator) -> None:
    async def scenario() -> tuple[int, bool, bool]:
        await deduplicator.claim(SCOPE, "msg:old", 100.0)
        await deduplicator.claim(SCOPE, "msg:new", 200.0)
        forgotten = await deduplicator.forget_before(150.0)
        return (forgotten, await deduplicator.claim(SCOPE, "msg:old", 300.0),
                await deduplicator.claim(SCOPE, "msg:new", 300.0))

    assert asyncio.run(scenario()) == (1, True, False)


def test_a_key_longer_than_the_column_is_refused_before_it_reaches_the_database(
    deduplicator: MessageDeduplicator,
) -> None:
    with pytest.raises(ValueError, match="key must be 1 to 255 characters"):
        asyncio.run(deduplicator.claim(SCOPE, "x" * 256, 1.0))


def race(databases: list[SQLDatabase], keys: list[str]) -> list[list[str]]:
    """Each database (a process) claims every key at the same time as the others, on its own
    thread and event loop; the keys each one won."""
    won: list[list[str]] = [[] for _ in databases]
    start = threading.Barrier(len(databases))

    def process(index: int) -> None:
        deduplicator = SQLMessageDeduplicator(databases[index])

        async def claim_all() -> None:
            start.wait()
            for key in keys:
                if await deduplicator.claim(SCOPE, key, 1.0):
                    won[index].append(key)

        asyncio.run(claim_all())

    threads = [threading.Thread(target=process, args=(index,)) for index in range(len(databases))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return won


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_processes_racing_for_the_same_messages_each_message_is_won_exactly_once(
    backend: str, request: pytest.FixtureRequest,
) -> None:
    factory: DatabaseFactory = request.getfixturevalue(f"{backend}_databases")
    databases = [factory() for _ in range(3)]
    keys = [f"msg:{number}" for number in range(150)]

    won = race(databases, keys)

    assert sorted(key for keys_won in won for key in keys_won) == sorted(keys)


def test_the_claims_table_is_made_when_missing_and_shared_by_every_process_that_opens_it(
    sqlite_databases: DatabaseFactory,
) -> None:
    first = sqlite_databases()
    first_process = SQLMessageDeduplicator(first)
    asyncio.run(first_process.claim(SCOPE, "msg:1", 1.0))

    second_process = SQLMessageDeduplicator(sqlite_databases())  # finds the table: no error

    assert first.run_sync(lambda connection: sa.inspect(connection).has_table(CLAIMS_TABLE))
    assert asyncio.run(second_process.claim(SCOPE, "msg:1", 2.0)) is False
