"""One module per command; each has `add_parser(subparsers)` and sets `handler`."""

from hrbot.cli.commands import cs, data, demo, parse, run, shell, test, train

ALL = (train, parse, shell, test, data, run, demo, cs)
