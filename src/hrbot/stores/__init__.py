"""Where conversations are kept: tracker stores (memory, SQL), the per-conversation lock store
and the review log of fallbacks and handoffs.

    base.py     TrackerStore protocol, StoreError tree, event <-> JSON row helpers
    memory.py   InMemoryTrackerStore
    sql.py      SQLDatabase (one engine per URL) and SQLTrackerStore (Rasa's `events` table)
    locks.py    LockStore protocol, InMemoryLockStore (FIFO per sender)
    review.py   ReviewItem, ReviewLog protocol, InMemoryReviewLog
    sql_review.py  SQLReviewLog (table `review_items`, same database as the tracker store)
    factory.py  create_tracker_store / create_lock_store / create_review_log / create_stores
                from endpoints.yml

Importing this package imports nothing else; SQLAlchemy is imported only by the SQL modules.
"""
