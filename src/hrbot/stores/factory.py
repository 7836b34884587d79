"""Build the stores endpoints.yml asks for.

    tracker_store absent      -> SQLite file `<project>/hrbot.db` (hrbot's default)
    tracker_store type memory -> InMemoryTrackerStore
    tracker_store type sql    -> SQLTrackerStore on the section's URL (SQLite, PostgreSQL, ...)
    lock_store absent/memory  -> InMemoryLockStore
    lock_store redis          -> InMemoryLockStore for now, with a warning (Redis is a later issue)

The review log lives where the tracker store lives: in memory next to a memory store, or in the
same SQL database (one engine) next to a SQL store. `create_stores` builds all three and
`Stores.close()` releases them.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hrbot.shared.endpoints import MEMORY_TYPE, REDIS_TYPE, EndpointConfig, Endpoints
from hrbot.stores.base import DEFAULT_DATABASE_FILE, TrackerStore
from hrbot.stores.locks import InMemoryLockStore, LockStore
from hrbot.stores.memory import InMemoryTrackerStore
from hrbot.stores.review import InMemoryReviewLog, ReviewLog

if TYPE_CHECKING:
    from hrbot.stores.sql import SQLDatabase

logger = logging.getLogger(__name__)

_MEMORY_NAMES = {MEMORY_TYPE, "in_memory", "inmemory", "in-memory"}


def is_memory_store(config: EndpointConfig | None) -> bool:
    """Whether a tracker store section asks for memory only."""
    return config is not None and (config.type or "").lower() in _MEMORY_NAMES


def open_database(
    config: EndpointConfig | None, project_dir: Path, *, database_file: str = DEFAULT_DATABASE_FILE
) -> SQLDatabase:
    """The SQL database of a tracker store section (None: `<project_dir>/<database_file>`).

    Connects once: raises StoreUnavailableError naming the URL if the database is unreachable,
    InvalidProjectError (with the endpoints.yml line) if the URL is wrong, MissingDependencyError
    if the driver is not installed.
    """
    from hrbot.stores.sql import SQLDatabase, database_url, default_database_url

    if config is None:
        return SQLDatabase(default_database_url(project_dir, database_file))
    schema = config.kwargs.get("schema")
    return SQLDatabase(
        database_url(config, project_dir),
        schema=str(schema) if schema is not None else None,
        source=config.source,
    )


def create_tracker_store(
    config: EndpointConfig | None, project_dir: Path, *, database_file: str = DEFAULT_DATABASE_FILE
) -> TrackerStore:
    """The tracker store of an endpoints.yml `tracker_store` section (None when absent)."""
    if is_memory_store(config):
        return InMemoryTrackerStore()
    from hrbot.stores.sql import SQLTrackerStore

    return SQLTrackerStore(open_database(config, project_dir, database_file=database_file))


def create_review_log(
    config: EndpointConfig | None, project_dir: Path, *, database_file: str = DEFAULT_DATABASE_FILE
) -> ReviewLog:
    """The review log next to the tracker store of `config` (its own engine; see create_stores)."""
    if is_memory_store(config):
        return InMemoryReviewLog()
    from hrbot.stores.sql_review import SQLReviewLog

    return SQLReviewLog(open_database(config, project_dir, database_file=database_file))


def create_lock_store(config: EndpointConfig | None) -> LockStore:
    """The lock store of an endpoints.yml `lock_store` section (None when absent)."""
    if config is not None and (config.type or "").lower() == REDIS_TYPE:
        logger.warning(
            "lock_store type 'redis' (%s) is not supported yet; using an in-memory lock store, which "
            "keeps messages of one conversation in order only within this process",
            config.where(),
        )
    return InMemoryLockStore()


@dataclass(frozen=True)
class Stores:
    """The stores of one running bot. `database` is the SQL database the tracker store and the
    review log share (None when they are in memory)."""

    tracker_store: TrackerStore
    lock_store: LockStore
    review_log: ReviewLog
    database: SQLDatabase | None = None

    async def close(self) -> None:
        """Close every store, then the shared database."""
        await self.tracker_store.close()
        await self.review_log.close()
        await self.lock_store.close()
        if self.database is not None:
            await asyncio.to_thread(self.database.dispose)


def create_stores(
    endpoints: Endpoints, project_dir: Path, *, database_file: str = DEFAULT_DATABASE_FILE
) -> Stores:
    """Tracker store, lock store and review log for `endpoints`; SQL ones share one engine."""
    lock_store = create_lock_store(endpoints.lock_store)
    if is_memory_store(endpoints.tracker_store):
        return Stores(InMemoryTrackerStore(), lock_store, InMemoryReviewLog())
    from hrbot.stores.sql import SQLTrackerStore
    from hrbot.stores.sql_review import SQLReviewLog

    database = open_database(endpoints.tracker_store, project_dir, database_file=database_file)
    try:
        tracker_store = SQLTrackerStore(database, owns_database=False)
        review_log = SQLReviewLog(database, owns_database=False)
    except BaseException:
        database.dispose()
        raise
    return Stores(tracker_store, lock_store, review_log, database)
