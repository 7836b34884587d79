"""EntityFeaturizer: intent features from the entities found in a message."""

from __future__ import annotations

from pathlib import Path

from hrbot.nlu.builtins import builtin_registry
from hrbot.nlu.component import ParseContext, TrainContext
from hrbot.nlu.components.entity_featurizer import EntityFeaturizer
from hrbot.nlu.doc import NLUDoc
from hrbot.nlu.pipeline import NLUPipeline
from hrbot.nlu.pipeline_config import resolve_pipeline
from hrbot.shared.nlu.parse_result import ExtractedEntity
from hrbot.shared.nlu.training_data import TrainingData, TrainingExample
from hrbot_test_support import REFERENCE_TIME

CONTEXT = ParseContext(REFERENCE_TIME)


def _doc(text: str, *entities: tuple[str, int, int]) -> NLUDoc:
    doc = NLUDoc(text)
    doc.entities = [ExtractedEntity(e, s, t, text[s:t], "test") for e, s, t in entities]
    return doc


def _trained(tmp_path: Path, *docs: NLUDoc) -> EntityFeaturizer:
    featurizer = EntityFeaturizer()
    data = TrainingData(tuple(TrainingExample(doc.text, "x") for doc in docs))
    featurizer.train(data, list(docs), TrainContext(REFERENCE_TIME, lambda m: None, tmp_path))
    return featurizer


def test_entity_featurizer_replaces_each_entity_with_a_placeholder_of_its_type(
    tmp_path: Path,
) -> None:
    featurizer = _trained(tmp_path, _doc("请3天年假", ("duration", 1, 3), ("leave_type", 3, 5)))

    first = featurizer.delexicalise(_doc("请3天年假", ("duration", 1, 3), ("leave_type", 3, 5)))
    second = featurizer.delexicalise(_doc("请五天婚假", ("duration", 1, 3), ("leave_type", 3, 5)))

    assert first == second
    assert len(first) == 3 and first[0] == "请"


def test_entity_featurizer_gives_unseen_values_the_features_of_seen_ones(tmp_path: Path) -> None:
    featurizer = _trained(tmp_path, _doc("请3天年假", ("duration", 1, 3), ("leave_type", 3, 5)))
    seen = _doc("请3天年假", ("duration", 1, 3), ("leave_type", 3, 5))
    unseen = _doc("请五天婚假", ("duration", 1, 3), ("leave_type", 3, 5))

    featurizer.process(seen, CONTEXT)
    featurizer.process(unseen, CONTEXT)

    a, b = seen.features["EntityFeaturizer"], unseen.features["EntityFeaturizer"]
    assert sorted(a.indices.tolist()) == sorted(b.indices.tolist())
    assert abs(float((b.values**2).sum()) - 1.0) < 1e-5


def test_entity_featurizer_round_trips(tmp_path: Path) -> None:
    featurizer = _trained(tmp_path, _doc("明天请假", ("date", 0, 2)))
    folder = tmp_path / "saved"
    folder.mkdir()
    featurizer.persist(folder)
    loaded = EntityFeaturizer.load(featurizer.options, folder)

    before, after = _doc("明天请假", ("date", 0, 2)), _doc("明天请假", ("date", 0, 2))
    featurizer.process(before, CONTEXT)
    loaded.process(after, CONTEXT)

    assert before.features["EntityFeaturizer"].indices.tolist() == (
        after.features["EntityFeaturizer"].indices.tolist())


def test_pipeline_trains_the_entity_featurizer_on_predicted_entities(tmp_path: Path) -> None:
    # no annotations at all: "date" can only come from the rule extractor tagging the
    # training examples, which the pipeline does because an entity consumer follows it
    data = TrainingData(tuple(
        TrainingExample(text, intent) for text, intent in [
            ("明天请假", "request_leave"), ("后天请假", "request_leave"),
            ("年假还剩几天", "leave_balance"), ("还有几天年假", "leave_balance"),
        ]
    ))
    items = [
        {"name": "JiebaTokenizer"},
        {"name": "ChineseValueExtractor", "dimensions": ["date"]},
        {"name": "EntityFeaturizer"},
        {"name": "LinearIntentClassifier"},
    ]
    pipeline = NLUPipeline.from_config(resolve_pipeline(items, builtin_registry()))
    pipeline.train(data, TrainContext(REFERENCE_TIME, lambda m: None, tmp_path, tmp_path))

    featurizer = pipeline.components[2].component
    assert isinstance(featurizer, EntityFeaturizer)
    assert featurizer.entity_types == ["date"]
    assert pipeline.parse("大后天请假", REFERENCE_TIME).intent.name == "request_leave"


def test_entity_featurizer_places_placeholders_right_after_characters_whose_lower_case_is_longer(
    tmp_path: Path,
) -> None:
    text = "İİ请3天年假"
    assert len(text.lower()) != len(text)
    featurizer = _trained(tmp_path, _doc(text, ("duration", 3, 5), ("leave_type", 5, 7)))

    delexicalised = featurizer.delexicalise(_doc(text, ("duration", 3, 5), ("leave_type", 5, 7)))

    assert delexicalised[:3] == "İİ请"
    assert len(delexicalised) == 5
