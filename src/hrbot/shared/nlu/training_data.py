"""Training data for NLU: examples with intents and entity annotations, synonyms, regexes, lookups."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SourceRef:
    """Where a piece of training data was written: file and 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class EntityAnnotation:
    """An entity marked in a training example: text[start:end] is the surface form."""

    entity: str
    start: int
    end: int
    value: Any
    role: str | None = None
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "value": self.value,
        }
        if self.role is not None:
            data["role"] = self.role
        if self.group is not None:
            data["group"] = self.group
        return data


@dataclass(frozen=True)
class TrainingExample:
    """One annotated utterance."""

    text: str
    intent: str
    entities: tuple[EntityAnnotation, ...] = ()
    source: SourceRef | None = None
    metadata: Any = None

    def entity_text(self, annotation: EntityAnnotation) -> str:
        return self.text[annotation.start : annotation.end]


@dataclass(frozen=True)
class RegexPattern:
    """A named regular expression (a feature, or an entity when the name is an entity)."""

    name: str
    pattern: str
    source: SourceRef | None = None


@dataclass(frozen=True)
class LookupTable:
    """A named list of phrases (a feature, or an entity when the name is an entity)."""

    name: str
    elements: tuple[str, ...]
    source: SourceRef | None = None


@dataclass(frozen=True)
class Synonym:
    """A surface form that should be reported as a canonical value."""

    surface: str
    value: str
    source: SourceRef | None = None


@dataclass(frozen=True)
class TrainingData:
    """Everything an NLU pipeline trains from."""

    examples: tuple[TrainingExample, ...] = ()
    synonyms: tuple[Synonym, ...] = ()
    regexes: tuple[RegexPattern, ...] = ()
    lookups: tuple[LookupTable, ...] = ()

    @property
    def intents(self) -> list[str]:
        return sorted({example.intent for example in self.examples})

    @property
    def entity_types(self) -> list[str]:
        return sorted({a.entity for example in self.examples for a in example.entities})

    def intent_counts(self) -> Counter[str]:
        return Counter(example.intent for example in self.examples)

    def synonym_map(self) -> dict[str, str]:
        """Surface form (lower-cased) to canonical value; later definitions win."""
        return {synonym.surface.lower(): synonym.value for synonym in self.synonyms}

    def with_examples(self, examples: Iterable[TrainingExample]) -> TrainingData:
        return TrainingData(tuple(examples), self.synonyms, self.regexes, self.lookups)

    def fingerprint(self) -> str:
        """A stable hash of the content (not of file names or line numbers)."""
        payload = {
            "examples": sorted(
                [e.text, e.intent, [a.to_dict() for a in e.entities]] for e in self.examples
            ),
            "synonyms": sorted([s.surface, s.value] for s in self.synonyms),
            "regexes": sorted([r.name, r.pattern] for r in self.regexes),
            "lookups": sorted([t.name, sorted(t.elements)] for t in self.lookups),
        }
        encoded = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def merge_training_data(parts: Sequence[TrainingData]) -> TrainingData:
    """Join data from several files; exact duplicate examples (text and intent) are kept once."""
    seen: set[tuple[str, str]] = set()
    examples: list[TrainingExample] = []
    for part in parts:
        for example in part.examples:
            key = (example.text, example.intent)
            if key not in seen:
                seen.add(key)
                examples.append(example)
    merged_lookups: dict[str, LookupTable] = {}
    for part in parts:
        for table in part.lookups:
            previous = merged_lookups.get(table.name)
            elements = (previous.elements if previous else ()) + table.elements
            unique = tuple(dict.fromkeys(elements))
            merged_lookups[table.name] = LookupTable(table.name, unique, table.source)
    return TrainingData(
        examples=tuple(examples),
        synonyms=tuple(s for part in parts for s in part.synonyms),
        regexes=tuple(r for part in parts for r in part.regexes),
        lookups=tuple(merged_lookups.values()),
    )


@dataclass
class TrainingDataBuilder:
    """Mutable accumulator used by readers."""

    examples: list[TrainingExample] = field(default_factory=list)
    synonyms: list[Synonym] = field(default_factory=list)
    regexes: list[RegexPattern] = field(default_factory=list)
    lookups: list[LookupTable] = field(default_factory=list)

    def build(self) -> TrainingData:
        return TrainingData(
            tuple(self.examples), tuple(self.synonyms), tuple(self.regexes), tuple(self.lookups)
        )
