"""Where conversations are kept: tracker stores (memory, SQL), the per-conversation lock store
and the review log of fallbacks and handoffs.

    base.py     TrackerStore protocol, StoreError tree, event <-> JSON row helpers
    memory.py   InMemoryTrackerStore
    sql.py      SQLDatabase (one engine per URL) and SQLTrackerStore (Rasa's `events` table)
    migrations/ Alembic migrations of the SQL schema, run when a database is opened
    locks.py    LockStore protocol, InMemoryLockStore (FIFO per sender)
    redis_locks.py  RedisLockStore (FIFO per sender across processes, ticket lock in Redis)
    review.py   ReviewItem, ReviewLog protocol, InMemoryReviewLog
    sql_review.py  SQLReviewLog (table `review_items`, same database as the tracker store)
    streaming.py   EventBroker protocol, StreamingTrackerStore (publishes appended events)
    pika_broker.py PikaEventBroker (RabbitMQ with publisher confirms)
    event_buffer.py DiskEventBuffer (events waiting on disk while RabbitMQ is down)
    factory.py  create_tracker_store / create_lock_store / create_review_log /
                create_event_broker / create_stores from endpoints.yml

Importing this package imports nothing else; SQLAlchemy is imported only by the SQL modules,
Alembic only when a schema needs migrating, redis and aio-pika only when configured.
"""
