"""Backup and restore of the HR console's hash-chained audit log: a backup is verified on its
own, a restore writes only a backup whose chain holds, and the restored log verifies in the
database, ends in the backup's head hash and takes new entries."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest

from hrbot.cli.commands.audit_backup import add_backup_parsers
from hrbot.cli.terminal import Terminal
from hrbot.console.audit import AuditLog
from hrbot.console.audit_export import export_lines
from hrbot.console.tables import ConsoleTables, console_tables
from hrbot.ops.audit_backup import AuditBackupError, check_backup, restore_audit
from hrbot.shared.errors import HrbotError
from hrbot.stores.sql import SQLDatabase

NOW = 1795226400.0
ACTIONS = [
    ("hr01", "auth.login", "", {}),
    ("hr01", "inbox.view", "E1001", {"reason": "handoff"}),
    ("hr01", "inbox.reply", "E1001", {"text": "您好，已收到"}),
    ("admin", "accounts.create", "hr02", {}),
    ("hr02", "auth.login", "", {"ip": "10.0.0.8"}),
]


def tables_in(path: Path, schema: str | None = None, url: str | None = None) -> ConsoleTables:
    return console_tables(SQLDatabase(url or f"sqlite:///{path}", schema=schema))


def record(tables: ConsoleTables, actions: list[tuple[str, str, str, dict[str, str]]]) -> None:
    log = AuditLog(tables)

    async def write() -> None:
        for offset, (actor, action, target, details) in enumerate(actions):
            await log.record(actor, action, target, details, now=NOW + offset)

    asyncio.run(write())


def backup(tables: ConsoleTables, path: Path) -> Path:
    async def lines() -> list[str]:
        return [piece async for piece in export_lines(AuditLog(tables).oldest_first(), "jsonl")]

    path.write_text("".join(asyncio.run(lines())), encoding="utf-8")
    return path


@pytest.fixture
def original(tmp_path: Path) -> Iterator[ConsoleTables]:
    tables = tables_in(tmp_path / "original.db")
    record(tables, ACTIONS)
    yield tables
    tables.database.dispose()


def rewrite(path: Path, number: int, change: dict[str, object] | None) -> None:
    """Change (None: delete) line `number` (1-based) of a backup."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if change is None:
        del lines[number - 1]
    else:
        lines[number - 1] = json.dumps({**json.loads(lines[number - 1]), **change}, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_backup_restored_into_an_empty_database_verifies_and_ends_in_the_same_head(
    original: ConsoleTables, tmp_path: Path
) -> None:
    file = backup(original, tmp_path / "audit.jsonl")
    head = asyncio.run(AuditLog(original).verify()).head_hash
    target = tables_in(tmp_path / "restored.db")
    try:
        restored = asyncio.run(restore_audit(target, file))
        assert (restored.entries, restored.already_stored, restored.restored) == (5, 0, 5)
        assert restored.head_hash == head
        copied = asyncio.run(AuditLog(target).entries(limit=10))
        assert copied == asyncio.run(AuditLog(original).entries(limit=10))
        record(target, [("hr01", "auth.logout", "", {})])  # the chain goes on from the restored head
        check = asyncio.run(AuditLog(target).verify())
        assert check.ok and check.entries == 6
    finally:
        target.database.dispose()


def test_a_backup_moves_the_audit_log_from_sqlite_to_postgresql(
    original: ConsoleTables, tmp_path: Path, postgres_url: str, postgres_schema: str
) -> None:
    file = backup(original, tmp_path / "audit.jsonl")
    target = tables_in(tmp_path, schema=postgres_schema, url=postgres_url)
    try:
        restored = asyncio.run(restore_audit(target, file))
        assert restored.restored == 5
        head = asyncio.run(AuditLog(original).verify()).head_hash
        assert asyncio.run(AuditLog(target).verify()).head_hash == head
    finally:
        target.database.dispose()


def test_checking_a_backup_names_the_first_edited_or_missing_entry(
    original: ConsoleTables, tmp_path: Path
) -> None:
    intact = backup(original, tmp_path / "intact.jsonl")
    edited = backup(original, tmp_path / "edited.jsonl")
    rewrite(edited, 3, {"details": {"text": "改过的回复"}})
    gap = backup(original, tmp_path / "gap.jsonl")
    rewrite(gap, 2, None)

    assert check_backup(intact).ok and check_backup(intact).entries == 5
    assert (check_backup(edited).broken_id, check_backup(edited).entries) == (3, 2)
    assert "contents do not match its hash" in str(check_backup(edited).problem)
    assert check_backup(gap).broken_id == 2
    assert "ids jump from 1 to 3" in str(check_backup(gap).problem)


def test_a_broken_backup_is_not_restored_at_all(original: ConsoleTables, tmp_path: Path) -> None:
    file = backup(original, tmp_path / "audit.jsonl")
    rewrite(file, 5, {"actor": "someone-else"})
    target = tables_in(tmp_path / "restored.db")
    try:
        with pytest.raises(AuditBackupError, match=r"broken at entry 5.*nothing was restored"):
            asyncio.run(restore_audit(target, file))
        assert asyncio.run(AuditLog(target).count()) == 0
    finally:
        target.database.dispose()


def test_a_restore_puts_back_the_newest_entries_a_log_lost_and_refuses_another_logs_backup(
    original: ConsoleTables, tmp_path: Path
) -> None:
    file = backup(original, tmp_path / "audit.jsonl")
    first_three = tmp_path / "first-three.jsonl"
    first_three.write_text("".join(file.read_text(encoding="utf-8").splitlines(keepends=True)[:3]),
                           encoding="utf-8")
    target = tables_in(tmp_path / "restored.db")
    other = tables_in(tmp_path / "other.db")
    record(other, [("intruder", "auth.login", "", {})])
    try:
        asyncio.run(restore_audit(target, first_three))
        restored = asyncio.run(restore_audit(target, file))
        assert (restored.already_stored, restored.restored) == (3, 2)
        assert asyncio.run(AuditLog(target).verify()).entries == 5

        with pytest.raises(AuditBackupError, match="entry 1 differs from the backup's"):
            asyncio.run(restore_audit(other, file))
        assert asyncio.run(AuditLog(other).count()) == 1
    finally:
        target.database.dispose()
        other.database.dispose()


def cli(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="hrbot audit")
    add_backup_parsers(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    terminal = Terminal(out=StringIO(), err=StringIO())
    try:
        code = args.handler(args, terminal)
    except HrbotError as error:
        terminal.error(str(error))
        code = 1
    return code, terminal.out.getvalue(), terminal.err.getvalue()  # type: ignore[attr-defined]


def test_the_commands_verify_a_backup_and_restore_it_into_the_projects_database(
    original: ConsoleTables, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = backup(original, tmp_path / "audit.jsonl")
    broken = backup(original, tmp_path / "broken.jsonl")
    rewrite(broken, 1, {"at": "2020-01-01T00:00:00.000000+00:00"})
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)

    intact_code, intact_out, _ = cli("verify-backup", str(file))
    broken_code, _, broken_err = cli("verify-backup", str(broken))
    restore_code, restore_out, restore_err = cli("restore", str(file))
    again_code, _, again_err = cli("restore", str(broken))

    head = asyncio.run(AuditLog(original).verify()).head_hash
    assert (intact_code, intact_out.strip()) == (0, f"backup intact: 5 entries; head {head}")
    assert broken_code == 1 and "broken at entry 1" in broken_err
    assert restore_code == 0, restore_err
    assert restore_out.startswith("audit log restored: 5 entries written") and head in restore_out
    assert (project / "hrbot.db").is_file()
    assert again_code == 1 and "nothing was restored" in again_err
