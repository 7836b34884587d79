"""`hrbot` entry point. Commands import their heavy dependencies only when they run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from hrbot import __version__
from hrbot.cli import commands
from hrbot.cli.terminal import Terminal

ENVIRONMENT_HELP = """environment variables:
  HRBOT_CACHE_DIR      where rebuildable caches live (default: $XDG_CACHE_HOME/hrbot)
  HRBOT_REFERENCE_TIME fixed 'now' for resolving dates (ISO 8601), e.g. for demos
  HRBOT_TIMEZONE       time zone of the reference time (default: Asia/Shanghai)
  HRBOT_LOG_FORMAT     text (default) or json: one JSON object per log line, personal data masked
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hrbot",
        description="hrbot: a Chinese-first HR assistant on a Rasa-compatible engine",
        epilog=ENVIRONMENT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hrbot {__version__}")
    parser.add_argument("--log-format", choices=["text", "json"], default=None,
                        help="log lines as text or as JSON objects with personal data masked "
                             "(default: $HRBOT_LOG_FORMAT, else text)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in commands.ALL:
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None, terminal: Terminal | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    from hrbot.shared.errors import HrbotError

    terminal = terminal or Terminal()
    try:
        from hrbot.ops.logs import configure_logging, log_format

        configure_logging(log_format(args.log_format))
        return int(args.handler(args, terminal))
    except HrbotError as error:
        terminal.error(str(error))
        return 1
    except KeyboardInterrupt:
        terminal.info("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
