"""Named regular expressions from the training data's regexes and lookup tables."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

from hrbot.nlu.component import Component, TrainContext
from hrbot.nlu.doc import NLUDoc
from hrbot.shared.nlu.training_data import TrainingData

_ASCII_WORD_CHAR = "[0-9A-Za-z_]"


def _is_ascii_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def lookup_pattern(elements: Sequence[str]) -> str:
    """One regex matching any element, longest first; ASCII words need word boundaries.

    The boundaries are ASCII ones: "annual leave" matches in "我的annual leave还剩几天" (re's
    `\\b` would not, as it counts Chinese characters as word characters) but not in
    "annual leaves".
    """
    parts = []
    unique = {e.strip() for e in elements if e.strip()}
    for element in sorted(unique, key=lambda e: (-len(e), e)):
        pattern = re.escape(element)
        if _is_ascii_word_char(element[0]):
            pattern = f"(?<!{_ASCII_WORD_CHAR}){pattern}"
        if _is_ascii_word_char(element[-1]):
            pattern = f"{pattern}(?!{_ASCII_WORD_CHAR})"
        parts.append(pattern)
    return "|".join(parts) if parts else r"(?!x)x"


class PatternSet:
    """(name, regex) pairs, compiled once, that find non-empty matches in a text."""

    FILE = "patterns.json"

    def __init__(self, patterns: Sequence[tuple[str, str]] = (), *, case_sensitive: bool) -> None:
        self.patterns: list[tuple[str, str]] = list(patterns)
        self.case_sensitive = case_sensitive
        flags = 0 if case_sensitive else re.IGNORECASE
        self._compiled = [(name, re.compile(pattern, flags)) for name, pattern in self.patterns]

    @classmethod
    def from_data(
        cls,
        data: TrainingData,
        *,
        use_regexes: bool,
        use_lookup_tables: bool,
        case_sensitive: bool,
        only_names: Collection[str] | None = None,
    ) -> PatternSet:
        """The data's regexes and lookup tables (those named in `only_names`, if given)."""
        patterns: list[tuple[str, str]] = []
        if use_regexes:
            patterns.extend((r.name, r.pattern) for r in data.regexes)
        if use_lookup_tables:
            patterns.extend((t.name, lookup_pattern(t.elements)) for t in data.lookups)
        if only_names is not None:
            patterns = [(name, pattern) for name, pattern in patterns if name in only_names]
        return cls(patterns, case_sensitive=case_sensitive)

    def __len__(self) -> int:
        return len(self.patterns)

    def matches(self, text: str) -> Iterator[tuple[int, str, re.Match[str]]]:
        """(pattern index, name, match) for every non-empty match."""
        for index, (name, pattern) in enumerate(self._compiled):
            for match in pattern.finditer(text):
                if match.end() > match.start():
                    yield index, name, match

    def save(self, directory: Path) -> None:
        (directory / self.FILE).write_text(
            json.dumps(self.patterns, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path, *, case_sensitive: bool) -> PatternSet:
        patterns = json.loads((directory / cls.FILE).read_text(encoding="utf-8"))
        return cls([(name, pattern) for name, pattern in patterns], case_sensitive=case_sensitive)


class PatternComponent(Component):
    """A component that learns a PatternSet from the training data's regexes and lookups."""

    defaults: ClassVar[Mapping[str, Any]] = {
        "case_sensitive": False,
        "use_lookup_tables": True,
        "use_regexes": True,
        "use_word_boundaries": True,
    }
    only_entity_names: ClassVar[bool] = False
    """Keep only patterns named after an annotated entity type."""

    def __init__(
        self, options: Mapping[str, Any] | None = None, patterns: PatternSet | None = None
    ) -> None:
        super().__init__(options)
        self.patterns = patterns or PatternSet(case_sensitive=bool(self.options["case_sensitive"]))

    def train(self, data: TrainingData, docs: Sequence[NLUDoc], context: TrainContext) -> None:
        self.patterns = PatternSet.from_data(
            data,
            use_regexes=bool(self.options["use_regexes"]),
            use_lookup_tables=bool(self.options["use_lookup_tables"]),
            case_sensitive=bool(self.options["case_sensitive"]),
            only_names=set(data.entity_types) if self.only_entity_names else None,
        )

    def persist(self, directory: Path) -> None:
        self.patterns.save(directory)

    @classmethod
    def load(cls, options: Mapping[str, Any], directory: Path) -> Self:
        component = cls(options)
        component.patterns = PatternSet.load(
            directory, case_sensitive=bool(component.options["case_sensitive"]))
        return component
