"""RegexEntityExtractor (entities from regexes and lookup tables) and EntitySynonymMapper."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrbot.nlu.component import ParseContext, TrainContext
from hrbot.nlu.components.entity_extractors import EntitySynonymMapper, RegexEntityExtractor
from hrbot.nlu.doc import NLUDoc
from hrbot.shared.nlu.parse_result import ExtractedEntity
from hrbot.shared.nlu.training_data import (
    EntityAnnotation,
    LookupTable,
    RegexPattern,
    Synonym,
    TrainingData,
    TrainingExample,
)
from hrbot_test_support import REFERENCE_TIME

CONTEXT = ParseContext(REFERENCE_TIME)

DATA = TrainingData(
    examples=(
        TrainingExample("请年假", "request_leave", (EntityAnnotation("leave_type", 1, 3, "年假"),)),
        TrainingExample("打13800000000", "call", (EntityAnnotation("phone", 1, 12, "13800000000"),)),
    ),
    synonyms=(Synonym("年休假", "annual"), Synonym("Annual Leave", "annual")),
    regexes=(RegexPattern("employee_id", r"E\d{5}"), RegexPattern("phone", r"1\d{10}")),
    lookups=(
        LookupTable("leave_type", ("年假", "带薪年假", "sick leave")),
        LookupTable("department", ("技术部", "财务部")),
    ),
)


def extractor(context: TrainContext, **options: object) -> RegexEntityExtractor:
    component = RegexEntityExtractor(options)
    component.train(DATA, [], context)
    return component


def entities(component: RegexEntityExtractor, text: str) -> list[tuple[str, str]]:
    doc = NLUDoc(text)
    component.process(doc, CONTEXT)
    return [(e.entity, text[e.start : e.end]) for e in doc.entities]


def test_regex_entity_extractor_only_entity_named_patterns_extract(
    train_context: TrainContext,
) -> None:
    component = extractor(train_context)

    found = entities(component, "E12345 技术部 请年假 电话13800000000")

    assert sorted(found) == [("leave_type", "年假"), ("phone", "13800000000")]


def test_regex_entity_extractor_lookup_takes_the_longest_element(
    train_context: TrainContext,
) -> None:
    assert entities(extractor(train_context), "我想请带薪年假") == [("leave_type", "带薪年假")]


def test_regex_entity_extractor_ascii_elements_need_word_boundaries(
    train_context: TrainContext,
) -> None:
    component = extractor(train_context)

    assert entities(component, "homesick leaves") == []
    assert entities(component, "I need sick leave.") == [("leave_type", "sick leave")]
    assert entities(component, "请sick leave") == [("leave_type", "sick leave")]


def test_regex_entity_extractor_reports_extractor_value_and_confidence(
    train_context: TrainContext,
) -> None:
    doc = NLUDoc("请年假")

    extractor(train_context).process(doc, CONTEXT)

    assert doc.entities == [ExtractedEntity("leave_type", 1, 3, "年假", "RegexEntityExtractor", 1.0)]


def test_regex_entity_extractor_options_switch_off_regexes_or_lookups(
    train_context: TrainContext,
) -> None:
    text = "请年假 电话13800000000"

    assert entities(extractor(train_context, use_regexes=False), text) == [("leave_type", "年假")]
    assert entities(extractor(train_context, use_lookup_tables=False), text) == [
        ("phone", "13800000000")
    ]


def test_regex_entity_extractor_persist_and_load_keep_the_patterns(
    train_context: TrainContext, tmp_path: Path
) -> None:
    component = extractor(train_context)
    component.persist(tmp_path)

    loaded = RegexEntityExtractor.load(component.options, tmp_path)

    text = "带薪年假 13800000000"
    assert entities(loaded, text) == entities(component, text)


def mapped(mapper: EntitySynonymMapper, *found: ExtractedEntity) -> list[ExtractedEntity]:
    doc = NLUDoc("text")
    doc.entities = list(found)
    mapper.process(doc, CONTEXT)
    return doc.entities


def test_entity_synonym_mapper_replaces_surface_forms_with_canonical_values(
    train_context: TrainContext,
) -> None:
    mapper = EntitySynonymMapper()
    mapper.train(DATA, [], train_context)

    (entity,) = mapped(mapper, ExtractedEntity("leave_type", 0, 3, "年休假", "CRFEntityExtractor", 0.9))

    assert entity.value == "annual"
    assert entity.processors == ("EntitySynonymMapper",)
    assert (entity.entity, entity.start, entity.end, entity.extractor, entity.confidence) == (
        "leave_type", 0, 3, "CRFEntityExtractor", 0.9
    )


def test_entity_synonym_mapper_is_case_insensitive(train_context: TrainContext) -> None:
    mapper = EntitySynonymMapper()
    mapper.train(DATA, [], train_context)

    (entity,) = mapped(mapper, ExtractedEntity("leave_type", 0, 12, "ANNUAL leave", "x"))

    assert entity.value == "annual"


def test_entity_synonym_mapper_leaves_other_values_alone(train_context: TrainContext) -> None:
    mapper = EntitySynonymMapper()
    mapper.train(DATA, [], train_context)
    unknown = ExtractedEntity("leave_type", 0, 2, "病假", "x")
    structured = ExtractedEntity("date", 0, 2, {"from": "2026-11-22"}, "x")
    canonical = ExtractedEntity("leave_type", 0, 6, "annual", "x")

    assert mapped(mapper, unknown, structured, canonical) == [unknown, structured, canonical]


def test_entity_synonym_mapper_persist_and_load_keep_the_synonyms(
    train_context: TrainContext, tmp_path: Path
) -> None:
    mapper = EntitySynonymMapper()
    mapper.train(DATA, [], train_context)
    mapper.persist(tmp_path)

    loaded = EntitySynonymMapper.load({}, tmp_path)

    assert loaded.synonyms == {"年休假": "annual", "annual leave": "annual"}


@pytest.mark.parametrize("value", ["年休假", "带薪年假"])
def test_entity_synonym_mapper_uses_synonyms_from_annotations(
    value: str, nlu_data: object, train_context: TrainContext
) -> None:
    data = nlu_data(  # type: ignore[operator]
        "nlu:\n- intent: a\n  examples: |\n"
        "    - 剩余[年休假](leave_type:年假)\n    - [带薪年假]{\"entity\": \"leave_type\", "
        "\"value\": \"年假\"}\n"
    )
    mapper = EntitySynonymMapper()
    mapper.train(data, [], train_context)

    (entity,) = mapped(mapper, ExtractedEntity("leave_type", 0, len(value), value, "x"))

    assert entity.value == "年假"
