"""The project's config.yml: language, NLU pipeline and dialogue policies (Rasa's format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.yaml_reader import YamlDocument, line_of, parse_yaml_text, read_yaml_file

_KNOWN_KEYS = {"recipe", "language", "pipeline", "policies", "assistant_id", "version"}


@dataclass(frozen=True)
class ProjectConfig:
    """config.yml as written; `pipeline`/`policies` are None when left out."""

    language: str = "zh"
    pipeline: list[dict[str, Any]] | None = None
    policies: list[dict[str, Any]] | None = None
    assistant_id: str | None = None
    document: YamlDocument | None = field(default=None, compare=False, repr=False)

    @property
    def path(self) -> str:
        return self.document.path if self.document else "config.yml"

    def line_of_pipeline_item(self, index: int) -> int:
        if self.document is None or not isinstance(self.document.data, dict):
            return 0
        return line_of(self.document.data.get("pipeline"), index, 0)


def config_from_document(document: YamlDocument) -> ProjectConfig:
    data = document.data if document.data is not None else {}
    problems = []
    if not isinstance(data, dict):
        raise InvalidProjectError(
            [document.problem(1, "config must be a mapping with 'language' and 'pipeline'")]
        )
    for key in data:
        if key not in _KNOWN_KEYS:
            problems.append(
                document.problem(line_of(data, key), f"unknown key '{key}' in config",
                                 f"allowed keys are {', '.join(sorted(_KNOWN_KEYS))}")
            )
    language = data.get("language") or "zh"
    if not isinstance(language, str):
        problems.append(document.problem(line_of(data, "language"), "language must be a string"))
        language = "zh"
    sections: dict[str, list[dict[str, Any]] | None] = {}
    for key in ("pipeline", "policies"):
        value = data.get(key)
        if value is None:
            sections[key] = None
            continue
        if not isinstance(value, list):
            problems.append(
                document.problem(line_of(data, key), f"'{key}' must be a list of '- name: ...'")
            )
            sections[key] = None
            continue
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                problems.append(
                    document.problem(line_of(value, index), f"each {key} entry needs a 'name'",
                                     "write '- name: ComponentName'")
                )
                continue
            items.append(item)
        sections[key] = items
    if problems:
        raise InvalidProjectError(problems)
    assistant_id = data.get("assistant_id")
    return ProjectConfig(
        language=language,
        pipeline=sections["pipeline"],
        policies=sections["policies"],
        assistant_id=str(assistant_id) if assistant_id is not None else None,
        document=document,
    )


def read_config(path: Path | str) -> ProjectConfig:
    return config_from_document(read_yaml_file(path))


def parse_config(text: str, path: str = "config.yml") -> ProjectConfig:
    return config_from_document(parse_yaml_text(text, path))
