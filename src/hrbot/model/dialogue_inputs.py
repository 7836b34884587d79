"""What dialogue training reads: the domain, stories and rules, and the policies of config.yml.

A project without a domain, or with a domain but neither stories nor rules, has no dialogue
part: it trains an NLU-only model, as Rasa does."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hrbot import __version__
from hrbot.shared.core.domain import Domain, domain_files, load_domain
from hrbot.shared.core.stories import StoryData, check_against_domain, read_stories
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.rasa_yaml import find_data_files
from hrbot.shared.problems import Problem

DEFAULT_DOMAIN_PATHS = ("domain.yml", "domain.yaml", "domain")
_STORY_SECTION = re.compile(r"^(stories|rules)\s*:", re.M)


@dataclass(frozen=True)
class DialogueTrainingInputs:
    """Everything dialogue training reads, checked against each other."""

    domain: Domain
    stories: StoryData
    policies: list[dict[str, Any]] | None
    domain_path: Path
    files: tuple[Path, ...]

    def fingerprint(self, code: str) -> str:
        digest = hashlib.sha256()
        digest.update(__version__.encode())
        digest.update(code.encode())
        digest.update(json.dumps(self.policies, sort_keys=True, default=str).encode())
        for file in self.files:
            digest.update(str(file.name).encode())
            digest.update(file.read_bytes())
        return digest.hexdigest()


def find_domain(project_dir: Path, domain_path: Path | None = None) -> Path | None:
    """The domain given, else domain.yml (or a domain/ folder) in the project."""
    if domain_path is not None:
        return domain_path if domain_path.is_absolute() else project_dir / domain_path
    for name in DEFAULT_DOMAIN_PATHS:
        candidate = project_dir / name
        if candidate.exists():
            return candidate
    return None


def read_dialogue_inputs(
    project_dir: Path,
    data_paths: list[Path],
    policies: list[dict[str, Any]] | None,
    domain_path: Path | None = None,
) -> DialogueTrainingInputs | None:
    """Read and cross-check the domain, stories and rules; None when the project has no
    dialogue part. Raises `InvalidProjectError` with every problem found."""
    path = find_domain(project_dir, domain_path)
    if path is None:
        if domain_path is not None:
            raise InvalidProjectError([Problem(
                f"domain '{domain_path}' does not exist", None, None,
                "pass an existing domain file or folder with --domain",
            )])
        return None
    problems: list[Problem] = []
    domain: Domain | None = None
    stories = StoryData()
    try:
        domain = load_domain(path)
    except InvalidProjectError as error:
        problems.extend(error.problems)
    resolved = [p if p.is_absolute() else project_dir / p for p in data_paths]
    try:
        stories = read_stories(resolved)
    except InvalidProjectError as error:
        problems.extend(error.problems)
    if domain is not None and not problems:
        problems.extend(check_against_domain(
            stories, domain.intent_names, domain.entity_names, domain.actions,
            domain.slot_names, domain.form_names, responses=tuple(domain.responses),
        ))
    if problems:
        raise InvalidProjectError(problems)
    assert domain is not None
    if not stories.stories and not stories.rules:
        return None
    story_files = [file for file in find_data_files(resolved) if _holds_stories(file)]
    files = tuple(sorted(set(domain_files(path)) | set(story_files)))
    return DialogueTrainingInputs(domain, stories, policies, path, files)


def _holds_stories(file: Path) -> bool:
    """Whether a data file has stories or rules (NLU-only files do not change the dialogue)."""
    try:
        return _STORY_SECTION.search(file.read_text(encoding="utf-8", errors="replace")) is not None
    except OSError:
        return False
