"""Rasa's inline entity annotations in training examples."""

from __future__ import annotations

import pytest

from hrbot.shared.nlu.annotations import parse_annotated_text
from hrbot.shared.nlu.training_data import EntityAnnotation


def test_annotations_plain_text_has_no_entities_and_no_errors() -> None:
    parsed = parse_annotated_text("我还剩几天年假")

    assert parsed.text == "我还剩几天年假"
    assert parsed.entities == ()
    assert parsed.errors == ()


def test_annotations_entity_form_uses_the_surface_as_value() -> None:
    parsed = parse_annotated_text("我还剩几天[年假](leave_type)")

    assert parsed.text == "我还剩几天年假"
    assert parsed.entities == (EntityAnnotation("leave_type", 5, 7, "年假"),)
    assert parsed.errors == ()


def test_annotations_entity_value_form_sets_the_value() -> None:
    parsed = parse_annotated_text("剩余[年休假](leave_type:annual)天数")

    assert parsed.text == "剩余年休假天数"
    assert parsed.entities == (EntityAnnotation("leave_type", 2, 5, "annual"),)


def test_annotations_json_form_reads_entity_value_role_and_group() -> None:
    parsed = parse_annotated_text(
        '从[北京]{"entity": "city", "value": "Beijing", "role": "from", "group": "1"}出发'
    )

    assert parsed.text == "从北京出发"
    assert parsed.entities == (EntityAnnotation("city", 1, 3, "Beijing", "from", "1"),)
    assert parsed.errors == ()


def test_annotations_json_form_without_value_uses_the_surface() -> None:
    parsed = parse_annotated_text('[病假]{"entity": "leave_type"}')

    assert parsed.entities == (EntityAnnotation("leave_type", 0, 2, "病假"),)


def test_annotations_list_form_puts_several_entities_on_one_span() -> None:
    parsed = parse_annotated_text(
        '去[上海][{"entity": "city", "role": "to"}, {"entity": "location"}]出差'
    )

    assert parsed.text == "去上海出差"
    assert parsed.entities == (
        EntityAnnotation("city", 1, 3, "上海", role="to"),
        EntityAnnotation("location", 1, 3, "上海"),
    )
    assert parsed.errors == ()


def test_annotations_offsets_are_right_with_several_entities() -> None:
    annotated = (
        '[明天](date)请[3天](duration)[年假](leave_type:annual)，'
        '[下周一]{"entity": "date"}回来'
    )

    parsed = parse_annotated_text(annotated)

    assert parsed.text == "明天请3天年假，下周一回来"
    assert [(a.entity, parsed.text[a.start : a.end]) for a in parsed.entities] == [
        ("date", "明天"),
        ("duration", "3天"),
        ("leave_type", "年假"),
        ("date", "下周一"),
    ]
    assert parsed.entities[2].value == "annual"
    assert parsed.errors == ()


def test_annotations_offsets_count_characters_not_bytes() -> None:
    parsed = parse_annotated_text("😂 emoji then [annual leave](leave_type)")

    (entity,) = parsed.entities
    assert parsed.text[entity.start : entity.end] == "annual leave"


@pytest.mark.parametrize(
    "annotated",
    ["请[年假(leave_type)", "请年假](leave_type)", "[年假] 没有实体", "[x]()"],
)
def test_annotations_unbalanced_brackets_are_an_error(annotated: str) -> None:
    parsed = parse_annotated_text(annotated)

    assert any("unbalanced annotation brackets" in error for error in parsed.errors)
    assert parsed.entities == ()


def test_annotations_bad_json_is_an_error_quoting_the_annotation() -> None:
    parsed = parse_annotated_text('[年假]{"entity": leave_type}')

    (error,) = parsed.errors
    assert "not valid JSON" in error
    assert '{"entity": leave_type}' in error
    assert parsed.entities == ()


def test_annotations_unknown_json_keys_are_an_error_naming_them() -> None:
    parsed = parse_annotated_text('[年假]{"entity": "leave_type", "colour": "red"}')

    (error,) = parsed.errors
    assert "unknown keys ['colour']" in error
    assert "allowed are ['entity', 'group', 'role', 'value']" in error


def test_annotations_json_without_entity_key_is_an_error() -> None:
    parsed = parse_annotated_text('[年假]{"value": "annual"}')

    (error,) = parsed.errors
    assert 'must be an object with an "entity" key' in error
    assert parsed.entities == ()


def test_annotations_entity_name_with_spaces_is_an_error() -> None:
    parsed = parse_annotated_text("[年假](leave type)")

    (error,) = parsed.errors
    assert "'leave type'" in error
    assert parsed.entities == ()


def test_annotations_every_error_of_an_example_is_reported() -> None:
    parsed = parse_annotated_text('[a]{"entity": oops} [b]{"value": 1} [c')

    assert len(parsed.errors) == 3
