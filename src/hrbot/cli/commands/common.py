"""Options and helpers several commands share."""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path

from hrbot.cli.terminal import Terminal
from hrbot.shared.clock import (
    DEFAULT_TIMEZONE,
    Clock,
    fixed_clock,
    parse_reference_time,
    system_clock,
    timezone,
)
from hrbot.shared.errors import HrbotError


def add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", "-m", type=Path, default=None,
                        help="model archive, or a folder of them (default: newest in models/)")


def add_reference_time_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reference-time", default=None, metavar="ISO8601",
                        help="'now' for resolving relative dates (default: $HRBOT_REFERENCE_TIME "
                             "or the current time in Asia/Shanghai)")


def reference_clock(text: str | None) -> Clock:
    """The clock that says 'now': fixed at `text` or $HRBOT_REFERENCE_TIME when given,
    else the real time, in $HRBOT_TIMEZONE (default Asia/Shanghai)."""
    zone = os.environ.get("HRBOT_TIMEZONE", DEFAULT_TIMEZONE)
    try:
        timezone(zone)
    except ValueError as error:
        raise HrbotError(f"HRBOT_TIMEZONE: {error}") from None
    value = text or os.environ.get("HRBOT_REFERENCE_TIME")
    if not value:
        return system_clock(zone)
    try:
        return fixed_clock(parse_reference_time(value, zone))
    except ValueError as error:
        raise HrbotError(str(error)) from None


def reference_time(text: str | None) -> datetime:
    return reference_clock(text)()


def model_path(option: Path | None, terminal: Terminal | None = None) -> Path:
    """The model to use: --model, else the newest in models/.

    In a project folder (config.yml and data/) that has no model yet, one is trained first,
    with progress on stderr, so that `hrbot parse` works straight after a checkout.
    """
    from hrbot.model.archive import latest_archive, resolve_model_path

    models = Path("models")
    project = Path.cwd()
    if (
        option is None
        and terminal is not None
        and latest_archive(models) is None
        and (project / "config.yml").is_file()
        and (project / "data").is_dir()
    ):
        from hrbot.model.training import train_project
        from hrbot.shared.project import default_cache_dir

        terminal.info("no trained model in models/: training one first")
        return train_project(
            project, models_dir=models, progress=terminal.progress, cache_dir=default_cache_dir()
        ).model
    return resolve_model_path(option, models)
