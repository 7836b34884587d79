"""`hrbot run`: serve the REST channel and HTTP API on port 5005; `hrbot run actions`: serve
the project's custom actions (rasa_sdk) on port 5055."""

from __future__ import annotations

import argparse
import gc
import os
from pathlib import Path
from typing import Any

from hrbot.cli.commands.common import add_model_option, model_path
from hrbot.cli.terminal import Terminal

DEFAULT_PORT = 5005
DEFAULT_ACTIONS_PORT = 5055


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="serve the bot (REST channel and HTTP API), "
                                               "or with 'actions' the custom actions")
    parser.add_argument("part", nargs="?", choices=["bot", "actions"], default="bot",
                        help="'bot' (default) or 'actions' (the action server)")
    add_model_option(parser)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", "-p", type=int, default=None,
                        help=f"port (default {DEFAULT_PORT}; {DEFAULT_ACTIONS_PORT} for actions)")
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"),
                        help="stores and action server (default: endpoints.yml; absent: SQLite)")
    parser.add_argument("--credentials", type=Path, default=Path("credentials.yml"),
                        help="channel settings (default: credentials.yml; 'rest: {trust_sender: "
                             "true}' takes the REST body's sender at its word)")
    parser.add_argument("--trust-sender", action="store_true",
                        help="take the REST body's 'sender' at its word (the demo, or a channel "
                             "behind a gateway that authenticates users); otherwise the REST "
                             "channel requires a signed token (--jwt-secret) whose subject is the user")
    parser.add_argument("--actions", default="actions",
                        help="with 'actions': the Python package of custom actions")
    parser.add_argument("--auth-token", default=os.environ.get("HRBOT_AUTH_TOKEN"),
                        help="require ?token=... on the API (default: $HRBOT_AUTH_TOKEN)")
    parser.add_argument("--jwt-secret", default=os.environ.get("HRBOT_JWT_SECRET"),
                        help="accept JWTs signed with this secret (default: $HRBOT_JWT_SECRET)")
    parser.add_argument("--jwt-method", default="HS256", help="JWT algorithm (default HS256)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, terminal: Terminal) -> int:
    if args.part == "actions":
        from hrbot.actions.sdk_server import serve_actions

        port = args.port or DEFAULT_ACTIONS_PORT
        terminal.info(f"serving custom actions from '{args.actions}' on port {port}")
        try:
            serve_actions(Path.cwd(), port=port, actions_package=args.actions)
        except FileNotFoundError as error:
            from hrbot.shared.errors import HrbotError

            raise HrbotError(str(error)) from None
        return 0
    import uvicorn

    from hrbot.assistant import open_assistant
    from hrbot.channels.configured import configured_channels, rest_enabled
    from hrbot.cli.commands.common import reference_clock
    from hrbot.model.loading import load_model
    from hrbot.server import ServerState, create_app
    from hrbot.shared.credentials import read_credentials
    from hrbot.shared.endpoints import read_endpoints

    clock = reference_clock(None)
    credentials = read_credentials(args.credentials)
    model = load_model(model_path(args.model, terminal))
    serves_rest = model.dialogue is not None and rest_enabled(credentials)
    trust_sender = _rest_trusts_sender(args) if serves_rest else False
    endpoints = read_endpoints(args.endpoints if args.endpoints.exists() else None)
    assistant = open_assistant(model, Path.cwd(), endpoints, clock)
    if assistant.processor is None:
        terminal.info("the model has no dialogue part: serving /model/parse only")
    state = ServerState(model, clock, args.auth_token, assistant, args.jwt_secret, args.jwt_method,
                        trust_sender)
    channels = configured_channels(credentials, state) if model.dialogue is not None else []
    for channel in channels:
        terminal.info(f"channel {channel.name} configured")
    gc.collect()
    gc.freeze()  # the model lives as long as the server: keep it out of every later collection
    from uvicorn.config import LOGGING_CONFIG

    from hrbot.ops.logs import log_format, logging_config
    from hrbot.ops.routes import operations

    app = create_app(state, channels, operations(state, action_endpoint=endpoints.action_endpoint))
    port = args.port or DEFAULT_PORT
    terminal.info(f"model {model.path.name} loaded; serving on http://{args.host}:{port}")
    uvicorn.run(app, host=args.host, port=port, log_level="info",
                log_config=logging_config(log_format(getattr(args, "log_format", None))) or LOGGING_CONFIG)
    return 0


def _rest_trusts_sender(args: argparse.Namespace) -> bool:
    """Whether the REST channel takes the body's `sender` at its word: only with --trust-sender
    or `rest: {trust_sender: true}` in credentials.yml (the demo configuration). Otherwise the
    sender must be the subject of a signed token, so a JWT secret is required."""
    from hrbot.shared.credentials import read_credentials
    from hrbot.shared.errors import HrbotError

    rest = read_credentials(args.credentials).channel("rest") or {}
    trust = rest.get("trust_sender", False)
    if not isinstance(trust, bool):
        raise HrbotError(f"{args.credentials}: rest: trust_sender must be true or false, got {trust!r}")
    if args.trust_sender or trust:
        return True
    if not args.jwt_secret:
        raise HrbotError(
            "the REST channel needs to know who is writing: start with --jwt-secret (or "
            "$HRBOT_JWT_SECRET) so that each message carries a signed token whose subject is the "
            "user, or, only where a gateway in front has already authenticated the user (or for "
            f"a demo), with --trust-sender or 'rest: {{trust_sender: true}}' in {args.credentials}"
        )
    return False
