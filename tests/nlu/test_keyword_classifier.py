"""KeywordIntentClassifier: an intent when one of its examples occurs in the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrbot.nlu.component import ParseContext, TrainContext
from hrbot.nlu.components.keyword_classifier import KeywordIntentClassifier
from hrbot.nlu.doc import NLUDoc
from hrbot.shared.nlu.training_data import TrainingData, TrainingExample
from hrbot_test_support import REFERENCE_TIME

CONTEXT = ParseContext(REFERENCE_TIME)


@pytest.fixture
def classifier(tmp_path: Path) -> KeywordIntentClassifier:
    data = TrainingData((
        TrainingExample("hello", "greet"),
        TrainingExample("年假", "leave_balance"),
        TrainingExample("年假申请", "request_leave"),
    ))
    component = KeywordIntentClassifier()
    component.train(data, [], TrainContext(REFERENCE_TIME, lambda m: None, tmp_path))
    return component


def _intent(classifier: KeywordIntentClassifier, text: str) -> str | None:
    doc = NLUDoc(text)
    classifier.process(doc, CONTEXT)
    assert doc.intent is not None
    return doc.intent.name


def test_keyword_classifier_prefers_the_longest_keyword(
    classifier: KeywordIntentClassifier,
) -> None:
    assert _intent(classifier, "帮我提交年假申请") == "request_leave"
    assert _intent(classifier, "还剩几天年假") == "leave_balance"


def test_keyword_classifier_matches_ascii_keywords_next_to_chinese_but_not_inside_words(
    classifier: KeywordIntentClassifier,
) -> None:
    assert _intent(classifier, "hello你好") == "greet"
    assert _intent(classifier, "othello") is None


def test_keyword_classifier_round_trips(classifier: KeywordIntentClassifier, tmp_path: Path) -> None:
    classifier.persist(tmp_path)
    loaded = KeywordIntentClassifier.load(classifier.options, tmp_path)
    assert _intent(loaded, "年假申请") == "request_leave"
