"""SQL storage with SQLAlchemy 2: one `SQLDatabase` per URL (shared by the tracker store and the
review log) and `SQLTrackerStore`, which keeps events in Rasa's `events` table.

The engine is synchronous and every query runs in a worker thread (`asyncio.to_thread`), so the
event loop never blocks on the database and no async driver is needed. SQLite files are opened
in WAL mode so that readers do not block the writer; PostgreSQL goes through psycopg2.

Opening a database brings its schema up to date with the Alembic migrations in
`hrbot.stores.migrations` (a fresh database gets its tables, an older hrbot or Rasa database is
adopted with its rows); the tables below are only described here, for queries.

Rasa's table, which an existing Rasa database already has and hrbot reads unchanged:

    events(id INTEGER PK autoincrement, sender_id VARCHAR(255) NOT NULL (indexed),
           type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255),
           action_name VARCHAR(255), data TEXT)   -- data = the event's JSON
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from hrbot.shared.core.events import Event
from hrbot.shared.endpoints import DEFAULT_SQL_DB, DEFAULT_SQL_DIALECT, EndpointConfig
from hrbot.shared.errors import InvalidProjectError, MissingDependencyError
from hrbot.shared.problems import Location, Problem
from hrbot.stores.base import (
    DEFAULT_DATABASE_FILE,
    StoreError,
    StoreUnavailableError,
    check_sender_id,
    event_columns,
    event_from_json,
    event_to_json,
)

T = TypeVar("T")
logger = logging.getLogger(__name__)

_CONNECT_TIMEOUT_SECONDS = 10
_SQLITE_BUSY_TIMEOUT_SECONDS = 15
_DRIVER_PACKAGES = {"psycopg2": "psycopg2-binary", "pymysql": "PyMySQL", "mysqldb": "mysqlclient"}


# ---------------------------------------------------------------------------------------------
# URLs


def default_database_url(project_dir: Path, file_name: str = DEFAULT_DATABASE_FILE) -> URL:
    """The SQLite file hrbot uses when endpoints.yml configures no tracker store."""
    return URL.create("sqlite", database=str(Path(project_dir).resolve() / file_name))


def database_url(config: EndpointConfig, project_dir: Path) -> URL:
    """The SQLAlchemy URL of a `type: sql` tracker store section, built as Rasa's
    `SQLTrackerStore.get_db_url`: a `url` containing '://' is the whole URL; otherwise `url` is
    the host (optionally with a port) and dialect/port/db/username/password/query fill in the
    rest. Relative SQLite paths are relative to `project_dir`."""
    kwargs = config.kwargs
    host = config.url
    try:
        if host and "://" in host:
            url = make_url(host)
        else:
            port = kwargs.get("port")
            if host:
                parsed = urlsplit(f"scheme://{host}")
                port = parsed.port or port
                host = parsed.hostname or host
            url = URL.create(
                str(kwargs.get("dialect") or DEFAULT_SQL_DIALECT),
                username=kwargs.get("username"),
                password=kwargs.get("password"),
                host=host,
                port=port,
                database=kwargs.get("db", DEFAULT_SQL_DB),
                query=kwargs.get("query") or {},
            )
    except (ArgumentError, ValueError, TypeError) as error:
        raise InvalidProjectError([Problem(
            f"tracker_store: cannot build a database URL: {error}", config.source, None,
            "write a full URL such as postgresql://user:password@host:5432/db, "
            "or 'dialect', 'url' (the host), 'port' and 'db'",
        )]) from None
    return _resolve_sqlite_path(url, project_dir)


def _with_driver(url: URL) -> URL:
    """Pick the PostgreSQL driver when the URL names none: psycopg2 (what Rasa uses) if it is
    installed, else psycopg 3 (SQLAlchemy 2.1's default). `postgres://` means `postgresql://`."""
    backend, _, driver = url.drivername.partition("+")
    if backend == "postgres":
        url = url.set(drivername="postgresql" + (f"+{driver}" if driver else ""))
        backend = "postgresql"
    if backend == "postgresql" and not driver:
        if importlib.util.find_spec("psycopg2") is not None:
            return url.set(drivername="postgresql+psycopg2")
        if importlib.util.find_spec("psycopg") is not None:
            return url.set(drivername="postgresql+psycopg")
        raise MissingDependencyError("psycopg2-binary", f"the PostgreSQL tracker store ({display_url(url)})")
    return url


def _resolve_sqlite_path(url: URL, project_dir: Path) -> URL:
    if url.get_backend_name() != "sqlite" or _is_sqlite_memory(url):
        return url
    path = Path(str(url.database))
    if not path.is_absolute():
        path = Path(project_dir).resolve() / path
    return url.set(database=str(path))


def _is_sqlite_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def display_url(url: URL) -> str:
    """The URL with its password hidden, for messages and logs."""
    return url.render_as_string(hide_password=True)


# ---------------------------------------------------------------------------------------------
# the database


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _create_engine(url: URL, source: Location | None) -> Engine:
    options: dict[str, Any] = {"pool_pre_ping": True}
    backend = url.get_backend_name()
    if backend == "sqlite":
        if _is_sqlite_memory(url):
            options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        else:
            Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
            options["connect_args"] = {"timeout": _SQLITE_BUSY_TIMEOUT_SECONDS}
    elif url.drivername == "postgresql+psycopg2":
        options["connect_args"] = {"connect_timeout": _CONNECT_TIMEOUT_SECONDS}
    try:
        engine = sa.create_engine(url, **options)
    except NoSuchModuleError:
        raise InvalidProjectError([Problem(
            f"tracker_store: unknown database dialect '{url.drivername}' in {display_url(url)}",
            source, None, "use dialect 'postgresql' or 'sqlite' (or another SQLAlchemy dialect)",
        )]) from None
    except ImportError as error:
        driver = url.drivername.partition("+")[2] or backend
        package = _DRIVER_PACKAGES.get(driver, error.name or driver)
        raise MissingDependencyError(package, f"the {backend} tracker store ({display_url(url)})") from None
    if backend == "sqlite" and not _is_sqlite_memory(url):
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class SQLDatabase:
    """One database: its engine, the tables hrbot keeps there and a way to run work on it
    off the event loop. Creating it connects once and migrates the schema to the newest
    revision, so an unreachable database fails at start with StoreUnavailableError naming the
    URL (password hidden)."""

    def __init__(self, url: URL | str, *, schema: str | None = None, source: Location | None = None) -> None:
        self.url = _with_driver(make_url(url))
        self.schema = schema
        self.source = source
        self.display_url = display_url(self.url)
        if schema is not None and self.url.get_backend_name() == "sqlite":
            raise InvalidProjectError([Problem(
                "tracker_store: 'schema' is not supported with SQLite", source, None,
                "remove 'schema', or use PostgreSQL",
            )])
        self.engine = _create_engine(self.url, source)
        self.metadata = sa.MetaData(schema=schema)
        self._closed = False
        try:
            if schema is not None:
                self._create_schema(schema)
            self._migrate()
        except BaseException:
            self.dispose()
            raise

    def _create_schema(self, schema: str) -> None:
        """Create `schema` if missing; another process creating it at the same moment is fine."""
        try:
            self.run_sync(lambda conn: conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True)))
        except StoreUnavailableError:
            raise
        except StoreError:
            if not self.run_sync(lambda conn: sa.inspect(conn).has_schema(schema)):
                raise

    def _migrate(self) -> None:
        """Upgrade the schema to the newest migration. Two processes migrating one SQLite file
        at the same moment may collide; the loser finds the work done (or tries once more)."""
        from hrbot.stores.migrations import upgrade_to_head

        attempts = 2 if self.url.get_backend_name() == "sqlite" else 1
        for attempt in range(1, attempts + 1):
            try:
                if self.run_sync(lambda conn: upgrade_to_head(conn, self.schema)):
                    logger.info("database %s: schema migrated to the newest revision", self.display_url)
                return
            except StoreError:
                if attempt == attempts:
                    raise

    def table(self, name: str, *columns: sa.Column[Any]) -> sa.Table:
        """The table `name` of this database as queries see it (the migrations create it)."""
        key = f"{self.schema}.{name}" if self.schema else name
        existing = self.metadata.tables.get(key)
        if existing is not None:
            return existing
        return sa.Table(name, self.metadata, *columns)

    def run_sync(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one transaction (committed on success); database errors become
        StoreUnavailableError (cannot connect) or StoreError."""
        if self._closed:
            raise StoreError(f"the database {self.display_url} is closed")
        try:
            with self.engine.begin() as connection:
                return work(connection)
        except DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            unreachable = isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError)
            if error.connection_invalidated or unreachable:
                where = f" (configured at {self.source})" if self.source else ""
                raise StoreUnavailableError(
                    f"cannot use the database {self.display_url}{where}: {reason}; check that the "
                    "database server is running and reachable and that the url, port, db, username "
                    "and password in endpoints.yml are right"
                ) from None
            raise StoreError(f"database {self.display_url}: {reason}") from None

    async def run(self, work: Callable[[Connection], T]) -> T:
        """`run_sync` in a worker thread; for SQLite (a local file, a fraction of a millisecond
        per statement) on the caller's thread, where the hop to a thread would cost more than
        the statement."""
        if self.engine.dialect.name == "sqlite":
            return self.run_sync(work)
        return await asyncio.to_thread(self.run_sync, work)

    def dispose(self) -> None:
        """Close every pooled connection; later use raises StoreError."""
        if not self._closed:
            self._closed = True
            self.engine.dispose()


# ---------------------------------------------------------------------------------------------
# the tracker store


def events_table(database: SQLDatabase) -> sa.Table:
    """Rasa's `events` table in `database` (made by migration v0001)."""
    return database.table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )


class SQLTrackerStore:
    """Conversations in Rasa's `events` table, one row per event, read back in insertion order.

    `owns_database`: whether `close()` disposes the engine (False when the review log shares it).
    """

    def __init__(self, database: SQLDatabase, *, owns_database: bool = True) -> None:
        self.database = database
        self._owns_database = owns_database
        self._events = events_table(database)

    @classmethod
    def from_url(cls, url: URL | str, *, schema: str | None = None) -> SQLTrackerStore:
        """A store on its own engine for `url` (e.g. 'sqlite:////tmp/x.db')."""
        return cls(SQLDatabase(url, schema=schema))

    async def retrieve(self, sender_id: str) -> list[Event] | None:
        events = self._events
        query = sa.select(events.c.data).where(events.c.sender_id == sender_id).order_by(events.c.id)
        rows = await self.database.run(lambda conn: list(conn.execute(query).scalars()))
        if not rows:
            return None
        return [
            event_from_json(row or "", sender_id=sender_id, position=index) for index, row in enumerate(rows)
        ]

    async def retrieve_after(self, sender_id: str, count: int) -> list[Event]:
        events = self._events
        query = (
            sa.select(events.c.data).where(events.c.sender_id == sender_id)
            .order_by(events.c.id).offset(count)
        )
        rows = await self.database.run(lambda conn: list(conn.execute(query).scalars()))
        return [
            event_from_json(row or "", sender_id=sender_id, position=count + index)
            for index, row in enumerate(rows)
        ]

    async def append(self, sender_id: str, events: Sequence[Event]) -> None:
        check_sender_id(sender_id)
        rows = [self._row(sender_id, event) for event in events]
        if rows:
            insert = self._events.insert()
            await self.database.run(lambda conn: conn.execute(insert, rows))

    def _row(self, sender_id: str, event: Event) -> dict[str, Any]:
        text = event_to_json(event)
        intent_name, action_name = event_columns(event.to_dict())
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": event.timestamp,
            "intent_name": intent_name[:255] if intent_name else None,
            "action_name": action_name[:255] if action_name else None,
            "data": text,
        }

    async def clear(self) -> None:
        delete = self._events.delete()
        await self.database.run(lambda conn: conn.execute(delete))

    async def conversation_ids(self) -> list[str]:
        column = self._events.c.sender_id
        query = sa.select(column).distinct().order_by(column)
        return await self.database.run(lambda conn: [str(value) for value in conn.execute(query).scalars()])

    async def close(self) -> None:
        if self._owns_database:
            await asyncio.to_thread(self.database.dispose)
