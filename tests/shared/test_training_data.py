"""TrainingData: merging parts of several files, and a content fingerprint."""

from __future__ import annotations

from hrbot.shared.nlu.training_data import (
    EntityAnnotation,
    LookupTable,
    RegexPattern,
    SourceRef,
    Synonym,
    TrainingData,
    TrainingExample,
    merge_training_data,
)


def example(text: str, intent: str, *entities: EntityAnnotation,
            source: SourceRef | None = None) -> TrainingExample:
    return TrainingExample(text, intent, tuple(entities), source)


FIRST = TrainingData(
    examples=(
        example("我还剩几天年假", "leave_balance", EntityAnnotation("leave_type", 5, 7, "年假")),
        example("你好", "greet"),
    ),
    synonyms=(Synonym("年休假", "年假"),),
    regexes=(RegexPattern("employee_id", r"E\d{5}"),),
    lookups=(LookupTable("leave_type", ("年假", "病假")),),
)
SECOND = TrainingData(
    examples=(example("你好", "greet"), example("再见", "goodbye")),
    synonyms=(Synonym("带薪年假", "年假"),),
    lookups=(LookupTable("leave_type", ("病假", "事假")),),
)


def test_training_data_merge_keeps_exact_duplicate_examples_once() -> None:
    merged = merge_training_data([FIRST, SECOND])

    assert [(e.text, e.intent) for e in merged.examples] == [
        ("我还剩几天年假", "leave_balance"), ("你好", "greet"), ("再见", "goodbye")
    ]


def test_training_data_merge_keeps_the_same_text_under_different_intents() -> None:
    merged = merge_training_data(
        [TrainingData((example("好", "affirm"),)), TrainingData((example("好", "greet"),))]
    )

    assert [e.intent for e in merged.examples] == ["affirm", "greet"]


def test_training_data_merge_joins_lookup_tables_of_the_same_name_without_repeats() -> None:
    merged = merge_training_data([FIRST, SECOND])

    (table,) = merged.lookups
    assert table.name == "leave_type"
    assert table.elements == ("年假", "病假", "事假")


def test_training_data_merge_keeps_every_synonym_and_regex() -> None:
    merged = merge_training_data([FIRST, SECOND])

    assert merged.synonym_map() == {"年休假": "年假", "带薪年假": "年假"}
    assert [r.name for r in merged.regexes] == ["employee_id"]


def test_training_data_fingerprint_is_stable_under_reordering() -> None:
    reordered = TrainingData(
        examples=tuple(reversed(FIRST.examples)),
        synonyms=tuple(reversed(FIRST.synonyms)),
        regexes=FIRST.regexes,
        lookups=(LookupTable("leave_type", ("病假", "年假")),),
    )

    assert reordered.fingerprint() == FIRST.fingerprint()


def test_training_data_fingerprint_ignores_where_the_data_was_written() -> None:
    moved = FIRST.with_examples(
        TrainingExample(e.text, e.intent, e.entities, SourceRef("other.yml", 99))
        for e in FIRST.examples
    )

    assert moved.fingerprint() == FIRST.fingerprint()


def test_training_data_fingerprint_changes_when_content_changes() -> None:
    base = FIRST.fingerprint()
    changed = [
        FIRST.with_examples((*FIRST.examples, example("早上好", "greet"))),
        FIRST.with_examples(
            (example("我还剩几天年假", "leave_balance"), *FIRST.examples[1:])
        ),
        FIRST.with_examples(
            (example("我还剩几天年假", "leave_balance",
                     EntityAnnotation("leave_type", 5, 7, "annual")), *FIRST.examples[1:])
        ),
        FIRST.with_examples((example("你好", "greet_other"), *FIRST.examples[:1])),
        TrainingData(FIRST.examples, (Synonym("年休假", "annual"),), FIRST.regexes, FIRST.lookups),
        TrainingData(FIRST.examples, FIRST.synonyms, (RegexPattern("employee_id", r"E\d{6}"),),
                     FIRST.lookups),
        TrainingData(FIRST.examples, FIRST.synonyms, FIRST.regexes,
                     (LookupTable("leave_type", ("年假",)),)),
    ]

    fingerprints = [data.fingerprint() for data in changed]

    assert base not in fingerprints
    assert len(set(fingerprints)) == len(fingerprints)


def test_training_data_intents_entity_types_and_counts() -> None:
    merged = merge_training_data([FIRST, SECOND])

    assert merged.intents == ["goodbye", "greet", "leave_balance"]
    assert merged.entity_types == ["leave_type"]
    assert merged.intent_counts() == {"goodbye": 1, "greet": 1, "leave_balance": 1}


def test_training_data_synonym_map_is_case_insensitive_and_later_definitions_win() -> None:
    data = TrainingData(
        synonyms=(Synonym("Annual Leave", "annual"), Synonym("年休", "a"), Synonym("年休", "b"))
    )

    assert data.synonym_map() == {"annual leave": "annual", "年休": "b"}


def test_training_data_entity_annotation_to_dict_omits_missing_role_and_group() -> None:
    assert EntityAnnotation("city", 0, 2, "北京").to_dict() == {
        "entity": "city", "start": 0, "end": 2, "value": "北京"
    }
    assert EntityAnnotation("city", 0, 2, "北京", "from", "1").to_dict()["role"] == "from"
