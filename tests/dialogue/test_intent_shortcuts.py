"""Rasa's `/intent{...}` message shortcuts."""

import pytest

from hrbot.dialogue.shortcuts import ShortcutError, parse_shortcut

KNOWN = {"greet", "request_leave", "inform"}


def test_a_bare_shortcut_triggers_the_intent_with_full_confidence() -> None:
    result = parse_shortcut("/greet", KNOWN)
    assert result is not None
    assert result.intent.name == "greet"
    assert result.intent.confidence == 1.0
    assert result.entities == ()


def test_entities_given_as_json_are_attached_to_the_message() -> None:
    result = parse_shortcut('/request_leave{"leave_type": "annual", "duration": 3}', KNOWN)
    assert result is not None
    assert {(e.entity, e.value) for e in result.entities} == {("leave_type", "annual"), ("duration", 3)}


def test_a_list_value_gives_one_entity_per_item() -> None:
    result = parse_shortcut('/inform{"date": ["2026-11-23", "2026-11-24"]}', KNOWN)
    assert result is not None
    assert [e.value for e in result.entities] == ["2026-11-23", "2026-11-24"]


def test_a_confidence_after_at_sign_is_used() -> None:
    result = parse_shortcut("/greet@0.4", KNOWN)
    assert result is not None and result.intent.confidence == pytest.approx(0.4)


def test_text_that_names_no_known_intent_is_not_a_shortcut() -> None:
    assert parse_shortcut("/etc/passwd", KNOWN) is None
    assert parse_shortcut("/unknown_intent", KNOWN) is None
    assert parse_shortcut("我想请假 /greet", KNOWN) is None


def test_malformed_entity_json_is_reported_with_an_example() -> None:
    with pytest.raises(ShortcutError, match="must be JSON"):
        parse_shortcut("/greet{leave_type: annual}", KNOWN)


def test_entity_values_must_be_plain_and_short() -> None:
    with pytest.raises(ShortcutError, match="must be a string"):
        parse_shortcut('/inform{"leave_type": {"$ne": 1}}', KNOWN)
    with pytest.raises(ShortcutError, match="must be a string"):
        parse_shortcut('/inform{"leave_type": "' + "x" * 500 + '"}', KNOWN)
    with pytest.raises(ShortcutError, match="at most 10 entities"):
        parse_shortcut("/inform{" + ",".join(f'"e{i}": 1' for i in range(11)) + "}", KNOWN)
