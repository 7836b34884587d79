"""Sentence features from the entities found in a message, for the intent classifier.

Two kinds: which entity types occur ("ent=date"), and character n-grams of the text with
every entity replaced by a placeholder for its type ("我想请⟨duration⟩⟨leave_type⟩"). The
second lets the classifier generalise over slot values it never saw ("请5天婚假" reads like
"请3天年假"). Place it after the entity extractors and before the intent classifier; the
pipeline then lets the extractors tag the training examples too, so that training sees the
same (predicted) entities as parsing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

from hrbot.nlu.component import Component, ParseContext, TrainContext
from hrbot.nlu.components.vocabulary import TfidfVocabulary
from hrbot.nlu.doc import NLUDoc
from hrbot.nlu.text import lower_same_length
from hrbot.shared.nlu.training_data import TrainingData

_PLACEHOLDER_BASE = 0xE000  # Unicode private use area: never in real text


class EntityFeaturizer(Component):
    """Entity-type indicators and n-grams of the delexicalised text."""

    name = "EntityFeaturizer"
    defaults: ClassVar[Mapping[str, Any]] = {"min_ngram": 1, "max_ngram": 3}
    prepares_training_docs = True
    consumes_entities = True
    key = "EntityFeaturizer"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.entity_types: list[str] = []
        self.vocabulary: TfidfVocabulary | None = None

    def _placeholder(self, entity: str) -> str:
        index = self.entity_types.index(entity) if entity in self.entity_types else 0
        return chr(_PLACEHOLDER_BASE + index)

    def delexicalise(self, doc: NLUDoc) -> str:
        text = lower_same_length(doc.text)
        for entity in sorted(doc.entities, key=lambda e: e.start, reverse=True):
            if entity.entity in self.entity_types and 0 <= entity.start < entity.end <= len(text):
                text = text[: entity.start] + self._placeholder(entity.entity) + text[entity.end :]
        return text

    def _grams(self, doc: NLUDoc) -> list[str]:
        text = "".join(self.delexicalise(doc).split())
        low, high = int(self.options["min_ngram"]), int(self.options["max_ngram"])
        grams = [text[i : i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]
        grams.extend(f"ent={e.entity}" for e in doc.entities if e.entity in self.entity_types)
        return grams

    def train(self, data: TrainingData, docs: Sequence[NLUDoc], context: TrainContext) -> None:
        self.entity_types = sorted(
            {a.entity for example in data.examples for a in example.entities}
            | {e.entity for doc in docs for e in doc.entities}
        )
        self.vocabulary = TfidfVocabulary.fit([self._grams(doc) for doc in docs])
        context.progress(
            f"{self.name}: {len(self.entity_types)} entity types, {len(self.vocabulary)} n-grams"
        )

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        if self.vocabulary is None:
            raise RuntimeError(f"{self.name} used before training or loading")
        doc.features[self.key] = self.vocabulary.vector(self._grams(doc))

    def persist(self, directory: Path) -> None:
        if self.vocabulary is not None:
            self.vocabulary.save(directory)
            (directory / "entity_types.txt").write_text("\n".join(self.entity_types),
                                                        encoding="utf-8")

    @classmethod
    def load(cls, options: Mapping[str, Any], directory: Path) -> Self:
        component = cls(options)
        component.vocabulary = TfidfVocabulary.load(directory)
        types = (directory / "entity_types.txt").read_text(encoding="utf-8")
        component.entity_types = [t for t in types.split("\n") if t]
        return component
