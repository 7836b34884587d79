"""One module per command; each has `add_parser(subparsers)` and sets `handler`."""

from hrbot.cli.commands import audit, console, cs, data, demo, export, import_, parse, run, shell, test, train

ALL = (train, parse, shell, test, data, run, demo, cs, console, audit, export, import_)
