"""The SQL schema is managed by Alembic migrations: a fresh database gets it by migration, a
database made by hrbot's earlier create_all code (or by Rasa) is adopted with its rows, and
several processes starting at once migrate it once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

import hrbot
from hrbot.shared.core.events import ActionExecuted, UserUttered
from hrbot.stores.base import StoreError
from hrbot.stores.migrations import HEAD_REVISION, MIGRATIONS_DIR, VERSION_TABLE
from hrbot.stores.sql import SQLDatabase, SQLTrackerStore
from hrbot.stores.sql_review import SQLReviewLog

SQL_BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=SQL_BACKENDS)
def database_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str | None]:
    """(URL, schema) of an empty database of the parametrised backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hrbot.db'}", None
    url = request.getfixturevalue("postgres_url")
    schema = request.getfixturevalue("postgres_schema")
    return url.replace("postgresql://", "postgresql+psycopg2://", 1), schema


def engine_for(target: tuple[str, str | None]) -> sa.Engine:
    url, schema = target
    engine = sa.create_engine(url)
    if schema is not None:
        with engine.begin() as connection:
            connection.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
    return engine


def create_tables_as_hrbot_did_before_migrations(engine: sa.Engine, schema: str | None) -> sa.Table:
    """The tables exactly as hrbot's create_all code made them (and Rasa makes `events`)."""
    metadata = sa.MetaData(schema=schema)
    events = sa.Table(
        "events", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )
    sa.Table(
        "review_items", metadata,
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
    metadata.create_all(engine)
    return events


def tables_and_version(engine: sa.Engine, schema: str | None) -> tuple[list[str], str | None]:
    with engine.connect() as connection:
        names = sorted(sa.inspect(connection).get_table_names(schema=schema))
        version = None
        if VERSION_TABLE in names:
            table = sa.table(VERSION_TABLE, sa.column("version_num"), schema=schema)
            version = connection.execute(sa.select(table.c.version_num)).scalar()
    return names, version


def test_store_migrations_head_revision_is_the_newest_migration() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))

    assert ScriptDirectory.from_config(config).get_heads() == [HEAD_REVISION]


def test_store_migrations_a_fresh_database_gets_its_schema_by_migration(
    database_target: tuple[str, str | None],
) -> None:
    url, schema = database_target
    database = SQLDatabase(url, schema=schema)
    try:
        names, version = tables_and_version(database.engine, schema)
        with database.engine.connect() as connection:
            indexes = sa.inspect(connection).get_indexes("events", schema=schema)
        indexed = [index["column_names"] for index in indexes]
        store = SQLTrackerStore(database, owns_database=False)
        asyncio.run(store.append("E001", [ActionExecuted(timestamp=1.0, name="action_listen")]))
        stored = asyncio.run(store.retrieve("E001"))
    finally:
        database.dispose()

    assert names == ["events", VERSION_TABLE, "review_items"]
    assert version == HEAD_REVISION
    assert ["sender_id"] in indexed
    assert stored is not None and len(stored) == 1


def test_store_migrations_a_database_made_before_migrations_is_adopted_with_its_rows(
    database_target: tuple[str, str | None],
) -> None:
    engine = engine_for(database_target)
    events = create_tables_as_hrbot_did_before_migrations(engine, database_target[1])
    old_event = {"event": "user", "timestamp": 1700000000.5, "text": "我还有几天年假",
                 "parse_data": {"intent": {"name": "ask_leave_balance", "confidence": 0.9}, "entities": []}}
    with engine.begin() as connection:
        connection.execute(events.insert().values(
            sender_id="E001", type_name="user", timestamp=1700000000.5, intent_name="ask_leave_balance",
            action_name=None, data=json.dumps(old_event, ensure_ascii=False),
        ))
    engine.dispose()
    url, schema = database_target

    database = SQLDatabase(url, schema=schema)
    try:
        store = SQLTrackerStore(database, owns_database=False)
        asyncio.run(store.append("E001", [UserUttered(timestamp=1700000100.0, text="谢谢")]))
        kept = asyncio.run(store.retrieve("E001"))
        reviews = asyncio.run(SQLReviewLog(database, owns_database=False).count())
        names, version = tables_and_version(database.engine, schema)
    finally:
        database.dispose()

    assert kept is not None
    assert [getattr(event, "text", None) for event in kept] == ["我还有几天年假", "谢谢"]
    assert reviews == 0
    assert names == ["events", VERSION_TABLE, "review_items"]
    assert version == HEAD_REVISION


def test_store_migrations_an_up_to_date_database_is_not_migrated_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'hrbot.db'}"
    SQLDatabase(url).dispose()
    import alembic.command

    def no_upgrade(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("Alembic ran on an up-to-date database")

    monkeypatch.setattr(alembic.command, "upgrade", no_upgrade)

    SQLDatabase(url).dispose()


def test_store_migrations_a_foreign_events_table_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT)"))
    engine.dispose()

    with pytest.raises(StoreError, match="events lacks the columns sender_id, type_name"):
        SQLDatabase(url)


def test_store_migrations_processes_starting_together_migrate_postgresql_once(
    postgres_url: str, postgres_schema: str
) -> None:
    url = postgres_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    source_dir = str(Path(hrbot.__file__).resolve().parents[1])
    code = "import sys; from hrbot.stores.sql import SQLDatabase as D; D(sys.argv[1], schema=sys.argv[2])"
    processes = [
        subprocess.Popen([sys.executable, "-c", code, url, postgres_schema], stderr=subprocess.PIPE,
                         text=True, env={**os.environ, "PYTHONPATH": source_dir})
        for _ in range(4)
    ]
    failures = [process.communicate(timeout=30)[1] for process in processes]

    engine = sa.create_engine(url)
    try:
        names, version = tables_and_version(engine, postgres_schema)
    finally:
        engine.dispose()
    assert [process.returncode for process in processes] == [0, 0, 0, 0], failures
    assert names == ["events", VERSION_TABLE, "review_items"]
    assert version == HEAD_REVISION
