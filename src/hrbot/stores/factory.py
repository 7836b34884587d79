"""Build the stores endpoints.yml asks for.

    tracker_store absent      -> SQLite file `<project>/hrbot.db` (hrbot's default)
    tracker_store type memory -> InMemoryTrackerStore
    tracker_store type sql    -> SQLTrackerStore on the section's URL (SQLite, PostgreSQL, ...)
    lock_store absent/memory  -> InMemoryLockStore (one process)
    lock_store redis          -> RedisLockStore (several processes; Redis is pinged at start)
    event_broker absent       -> no broker
    event_broker pika         -> PikaEventBroker; the tracker store is wrapped in a
                                 StreamingTrackerStore, so every appended event is published

The review log lives where the tracker store lives: in memory next to a memory store, or in the
same SQL database (one engine) next to a SQL store. `create_stores` builds them all,
`Stores.start()` connects the event broker ahead of the first event (optional; it connects on
first use otherwise) and `Stores.close()` releases everything.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hrbot.shared.endpoints import MEMORY_TYPE, PIKA_TYPE, REDIS_TYPE, EndpointConfig, Endpoints
from hrbot.stores.base import DEFAULT_DATABASE_FILE, TrackerStore
from hrbot.stores.locks import InMemoryLockStore, LockStore
from hrbot.stores.memory import InMemoryTrackerStore
from hrbot.stores.review import InMemoryReviewLog, ReviewLog
from hrbot.stores.streaming import EventBroker, StreamingTrackerStore

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
    """The lock store of an endpoints.yml `lock_store` section (None when absent). A Redis lock
    store is pinged once: StoreUnavailableError naming the URL if Redis cannot be reached."""
    if config is not None and (config.type or "").lower() == REDIS_TYPE:
        from hrbot.stores.redis_connection import redis_settings
        from hrbot.stores.redis_locks import RedisLockStore

        store = RedisLockStore(redis_settings(config))
        store.check_connection()
        return store
    return InMemoryLockStore()


def create_event_broker(config: EndpointConfig | None, project_dir: Path) -> EventBroker | None:
    """The event broker of an endpoints.yml `event_broker` section (None when absent). It
    connects on first use (or at `Stores.start()`), so a RabbitMQ that is down at start-up
    does not stop the bot: events wait in the buffer folder."""
    if config is None or (config.type or PIKA_TYPE).lower() != PIKA_TYPE:
        return None
    from hrbot.stores.pika_broker import PikaEventBroker, pika_settings

    return PikaEventBroker(pika_settings(config, project_dir))


@dataclass(frozen=True)
class Stores:
    """The stores of one running bot. `database` is the SQL database the tracker store and the
    review log share (None when they are in memory); `event_broker` is the broker every appended
    event is published to (None without an `event_broker` section)."""

    tracker_store: TrackerStore
    lock_store: LockStore
    review_log: ReviewLog
    database: SQLDatabase | None = None
    event_broker: EventBroker | None = None

    async def start(self) -> None:
        """Connect the event broker now and resend events an earlier run left buffered
        (StoreUnavailableError only with the broker's `raise_on_failure: true`)."""
        if self.event_broker is not None:
            await self.event_broker.connect()

    async def close(self) -> None:
        """Close every store, then the event broker and the shared database."""
        await self.tracker_store.close()
        await self.review_log.close()
        await self.lock_store.close()
        if self.event_broker is not None:
            await self.event_broker.close()
        if self.database is not None:
            await asyncio.to_thread(self.database.dispose)


def create_stores(
    endpoints: Endpoints, project_dir: Path, *, database_file: str = DEFAULT_DATABASE_FILE
) -> Stores:
    """Tracker store, lock store, review log and event broker for `endpoints`; SQL ones share
    one engine."""
    lock_store = create_lock_store(endpoints.lock_store)
    broker = create_event_broker(endpoints.event_broker, project_dir)

    def streamed(store: TrackerStore) -> TrackerStore:
        return store if broker is None else StreamingTrackerStore(store, broker)

    if is_memory_store(endpoints.tracker_store):
        return Stores(streamed(InMemoryTrackerStore()), lock_store, InMemoryReviewLog(), None, broker)
    from hrbot.stores.sql import SQLTrackerStore
    from hrbot.stores.sql_review import SQLReviewLog

    database = open_database(endpoints.tracker_store, project_dir, database_file=database_file)
    try:
        tracker_store = SQLTrackerStore(database, owns_database=False)
        review_log = SQLReviewLog(database, owns_database=False)
    except BaseException:
        database.dispose()
        raise
    return Stores(streamed(tracker_store), lock_store, review_log, database, broker)
