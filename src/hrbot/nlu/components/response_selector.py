"""Response selection for retrieval intents (`chitchat/ask_name`), as Rasa's ResponseSelector.

For each retrieval intent a linear classifier picks the full intent-response key; the result
goes into the parse result's `response_selector` section in Rasa's shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

from hrbot.nlu.component import Component, ParseContext, TrainContext
from hrbot.nlu.components.intent_classifier import LinearIntentClassifier, softmax
from hrbot.nlu.doc import NLUDoc
from hrbot.shared.nlu.training_data import TrainingData

DEFAULT_SELECTOR = "default"


class ResponseSelector(Component):
    """Chooses among the responses of a retrieval intent."""

    name = "ResponseSelector"
    defaults: ClassVar[Mapping[str, Any]] = {"retrieval_intent": None, "ranking_length": 10}

    def __init__(
        self, options: Mapping[str, Any] | None = None,
        selectors: Mapping[str, LinearIntentClassifier] | None = None,
    ) -> None:
        super().__init__(options)
        self.selectors: dict[str, LinearIntentClassifier] = dict(selectors or {})

    def _selector_key(self) -> str:
        return str(self.options["retrieval_intent"] or DEFAULT_SELECTOR)

    def train(self, data: TrainingData, docs: Sequence[NLUDoc], context: TrainContext) -> None:
        wanted = self.options["retrieval_intent"]
        chosen = [
            (example, doc) for example, doc in zip(data.examples, docs, strict=True)
            if "/" in example.intent
            and (wanted is None or example.intent.split("/", 1)[0] == wanted)
        ]
        if not chosen:
            context.progress(f"{self.name}: no retrieval intents (name/key) in the data")
            return
        classifier = LinearIntentClassifier({"label": "full"})
        subset = data.with_examples(example for example, _ in chosen)
        classifier.train(subset, [doc for _, doc in chosen], context)
        self.selectors = {self._selector_key(): classifier}

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        section = doc.extras.setdefault("response_selector", {"all_retrieval_intents": []})
        for key, classifier in self.selectors.items():
            retrieval_intents = sorted({c.split("/", 1)[0] for c in classifier.classes})
            for name in retrieval_intents:
                if name not in section["all_retrieval_intents"]:
                    section["all_retrieval_intents"].append(name)
            probabilities = softmax(classifier.scores(doc), classifier.temperature)
            order = probabilities.argsort()[::-1][: int(self.options["ranking_length"])]
            ranking = [
                {"id": None, "confidence": round(float(probabilities[i]), 6),
                 "intent_response_key": classifier.classes[i]}
                for i in order
            ]
            best = ranking[0] if ranking else None
            section[key] = {
                "response": {
                    "id": None,
                    "responses": None,
                    "response_templates": None,
                    "confidence": best["confidence"] if best else 0.0,
                    "intent_response_key": best["intent_response_key"] if best else None,
                    "utter_action": f"utter_{best['intent_response_key']}" if best else None,
                    "template_name": f"utter_{best['intent_response_key']}" if best else None,
                },
                "ranking": ranking,
            }

    def persist(self, directory: Path) -> None:
        names = sorted(self.selectors)
        (directory / "selectors.json").write_text(json.dumps(names), encoding="utf-8")
        for index, name in enumerate(names):
            folder = directory / f"selector_{index}"
            folder.mkdir()
            self.selectors[name].persist(folder)

    @classmethod
    def load(cls, options: Mapping[str, Any], directory: Path) -> Self:
        names = json.loads((directory / "selectors.json").read_text(encoding="utf-8"))
        selectors = {
            name: LinearIntentClassifier.load({"label": "full"}, directory / f"selector_{index}")
            for index, name in enumerate(names)
        }
        return cls(options, selectors)
