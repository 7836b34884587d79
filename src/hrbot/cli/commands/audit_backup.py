"""`hrbot audit verify-backup FILE` and `hrbot audit restore FILE`: check a backup of the HR
console's audit log (`hrbot audit export --format jsonl`) and put it back into a database.

    hrbot audit export --output audit-2026-11-21.jsonl      the backup (hrbot audit's own)
    hrbot audit verify-backup audit-2026-11-21.jsonl        its chain, without a database
    hrbot audit restore audit-2026-11-21.jsonl --endpoints endpoints.yml

These are sub-commands of `hrbot audit`; `add_backup_parsers` adds them to its parser."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from hrbot.cli.terminal import Terminal


def add_backup_parsers(actions: Any) -> None:
    """Add `verify-backup` and `restore` to the sub-commands of `hrbot audit`."""
    verify = actions.add_parser("verify-backup", help="check the hash chain of an exported backup file")
    verify.add_argument("file", type=Path, help="the JSON Lines file 'hrbot audit export' wrote")
    verify.set_defaults(handler=handle_verify_backup)
    restore = actions.add_parser(
        "restore", help="restore a verified backup into an empty audit log (or one it continues)")
    restore.add_argument("file", type=Path, help="the JSON Lines file 'hrbot audit export' wrote")
    restore.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"),
                         help="where the tracker store is (default: endpoints.yml; absent: SQLite hrbot.db)")
    restore.set_defaults(handler=handle_restore)


def handle_verify_backup(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.ops.audit_backup import check_backup

    check = check_backup(args.file)
    if not check.ok:
        terminal.error(f"{args.file} is broken at entry {check.broken_id}: {check.problem} "
                       f"({check.entries} entries before it verified)")
        return 1
    terminal.print(f"backup intact: {check.entries} entries; head {check.head_hash}")
    return 0


def handle_restore(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.console.tables import console_tables, open_console_database
    from hrbot.ops.audit_backup import restore_audit

    tables = console_tables(open_console_database(args.endpoints, Path.cwd()))
    try:
        restored = asyncio.run(restore_audit(tables, args.file))
    finally:
        tables.database.dispose()
    terminal.print(f"audit log restored: {restored.restored} entries written, {restored.already_stored} "
                   f"were already there; {restored.entries} entries verified, head {restored.head_hash}")
    return 0
