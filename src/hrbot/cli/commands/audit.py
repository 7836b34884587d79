"""`hrbot audit verify|export`: the HR console's hash-chained audit log, in the database of the
project's tracker store.

    hrbot audit verify                         walks the chain; exit 1 and the first broken
                                               link (its id) when an entry was edited or removed
    hrbot audit export [--format jsonl|csv] [--output FILE] [--actor ID] [--action PREFIX]"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from hrbot.cli.terminal import Terminal


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit", help="verify or export the HR console's audit log",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    verify = actions.add_parser("verify", help="check the hash chain; exit 1 at the first broken link")
    verify.set_defaults(handler=handle_verify)
    export = actions.add_parser("export", help="write the log as JSON Lines or CSV")
    export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    export.add_argument("--output", "-o", type=Path, default=None, help="file to write (default: stdout)")
    export.add_argument("--actor", default=None, help="only entries by this user")
    export.add_argument("--action", dest="action_prefix", default=None,
                        help="only actions starting with this, e.g. 'inbox.'")
    export.add_argument("--target", default=None, help="only entries about this conversation or account")
    export.set_defaults(handler=handle_export)
    from hrbot.cli.commands.audit_backup import add_backup_parsers

    add_backup_parsers(actions)
    for sub in (verify, export):
        sub.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"),
                         help="where the tracker store is (default: endpoints.yml; absent: SQLite hrbot.db)")
    parser.set_defaults(handler=lambda args, terminal: _usage(parser, terminal))


def _usage(parser: argparse.ArgumentParser, terminal: Terminal) -> int:
    terminal.print(parser.format_help())
    return 2


def handle_verify(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.console.audit import AuditLog
    from hrbot.console.tables import console_tables, open_console_database

    tables = console_tables(open_console_database(args.endpoints, Path.cwd()))
    try:
        check = asyncio.run(AuditLog(tables).verify())
    finally:
        tables.database.dispose()
    if not check.ok:
        terminal.error(f"audit log broken at entry {check.broken_id}: {check.problem} "
                       f"({check.entries} entries before it verified)")
        return 1
    terminal.print(f"audit log intact: {check.entries} entries; head {check.head_hash}")
    terminal.info("keep the head hash somewhere else: a later verify that ends in another hash "
                  "means the log was rewritten")
    return 0


def handle_export(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.console.audit import AuditFilter, AuditLog
    from hrbot.console.audit_export import export_lines
    from hrbot.console.tables import console_tables, open_console_database

    tables = console_tables(open_console_database(args.endpoints, Path.cwd()))
    where = AuditFilter(actor=args.actor, action=args.action_prefix, target=args.target)

    async def write(out: Any) -> int:
        count = 0
        async for piece in export_lines(AuditLog(tables).oldest_first(where), args.format):
            out.write(piece)
            count += 1
        return count - (1 if args.format == "csv" else 0)

    try:
        if args.output is None:
            count = asyncio.run(write(terminal.out))
        else:
            with args.output.open("w", encoding="utf-8", newline="") as handle:
                count = asyncio.run(write(handle))
    finally:
        tables.database.dispose()
    terminal.info(f"{count} audit entries exported" + (f" to {args.output}" if args.output else ""))
    return 0
