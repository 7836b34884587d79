"""`hrbot export` / `hrbot import`: conversations (events and review items) as JSON Lines, and
the SQLite -> PostgreSQL migration built from them, checked event for event."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from ops_bot_project import GIBBERISH, train_ops_project

from hrbot.assistant import open_assistant
from hrbot.cli.commands import export as export_command
from hrbot.cli.commands import import_ as import_command
from hrbot.cli.terminal import Terminal
from hrbot.dialogue.messages import UserMessage
from hrbot.ops.conversation_export import export_conversations
from hrbot.ops.conversation_file import ConversationFileError
from hrbot.ops.conversation_import import Existing, ImportConflictError, import_conversations
from hrbot.shared.core.events import UserUttered
from hrbot.shared.endpoints import parse_endpoints
from hrbot.shared.errors import HrbotError
from hrbot.stores.memory import InMemoryTrackerStore
from hrbot.stores.sql import SQLDatabase, SQLTrackerStore
from hrbot.stores.sql_review import SQLReviewLog
from hrbot_test_support import REFERENCE_TIME

# who talked when (days before the reference time) and what they said
CONVERSATIONS: dict[str, tuple[int, list[str]]] = {
    "E1001": (20, ["你好", "查工资"]),  # a failed action: a fallback review item
    "E1002": (10, [GIBBERISH, "你好"]),  # an NLU fallback
    "E1003": (1, ["/human_handoff", "还在吗"]),  # a handoff, then a message to the human
    "E1004": (0, ["你好"]),
}


class Clock:
    def __init__(self) -> None:
        self.now = REFERENCE_TIME

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose SQLite store holds the conversations above, made by the real bot."""
    project, model = train_ops_project(tmp_path_factory.mktemp("source"))
    clock = Clock()
    assistant = open_assistant(model, project, parse_endpoints(""), clock)
    assert assistant.processor is not None
    processor = assistant.processor

    async def talk() -> None:
        for sender, (days_ago, texts) in CONVERSATIONS.items():
            clock.now = REFERENCE_TIME - timedelta(days=days_ago)
            for text in texts:
                await processor.handle_message(UserMessage(text, sender))
        await assistant.close()

    asyncio.run(talk())
    return project


def sqlite(path: Path) -> SQLDatabase:
    return SQLDatabase(f"sqlite:///{path}")


async def contents(database: SQLDatabase) -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Every conversation: its events as Rasa's JSON and its review items without their ids."""
    store = SQLTrackerStore(database, owns_database=False)
    reviews = SQLReviewLog(database, owns_database=False)
    found = {}
    for sender in await store.conversation_ids():
        events = await store.retrieve(sender) or []
        items = [item.to_dict() for item in await reviews.items(sender_id=sender)]
        found[sender] = ([event.to_dict() for event in events], [{**item, "id": None} for item in items])
    return found


def event_rows(database: SQLDatabase) -> list[tuple[Any, ...]]:
    """The `events` table as Rasa's columns hold it, in insertion order (ids left out)."""
    table = sa.Table("events", sa.MetaData(schema=database.schema), autoload_with=database.engine)
    query = sa.select(table.c.sender_id, table.c.type_name, table.c.timestamp, table.c.intent_name,
                      table.c.action_name, table.c.data).order_by(table.c.id)
    return database.run_sync(lambda conn: [tuple(row) for row in conn.execute(query)])


def export_file(project: Path, target: Path, **options: Any) -> Path:
    database = sqlite(project / "hrbot.db")
    try:
        with target.open("w", encoding="utf-8") as handle:
            asyncio.run(export_conversations(
                SQLTrackerStore(database, owns_database=False), handle.write,
                review_log=SQLReviewLog(database, owns_database=False), **options))
    finally:
        database.dispose()
    return target


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def cli(*argv: str) -> Run:
    """The two commands as `hrbot` runs them (HrbotError: exit 1 with the message)."""
    parser = argparse.ArgumentParser(prog="hrbot")
    commands = parser.add_subparsers()
    export_command.add_parser(commands)
    import_command.add_parser(commands)
    args = parser.parse_args(list(argv))
    terminal = Terminal(out=StringIO(), err=StringIO())
    try:
        code = args.handler(args, terminal)
    except HrbotError as error:
        terminal.error(str(error))
        code = 1
    return Run(code, terminal.out.getvalue(), terminal.err.getvalue())  # type: ignore[attr-defined]


def test_an_export_imported_into_an_empty_sqlite_store_gives_back_every_event_and_review_item(
    source: Path, tmp_path: Path
) -> None:
    file = export_file(source, tmp_path / "all.jsonl")
    target = sqlite(tmp_path / "target.db")
    original = sqlite(source / "hrbot.db")
    try:
        summary = asyncio.run(import_conversations(target, file))
        copied, expected = asyncio.run(contents(target)), asyncio.run(contents(original))
        assert event_rows(target) == event_rows(original)
    finally:
        target.dispose()
        original.dispose()

    assert summary.imported == 4 and summary.skipped == summary.replaced == 0
    assert copied == expected
    assert sorted(copied) == sorted(CONVERSATIONS)
    kinds = {sender: [f"{item['kind']}:{item['reason']}" for item in items]
             for sender, (_, items) in copied.items()}
    assert kinds["E1001"] == ["fallback:action_failed"]
    assert "handoff:requested" in kinds["E1003"]
    assert summary.events == sum(len(events) for events, _ in copied.values())


def test_a_sqlite_to_postgresql_migration_with_the_cli_keeps_every_conversation_event_for_event(
    source: Path, tmp_path: Path, postgres_url: str, postgres_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(source)
    (tmp_path / "postgres.yml").write_text(
        f"tracker_store:\n  type: sql\n  url: {postgres_url}\n  schema: {postgres_schema}\n",
        encoding="utf-8")
    file = tmp_path / "conversations.jsonl"

    exported = cli("export", "--out", str(file))
    imported = cli("import", str(file), "--endpoints", str(tmp_path / "postgres.yml"))

    assert exported.code == 0, exported.err
    assert "4 conversations" in exported.err and "4/4 conversations exported" in exported.err
    assert imported.code == 0, imported.err
    assert imported.out.startswith("4 conversations imported")
    postgres = SQLDatabase(postgres_url, schema=postgres_schema)
    original = sqlite(source / "hrbot.db")
    try:
        assert asyncio.run(contents(postgres)) == asyncio.run(contents(original))
        assert event_rows(postgres) == event_rows(original)
        again = cli("import", str(file), "--endpoints", str(tmp_path / "postgres.yml"))
        assert again.code == 1
        assert "4 conversation(s)" in again.err and "--skip-existing" in again.err
        assert len(event_rows(postgres)) == len(event_rows(original))
    finally:
        postgres.dispose()
        original.dispose()


def test_an_import_that_would_double_a_stored_conversation_stops_before_writing_anything(
    source: Path, tmp_path: Path
) -> None:
    file = export_file(source, tmp_path / "all.jsonl")
    target = sqlite(tmp_path / "target.db")
    store = SQLTrackerStore(target, owns_database=False)
    asyncio.run(store.append("E1003", [UserUttered(text="人工服务还在吗", timestamp=1.0)]))
    try:
        with pytest.raises(ImportConflictError, match=r"1 conversation\(s\) .*: E1003; nothing was imported"):
            asyncio.run(import_conversations(target, file))
        assert asyncio.run(store.conversation_ids()) == ["E1003"]
        assert len(asyncio.run(store.retrieve("E1003")) or []) == 1
    finally:
        target.dispose()


def test_skip_existing_keeps_the_stored_conversation_and_replace_swaps_in_the_files(
    source: Path, tmp_path: Path
) -> None:
    file = export_file(source, tmp_path / "all.jsonl")
    target = sqlite(tmp_path / "target.db")
    store = SQLTrackerStore(target, owns_database=False)
    mine = [UserUttered(text="这是目标库里原有的对话", timestamp=1.0)]
    asyncio.run(store.append("E1003", mine))
    try:
        skipped = asyncio.run(import_conversations(target, file, existing=Existing.SKIP))
        assert (skipped.imported, skipped.skipped) == (3, 1)
        assert asyncio.run(store.retrieve("E1003")) == mine

        replaced = asyncio.run(import_conversations(target, file, existing=Existing.REPLACE))
        assert (replaced.imported, replaced.replaced, replaced.skipped) == (4, 4, 0)
        original = sqlite(source / "hrbot.db")
        try:
            assert asyncio.run(contents(target)) == asyncio.run(contents(original))
        finally:
            original.dispose()
    finally:
        target.dispose()


def test_export_chooses_conversations_by_sender_and_by_recent_activity(source: Path, tmp_path: Path) -> None:
    def senders(file: Path) -> list[str]:
        return [json.loads(line)["sender_id"] for line in file.read_text(encoding="utf-8").splitlines()]

    five_days_ago = (REFERENCE_TIME - timedelta(days=5)).timestamp()
    assert senders(export_file(source, tmp_path / "a.jsonl", since=five_days_ago)) == ["E1003", "E1004"]
    chosen = export_file(source, tmp_path / "b.jsonl", senders=["E1002", "E1001"])
    assert senders(chosen) == ["E1001", "E1002"]
    assert senders(export_file(source, tmp_path / "c.jsonl", senders=["E1001", "E1004"],
                               since=five_days_ago)) == ["E1004"]


def test_export_reads_one_conversation_at_a_time_and_writes_it_before_reading_the_next() -> None:
    class Recording(InMemoryTrackerStore):
        def __init__(self, log: list[str]) -> None:
            super().__init__()
            self.log = log

        async def retrieve(self, sender_id: str) -> Any:
            self.log.append(f"read {sender_id}")
            return await super().retrieve(sender_id)

    log: list[str] = []
    store = Recording(log)
    for sender, when in (("a", 100.0), ("b", 200.0), ("c", 300.0)):
        asyncio.run(store.append(sender, [UserUttered(text="你好", timestamp=when)]))

    summary = asyncio.run(export_conversations(
        store, lambda line: log.append("write " + json.loads(line)["sender_id"]), since=150.0))

    assert log == ["read a", "read b", "write b", "read c", "write c"]
    assert (summary.conversations, summary.events, summary.review_items) == (2, 2, 0)


@pytest.mark.parametrize(("line", "problem"), [
    ("not json", "not JSON"),
    ('{"sender_id": "E1", "events": [{"event": "no_such_event"}]}', "event 0"),
    ('{"sender_id": "", "events": []}', "sender id must not be empty"),
    ('{"events": []}', "sender id must be a string"),
    ('{"sender_id": "E1", "events": [], "review_items": [{"kind": "praise"}]}', "review item 0"),
])
def test_a_bad_line_names_the_file_and_line_and_nothing_is_imported(
    source: Path, tmp_path: Path, line: str, problem: str
) -> None:
    file = export_file(source, tmp_path / "all.jsonl")
    with file.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    target = sqlite(tmp_path / "target.db")
    try:
        with pytest.raises(ConversationFileError, match=rf"all\.jsonl:5: .*{problem}"):
            asyncio.run(import_conversations(target, file))
        assert asyncio.run(SQLTrackerStore(target, owns_database=False).conversation_ids()) == []
    finally:
        target.dispose()


def test_a_conversation_on_two_lines_is_refused(source: Path, tmp_path: Path) -> None:
    file = export_file(source, tmp_path / "all.jsonl")
    first = file.read_text(encoding="utf-8").splitlines()[0]
    with file.open("a", encoding="utf-8") as handle:
        handle.write(first + "\n")
    target = sqlite(tmp_path / "target.db")
    try:
        with pytest.raises(HrbotError, match=r"all\.jsonl:5: conversation 'E1001' is also on line 1"):
            asyncio.run(import_conversations(target, file))
    finally:
        target.dispose()


def test_the_export_command_writes_to_standard_output_and_leaves_no_file_when_it_fails(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(source)

    to_stdout = cli("export", "--out", "-", "--sender", "E1004", "--since", "2026-11-21")
    missing_endpoints = cli("export", "--out", str(tmp_path / "x.jsonl"), "--endpoints", "nowhere.yml")
    bad_since = cli("export", "--out", str(tmp_path / "y.jsonl"), "--since", "last week")

    assert to_stdout.code == 0, to_stdout.err
    assert [json.loads(line)["sender_id"] for line in to_stdout.out.splitlines()] == ["E1004"]
    assert missing_endpoints.code == 1 and "nowhere.yml does not exist" in missing_endpoints.err
    assert bad_since.code == 1 and "--since" in bad_since.err
    assert list(tmp_path.iterdir()) == []


def test_the_import_command_reports_what_it_did_and_refuses_a_missing_file(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = export_file(source, tmp_path / "all.jsonl")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "target.yml").write_text("tracker_store:\n  type: sql\n  url: sqlite:///target.db\n",
                                         encoding="utf-8")

    first = cli("import", str(file), "--endpoints", "target.yml")
    second = cli("import", str(file), "--endpoints", "target.yml", "--skip-existing")
    missing = cli("import", "nothing.jsonl")

    assert first.code == 0, first.err
    assert "4/4 conversations imported" in first.err
    assert second.out.startswith("0 conversations imported") and "4 skipped" in second.out
    assert missing.code == 1 and "nothing.jsonl does not exist" in missing.err


