"""The intent and entity names a domain declares (enough to check NLU data against it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hrbot.shared.nlu.rasa_yaml import YAML_SUFFIXES
from hrbot.shared.yaml_reader import read_yaml_file


@dataclass(frozen=True)
class DeclaredNames:
    intents: frozenset[str]
    entities: frozenset[str]
    files: tuple[str, ...]


def _names(value: object) -> set[str]:
    names: set[str] = set()
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                names.add(item)
            elif isinstance(item, dict):
                names.update(str(key) for key in item)
    return names


def read_declared_names(path: Path) -> DeclaredNames | None:
    """Intents and entities of domain.yml (or a folder of domain files); None if absent."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES)
    elif path.is_file():
        files = [path]
    else:
        return None
    intents: set[str] = set()
    entities: set[str] = set()
    for file in files:
        data = read_yaml_file(file).data
        if isinstance(data, dict):
            intents |= _names(data.get("intents"))
            entities |= _names(data.get("entities"))
    return DeclaredNames(frozenset(intents), frozenset(entities), tuple(str(f) for f in files))
