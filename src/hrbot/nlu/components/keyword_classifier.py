"""Intent by keyword: an intent is predicted when one of its examples occurs in the text."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

from hrbot.nlu.component import Component, ParseContext, TrainContext
from hrbot.nlu.components.patterns import lookup_pattern
from hrbot.nlu.doc import NLUDoc
from hrbot.shared.nlu.parse_result import IntentPrediction
from hrbot.shared.nlu.training_data import TrainingData


class KeywordIntentClassifier(Component):
    """Exact keyword matching, for tiny bots; the first matching intent wins."""

    name = "KeywordIntentClassifier"
    defaults: ClassVar[Mapping[str, Any]] = {"case_sensitive": True}

    def __init__(
        self, options: Mapping[str, Any] | None = None,
        keywords: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(options)
        self._set_keywords(keywords or {})

    def _set_keywords(self, keywords: Mapping[str, str]) -> None:
        """Keep the keywords and compile their patterns once, longest keyword first."""
        self.keywords: dict[str, str] = dict(keywords)
        flags = 0 if self.options["case_sensitive"] else re.IGNORECASE
        self._patterns = [
            (re.compile(lookup_pattern([keyword]), flags), self.keywords[keyword])
            for keyword in sorted(self.keywords, key=lambda k: (-len(k), k))
        ]

    def train(self, data: TrainingData, docs: Sequence[NLUDoc], context: TrainContext) -> None:
        keywords: dict[str, str] = {}
        for example in data.examples:
            keywords.setdefault(example.text, example.intent.split("/", 1)[0])
        self._set_keywords(keywords)

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        for pattern, intent_name in self._patterns:
            if pattern.search(doc.text):
                intent = IntentPrediction(intent_name, 1.0)
                doc.intent = intent
                doc.intent_ranking = [intent]
                return
        doc.intent = IntentPrediction(None, 0.0)
        doc.intent_ranking = []

    def persist(self, directory: Path) -> None:
        (directory / "keywords.json").write_text(
            json.dumps(self.keywords, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, options: Mapping[str, Any], directory: Path) -> Self:
        keywords = json.loads((directory / "keywords.json").read_text(encoding="utf-8"))
        return cls(options, keywords)
