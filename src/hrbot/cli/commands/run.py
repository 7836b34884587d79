"""`hrbot run`: serve the HTTP API on port 5005."""

from __future__ import annotations

import argparse
import os
from typing import Any

from hrbot.cli.commands.common import add_model_option, model_path
from hrbot.cli.terminal import Terminal


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="serve the bot's HTTP API")
    add_model_option(parser)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", "-p", type=int, default=5005)
    parser.add_argument("--auth-token", default=os.environ.get("HRBOT_AUTH_TOKEN"),
                        help="require ?token=... on the API (default: $HRBOT_AUTH_TOKEN)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, terminal: Terminal) -> int:
    import uvicorn

    from hrbot.cli.commands.common import reference_clock
    from hrbot.model.loading import load_model
    from hrbot.server import ServerState, create_app

    clock = reference_clock(None)
    model = load_model(model_path(args.model, terminal))
    app = create_app(ServerState(model, clock, args.auth_token))
    terminal.info(f"model {model.path.name} loaded; serving on http://{args.host}:{args.port}")
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0
