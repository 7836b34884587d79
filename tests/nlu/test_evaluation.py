"""Evaluation: Rasa-shaped intent and entity reports, errors, charts and stratified folds."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from hrbot.nlu.evaluation import (
    Prediction,
    entity_errors,
    entity_report,
    intent_errors,
    intent_report,
    predict,
    stratified_folds,
    write_reports,
)
from hrbot.shared.nlu.parse_result import ExtractedEntity, IntentPrediction, ParseResult
from hrbot.shared.nlu.training_data import EntityAnnotation, TrainingData, TrainingExample
from hrbot_test_support import REFERENCE_TIME


def prediction(gold: str, *ranking: str, entities: tuple[ExtractedEntity, ...] = (),
               gold_entities: tuple[EntityAnnotation, ...] = (), text: str = "t") -> Prediction:
    items = tuple(IntentPrediction(name, 0.9 - 0.1 * i) for i, name in enumerate(ranking))
    return Prediction(
        TrainingExample(text, gold, gold_entities),
        ParseResult(text, items[0], items, entities),
    )


PREDICTIONS = [
    prediction("greet", "greet", "goodbye", text="你好"),
    prediction("greet", "greet", "goodbye", text="您好"),
    prediction("greet", "goodbye", "greet", text="哈喽"),
    prediction("goodbye", "goodbye", "greet", text="再见"),
    prediction("goodbye", "nlu_fallback", "goodbye", "greet", text="拜拜"),
    prediction("chitchat/ask_name", "chitchat", "greet", text="你叫什么"),
]


def test_intent_report_has_rasa_shape() -> None:
    report = intent_report(PREDICTIONS)

    assert set(report) == {"chitchat", "goodbye", "greet", "accuracy", "macro avg",
                           "weighted avg"}
    for label in ("chitchat", "goodbye", "greet", "macro avg", "weighted avg"):
        assert {"precision", "recall", "f1-score", "support"} <= set(report[label])
    assert report["greet"]["support"] == 3
    assert report["greet"]["recall"] == pytest.approx(2 / 3)
    assert report["goodbye"]["precision"] == pytest.approx(2 / 3)
    assert report["accuracy"] == pytest.approx(5 / 6)
    assert report["macro avg"]["support"] == 6
    json.dumps(report)


def test_intent_report_ignores_fallback_and_retrieval_keys() -> None:
    fallback, retrieval = PREDICTIONS[4], PREDICTIONS[5]

    assert fallback.predicted_intent == "goodbye"
    assert retrieval.gold_intent == "chitchat"
    assert "nlu_fallback" not in intent_report(PREDICTIONS)


def test_intent_report_lists_what_an_intent_is_confused_with() -> None:
    report = intent_report(PREDICTIONS)

    assert report["greet"]["confused_with"] == {"goodbye": 1}
    assert report["goodbye"]["confused_with"] == {}


def test_intent_report_of_perfect_predictions_has_accuracy_one() -> None:
    report = intent_report([prediction("a", "a"), prediction("b", "b")])

    assert report["accuracy"] == 1.0
    assert report["weighted avg"]["f1-score"] == 1.0


def test_intent_errors_list_the_wrong_predictions() -> None:
    errors = intent_errors(PREDICTIONS)

    assert errors == [
        {"text": "哈喽", "intent": "greet",
         "intent_prediction": {"name": "goodbye", "confidence": pytest.approx(0.9)}},
    ]


GOLD = (EntityAnnotation("duration", 1, 3, "3天"), EntityAnnotation("leave_type", 3, 5, "年假"))


def test_entity_report_scores_exact_spans_per_type_and_overall() -> None:
    found = (
        ExtractedEntity("duration", 1, 3, 3, "ChineseValueExtractor"),
        ExtractedEntity("leave_type", 3, 4, "年", "CRFEntityExtractor"),
        ExtractedEntity("date", 0, 1, "2026-11-22", "ChineseValueExtractor"),
    )
    predictions = [prediction("x", "x", entities=found, gold_entities=GOLD, text="请3天年假")]

    report = entity_report(predictions)

    assert report["duration"] == {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 1}
    assert report["leave_type"]["recall"] == 0.0
    assert report["date"]["precision"] == 0.0
    assert report["micro avg"]["precision"] == pytest.approx(1 / 3)
    assert report["micro avg"]["recall"] == pytest.approx(1 / 2)
    assert report["macro avg"]["support"] == 2
    only_crf = entity_report(predictions, "CRFEntityExtractor")
    assert set(only_crf) == {"duration", "leave_type", "micro avg", "macro avg"}
    assert only_crf["duration"]["recall"] == 0.0


def test_entity_errors_list_examples_whose_spans_differ() -> None:
    right = prediction("x", "x", text="请3天年假", gold_entities=GOLD, entities=tuple(
        ExtractedEntity(a.entity, a.start, a.end, a.value, "CRFEntityExtractor") for a in GOLD))
    wrong = prediction("x", "x", text="请3天年假", gold_entities=GOLD)

    errors = entity_errors([right, wrong])

    assert len(errors) == 1
    assert errors[0]["predicted_entities"] == []
    assert [e["entity"] for e in errors[0]["entities"]] == ["duration", "leave_type"]


def test_write_reports_writes_every_report_and_chart(tmp_path: Path) -> None:
    found = (ExtractedEntity("duration", 1, 3, 3, "ChineseValueExtractor"),)
    predictions = [*PREDICTIONS,
                   prediction("x", "x", entities=found, gold_entities=GOLD, text="请3天年假")]

    report = write_reports(predictions, tmp_path / "out")

    out = tmp_path / "out"
    assert json.loads((out / "intent_report.json").read_text(encoding="utf-8")) == report
    assert json.loads((out / "errors.json").read_text(encoding="utf-8"))[0]["text"] == "哈喽"
    assert "micro avg" in json.loads((out / "entity_report.json").read_text(encoding="utf-8"))
    assert (out / "ChineseValueExtractor_report.json").exists()
    assert (out / "entity_errors.json").exists()
    for chart in ("intent_confusion_matrix.png", "intent_histogram.png"):
        assert (out / chart).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_predict_parses_every_example_with_the_reference_time() -> None:
    seen = []

    def parse(text: str, moment: object) -> ParseResult:
        seen.append((text, moment))
        return ParseResult(text, IntentPrediction("a", 1.0))

    data = TrainingData((TrainingExample("一", "a"), TrainingExample("二", "b")))

    predictions = predict(parse, data, REFERENCE_TIME)

    assert seen == [("一", REFERENCE_TIME), ("二", REFERENCE_TIME)]
    assert [p.example.text for p in predictions] == ["一", "二"]


def folds_data() -> TrainingData:
    sizes = {"a": 7, "b": 4, "c": 2, "d/x": 3}
    return TrainingData(tuple(
        TrainingExample(f"{intent}-{i}", intent) for intent, n in sizes.items() for i in range(n)
    ))


@pytest.mark.parametrize("folds", [2, 3, 4])
def test_stratified_folds_are_disjoint_and_cover_the_data(folds: int) -> None:
    data = folds_data()

    splits = stratified_folds(data, folds)

    assert len(splits) == folds
    tests = [set(test.examples) for _, test in splits]
    for first in range(folds):
        for second in range(first + 1, folds):
            assert not tests[first] & tests[second]
    assert set().union(*tests) == set(data.examples)
    assert sum(len(t) for t in tests) == len(data.examples)
    for train, test in splits:
        assert set(train.examples) == set(data.examples) - set(test.examples)


@pytest.mark.parametrize("folds", [2, 3, 4])
def test_stratified_folds_put_every_intent_in_every_fold_when_it_has_enough(folds: int) -> None:
    data = folds_data()
    counts = data.intent_counts()

    splits = stratified_folds(data, folds)

    for _, test in splits:
        present = Counter(e.intent for e in test.examples)
        for intent, count in counts.items():
            if count >= folds:
                assert present[intent] >= 1, (intent, folds)
                assert present[intent] in (count // folds, -(-count // folds))


def test_stratified_folds_are_reproducible_and_keep_synonyms() -> None:
    from hrbot.shared.nlu.training_data import Synonym

    data = TrainingData(folds_data().examples, synonyms=(Synonym("年休假", "年假"),))

    first, second = stratified_folds(data, 3), stratified_folds(data, 3)

    assert [t.examples for _, t in first] == [t.examples for _, t in second]
    assert all(train.synonyms == data.synonyms for train, _ in first)
