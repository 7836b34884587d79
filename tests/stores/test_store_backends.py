"""Tracker stores and review logs behave the same in memory, in SQLite and in PostgreSQL.

PostgreSQL tests use the server of conftest.py, each in a schema of its own that is dropped
afterwards. They are skipped only when the server is unreachable and $CI is not set; under CI an
unreachable server fails them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from hrbot.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from hrbot.shared.endpoints import parse_endpoints
from hrbot.stores.base import StoreError
from hrbot.stores.factory import Stores, create_stores
from hrbot.stores.review import ReviewItem

T = TypeVar("T")
BACKENDS = ["memory", "sqlite", "postgresql"]
SQL_BACKENDS = ["sqlite", "postgresql"]


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def endpoints_text(backend: str, request: pytest.FixtureRequest) -> str:
    if backend == "memory":
        return "tracker_store:\n  type: memory\n"
    if backend == "sqlite":
        return ""  # hrbot's default: <project>/hrbot.db
    url = request.getfixturevalue("postgres_url")
    schema = request.getfixturevalue("postgres_schema")
    return f"tracker_store:\n  url: {url}\n  schema: {schema}\n"


@pytest.fixture
def open_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Stores]]:
    """Opens the stores of the test's backend (again and again, on the same database)."""
    text = endpoints_text(request.param, request)
    opened: list[Stores] = []

    def open_() -> Stores:
        stores = create_stores(parse_endpoints(text, environ={}), tmp_path)
        opened.append(stores)
        return stores

    yield open_
    for stores in opened:
        run(stores.close())


def conversation() -> list[Event]:
    return [
        ActionExecuted(timestamp=1.0, name="action_session_start"),
        SessionStarted(timestamp=1.0),
        ActionExecuted(timestamp=1.0, name="action_listen"),
        UserUttered(timestamp=2.5, text="我还有几天年假",
                    parse_data={"intent": {"name": "ask_leave_balance"}},
                    input_channel="rest", message_id="m1", metadata={"employee": "E001"}),
        SlotSet(timestamp=None, name="leave_type", value={"kind": "annual", "days": [1, 2]}),
        ActionExecuted(timestamp=3.0, name="utter_balance", policy="RulePolicy", confidence=1.0),
        BotUttered(timestamp=3.0, text="你还有 5 天年假",
                   data={"buttons": [{"title": "请假", "payload": "/leave"}]}),
    ]


def dicts(events: list[Event] | None) -> list[dict[str, Any]] | None:
    return None if events is None else [event.to_dict() for event in events]


def reflect_events(stores: Stores) -> sa.Table:
    assert stores.database is not None
    return sa.Table("events", sa.MetaData(schema=stores.database.schema),
                    autoload_with=stores.database.engine)


# ---------------------------------------------------------------------------------------------
# tracker stores


@pytest.mark.parametrize("open_stores", BACKENDS, indirect=True)
def test_store_backends_an_unknown_conversation_is_none(open_stores: Callable[[], Stores]) -> None:
    store = open_stores().tracker_store

    assert run(store.retrieve("nobody")) is None
    assert run(store.conversation_ids()) == []


@pytest.mark.parametrize("open_stores", BACKENDS, indirect=True)
def test_store_backends_return_appended_events_in_order(open_stores: Callable[[], Stores]) -> None:
    store = open_stores().tracker_store
    events = conversation()

    run(store.append("E001", events))

    assert dicts(run(store.retrieve("E001"))) == dicts(events)


@pytest.mark.parametrize("open_stores", BACKENDS, indirect=True)
def test_store_backends_append_adds_to_the_end(open_stores: Callable[[], Stores]) -> None:
    store = open_stores().tracker_store
    events = conversation()

    run(store.append("E001", events[:3]))
    run(store.append("E001", events[3:]))
    run(store.append("E001", []))

    assert dicts(run(store.retrieve("E001"))) == dicts(events)


@pytest.mark.parametrize("open_stores", BACKENDS, indirect=True)
def test_store_backends_give_the_events_after_a_known_count(open_stores: Callable[[], Stores]) -> None:
    store = open_stores().tracker_store
    events = conversation()
    run(store.append("E001", events))
    run(store.append("E002", events[:1]))

    assert dicts(run(store.retrieve_after("E001", 2))) == dicts(events[2:])
    assert run(store.retrieve_after("E001", len(events))) == []
    assert run(store.retrieve_after("nobody", 0)) == []


@pytest.mark.parametrize("open_stores", BACKENDS, indirect=True)
def test_store_backends_clear_forgets_every_conversation_and_review(
    open_stores: Callable[[], Stores],
) -> None:
    stores = open_stores()
    run(stores.tracker_store.append("E001", conversation()))
    run(stores.review_log.record(ReviewItem(kind="handoff", sender_id="E001", reason="requested",
                                            text="转人工", timestamp=1.0)))

    run(stores.tracker_store.clear())
    run(stores.review_log.clear())

    assert run(stores.tracker_store.retrieve("E001")) is None
    assert run(stores.review_log.count()) == 0


@pytest.mark.parametrize("open_stores", BACKENDS, indirect=True)
def test_store_backends_keep_conversations_apart(open_stores: Callable[[], Stores]) -> None:
    store = open_stores().tracker_store
    events = conversation()

    async def scenario() -> None:
        await asyncio.gather(*(store.append(sender, events[:2]) for sender in ("b", "a", "张三")))
        await store.append("a", events[2:4])
        await store.append("empty", [])

    run(scenario())

    assert run(store.conversation_ids()) == sorted(["a", "b", "张三"])
    assert dicts(run(store.retrieve("a"))) == dicts(events[:4])
    assert dicts(run(store.retrieve("b"))) == dicts(events[:2])


@pytest.mark.parametrize("open_stores", BACKENDS, indirect=True)
def test_store_backends_refuse_what_they_cannot_keep(open_stores: Callable[[], Stores]) -> None:
    store = open_stores().tracker_store
    unstorable = SlotSet(timestamp=1.0, name="when", value=object())

    with pytest.raises(StoreError, match="cannot be stored as JSON"):
        run(store.append("E001", [*conversation()[:2], unstorable]))
    with pytest.raises(StoreError, match="at most 255"):
        run(store.append("x" * 256, conversation()[:1]))

    assert run(store.retrieve("E001")) is None


@pytest.mark.parametrize("open_stores", SQL_BACKENDS, indirect=True)
def test_store_backends_sql_conversations_survive_a_restart(open_stores: Callable[[], Stores]) -> None:
    first = open_stores()
    run(first.tracker_store.append("E001", conversation()))
    run(first.close())

    second = open_stores()

    assert dicts(run(second.tracker_store.retrieve("E001"))) == dicts(conversation())
    assert run(second.tracker_store.conversation_ids()) == ["E001"]


@pytest.mark.parametrize("open_stores", SQL_BACKENDS, indirect=True)
def test_store_backends_sql_rows_have_rasa_columns(open_stores: Callable[[], Stores]) -> None:
    stores = open_stores()
    run(stores.tracker_store.append("E001", conversation()))
    assert stores.database is not None
    table = reflect_events(stores)

    with stores.database.engine.connect() as connection:
        rows = connection.execute(sa.select(table).order_by(table.c.id)).mappings().all()

    assert [row["type_name"] for row in rows] == ["action", "session_started", "action", "user", "slot",
                                                  "action", "bot"]
    assert rows[3]["intent_name"] == "ask_leave_balance"
    assert rows[4]["action_name"] == "leave_type"  # Rasa writes any event's `name` there
    assert rows[5]["action_name"] == "utter_balance"
    assert rows[3]["timestamp"] == 2.5 and rows[4]["timestamp"] is None
    assert json.loads(rows[3]["data"])["text"] == "我还有几天年假"


@pytest.mark.parametrize("open_stores", SQL_BACKENDS, indirect=True)
def test_store_backends_sql_read_rows_rasa_wrote(open_stores: Callable[[], Stores]) -> None:
    stores = open_stores()
    run(stores.tracker_store.append("other", conversation()[:1]))  # creates the table
    assert stores.database is not None
    table = reflect_events(stores)
    rasa_event = {"event": "user", "timestamp": 1700000000.1, "metadata": {}, "text": "hi",
                  "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": [],
                                 "text": "hi", "message_id": "abc", "metadata": {}},
                  "input_channel": "rest", "message_id": "abc"}
    with stores.database.engine.begin() as connection:
        connection.execute(table.insert().values(
            sender_id="rasa-user", type_name="user", timestamp=1700000000.1, intent_name="greet",
            action_name=None, data=json.dumps(rasa_event),
        ))

    events = run(stores.tracker_store.retrieve("rasa-user"))

    assert events is not None
    assert isinstance(events[0], UserUttered) and events[0].intent_name == "greet"


@pytest.mark.parametrize("open_stores", ["sqlite"], indirect=True)
def test_store_backends_sqlite_uses_a_wal_journal(open_stores: Callable[[], Stores],
                                                   tmp_path: Path) -> None:
    stores = open_stores()
    run(stores.tracker_store.append("E001", conversation()[:1]))
    assert stores.database is not None

    with stores.database.engine.connect() as connection:
        mode = connection.execute(sa.text("PRAGMA journal_mode")).scalar_one()

    assert mode == "wal"
    assert (tmp_path / "hrbot.db").is_file()


# ---------------------------------------------------------------------------------------------
# review logs


def item(kind: str, sender: str, at: float, **changes: Any) -> ReviewItem:
    values: dict[str, Any] = {"kind": kind, "sender_id": sender, "reason": "low confidence",
                              "text": "那个东西怎么弄", "timestamp": at,
                              "details": {"intent": "nlu_fallback"}}
    values.update(changes)
    return ReviewItem(**values)


@pytest.mark.parametrize("open_stores", BACKENDS, indirect=True)
def test_store_backends_review_log_lists_newest_first(open_stores: Callable[[], Stores]) -> None:
    log = open_stores().review_log

    async def scenario() -> list[ReviewItem]:
        await log.record(item("fallback", "a", 1.0))
        await log.record(item("handoff", "a", 2.0, reason="asked for a human"))
        await log.record(item("fallback", "b", 3.0, details={"confidence": 0.2, "ranking": ["a", "b"]}))
        return await log.items()

    items = run(scenario())

    assert [(i.kind, i.sender_id, i.timestamp) for i in items] == [
        ("fallback", "b", 3.0), ("handoff", "a", 2.0), ("fallback", "a", 1.0)]
    assert len({i.id for i in items}) == 3 and all(i.id is not None for i in items)
    assert items[0].details == {"confidence": 0.2, "ranking": ["a", "b"]}
    assert json.loads(json.dumps([i.to_dict() for i in items]))[1]["reason"] == "asked for a human"


@pytest.mark.parametrize("open_stores", BACKENDS, indirect=True)
def test_store_backends_review_log_filters_and_pages(open_stores: Callable[[], Stores]) -> None:
    log = open_stores().review_log
    for index in range(5):
        run(log.record(item("fallback" if index % 2 else "handoff", f"s{index % 2}", float(index))))

    assert [i.timestamp for i in run(log.items("handoff"))] == [4.0, 2.0, 0.0]
    assert [i.timestamp for i in run(log.items(sender_id="s1"))] == [3.0, 1.0]
    assert [i.timestamp for i in run(log.items(limit=2, offset=1))] == [3.0, 2.0]
    assert run(log.count("handoff")) == 3
    assert run(log.count()) == 5
    with pytest.raises(ValueError, match="limit"):
        run(log.items(limit=-1))


@pytest.mark.parametrize("open_stores", BACKENDS, indirect=True)
def test_store_backends_closing_a_handoff_resolves_only_that_senders_handoffs(
    open_stores: Callable[[], Stores],
) -> None:
    log = open_stores().review_log
    for record in (item("handoff", "a", 1.0), item("handoff", "a", 2.0), item("fallback", "a", 3.0),
                   item("handoff", "b", 4.0)):
        run(log.record(record))

    closed = run(log.close_handoff("a", by="hr-li", timestamp=10.0))

    assert closed == 2
    assert run(log.close_handoff("a", by="hr-li", timestamp=11.0)) == 0
    still_open = run(log.items(open_only=True))
    assert [(i.kind, i.sender_id) for i in still_open] == [("handoff", "b"), ("fallback", "a")]
    resolved = [i for i in run(log.items("handoff", sender_id="a"))]
    assert {(i.resolved_at, i.resolved_by) for i in resolved} == {(10.0, "hr-li")}
    assert run(log.count("handoff", open_only=True)) == 1


@pytest.mark.parametrize("open_stores", BACKENDS, indirect=True)
def test_store_backends_review_log_refuses_bad_items(open_stores: Callable[[], Stores]) -> None:
    log = open_stores().review_log

    with pytest.raises(StoreError, match="JSON"):
        run(log.record(item("fallback", "a", 1.0, details={"when": object()})))
    with pytest.raises(ValueError, match="fallback, handoff"):
        item("complaint", "a", 1.0)

    assert run(log.count()) == 0


@pytest.mark.parametrize("open_stores", SQL_BACKENDS, indirect=True)
def test_store_backends_sql_review_log_shares_the_tracker_database(open_stores: Callable[[], Stores]) -> None:
    stores = open_stores()
    run(stores.review_log.record(item("handoff", "a", 1.0)))
    run(stores.close())

    again = open_stores()

    assert stores.database is not None
    assert getattr(stores.tracker_store, "database", None) is stores.database
    assert getattr(stores.review_log, "database", None) is stores.database
    assert [i.sender_id for i in run(again.review_log.items())] == ["a"]
    with pytest.raises(StoreError, match="closed"):
        run(stores.tracker_store.retrieve("a"))
