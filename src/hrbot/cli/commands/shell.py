"""`hrbot shell nlu`: type messages, see what the model understood."""

from __future__ import annotations

import argparse
import json
from typing import Any

from hrbot.cli.commands.common import (
    add_model_option,
    add_reference_time_option,
    model_path,
    reference_time,
)
from hrbot.cli.terminal import Terminal


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("shell", help="try the model in the terminal")
    parser.add_argument("part", nargs="?", choices=["nlu"], default="nlu")
    add_model_option(parser)
    add_reference_time_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.model.loading import load_model

    model = load_model(model_path(args.model, terminal))
    terminal.info(f"model {model.path.name} loaded; type a message (Ctrl-D to quit)")
    while True:
        try:
            text = input("> ")
        except EOFError:
            terminal.info("bye")
            return 0
        result = model.nlu.parse(text, reference_time(args.reference_time)).to_dict()
        terminal.print(json.dumps(result, ensure_ascii=False, indent=2))
