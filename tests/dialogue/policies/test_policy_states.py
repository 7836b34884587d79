"""A conversation featurised into Rasa's per-action states: user, prev_action, slots (per slot
type), active_loop; the same states for a story and for the live conversation."""

from __future__ import annotations

from typing import Any

import pytest

from hrbot.dialogue.states import (
    SHOULD_NOT_BE_SET,
    DomainStates,
    RuleOnlyData,
    past_states,
    state_key,
)
from hrbot.dialogue.story_graph import generate_trackers
from hrbot.shared.core.domain import Domain

DOMAIN = """\
version: "3.1"
intents:
  - greet
  - request_leave:
      use_entities: [leave_type]
  - chitchat:
      ignore_entities: [leave_type]
  - book_trip
  - inform
entities:
  - leave_type
  - duration
  - city:
      roles: [departure, destination]
  - employee_name:
      influence_conversation: false
slots:
  leave_type:
    type: text
  days:
    type: float
    min_value: 0
    max_value: 10
  urgent:
    type: bool
  level:
    type: categorical
    values: [Low, high]
  dates:
    type: list
  raw:
    type: any
    influence_conversation: false
  quiet:
    type: text
    influence_conversation: false
responses:
  utter_greet:
  - text: 你好
  utter_done:
  - text: 好的
forms:
  leave_form:
    required_slots: [leave_type]
"""

STORIES = """\
version: "3.1"
stories:
- story: leave with a form
  steps:
  - intent: greet
  - action: utter_greet
  - intent: request_leave
    entities:
    - leave_type: 年假
  - slot_was_set:
    - leave_type: 年假
  - action: leave_form
  - active_loop: leave_form
  - slot_was_set:
    - urgent: true
  - active_loop: null
  - action: utter_done
"""


@pytest.fixture
def domain(project: Any) -> Domain:
    domain, _ = project(DOMAIN, STORIES)
    return domain


def plain(states: Any) -> list[dict[str, dict[str, Any]]]:
    return [{key: dict(sub) for key, sub in state.items()} for state in states]


def test_states_have_one_state_per_action_and_one_for_now(domain: Domain, talk: Any) -> None:
    tracker = talk.conversation(domain, talk.user("greet"), talk.act("utter_greet"))
    assert plain(past_states(tracker, domain)) == [
        {},
        {"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}},
        {"user": {"intent": "greet"}, "prev_action": {"action_name": "utter_greet"}},
    ]


def test_states_are_read_only(domain: Domain, talk: Any) -> None:
    state = past_states(talk.conversation(domain, talk.user("greet")), domain)[-1]
    with pytest.raises(TypeError):
        state["user"] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        state["user"]["intent"] = "other"  # type: ignore[index]


def test_states_show_the_latest_message_until_the_next_one(domain: Domain, talk: Any) -> None:
    tracker = talk.conversation(domain, talk.user("greet"), talk.act("utter_greet"), talk.listen(),
                                talk.user("chitchat"))
    states = plain(past_states(tracker, domain))
    assert [s.get("user", {}).get("intent") for s in states] == [None, "greet", "greet", "chitchat"]


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("leave_type", "年假", (1.0,)),
    ("days", 4, (1.0, 0.4)),
    ("days", 25, (1.0, 1.0)),
    ("days", -3, (1.0, 0.0)),
    ("urgent", True, (1.0, 1.0)),
    ("urgent", False, (1.0, 0.0)),
    ("urgent", "true", (1.0, 1.0)),
    ("level", "low", (1.0, 0.0, 0.0)),
    ("level", "HIGH", (0.0, 1.0, 0.0)),
    ("level", "medium", (0.0, 0.0, 1.0)),
    ("dates", ["2026-11-21"], (1.0,)),
])
def test_slots_are_featurised_as_rasa_per_slot_type(
    domain: Domain, talk: Any, name: str, value: Any, expected: tuple[float, ...]
) -> None:
    tracker = talk.conversation(domain, talk.user("inform"), talk.slot(name, value))
    assert dict(past_states(tracker, domain)[-1]["slots"]) == {name: expected}


@pytest.mark.parametrize(("name", "value"), [
    ("raw", {"any": "thing"}), ("quiet", "set"), ("dates", []), ("leave_type", None), ("urgent", None),
    ("days", "many"),
])
def test_slots_that_do_not_influence_or_are_empty_stay_out_of_the_state(
    domain: Domain, talk: Any, name: str, value: Any
) -> None:
    tracker = talk.conversation(domain, talk.user("inform"), talk.slot(name, value))
    assert "slots" not in past_states(tracker, domain)[-1]


def test_a_slot_marked_should_not_be_set_appears_as_the_marker(domain: Domain, talk: Any) -> None:
    tracker = talk.conversation(domain, talk.slot("urgent", SHOULD_NOT_BE_SET))
    assert dict(past_states(tracker, domain)[-1]["slots"]) == {"urgent": SHOULD_NOT_BE_SET}


def test_unset_slots_are_omitted_only_when_asked(domain: Domain, project: Any, talk: Any) -> None:
    with_initial, _ = project(DOMAIN.replace("  urgent:\n    type: bool",
                                             "  urgent:\n    type: bool\n    initial_value: true"), STORIES)
    tracker = talk.conversation(with_initial, talk.user("greet"))
    assert dict(past_states(tracker, with_initial)[-1]["slots"]) == {"urgent": (1.0, 1.0)}
    assert "slots" not in past_states(tracker, with_initial, omit_unset_slots=True)[-1]


@pytest.mark.parametrize(("intent", "entities", "expected"), [
    ("greet", {"leave_type": "年假", "duration": "3天"}, ("duration", "leave_type")),
    ("request_leave", {"leave_type": "年假", "duration": "3天"}, ("leave_type",)),
    ("chitchat", {"leave_type": "年假", "duration": "3天"}, ("duration",)),
    ("greet", {"employee_name": "张三"}, None),
    ("book_trip", {"city": ("上海", "destination")}, ("city", "city#destination")),
    ("book_trip", {"city": ("上海", "unknown_role")}, ("city",)),
])
def test_entities_in_the_state_follow_the_intent_and_the_entity_settings(
    domain: Domain, talk: Any, intent: str, entities: dict[str, Any], expected: tuple[str, ...] | None
) -> None:
    user = past_states(talk.conversation(domain, talk.user(intent, **entities)), domain)[-1]["user"]
    assert user.get("entities") == expected


def test_requested_slot_counts_only_when_the_domain_declares_it(domain: Domain, project: Any,
                                                                 talk: Any) -> None:
    events = (talk.user("request_leave"), talk.act("leave_form"), talk.loop("leave_form"),
              talk.slot("requested_slot", "leave_type"))
    state = past_states(talk.conversation(domain, *events), domain)[-1]
    assert "slots" not in state
    assert dict(state["active_loop"]) == {"name": "leave_form"}
    declared, _ = project(DOMAIN.replace("slots:\n", "slots:\n  requested_slot:\n    type: text\n"), STORIES)
    state = past_states(talk.conversation(declared, *events), declared)[-1]
    assert dict(state["slots"]) == {"requested_slot": (1.0,)}


def test_a_story_and_the_live_conversation_have_identical_states(project: Any, talk: Any) -> None:
    domain, stories = project(DOMAIN, STORIES)
    story = generate_trackers(stories, domain, augmentation_factor=0).stories[0]
    live = talk.conversation(
        domain,
        talk.user("greet"), talk.act("utter_greet"), talk.listen(),
        talk.user("request_leave", leave_type="年假"), talk.slot("leave_type", "年假"),
        talk.act("leave_form"), talk.loop("leave_form"), talk.slot("requested_slot", "urgent"),
        talk.listen(), talk.user("inform"), talk.slot("urgent", True),
        talk.act("leave_form"), talk.loop(None), talk.slot("requested_slot", None),
        talk.act("utter_done"), talk.listen(),
    )
    states = DomainStates(domain)
    assert states.states_for_events(story.applied_events()) == past_states(live, domain)


def test_state_key_does_not_depend_on_the_order_of_keys(domain: Domain, talk: Any) -> None:
    a = past_states(talk.conversation(domain, talk.user("inform"), talk.slot("urgent", True),
                                      talk.slot("leave_type", "x")), domain)
    b = past_states(talk.conversation(domain, talk.user("inform"), talk.slot("leave_type", "x"),
                                      talk.slot("urgent", True)), domain)
    assert state_key(a) == state_key(b)
    assert state_key(a) != state_key(a[:-1])


def test_ml_view_hides_turns_of_rules_no_story_contains(domain: Domain, talk: Any) -> None:
    tracker = talk.conversation(
        domain,
        talk.user("greet"), talk.act("utter_greet"), talk.listen(),
        talk.user("chitchat"), talk.act("utter_greet", hidden=True), talk.listen(hidden=True),
        talk.user("request_leave"),
    )
    hidden = plain(past_states(tracker, domain, ignore_rule_only_turns=True))
    assert hidden == [
        {},
        {"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}},
        {"user": {"intent": "greet"}, "prev_action": {"action_name": "utter_greet"}},
        {"user": {"intent": "request_leave"}, "prev_action": {"action_name": "action_listen"}},
    ]
    assert len(past_states(tracker, domain)) == 6


def test_ml_view_drops_slots_and_loops_only_rules_use(domain: Domain, talk: Any) -> None:
    tracker = talk.conversation(domain, talk.user("inform"), talk.slot("urgent", True),
                                talk.slot("leave_type", "x"), talk.loop("leave_form"))
    only_rules = RuleOnlyData(frozenset({"urgent"}), frozenset({"leave_form"}))
    state = past_states(tracker, domain, ignore_rule_only_turns=True, rule_only_data=only_rules)[-1]
    assert dict(state["slots"]) == {"leave_type": (1.0,)}
    assert "active_loop" not in state
