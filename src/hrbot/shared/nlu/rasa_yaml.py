"""Read Rasa 3.x NLU training data (`nlu:` sections of YAML files).

Every problem in a file is collected and raised together as one `InvalidProjectError`,
each with file:line, the offending line and how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.annotations import parse_annotated_text
from hrbot.shared.nlu.training_data import (
    LookupTable,
    RegexPattern,
    SourceRef,
    Synonym,
    TrainingData,
    TrainingDataBuilder,
    TrainingExample,
    merge_training_data,
)
from hrbot.shared.problems import Location, Problem
from hrbot.shared.yaml_reader import (
    LocatedDict,
    YamlDocument,
    block_start_line,
    line_of,
    read_yaml_file,
)

YAML_SUFFIXES = (".yml", ".yaml")
_SECTION_KEYS = ("intent", "synonym", "regex", "lookup")
_ITEM_KEYS = {"intent", "synonym", "regex", "lookup", "examples", "metadata"}


def is_nlu_document(document: YamlDocument) -> bool:
    return isinstance(document.data, dict) and "nlu" in document.data


def _example_lines(
    document: YamlDocument, item: LocatedDict, problems: list[Problem]
) -> list[tuple[str, int, Any]]:
    """The raw example strings of an item with their lines (and metadata, if any)."""
    examples = item.get("examples")
    start = block_start_line(item, "examples")
    if isinstance(examples, str):
        result: list[tuple[str, int, Any]] = []
        for offset, raw in enumerate(examples.splitlines()):
            line = start + offset
            stripped = raw.strip()
            if not stripped:
                continue
            if not stripped.startswith("-"):
                problems.append(
                    document.problem(
                        line,
                        "example line does not start with '- '",
                        "write each example on its own line as '- example text'",
                    )
                )
                continue
            result.append((stripped[1:].strip(), line, None))
        return result
    if isinstance(examples, list):
        listed: list[tuple[str, int, Any]] = []
        for index, entry in enumerate(examples):
            line = line_of(examples, index, line_of(item, "examples"))
            if isinstance(entry, dict) and isinstance(entry.get("text"), str):
                listed.append((entry["text"].strip(), line, entry.get("metadata")))
            elif isinstance(entry, str):
                listed.append((entry.strip(), line, None))
            else:
                problems.append(
                    document.problem(
                        line,
                        "example must be a string or a mapping with a 'text' key",
                        "write '- text: example text'",
                    )
                )
        return listed
    return []


def _read_intent(
    document: YamlDocument, item: LocatedDict, builder: TrainingDataBuilder,
    problems: list[Problem],
) -> None:
    name = item["intent"]
    line = line_of(item, "intent")
    if not isinstance(name, str) or not name.strip():
        problems.append(document.problem(line, "intent name must be a non-empty string"))
        return
    examples = _example_lines(document, item, problems)
    if not examples:
        problems.append(
            document.problem(
                line,
                f"intent '{name}' has no examples",
                "add examples under 'examples: |' as '- text' lines, or remove the intent",
            )
        )
        return
    for raw, example_line, metadata in examples:
        parsed = parse_annotated_text(raw)
        for error in parsed.errors:
            problems.append(document.problem(example_line, error))
        if not parsed.text.strip():
            problems.append(document.problem(example_line, "example text is empty"))
            continue
        builder.examples.append(
            TrainingExample(
                text=parsed.text,
                intent=name,
                entities=parsed.entities,
                source=SourceRef(document.path, example_line),
                metadata=metadata,
            )
        )
        for annotation in parsed.entities:
            surface = parsed.text[annotation.start : annotation.end]
            if isinstance(annotation.value, str) and annotation.value != surface:
                builder.synonyms.append(
                    Synonym(surface, annotation.value, SourceRef(document.path, example_line))
                )


def _read_listing(
    document: YamlDocument, item: LocatedDict, kind: str, builder: TrainingDataBuilder,
    problems: list[Problem],
) -> None:
    name = item[kind]
    line = line_of(item, kind)
    if not isinstance(name, str) or not name.strip():
        problems.append(document.problem(line, f"{kind} name must be a non-empty string"))
        return
    entries = _example_lines(document, item, problems)
    if not entries:
        problems.append(
            document.problem(line, f"{kind} '{name}' has no examples", "add '- ' lines")
        )
        return
    source = SourceRef(document.path, line)
    if kind == "synonym":
        builder.synonyms.extend(
            Synonym(text, name, SourceRef(document.path, entry_line))
            for text, entry_line, _ in entries
        )
    elif kind == "lookup":
        builder.lookups.append(LookupTable(name, tuple(text for text, _, _ in entries), source))
    else:
        for text, entry_line, _ in entries:
            try:
                re.compile(text)
            except re.error as error:
                problems.append(
                    document.problem(
                        entry_line,
                        f"regex '{name}' does not compile: {error}",
                        "fix the pattern (Python regular expression syntax)",
                    )
                )
                continue
            builder.regexes.append(RegexPattern(name, text, SourceRef(document.path, entry_line)))


def training_data_from_document(document: YamlDocument) -> TrainingData:
    """Read the `nlu:` section of a parsed YAML document; raise on any problem."""
    data, problems = read_nlu_section(document)
    if problems:
        raise InvalidProjectError(problems)
    return data


def read_nlu_section(document: YamlDocument) -> tuple[TrainingData, list[Problem]]:
    """Read the `nlu:` section, returning what could be read and every problem found."""
    problems: list[Problem] = []
    builder = TrainingDataBuilder()
    root = document.data
    section = root.get("nlu") if isinstance(root, dict) else None
    if section is None:
        return builder.build(), problems
    if not isinstance(section, list):
        problems.append(
            document.problem(line_of(root, "nlu"), "'nlu' must be a list of items",
                             "start each item with '- intent: name'")
        )
        return builder.build(), problems
    for index, item in enumerate(section):
        item_line = line_of(section, index)
        if not isinstance(item, dict):
            problems.append(
                document.problem(item_line, "nlu item must be a mapping such as '- intent: name'")
            )
            continue
        kinds = [key for key in _SECTION_KEYS if key in item]
        if len(kinds) != 1:
            problems.append(
                document.problem(
                    item_line,
                    "nlu item must have exactly one of 'intent', 'synonym', 'regex', 'lookup'",
                    "split it into separate items",
                )
            )
            continue
        assert isinstance(item, LocatedDict)
        for key in item:
            if key not in _ITEM_KEYS:
                problems.append(
                    document.problem(
                        line_of(item, key),
                        f"unknown key '{key}' in nlu item",
                        f"allowed keys are {', '.join(sorted(_ITEM_KEYS))}",
                    )
                )
        if "examples" not in item:
            problems.append(
                document.problem(
                    item_line,
                    f"{kinds[0]} '{item[kinds[0]]}' has no 'examples'",
                    "add 'examples: |' followed by '- text' lines",
                )
            )
            continue
        if kinds[0] == "intent":
            _read_intent(document, item, builder, problems)
        else:
            _read_listing(document, item, kinds[0], builder, problems)
    return builder.build(), problems


def read_nlu_file(path: Path | str) -> TrainingData:
    return training_data_from_document(read_yaml_file(path))


def find_data_files(paths: Iterable[Path | str]) -> list[Path]:
    """YAML files in the given files and directories (recursively), in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
            )
        elif path.exists():
            found.append(path)
        else:
            raise InvalidProjectError(
                [Problem(f"training data path '{path}' does not exist", None, None,
                         "pass an existing file or directory")]
            )
    return found


def load_nlu_data(paths: Iterable[Path | str], *, allow_conflicts: bool = False) -> TrainingData:
    """Read every NLU section under `paths`; all problems of all files are reported together.

    An example listed under two intents is a problem unless `allow_conflicts` (third-party
    benchmark data has a few).
    """
    problems: list[Problem] = []
    parts: list[TrainingData] = []
    for file in find_data_files(paths):
        try:
            document = read_yaml_file(file)
            if is_nlu_document(document):
                part, part_problems = read_nlu_section(document)
                parts.append(part)
                problems.extend(part_problems)
        except InvalidProjectError as error:
            problems.extend(error.problems)
    data = merge_training_data(parts)
    if not allow_conflicts:
        problems.extend(check_examples_unique(data))
    if problems:
        raise InvalidProjectError(problems)
    return data


def check_examples_unique(data: TrainingData) -> list[Problem]:
    """An example text listed under two different intents is a contradiction."""
    first_seen: dict[str, TrainingExample] = {}
    problems: list[Problem] = []
    for example in data.examples:
        other = first_seen.setdefault(example.text, example)
        if other is not example and other.intent != example.intent:
            location = example.source
            problems.append(
                Problem(
                    f"example '{example.text}' is listed under intent '{example.intent}' "
                    f"and under intent '{other.intent}' ({other.source})",
                    None if location is None else Location(location.file, location.line),
                    None,
                    "keep the example under one intent only",
                )
            )
    return problems


__all__ = [
    "check_examples_unique",
    "find_data_files",
    "load_nlu_data",
    "read_nlu_file",
    "read_nlu_section",
    "training_data_from_document",
]
