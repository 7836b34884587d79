"""Options and helpers several commands share."""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path

from hrbot.shared.clock import DEFAULT_TIMEZONE, parse_reference_time, system_clock
from hrbot.shared.errors import HrbotError


def add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", "-m", type=Path, default=None,
                        help="model archive, or a folder of them (default: newest in models/)")


def add_reference_time_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reference-time", default=None, metavar="ISO8601",
                        help="'now' for resolving relative dates (default: $HRBOT_REFERENCE_TIME "
                             "or the current time in Asia/Shanghai)")


def reference_time(text: str | None) -> datetime:
    zone = os.environ.get("HRBOT_TIMEZONE", DEFAULT_TIMEZONE)
    value = text or os.environ.get("HRBOT_REFERENCE_TIME")
    try:
        return parse_reference_time(value, zone) if value else system_clock(zone)()
    except ValueError as error:
        raise HrbotError(str(error)) from None


def model_path(option: Path | None) -> Path:
    from hrbot.model.archive import resolve_model_path

    return resolve_model_path(option, Path("models"))
