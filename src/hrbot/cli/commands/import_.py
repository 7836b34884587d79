"""`hrbot import`: add the conversations of an `hrbot export` file to a tracker store.

    hrbot import conversations.jsonl                            into endpoints.yml's store
    hrbot import all.jsonl --endpoints endpoints.postgres.yml   e.g. SQLite -> PostgreSQL
    hrbot import recent.jsonl --skip-existing                   keep what the store has
    hrbot import recent.jsonl --replace                         overwrite it with the file's

Without --skip-existing or --replace, an import that would add to a conversation the store
already has stops before writing anything and names those conversations."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from hrbot.cli.terminal import Terminal


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("import", help="add conversations from an 'hrbot export' file",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="the JSON Lines file 'hrbot export' wrote")
    parser.add_argument("--endpoints", type=Path, default=None,
                        help="whose tracker_store to write (default: endpoints.yml; absent: SQLite hrbot.db)")
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument("--skip-existing", action="store_true",
                          help="leave out conversations the store already has")
    existing.add_argument("--replace", action="store_true",
                          help="replace conversations the store already has with the file's")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.cli.commands.export import ProgressReport
    from hrbot.ops.conversation_import import Existing, import_conversations
    from hrbot.ops.databases import open_tracker_database
    from hrbot.shared.errors import HrbotError

    if not args.file.is_file():
        raise HrbotError(f"{args.file} does not exist: give the file 'hrbot export --out' wrote")
    existing = Existing.REPLACE if args.replace else Existing.SKIP if args.skip_existing else Existing.REFUSE
    database = open_tracker_database(args.endpoints, Path.cwd())
    terminal.info(f"importing {args.file} into {database.display_url}")
    try:
        summary = asyncio.run(import_conversations(
            database, args.file, existing=existing, progress=ProgressReport(terminal, "imported")))
    finally:
        database.dispose()
    terminal.print(f"{summary.imported} conversations imported ({summary.events} events, "
                   f"{summary.review_items} review items); {summary.replaced} replaced, "
                   f"{summary.skipped} skipped")
    return 0
