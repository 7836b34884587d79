"""Rule-based entity extraction and value processing: regexes and lookup tables, synonyms,
and Chinese values (dates, months, durations, amounts) normalised against the reference time."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

from hrbot.nlu.component import Component, ParseContext, TrainContext
from hrbot.nlu.components.patterns import PatternComponent
from hrbot.nlu.doc import NLUDoc
from hrbot.shared.nlu.parse_result import ExtractedEntity
from hrbot.shared.nlu.training_data import TrainingData


class RegexEntityExtractor(PatternComponent):
    """Entities from regexes and lookup tables named after an annotated entity type."""

    name = "RegexEntityExtractor"
    only_entity_names = True

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        for _, name, match in self.patterns.matches(doc.text):
            doc.entities.append(
                ExtractedEntity(name, match.start(), match.end(), match.group(), self.name, 1.0)
            )


class EntitySynonymMapper(Component):
    """Maps an entity's surface form to its canonical value (from synonyms in the data)."""

    name = "EntitySynonymMapper"

    def __init__(
        self, options: Mapping[str, Any] | None = None, synonyms: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(options)
        self.synonyms: dict[str, str] = dict(synonyms or {})

    def train(self, data: TrainingData, docs: Sequence[NLUDoc], context: TrainContext) -> None:
        self.synonyms = data.synonym_map()

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        for index, entity in enumerate(doc.entities):
            if not isinstance(entity.value, str):
                continue
            canonical = self.synonyms.get(entity.value.lower())
            if canonical is not None and canonical != entity.value:
                doc.entities[index] = _with_value(entity, canonical, self.name)

    def persist(self, directory: Path) -> None:
        (directory / "synonyms.json").write_text(
            json.dumps(self.synonyms, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, options: Mapping[str, Any], directory: Path) -> Self:
        synonyms = json.loads((directory / "synonyms.json").read_text(encoding="utf-8"))
        return cls(options, synonyms)


def _with_value(entity: ExtractedEntity, value: Any, processor: str) -> ExtractedEntity:
    processors = entity.processors if processor in entity.processors else (
        *entity.processors, processor)
    return ExtractedEntity(
        entity=entity.entity, start=entity.start, end=entity.end, value=value,
        extractor=entity.extractor, confidence=entity.confidence, role=entity.role,
        group=entity.group, processors=processors,
    )


def _overlaps(a: ExtractedEntity, b: ExtractedEntity) -> bool:
    return a.start < b.end and b.start < a.end


DEFAULT_NORMALISED_ENTITIES: Mapping[str, str] = {
    "date": "date",
    "month": "month",
    "duration": "duration",
    "amount": "amount",
    "leave_type": "leave_type",
    "expense_type": "expense_type",
}


class ChineseValueExtractor(Component):
    """Finds Chinese dates, months, durations and amounts by rule, and normalises the values
    of those (and of leave and expense types) that other extractors found.

    Values are resolved against the message's reference time. Where a rule match and another
    extractor's entity of these kinds overlap, the longer span wins (the rule match on a tie).
    """

    name = "ChineseValueExtractor"
    defaults: ClassVar[Mapping[str, Any]] = {
        "dimensions": ["date", "month", "duration", "amount"],
        "entities": dict(DEFAULT_NORMALISED_ENTITIES),
    }

    def train(self, data: TrainingData, docs: Sequence[NLUDoc], context: TrainContext) -> None:
        """`dimensions: auto` keeps the kinds of values the training data annotates."""
        if self.options["dimensions"] == "auto":
            annotated = set(data.entity_types)
            self.options["dimensions"] = [
                kind for kind in ("date", "month", "duration", "amount") if kind in annotated
            ]

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        from hrbot.nlu.normalise import find_values, resolve

        reference = context.reference_time.date()
        kinds: Mapping[str, str] = self.options["entities"] or {}
        normalised: list[ExtractedEntity] = []
        unresolved: set[int] = set()
        for entity in doc.entities:
            kind = kinds.get(entity.entity)
            if kind is not None:
                surface = doc.text[entity.start : entity.end]
                source = entity.value if isinstance(entity.value, str) else surface
                value = resolve(kind, source, reference)
                if value is None and source != surface:
                    value = resolve(kind, surface, reference)
                if value is None:
                    unresolved.add(id(entity))
                elif value != entity.value:
                    entity = _with_value(entity, value, self.name)
            normalised.append(entity)
        dimensions = list(self.options["dimensions"] or [])
        found = [
            ExtractedEntity(m.entity, m.start, m.end, m.value, self.name, 1.0)
            for m in find_values(doc.text, reference, dimensions)
        ]
        value_kinds = set(dimensions)
        contenders = [e for e in normalised if e.entity in value_kinds] + found
        # A value that could not be normalised ("1023十月份" from "E1023十月份") gives way to one
        # that could ("十月份"), however long it is; among the rest the longest span wins.
        contenders.sort(key=lambda e: (id(e) in unresolved, -(e.end - e.start),
                                       0 if e.extractor == self.name else 1, e.start))
        kept: list[ExtractedEntity] = []
        for candidate in contenders:
            if not any(_overlaps(candidate, other) for other in kept):
                kept.append(candidate)
        doc.entities = [e for e in normalised if e.entity not in value_kinds] + kept
