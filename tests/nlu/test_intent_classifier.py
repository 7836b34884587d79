"""LinearIntentClassifier (calibrated linear model over sparse features) and
FallbackClassifier (nlu_fallback when unsure)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hrbot.nlu.component import ParseContext
from hrbot.nlu.components.intent_classifier import FallbackClassifier, LinearIntentClassifier
from hrbot.nlu.doc import NLUDoc
from hrbot.shared.nlu.parse_result import NLU_FALLBACK_INTENT, IntentPrediction
from hrbot_test_support import REFERENCE_TIME

CONTEXT = ParseContext(REFERENCE_TIME)
PIPELINE = [
    {"name": "WhitespaceTokenizer"},
    {"name": "NgramFeaturizer", "analyzer": "char", "min_ngram": 1, "max_ngram": 2},
    {"name": "LinearIntentClassifier"},
]

TOY = """\
nlu:
- intent: greet
  examples: |
    - 你好
    - 您好
    - 你好呀
    - 早上好你好
    - 你们好
    - 大家好
- intent: goodbye
  examples: |
    - 再见
    - 拜拜
    - 再见了
    - 下次再见
    - 拜拜啦
    - 好的再见
- intent: leave
  examples: |
    - 请年假
    - 年假还有几天
    - 我要请年假
    - 请三天年假
    - 年假余额
    - 请假年假
"""

RETRIEVAL = """\
nlu:
- intent: chitchat/ask_name
  examples: |
    - 你叫什么名字
    - 你的名字是什么
    - 怎么称呼你
    - 你叫啥
- intent: chitchat/ask_weather
  examples: |
    - 今天天气怎么样
    - 外面下雨吗
    - 天气好不好
    - 明天会下雨吗
- intent: leave
  examples: |
    - 请年假
    - 年假还有几天
    - 我要请年假
    - 请三天年假
"""


def classifier_of(pipeline: Any) -> LinearIntentClassifier:
    (component,) = [c.component for c in pipeline.components
                    if isinstance(c.component, LinearIntentClassifier)]
    return component


@pytest.fixture(scope="module")
def toy_pipeline(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Any:
    from hrbot.nlu.builtins import builtin_registry
    from hrbot.nlu.component import TrainContext
    from hrbot.nlu.pipeline import NLUPipeline
    from hrbot.nlu.pipeline_config import resolve_pipeline
    from hrbot.shared.nlu.rasa_yaml import training_data_from_document
    from hrbot.shared.yaml_reader import parse_yaml_text

    data = training_data_from_document(parse_yaml_text(TOY, "toy.yml"))
    pipeline = NLUPipeline.from_config(resolve_pipeline(PIPELINE, builtin_registry()))
    pipeline.train(data, TrainContext(REFERENCE_TIME, lambda m: None,
                                      tmp_path_factory.mktemp("toy"), cache_dir))
    return pipeline


@pytest.mark.parametrize(
    ("text", "intent"),
    [("你好啊", "greet"), ("大家好呀", "greet"), ("拜拜了", "goodbye"), ("再见啦", "goodbye"),
     ("我想请年假", "leave"), ("年假几天", "leave")],
)
def test_linear_intent_classifier_learns_a_separable_toy_set(
    toy_pipeline: Any, text: str, intent: str
) -> None:
    result = toy_pipeline.parse(text, REFERENCE_TIME)

    assert result.intent.name == intent


def test_linear_intent_classifier_ranking_is_sorted_and_sums_to_one(toy_pipeline: Any) -> None:
    for text in ["你好啊", "拜拜了", "我想请年假", "完全无关的句子"]:
        result = toy_pipeline.parse(text, REFERENCE_TIME)
        confidences = [item.confidence for item in result.intent_ranking]

        assert sorted(r.name for r in result.intent_ranking) == ["goodbye", "greet", "leave"]
        assert confidences == sorted(confidences, reverse=True)
        assert sum(confidences) == pytest.approx(1.0, abs=1e-4)
        assert result.intent == result.intent_ranking[0]
        assert all(0.0 <= c <= 1.0 for c in confidences)


def test_linear_intent_classifier_ranking_length_limits_the_ranking(toy_pipeline: Any) -> None:
    classifier = classifier_of(toy_pipeline)
    short = LinearIntentClassifier({**classifier.options, "ranking_length": 1})
    short.classes, short.layout = classifier.classes, classifier.layout
    short.weights, short.bias, short.temperature = (
        classifier.weights, classifier.bias, classifier.temperature)
    doc = NLUDoc("你好啊")
    for named in toy_pipeline.components[:-1]:
        named.component.process(doc, CONTEXT)

    short.process(doc, CONTEXT)

    assert [item.name for item in doc.intent_ranking] == ["greet"]


def test_linear_intent_classifier_ranking_length_zero_reports_every_intent(
    toy_pipeline: Any,
) -> None:
    classifier = classifier_of(toy_pipeline)
    everything = LinearIntentClassifier({**classifier.options, "ranking_length": 0})
    everything.classes, everything.layout = classifier.classes, classifier.layout
    everything.weights, everything.bias, everything.temperature = (
        classifier.weights, classifier.bias, classifier.temperature)
    doc = NLUDoc("你好啊")
    for named in toy_pipeline.components[:-1]:
        named.component.process(doc, CONTEXT)

    everything.process(doc, CONTEXT)

    assert sorted(item.name for item in doc.intent_ranking) == ["goodbye", "greet", "leave"]


def test_linear_intent_classifier_persist_and_load_give_identical_scores(
    toy_pipeline: Any, tmp_path: Path
) -> None:
    classifier = classifier_of(toy_pipeline)
    classifier.persist(tmp_path)

    loaded = LinearIntentClassifier.load(classifier.options, tmp_path)

    assert loaded.classes == classifier.classes
    assert loaded.temperature == classifier.temperature
    for text in ["你好啊", "拜拜了", "我想请年假", "无关"]:
        doc = NLUDoc(text)
        for named in toy_pipeline.components[:-1]:
            named.component.process(doc, CONTEXT)
        np.testing.assert_array_equal(loaded.scores(doc), classifier.scores(doc))


def test_linear_intent_classifier_single_intent_data_always_predicts_it(
    train_pipeline: Callable[..., Any], nlu_data: Callable[[str], Any]
) -> None:
    data = nlu_data("nlu:\n- intent: only\n  examples: |\n    - 你好\n    - 早上好\n")

    pipeline = train_pipeline(PIPELINE, data)

    for text in ["你好", "完全无关", ""]:
        result = pipeline.parse(text, REFERENCE_TIME)
        assert result.intent == IntentPrediction("only", 1.0)
        assert result.intent_ranking == (IntentPrediction("only", 1.0),)


def test_linear_intent_classifier_two_intents_work(
    train_pipeline: Callable[..., Any], nlu_data: Callable[[str], Any]
) -> None:
    data = nlu_data(TOY.split("- intent: leave")[0])

    pipeline = train_pipeline(PIPELINE, data)

    assert pipeline.parse("你好啊", REFERENCE_TIME).intent.name == "greet"
    assert pipeline.parse("再见啦", REFERENCE_TIME).intent.name == "goodbye"


def test_linear_intent_classifier_logreg_model_learns_too(
    train_pipeline: Callable[..., Any], nlu_data: Callable[[str], Any]
) -> None:
    pipeline = train_pipeline(
        [*PIPELINE[:-1], {"name": "LinearIntentClassifier", "model": "logreg"}], nlu_data(TOY)
    )

    assert pipeline.parse("我想请年假", REFERENCE_TIME).intent.name == "leave"


def test_linear_intent_classifier_unknown_model_is_an_invalid_project_error() -> None:
    from hrbot.shared.errors import InvalidProjectError

    with pytest.raises(InvalidProjectError, match="model 'forest' is not known"):
        LinearIntentClassifier({"model": "forest"})


def test_linear_intent_classifier_retrieval_intents_are_classified_by_their_base_name(
    train_pipeline: Callable[..., Any], nlu_data: Callable[[str], Any]
) -> None:
    pipeline = train_pipeline(PIPELINE, nlu_data(RETRIEVAL))

    assert classifier_of(pipeline).classes == ["chitchat", "leave"]
    assert pipeline.parse("你叫什么", REFERENCE_TIME).intent.name == "chitchat"
    assert pipeline.parse("明天下雨吗", REFERENCE_TIME).intent.name == "chitchat"
    assert pipeline.parse("我要请三天年假", REFERENCE_TIME).intent.name == "leave"


def doc_with(*ranking: tuple[str, float]) -> NLUDoc:
    doc = NLUDoc("text")
    doc.intent_ranking = [IntentPrediction(name, confidence) for name, confidence in ranking]
    doc.intent = doc.intent_ranking[0] if ranking else None
    return doc


def test_fallback_classifier_below_threshold_predicts_nlu_fallback_and_keeps_ranking() -> None:
    doc = doc_with(("greet", 0.25), ("goodbye", 0.05))

    FallbackClassifier({"threshold": 0.3, "ambiguity_threshold": 0.1}).process(doc, CONTEXT)

    assert doc.intent == IntentPrediction(NLU_FALLBACK_INTENT, 0.3)
    assert doc.intent_ranking == [
        IntentPrediction(NLU_FALLBACK_INTENT, 0.3),
        IntentPrediction("greet", 0.25),
        IntentPrediction("goodbye", 0.05),
    ]


def test_fallback_classifier_two_close_intents_are_ambiguous() -> None:
    doc = doc_with(("greet", 0.48), ("goodbye", 0.42), ("leave", 0.10))

    FallbackClassifier({"threshold": 0.3, "ambiguity_threshold": 0.1}).process(doc, CONTEXT)

    assert doc.intent is not None
    assert doc.intent.name == NLU_FALLBACK_INTENT
    assert doc.intent.confidence == 0.3
    assert [item.name for item in doc.intent_ranking] == [
        NLU_FALLBACK_INTENT, "greet", "goodbye", "leave"
    ]


def test_fallback_classifier_keeps_a_confident_clear_intent() -> None:
    doc = doc_with(("greet", 0.7), ("goodbye", 0.2))
    before = list(doc.intent_ranking)

    FallbackClassifier({"threshold": 0.3, "ambiguity_threshold": 0.1}).process(doc, CONTEXT)

    assert doc.intent == IntentPrediction("greet", 0.7)
    assert doc.intent_ranking == before


def test_fallback_classifier_threshold_is_inclusive_of_its_value() -> None:
    at_threshold = doc_with(("greet", 0.3))
    at_margin = doc_with(("greet", 0.6), ("goodbye", 0.5))

    FallbackClassifier({"threshold": 0.3, "ambiguity_threshold": 0.0}).process(
        at_threshold, CONTEXT)
    FallbackClassifier({"threshold": 0.3, "ambiguity_threshold": 0.05}).process(
        at_margin, CONTEXT)

    assert at_threshold.intent == IntentPrediction("greet", 0.3)
    assert at_margin.intent == IntentPrediction("greet", 0.6)


def test_fallback_classifier_without_an_intent_does_nothing() -> None:
    doc = NLUDoc("text")

    FallbackClassifier().process(doc, CONTEXT)

    assert doc.intent is None
    assert doc.intent_ranking == []


def test_fallback_classifier_uses_rasa_defaults() -> None:
    doc = doc_with(("greet", 0.29), ("goodbye", 0.01))

    FallbackClassifier().process(doc, CONTEXT)

    assert doc.intent == IntentPrediction(NLU_FALLBACK_INTENT, 0.3)
