"""Schema migrations of hrbot's SQL database, with Alembic.

    env.py                     Alembic's environment: runs on the connection it is given
    versions/v0001_*.py        the `events` table (Rasa's) and `review_items`

`upgrade_to_head` runs when a database is opened (instead of creating tables): a fresh database
gets every table, an up-to-date one costs a single query (Alembic is not even imported), and a
database hrbot or Rasa created before migrations existed is adopted: its tables are kept with
their rows, missing pieces are added and the version is recorded. The version lives in
`hrbot_schema_version` (not Alembic's default `alembic_version`), so that another application
using Alembic in the same database or schema is not disturbed.

Several processes may start at once: on PostgreSQL an advisory lock lets one migrate while the
others wait; on SQLite a process that loses the race finds the work done and goes on.

To change the schema, add `versions/vNNNN_<what>.py` with `down_revision` = the previous
revision and set `HEAD_REVISION` to its revision (a test checks that they agree). Write the
migration by hand with `op` (no autogenerate: the tables are defined in sql.py/sql_review.py
for queries only).
"""

from __future__ import annotations

import threading
import zlib
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

HEAD_REVISION = "0001"
VERSION_TABLE = "hrbot_schema_version"
MIGRATIONS_DIR = Path(__file__).resolve().parent
_ALEMBIC = threading.Lock()
"""Alembic keeps the running migration in module globals (`alembic.context`, `alembic.op`), so
two threads of one process must not run it at once; processes are kept apart by the database."""


def current_revision(connection: Connection, schema: str | None) -> str | None:
    """The revision the database is at (None: never migrated)."""
    if not sa.inspect(connection).has_table(VERSION_TABLE, schema=schema):
        return None
    table = sa.table(VERSION_TABLE, sa.column("version_num"), schema=schema)
    return connection.execute(sa.select(table.c.version_num)).scalar()


def lock_schema_changes(connection: Connection, schema: str | None = None) -> None:
    """On PostgreSQL, wait until no other process is changing this schema (until the
    transaction of `connection` ends): tables created with a check first (`checkfirst=True`)
    would otherwise race when several processes start at once. Nothing to do on SQLite, whose
    writes are serialised."""
    if connection.dialect.name == "postgresql":
        key = zlib.crc32(f"hrbot-migrations:{schema or ''}".encode()) - 2**31
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def upgrade_to_head(connection: Connection, schema: str | None = None) -> bool:
    """Bring the database on `connection` (inside a transaction) to HEAD_REVISION; True when
    anything had to be done."""
    if current_revision(connection, schema) == HEAD_REVISION:
        return False
    if connection.dialect.name == "postgresql":
        # one process migrates at a time; the others find the work done
        key = zlib.crc32(f"hrbot-migrations:{schema or ''}".encode()) - 2**31
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        if current_revision(connection, schema) == HEAD_REVISION:
            return False
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    config.attributes["schema"] = schema
    with _ALEMBIC:
        command.upgrade(config, "head")
    return True
