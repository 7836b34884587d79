"""Evaluate an NLU pipeline: intent and entity reports shaped like Rasa's, errors, charts.

Intent reports are scikit-learn `classification_report` dicts (per intent precision, recall,
f1-score, support; `accuracy`; `macro avg`; `weighted avg`), as `rasa test nlu` writes them.
Entities are scored on exact spans (entity type, start, end) per extractor and overall.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hrbot.shared.nlu.parse_result import ParseResult
from hrbot.shared.nlu.training_data import TrainingData, TrainingExample

Parser = Callable[[str, datetime], ParseResult]
ProgressCallback = Callable[[str], None]


@dataclass(frozen=True)
class Prediction:
    example: TrainingExample
    result: ParseResult

    @property
    def gold_intent(self) -> str:
        return self.example.intent.split("/", 1)[0]

    @property
    def predicted_intent(self) -> str:
        """The classifier's choice (before any fallback), as Rasa evaluates it."""
        for item in self.result.intent_ranking:
            if item.name != "nlu_fallback":
                return str(item.name)
        return str(self.result.intent.name)


def predict(
    parse: Parser, data: TrainingData, reference_time: datetime,
    progress: ProgressCallback = lambda message: None,
) -> list[Prediction]:
    predictions = []
    total = len(data.examples)
    for index, example in enumerate(data.examples, start=1):
        predictions.append(Prediction(example, parse(example.text, reference_time)))
        if index % 500 == 0 or index == total:
            progress(f"parsed {index}/{total} test examples")
    return predictions


def intent_report(predictions: Sequence[Prediction]) -> dict[str, Any]:
    from sklearn.metrics import classification_report

    gold = [p.gold_intent for p in predictions]
    predicted = [p.predicted_intent for p in predictions]
    labels = sorted(set(gold) | set(predicted))
    report: dict[str, Any] = classification_report(
        gold, predicted, labels=labels, output_dict=True, zero_division=0
    )
    if "accuracy" not in report:
        report["accuracy"] = sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(
            len(gold), 1)
    for label in labels:
        if label in report:
            report[label]["confused_with"] = _confusions(label, gold, predicted)
    return report


def _confusions(label: str, gold: Sequence[str], predicted: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for g, p in zip(gold, predicted, strict=True):
        if g == label and p != label:
            counts[p] = counts.get(p, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1])[:3])


def intent_errors(predictions: Sequence[Prediction]) -> list[dict[str, Any]]:
    return [
        {
            "text": p.example.text,
            "intent": p.gold_intent,
            "intent_prediction": {
                "name": p.predicted_intent,
                "confidence": next(
                    (i.confidence for i in p.result.intent_ranking if i.name == p.predicted_intent),
                    p.result.intent.confidence,
                ),
            },
        }
        for p in predictions
        if p.gold_intent != p.predicted_intent
    ]


def _spans(entities: Iterable[Any]) -> set[tuple[str, int, int]]:
    return {(e.entity, e.start, e.end) for e in entities}


def entity_report(
    predictions: Sequence[Prediction], extractor: str | None = None
) -> dict[str, Any]:
    """Exact-span precision/recall/F1 per entity type, micro/macro averaged."""
    counts: dict[str, list[int]] = {}
    for p in predictions:
        gold = _spans(p.example.entities)
        found = _spans(
            e for e in p.result.entities if extractor is None or e.extractor == extractor
        )
        for entity, *_ in gold | found:
            counts.setdefault(entity, [0, 0, 0])
        for span in gold & found:
            counts[span[0]][0] += 1
        for span in found - gold:
            counts[span[0]][1] += 1
        for span in gold - found:
            counts[span[0]][2] += 1
    report: dict[str, Any] = {}
    for entity, (tp, fp, fn) in sorted(counts.items()):
        report[entity] = _prf(tp, fp, fn)
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    report["micro avg"] = _prf(tp, fp, fn)
    per_type = [report[e] for e in counts]
    report["macro avg"] = {
        key: (sum(r[key] for r in per_type) / len(per_type) if per_type else 0.0)
        for key in ("precision", "recall", "f1-score")
    } | {"support": tp + fn}
    return report


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1-score": f1, "support": tp + fn}


def entity_errors(predictions: Sequence[Prediction]) -> list[dict[str, Any]]:
    errors = []
    for p in predictions:
        gold = _spans(p.example.entities)
        found = _spans(p.result.entities)
        if gold != found:
            errors.append(
                {
                    "text": p.example.text,
                    "entities": [a.to_dict() for a in p.example.entities],
                    "predicted_entities": [e.to_dict() for e in p.result.entities],
                }
            )
    return errors


def plot_confusion_matrix(predictions: Sequence[Prediction], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    gold = [p.gold_intent for p in predictions]
    predicted = [p.predicted_intent for p in predictions]
    labels = sorted(set(gold) | set(predicted))
    matrix = confusion_matrix(gold, predicted, labels=labels)
    size = max(6.0, 0.32 * len(labels) + 3)
    figure, axes = plt.subplots(figsize=(size, size))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    axes.set_xlabel("predicted intent")
    axes.set_ylabel("true intent")
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(gold), 1)
    axes.set_title(f"Intent confusion matrix (accuracy {accuracy:.3f}, n={len(gold)})")
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                axes.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=6,
                          color="white" if matrix[i, j] > threshold else "black")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_confidence_histogram(predictions: Sequence[Prediction], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    right = [p.result.intent_ranking[0].confidence for p in predictions
             if p.result.intent_ranking and p.gold_intent == p.predicted_intent]
    wrong = [p.result.intent_ranking[0].confidence for p in predictions
             if p.result.intent_ranking and p.gold_intent != p.predicted_intent]
    figure, axes = plt.subplots(figsize=(7, 4))
    bins = [i / 20 for i in range(21)]
    axes.hist([right, wrong], bins=bins, label=["correct", "wrong"], color=["#4c9a2a", "#c0392b"],
              stacked=True)
    axes.set_xlabel("confidence of the top intent")
    axes.set_ylabel("messages")
    axes.legend()
    axes.set_title("Intent prediction confidence")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_reports(predictions: Sequence[Prediction], out: Path) -> dict[str, Any]:
    """Write every report and chart into `out`; return the intent report."""
    out.mkdir(parents=True, exist_ok=True)
    intents = intent_report(predictions)
    _write_json(out / "intent_report.json", intents)
    _write_json(out / "errors.json", intent_errors(predictions))
    _write_json(out / "entity_report.json", entity_report(predictions))
    extractors = sorted({e.extractor for p in predictions for e in p.result.entities})
    for extractor in extractors:
        _write_json(out / f"{extractor}_report.json", entity_report(predictions, extractor))
    _write_json(out / "entity_errors.json", entity_errors(predictions))
    plot_confusion_matrix(predictions, out / "intent_confusion_matrix.png")
    plot_confidence_histogram(predictions, out / "intent_histogram.png")
    return intents


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def stratified_folds(
    data: TrainingData, folds: int, seed: int = 2026
) -> list[tuple[TrainingData, TrainingData]]:
    """(train, test) splits in which every intent is spread over the folds."""
    import random

    by_intent: dict[str, list[TrainingExample]] = {}
    for example in data.examples:
        by_intent.setdefault(example.intent, []).append(example)
    assignment: list[list[TrainingExample]] = [[] for _ in range(folds)]
    rng = random.Random(seed)
    offset = 0
    for intent in sorted(by_intent):
        examples = list(by_intent[intent])
        rng.shuffle(examples)
        for index, example in enumerate(examples):
            assignment[(index + offset) % folds].append(example)
        offset += len(examples)
    splits = []
    for k in range(folds):
        test = assignment[k]
        train = [e for j, part in enumerate(assignment) if j != k for e in part]
        splits.append((data.with_examples(train), data.with_examples(test)))
    return splits
