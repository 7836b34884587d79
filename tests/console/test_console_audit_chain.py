"""The audit log is a hash chain: `verify` (and `hrbot audit verify`) finds an edited entry, a
deleted one and a cut-off tail, and names the first broken link; entries from several writers
interleave without forking the chain; admins browse and export it."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import threading
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from console_support import ADMIN, AGENT, Browser, Console

from hrbot.cli.commands import audit as audit_command
from hrbot.cli.terminal import Terminal
from hrbot.console.audit import GENESIS_HASH, AuditLog, canonical_json, entry_hash
from hrbot.console.tables import ConsoleTables, console_tables
from hrbot.stores.sql import SQLDatabase

NOW = 1_800_000_000.0


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder whose tracker store is the default SQLite file, hrbot.db."""
    return tmp_path


@pytest.fixture
def tables(project: Path) -> Iterator[ConsoleTables]:
    found = console_tables(SQLDatabase(f"sqlite:///{project / 'hrbot.db'}"))
    yield found
    found.database.dispose()


def record(log: AuditLog, count: int) -> None:
    async def write() -> None:
        for number in range(1, count + 1):
            await log.record(f"E10{number:02d}", "transcript.view", f"E20{number:02d}", {"n": number},
                             now=NOW + number)

    asyncio.run(write())


def execute(tables: ConsoleTables, statement: sa.Executable) -> None:
    tables.database.run_sync(lambda conn: conn.execute(statement))


def verify(project: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """`hrbot audit verify` in `project`."""
    import argparse

    monkeypatch.chdir(project)
    terminal = Terminal(out=StringIO(), err=StringIO())
    parser = argparse.ArgumentParser()
    audit_command.add_parser(parser.add_subparsers())
    args = parser.parse_args(["audit", "verify"])
    code = args.handler(args, terminal)
    return code, terminal.out.getvalue(), terminal.err.getvalue()  # type: ignore[attr-defined]


def test_each_entry_hashes_the_previous_hash_and_its_canonical_json(tables: ConsoleTables) -> None:
    log = AuditLog(tables)
    first = asyncio.run(log.record("E1002", "inbox.claim", "E1008", {"handoff_id": 1}, now=NOW))
    second = asyncio.run(log.record("E1002", "inbox.reply", "E1008", {"中文": "可以"}, now=NOW + 1))

    assert (first.id, second.id) == (1, 2)
    assert first.prev_hash == GENESIS_HASH and second.prev_hash == first.hash
    expected = entry_hash(first.hash, 2, second.at, "E1002", "inbox.reply", "E1008", {"中文": "可以"})
    assert second.hash == expected
    assert canonical_json({"b": 1, "a": "可"}) == '{"a":"可","b":1}'
    assert first.at == "2027-01-15T08:00:00.000000+00:00"


def test_an_untouched_log_verifies_and_the_command_prints_its_head_hash(
    tables: ConsoleTables, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = AuditLog(tables)
    record(log, 5)
    check = asyncio.run(log.verify(batch=2))  # across several batches
    assert check.ok and check.entries == 5

    code, out, _ = verify(project, monkeypatch)

    assert code == 0
    assert out.strip() == f"audit log intact: 5 entries; head {check.head_hash}"


def test_an_edited_entry_is_found_and_named_by_its_id(
    tables: ConsoleTables, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(AuditLog(tables), 6)
    execute(tables, tables.audit.update().where(tables.audit.c.id == 4).values(target="E2999"))

    check = asyncio.run(AuditLog(tables).verify())
    code, _, err = verify(project, monkeypatch)

    assert (check.broken_id, check.entries) == (4, 3)
    assert "edited" in (check.problem or "")
    assert code == 1
    assert "audit log broken at entry 4:" in err


def test_an_entry_edited_together_with_its_own_hash_breaks_the_next_link(tables: ConsoleTables) -> None:
    log = AuditLog(tables)
    record(log, 4)
    entry = asyncio.run(log.entries(limit=10))[-2]  # entry 2
    forged = entry_hash(entry.prev_hash, 2, entry.at, entry.actor, "login", entry.target, entry.details)
    execute(tables, tables.audit.update().where(tables.audit.c.id == 2).values(action="login", hash=forged))

    check = asyncio.run(log.verify())

    assert check.broken_id == 3 and "prev_hash" in (check.problem or "")


def test_a_deleted_entry_is_found(tables: ConsoleTables) -> None:
    record(AuditLog(tables), 5)
    execute(tables, tables.audit.delete().where(tables.audit.c.id == 3))

    check = asyncio.run(AuditLog(tables).verify())

    assert check.broken_id == 3 and "missing" in (check.problem or "")


def test_deleting_the_newest_entries_is_found_through_the_chain_head(
    tables: ConsoleTables, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(AuditLog(tables), 5)
    execute(tables, tables.audit.delete().where(tables.audit.c.id >= 4))

    check = asyncio.run(AuditLog(tables).verify())

    assert check.broken_id == 4
    assert check.problem == "entries 4..5 are missing: the chain head records 5 entries, the log ends at 3"
    assert verify(project, monkeypatch)[0] == 1


def test_deleting_the_chain_head_is_found_and_stops_further_entries(tables: ConsoleTables) -> None:
    log = AuditLog(tables)
    record(log, 2)
    execute(tables, tables.audit_head.delete())

    assert asyncio.run(log.verify()).broken_id == 2
    from hrbot.stores.base import StoreError

    with pytest.raises(StoreError, match="head row is missing"):
        asyncio.run(log.record("E1002", "login", "E1002", now=NOW))


def test_writers_in_several_threads_extend_one_unbroken_chain(project: Path) -> None:
    url = f"sqlite:///{project / 'hrbot.db'}"
    console_tables(SQLDatabase(url)).database.dispose()
    start = threading.Barrier(4)

    def writer(name: str) -> None:
        tables = console_tables(SQLDatabase(url))
        start.wait()
        log = AuditLog(tables)

        async def write() -> None:
            for number in range(10):
                await log.record(name, "inbox.view", "", {"n": number}, now=NOW)

        asyncio.run(write())
        tables.database.dispose()

    threads = [threading.Thread(target=writer, args=(f"E40{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    tables = console_tables(SQLDatabase(url))
    check = asyncio.run(AuditLog(tables).verify())
    tables.database.dispose()
    assert check.ok and check.entries == 40


def test_the_command_exports_the_log_as_json_lines_that_keep_the_hashes(
    tables: ConsoleTables, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse

    record(AuditLog(tables), 3)
    monkeypatch.chdir(project)
    parser = argparse.ArgumentParser()
    audit_command.add_parser(parser.add_subparsers())
    terminal = Terminal(out=StringIO(), err=StringIO())
    args = parser.parse_args(["audit", "export", "--output", "audit.jsonl", "--actor", "E1002"])

    assert args.handler(args, terminal) == 0

    lines = [json.loads(line) for line in (project / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(line["id"], line["actor"]) for line in lines] == [(2, "E1002")]
    line = lines[0]
    recomputed = entry_hash(line["prev_hash"], 2, line["at"], "E1002", "transcript.view", "E2002", {"n": 2})
    assert line["hash"] == recomputed
    assert "1 audit entries exported" in terminal.err.getvalue()  # type: ignore[attr-defined]


def test_the_commands_refuse_a_project_that_keeps_conversations_in_memory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "endpoints.yml").write_text("tracker_store:\n  type: memory\n", encoding="utf-8")
    from hrbot.shared.errors import HrbotError

    with pytest.raises(HrbotError, match="in memory"):
        verify(project, monkeypatch)


@pytest.fixture
def admin(console: Console, browser: Browser) -> Browser:
    console.add_account(ADMIN)
    console.add_account(AGENT)
    browser.log_in(ADMIN)
    return browser


def test_admins_browse_filter_and_verify_the_log_in_the_console(console: Console, admin: Browser) -> None:
    agent = console.client()
    agent.log_in(AGENT)
    agent.close()

    page = admin.get("/audit", params={"actor": AGENT}).text
    assert re.findall(r"<td><code>([a-z._]+)</code></td>", page) == ["inbox.view", "login"]
    checked = admin.get("/audit", params={"verify": "1"}).text
    assert 'id="chain-ok"' in checked

    execute(console.ctx.tables, console.ctx.tables.audit.update().where(console.ctx.tables.audit.c.id == 1)
            .values(actor="E9999"))
    broken = admin.get("/audit", params={"verify": "1"}).text
    assert 'id="chain-broken"' in broken and "第 1 条处断开" in broken


def test_admins_export_the_log_as_csv_and_the_export_is_audited(console: Console, admin: Browser) -> None:
    console.run(console.ctx.audit.record("-", "login.failed", "=HYPERLINK(\"x\")", {}, now=NOW))

    export = admin.get("/audit/export", params={"format": "csv"})

    assert export.status_code == 200
    assert export.headers["content-disposition"].startswith('attachment; filename="hrbot-audit-')
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert rows[0] == ["id", "at", "actor", "action", "target", "details", "prev_hash", "hash"]
    assert "'=HYPERLINK(\"x\")" in [row[4] for row in rows[1:]]  # never a live formula
    actions = [entry.action for entry in console.run(console.ctx.audit.entries(limit=5))]
    assert actions[0] == "audit.export"
