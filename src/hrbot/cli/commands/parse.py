"""`hrbot parse`: one message per line on stdin, one Rasa-shaped JSON object per line out."""

from __future__ import annotations

import argparse
import io
import json
import sys
from typing import Any

from hrbot.cli.commands.common import (
    add_model_option,
    add_reference_time_option,
    model_path,
    reference_time,
)
from hrbot.cli.terminal import Terminal


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "parse", help="parse messages from stdin (one per line) into JSON lines"
    )
    add_model_option(parser)
    add_reference_time_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.model.loading import load_model

    moment = reference_time(args.reference_time)
    model = load_model(model_path(args.model, terminal))
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline=None)
    for line in stdin:
        text = line.rstrip("\r\n")
        try:
            result: dict[str, Any] = model.nlu.parse(text, moment).to_dict()
        except Exception as error:
            terminal.error(f"could not parse {text[:80]!r}: {error}")
            result = {"text": text, "intent": {"name": None, "confidence": 0.0},
                      "entities": [], "intent_ranking": []}
        terminal.print(json.dumps(result, ensure_ascii=False))
    return 0
