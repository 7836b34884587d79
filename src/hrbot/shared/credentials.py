"""The project's credentials.yml: one section per channel, as Rasa writes it.

    rest:
      trust_sender: true      # hrbot: take the sender at its word (demo); default: signed token
    wecom:
      corp_id: ${WECOM_CORP_ID}

`${VAR}` is replaced from the environment, as in endpoints.yml; every problem names the file
and line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrbot.shared.environment import EnvironmentExpander
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.problems import Problem
from hrbot.shared.yaml_reader import YamlDocument, line_of, read_yaml_file


@dataclass(frozen=True)
class Credentials:
    """Channel name → its settings (an empty mapping for a channel listed without any)."""

    channels: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    path: str | None = None

    def channel(self, name: str) -> Mapping[str, Any] | None:
        return self.channels.get(name)


def read_credentials(path: Path | str | None, environ: Mapping[str, str] | None = None) -> Credentials:
    """credentials.yml, or no channel settings when `path` is None or does not exist."""
    if path is None or not Path(path).exists():
        return Credentials()
    return credentials_from_document(read_yaml_file(path), environ)


def credentials_from_document(
    document: YamlDocument, environ: Mapping[str, str] | None = None
) -> Credentials:
    data = document.data
    if data is None:
        return Credentials(path=document.path)
    if not isinstance(data, dict):
        raise InvalidProjectError([document.problem(
            1, "credentials.yml must map channel names to their settings",
            "write e.g. 'rest:' on its own line, with the channel's settings indented below it",
        )])
    problems: list[Problem] = []
    expander = EnvironmentExpander(
        os.environ if environ is None else environ,
        lambda line, message, hint: problems.append(document.problem(line, message, hint)),
        "credentials.yml",
    )
    channels: dict[str, Mapping[str, Any]] = {}
    for name, settings in data.items():
        line = line_of(data, name)
        if settings is None:
            channels[str(name)] = {}
        elif isinstance(settings, dict):
            channels[str(name)] = expander.expand(settings, line)
        else:
            problems.append(document.problem(
                line, f"the settings of channel '{name}' must be a mapping",
                f"indent '{name}''s settings as 'key: value' lines under it",
            ))
    if problems:
        raise InvalidProjectError(problems)
    return Credentials(channels, document.path)
