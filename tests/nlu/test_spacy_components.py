"""spaCy components: tokens and vectors from a spaCy pipeline named in the config."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from hrbot.nlu.builtins import builtin_registry
from hrbot.nlu.component import ParseContext, TrainContext
from hrbot.nlu.components.spacy_components import SpacyFeaturizer, SpacyTokenizer
from hrbot.nlu.doc import NLUDoc
from hrbot.nlu.pipeline import NLUPipeline
from hrbot.nlu.pipeline_config import resolve_pipeline
from hrbot.shared.nlu.training_data import TrainingData, TrainingExample

spacy = pytest.importorskip("spacy")

NOW = datetime(2026, 11, 21, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_spacy_tokenizer_uses_the_pipelines_tokens_with_offsets() -> None:
    tokenizer = SpacyTokenizer({"model": "blank:zh"})
    doc = NLUDoc("我想请3天年假")
    tokenizer.process(doc, ParseContext(NOW))
    assert [t.text for t in doc.tokens] == list("我想请3天年假")
    assert all(doc.text[t.start : t.end] == t.text for t in doc.tokens)


def test_spacy_featurizer_adds_nothing_when_the_pipeline_has_no_vectors() -> None:
    featurizer = SpacyFeaturizer({"model": "blank:zh"})
    doc = NLUDoc("年假")
    featurizer.process(doc, ParseContext(NOW))
    assert doc.features == {}


def test_spacy_featurizer_uses_the_pipelines_vectors(tmp_path: Path) -> None:
    nlp = spacy.blank("zh")
    nlp.vocab.set_vector("年", np.array([1.0, 0.0, 0.0], dtype=np.float32))
    nlp.vocab.set_vector("假", np.array([0.0, 1.0, 0.0], dtype=np.float32))
    nlp.to_disk(tmp_path / "pipeline")
    featurizer = SpacyFeaturizer({"model": str(tmp_path / "pipeline")})
    doc = NLUDoc("年假")
    featurizer.process(doc, ParseContext(NOW))
    features = doc.features["SpacyFeaturizer"]
    assert features.size == 3
    assert np.allclose(features.values, np.array([1, 1, 0]) / np.sqrt(2), atol=1e-6)


def test_a_rasa_spacy_config_trains_and_parses_with_a_blank_chinese_pipeline(
    tmp_path: Path,
) -> None:
    items = [
        {"name": "SpacyNLP", "model": "blank:zh"},
        {"name": "SpacyTokenizer"},
        {"name": "SpacyFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char", "min_ngram": 1, "max_ngram": 2},
        {"name": "DIETClassifier", "epochs": 10},
    ]
    resolved = resolve_pipeline(items, builtin_registry())
    assert [step.spec.name for step in resolved.steps][:2] == ["SpacyTokenizer", "SpacyFeaturizer"]
    assert resolved.steps[0].options["model"] == "blank:zh"
    examples = [
        TrainingExample(text, intent)
        for intent, texts in {
            "greet": ["你好", "您好啊", "早上好", "哈喽你好"],
            "leave_balance": ["年假还剩几天", "我还有几天年假", "调休还剩多少", "病假余额多少"],
        }.items()
        for text in texts
    ]
    pipeline = NLUPipeline.from_config(resolved)
    pipeline.train(TrainingData(tuple(examples)), TrainContext(NOW, lambda m: None, tmp_path))
    assert pipeline.parse("我年假还有几天", NOW).intent.name == "leave_balance"
    assert pipeline.parse("你好呀", NOW).intent.name == "greet"
