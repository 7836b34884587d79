"""`hrbot shell`: chat with the bot in the terminal (buttons are numbered choices);
`hrbot shell nlu`: see what the NLU understood of each message."""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

from hrbot.cli.commands.common import (
    add_model_option,
    add_reference_time_option,
    model_path,
    reference_clock,
)
from hrbot.cli.terminal import Terminal


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("shell", help="chat with the bot in the terminal")
    parser.add_argument("part", nargs="?", choices=["bot", "nlu"], default="bot",
                        help="'bot' (default): converse; 'nlu': show parse results")
    add_model_option(parser)
    add_reference_time_option(parser)
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"),
                        help="action server and stores (default: endpoints.yml)")
    parser.add_argument("--sender", default=None,
                        help="conversation id (default: a new one per shell, as Rasa's)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.model.loading import load_model

    clock = reference_clock(args.reference_time)
    model = load_model(model_path(args.model, terminal))
    if args.part == "nlu" or model.dialogue is None:
        if args.part != "nlu":
            terminal.info("the model has no dialogue part: showing what the NLU understood")
        terminal.info(f"model {model.path.name} loaded; type a message (Ctrl-D to quit)")
        while (text := _read()) is not None:
            terminal.print(json.dumps(model.nlu.parse(text, clock()).to_dict(), ensure_ascii=False, indent=2))
        terminal.info("bye")
        return 0
    return asyncio.run(_converse(args, terminal, model, clock))


def _read() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None


async def _converse(args: argparse.Namespace, terminal: Terminal, model: Any, clock: Any) -> int:
    from hrbot.assistant import open_assistant
    from hrbot.cli.chat_display import ChoiceMemory, render_messages
    from hrbot.dialogue.messages import UserMessage
    from hrbot.shared.endpoints import read_endpoints

    endpoints = read_endpoints(args.endpoints if args.endpoints.exists() else None)
    assistant = open_assistant(model, Path.cwd(), endpoints, clock)
    assert assistant.processor is not None
    choices = ChoiceMemory()
    sender = args.sender or f"shell-{uuid.uuid4().hex[:12]}"
    terminal.info(f"model {model.path.name} loaded; chat with the bot (/restart starts over, Ctrl-D quits)")
    try:
        while (typed := await asyncio.to_thread(_read)) is not None:
            if not typed.strip():
                continue
            message = UserMessage(choices.resolve(typed), sender, "cmdline")
            result = await assistant.processor.handle_message(message)
            for line in render_messages(result.messages, choices):
                terminal.print(line)
    finally:
        await assistant.close()
    terminal.info("bye")
    return 0
