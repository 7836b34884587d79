"""`hrbot export`: write the stored conversations (events and review items) as JSON Lines, one
conversation per line, for a backup or a move to another database (`hrbot import`).

    hrbot export --out conversations.jsonl                      every conversation
    hrbot export --out recent.jsonl --since 2026-11-01          with activity since then
    hrbot export --out one.jsonl --sender E1001 --sender E1002  only these
    hrbot export --out all.jsonl --endpoints endpoints.sqlite.yml   from that tracker store"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from hrbot.cli.terminal import Terminal

if TYPE_CHECKING:
    from hrbot.ops.conversation_export import ExportSummary


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("export", help="write stored conversations as JSON Lines",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", "-o", required=True,
                        help="file to write ('-' for standard output); written whole or not at all")
    parser.add_argument("--sender", action="append", default=None, metavar="ID",
                        help="only this conversation (repeat for more)")
    parser.add_argument("--since", default=None, metavar="ISO8601",
                        help="only conversations with an event at or after this date or time "
                             "(e.g. 2026-11-01; without an offset: in $HRBOT_TIMEZONE, "
                             "default Asia/Shanghai)")
    parser.add_argument("--endpoints", type=Path, default=None,
                        help="whose tracker_store to read (default: endpoints.yml; absent: SQLite hrbot.db)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.ops.conversation_export import export_conversations
    from hrbot.ops.databases import open_tracker_database
    from hrbot.shared.clock import DEFAULT_TIMEZONE, parse_reference_time
    from hrbot.shared.errors import HrbotError
    from hrbot.stores.sql import SQLTrackerStore
    from hrbot.stores.sql_review import SQLReviewLog

    since = None
    if args.since:
        zone = os.environ.get("HRBOT_TIMEZONE", DEFAULT_TIMEZONE)
        try:
            since = parse_reference_time(args.since, zone).timestamp()
        except ValueError as error:
            raise HrbotError(f"--since: {error}") from None
    database = open_tracker_database(args.endpoints, Path.cwd())
    store = SQLTrackerStore(database, owns_database=False)
    reviews = SQLReviewLog(database, owns_database=False)
    progress = ProgressReport(terminal, "exported")

    def export(out: TextIO) -> ExportSummary:
        return asyncio.run(export_conversations(
            store, out.write, review_log=reviews, senders=args.sender, since=since, progress=progress))

    terminal.info(f"exporting conversations from {database.display_url}")
    try:
        summary = export(terminal.out) if args.out == "-" else _export_to_file(Path(args.out), export)
    finally:
        database.dispose()
    for sender in summary.missing:
        terminal.info(f"warning: no conversation {sender!r} is stored")
    where = "" if args.out == "-" else f" to {args.out}"
    terminal.info(f"{summary.conversations} conversations ({summary.events} events, "
                  f"{summary.review_items} review items) exported{where}")
    return 0


def _export_to_file(path: Path, export: Callable[[TextIO], ExportSummary]) -> ExportSummary:
    """Write through a temporary file next to `path`, renamed when complete, so that a failed
    export never leaves a file that looks whole."""
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as handle:
            summary = export(handle)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return summary


class ProgressReport:
    """'1200/5000 conversations exported' on stderr, about every tenth of the way."""

    def __init__(self, terminal: Terminal, verb: str) -> None:
        self.terminal = terminal
        self.verb = verb
        self.last_shown = -1

    def __call__(self, done: int, total: int) -> None:
        step = max(1, total // 10)
        if done == total or done // step != self.last_shown // step:
            self.last_shown = done
            self.terminal.progress(f"{done}/{total} conversations {self.verb}")
