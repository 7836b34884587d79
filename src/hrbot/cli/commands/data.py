"""`hrbot data validate`: check config, NLU data and domain before training."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hrbot.cli.terminal import Terminal


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("data", help="work with training data")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    validate = actions.add_parser("validate", help="check config, data and domain")
    validate.add_argument("--config", "-c", type=Path, default=Path("config.yml"))
    validate.add_argument("--data", "-d", type=Path, nargs="+", default=[Path("data")])
    validate.add_argument("--domain", type=Path, default=Path("domain.yml"))
    validate.set_defaults(handler=handle_validate)
    parser.set_defaults(handler=lambda args, terminal: _usage(parser, terminal))


def _usage(parser: argparse.ArgumentParser, terminal: Terminal) -> int:
    terminal.print(parser.format_help())
    return 2


def handle_validate(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.model.validation import validate_project

    report = validate_project(
        Path.cwd(), config_path=args.config, data_paths=list(args.data), domain_path=args.domain
    )
    for notice in report.notices:
        terminal.info(f"notice: {notice}")
    for warning in report.warnings:
        terminal.info(f"warning: {warning.format()}")
    if report.problems:
        from hrbot.shared.problems import format_problems

        terminal.error(format_problems(report.problems))
        return 1
    terminal.print(f"project is valid: {report.summary}")
    return 0
