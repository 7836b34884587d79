"""The console's tables, in the SQL database the tracker store uses (SQLite by default,
PostgreSQL in production):

    console_accounts(username PK, display_name, employee_id, roles, password_hash,
                     failed_logins, locked_until, disabled, created_at, password_changed_at)
    console_sessions(id_hash PK, username NULL for a visitor not yet logged in, csrf_token,
                     created_at, last_seen)            -- id_hash = SHA-256 of the cookie value
    console_claims(sender_id PK, handoff_id, agent NULL, claimed_at NULL)
    console_audit(id PK (1, 2, 3, ... without gaps), at, actor, action, target, details,
                  prev_hash, hash)
    console_audit_head(id PK = 1, last_id, last_hash)  -- the newest entry, so that deleting
                                                       -- the tail of the chain shows too

`console_tables` creates them when missing (`CREATE TABLE IF NOT EXISTS`), next to the tables
the migrations keep; it never alters an existing table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hrbot.stores.migrations import lock_schema_changes
from hrbot.stores.sql import SQLDatabase

T = TypeVar("T")


@dataclass(frozen=True)
class ConsoleTables:
    """The console's tables in one database, created there if missing."""

    database: SQLDatabase
    accounts: sa.Table
    sessions: sa.Table
    claims: sa.Table
    audit: sa.Table
    audit_head: sa.Table

    async def run(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in one transaction (see SQLDatabase.run)."""
        return await self.database.run(work)


def console_tables(database: SQLDatabase) -> ConsoleTables:
    """The tables in `database`, created if they are not there yet."""
    table = database.table
    tables = ConsoleTables(
        database=database,
        accounts=table(
            "console_accounts",
            sa.Column("username", sa.String(64), primary_key=True),
            sa.Column("display_name", sa.String(255), nullable=False),
            sa.Column("employee_id", sa.String(255)),
            sa.Column("roles", sa.String(255), nullable=False),
            sa.Column("password_hash", sa.Text, nullable=False),
            sa.Column("failed_logins", sa.Integer, nullable=False, default=0),
            sa.Column("locked_until", sa.Float),
            sa.Column("disabled", sa.Boolean, nullable=False, default=False),
            sa.Column("created_at", sa.Float, nullable=False),
            sa.Column("password_changed_at", sa.Float, nullable=False),
        ),
        sessions=table(
            "console_sessions",
            sa.Column("id_hash", sa.String(64), primary_key=True),
            sa.Column("username", sa.String(64), index=True),
            sa.Column("csrf_token", sa.String(64), nullable=False),
            sa.Column("created_at", sa.Float, nullable=False),
            sa.Column("last_seen", sa.Float, nullable=False),
        ),
        claims=table(
            "console_claims",
            sa.Column("sender_id", sa.String(255), primary_key=True),
            sa.Column("handoff_id", sa.Integer, nullable=False),
            sa.Column("agent", sa.String(64)),
            sa.Column("claimed_at", sa.Float),
        ),
        audit=table(
            "console_audit",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("at", sa.String(32), nullable=False),
            sa.Column("actor", sa.String(64), nullable=False, index=True),
            sa.Column("action", sa.String(64), nullable=False, index=True),
            sa.Column("target", sa.String(255), nullable=False),
            sa.Column("details", sa.Text, nullable=False),
            sa.Column("prev_hash", sa.String(64), nullable=False),
            sa.Column("hash", sa.String(64), nullable=False),
        ),
        audit_head=table(
            "console_audit_head",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("last_id", sa.Integer, nullable=False),
            sa.Column("last_hash", sa.String(64), nullable=False),
        ),
    )
    own = [tables.accounts, tables.sessions, tables.claims, tables.audit, tables.audit_head]

    def create(connection: Connection) -> None:
        lock_schema_changes(connection, database.metadata.schema)  # several processes may start at once
        database.metadata.create_all(connection, tables=own, checkfirst=True)

    database.run_sync(create)
    return tables


def insert_if_missing(connection: Connection, table: sa.Table, values: dict[str, Any]) -> bool:
    """Insert a row unless one with its primary key exists; True when inserted. Atomic on
    SQLite and PostgreSQL (ON CONFLICT DO NOTHING)."""
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
        statement = insert(table).values(**values).on_conflict_do_nothing()
        return bool(connection.execute(statement).rowcount)
    keys = [column for column in table.primary_key.columns]
    exists = connection.execute(
        sa.select(sa.func.count()).select_from(table).where(*(key == values[key.name] for key in keys))
    ).scalar_one()
    if exists:
        return False
    connection.execute(table.insert().values(**values))
    return True


def open_console_database(endpoints_file: Path | None, project_dir: Path) -> SQLDatabase:
    """The database of the project's tracker store (endpoints.yml), for the CLI. HrbotError when
    the tracker store is kept in memory: then there is nowhere to keep accounts or the audit log."""
    from hrbot.shared.endpoints import read_endpoints
    from hrbot.shared.errors import HrbotError
    from hrbot.stores.factory import is_memory_store, open_database

    endpoints = read_endpoints(endpoints_file)
    if is_memory_store(endpoints.tracker_store):
        raise HrbotError(
            "endpoints.yml keeps conversations in memory, so the console's accounts and audit log have "
            "no database: configure a 'tracker_store' of type SQL (or remove the section to use SQLite)"
        )
    return open_database(endpoints.tracker_store, project_dir)
