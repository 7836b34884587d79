"""RulePolicy: rules with conditions, conversation_start and wait_for_user_input, Rasa's default
rules, active loops (happy and unhappy paths), the core fallback, and the contradiction check."""

from __future__ import annotations

from typing import Any

import pytest

from hrbot.dialogue.policies.rule import RulePolicy
from hrbot.dialogue.story_graph import generate_trackers
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import LoopInterrupted
from hrbot.shared.core.stories import StoryData
from hrbot.shared.errors import InvalidProjectError

DOMAIN = """\
version: "3.1"
intents: [greet, chitchat, request_leave, inform, affirm, goodbye, thank, ask_vip]
entities: [leave_type]
slots:
  leave_type:
    type: text
    mappings:
    - type: from_entity
      entity: leave_type
  vip:
    type: bool
    mappings:
    - type: custom
responses:
  utter_greet: [{text: 你好}]
  utter_vip_greet: [{text: 您好}]
  utter_chitchat: [{text: 哈哈}]
  utter_submit: [{text: 已提交}]
  utter_bye: [{text: 再见}]
  utter_welcome: [{text: 欢迎}]
  utter_ask_continue: [{text: 继续吗}]
  utter_not_vip: [{text: 不是}]
forms:
  leave_form:
    required_slots: [leave_type]
"""

RULES = """\
version: "3.1"
rules:
- rule: greet
  steps:
  - intent: greet
  - action: utter_greet
- rule: greet a vip
  condition:
  - slot_was_set:
    - vip: true
  steps:
  - intent: greet
  - action: utter_vip_greet
- rule: not a vip
  condition:
  - slot_was_set:
    - vip: null
  steps:
  - intent: ask_vip
  - action: utter_not_vip
- rule: welcome only at the start
  conversation_start: true
  steps:
  - intent: thank
  - action: utter_welcome
- rule: say bye and let others decide
  steps:
  - intent: goodbye
  - action: utter_bye
  wait_for_user_input: false
- rule: chitchat
  steps:
  - intent: chitchat
  - action: utter_chitchat
- rule: activate the form
  steps:
  - intent: request_leave
  - action: leave_form
  - active_loop: leave_form
- rule: submit the form
  condition:
  - active_loop: leave_form
  steps:
  - action: leave_form
  - active_loop: null
  - slot_was_set:
    - requested_slot: null
  - action: utter_submit
"""


def trained(domain: Domain, stories: StoryData, **options: Any) -> RulePolicy:
    policy = RulePolicy(options)
    policy.train(generate_trackers(stories, domain).all, domain, lambda message: None)
    return policy


@pytest.fixture
def setup(project: Any) -> tuple[Domain, RulePolicy]:
    domain, stories = project(DOMAIN, RULES)
    return domain, trained(domain, stories)


def next_action(setup: tuple[Domain, RulePolicy], talk: Any, *events: Any) -> tuple[str | None, float]:
    domain, policy = setup
    prediction = policy.predict(talk.conversation(domain, *events), domain)
    return prediction.action, prediction.confidence


def test_a_rule_predicts_its_action_and_then_listens(setup: Any, talk: Any) -> None:
    assert next_action(setup, talk, talk.user("greet")) == ("utter_greet", 1.0)
    assert next_action(setup, talk, talk.user("greet"), talk.act("utter_greet")) == ("action_listen", 1.0)


def test_a_rule_applies_whatever_came_before(setup: Any, talk: Any) -> None:
    before = (talk.user("chitchat"), talk.act("utter_chitchat"), talk.listen())
    assert next_action(setup, talk, *before, talk.user("greet"))[0] == "utter_greet"


def test_a_slot_condition_makes_the_more_specific_rule_win(setup: Any, talk: Any) -> None:
    vip = (talk.slot("vip", True), talk.user("greet"))
    assert next_action(setup, talk, *vip)[0] == "utter_vip_greet"
    assert next_action(setup, talk, talk.slot("vip", False), talk.user("greet"))[0] == "utter_greet"


def test_a_null_slot_condition_means_the_slot_must_not_be_set(setup: Any, talk: Any) -> None:
    assert next_action(setup, talk, talk.user("ask_vip"))[0] == "utter_not_vip"
    assert next_action(setup, talk, talk.slot("vip", True), talk.user("ask_vip")) == (
        "action_default_fallback", 0.3)


def test_a_conversation_start_rule_applies_only_at_the_start(setup: Any, talk: Any) -> None:
    assert next_action(setup, talk, talk.user("thank"))[0] == "utter_welcome"
    later = (talk.user("greet"), talk.act("utter_greet"), talk.listen(), talk.user("thank"))
    assert next_action(setup, talk, *later) == ("action_default_fallback", 0.3)


def test_wait_for_user_input_false_leaves_the_next_action_to_others(setup: Any, talk: Any) -> None:
    assert next_action(setup, talk, talk.user("goodbye"))[0] == "utter_bye"
    assert next_action(setup, talk, talk.user("goodbye"), talk.act("utter_bye")) == (
        "action_default_fallback", 0.3)


@pytest.mark.parametrize(("intent", "action"), [
    ("restart", "action_restart"), ("session_start", "action_session_start"), ("back", "action_back"),
])
def test_rasas_default_rules_run_the_default_actions(setup: Any, talk: Any, intent: str, action: str) -> None:
    assert next_action(setup, talk, talk.user(intent)) == (action, 1.0)


def test_nothing_applies_gives_the_core_fallback_at_the_threshold(project: Any, talk: Any) -> None:
    domain, stories = project(DOMAIN, RULES)
    policy = trained(domain, stories, core_fallback_threshold=0.4,
                     core_fallback_action_name="utter_ask_continue")
    prediction = policy.predict(talk.conversation(domain, talk.user("inform")), domain)
    assert (prediction.action, prediction.confidence, prediction.priority) == ("utter_ask_continue", 0.4, 6)
    quiet = trained(domain, stories, enable_fallback_prediction=False)
    assert quiet.predict(talk.conversation(domain, talk.user("inform")), domain).action is None


FORM_START = ("request_leave",)


def form_started(talk: Any) -> list[Any]:
    return [talk.user("request_leave"), talk.act("leave_form"), talk.loop("leave_form"),
            talk.slot("requested_slot", "leave_type")]


def test_an_active_loop_runs_again_after_the_user_answers_and_listens_after_it_ran(
    setup: Any, talk: Any
) -> None:
    assert next_action(setup, talk, talk.user("request_leave"))[0] == "leave_form"
    assert next_action(setup, talk, *form_started(talk)) == ("action_listen", 1.0)
    answered = [*form_started(talk), talk.listen(), talk.user("inform", leave_type="年假")]
    assert next_action(setup, talk, *answered) == ("leave_form", 1.0)


def test_when_the_loop_is_done_the_submit_rule_applies(setup: Any, talk: Any) -> None:
    done = [*form_started(talk), talk.listen(), talk.user("inform"), talk.act("leave_form"),
            talk.loop(None), talk.slot("requested_slot", None)]
    assert next_action(setup, talk, *done)[0] == "utter_submit"


def test_a_rejected_loop_lets_a_rule_handle_the_interruption_then_returns_to_the_loop(
    setup: Any, talk: Any
) -> None:
    interrupted = [*form_started(talk), talk.listen(), talk.user("chitchat")]
    assert next_action(setup, talk, *interrupted)[0] == "leave_form"
    interrupted.append(talk.rejected("leave_form"))
    assert next_action(setup, talk, *interrupted)[0] == "utter_chitchat"
    interrupted.append(talk.act("utter_chitchat"))
    assert next_action(setup, talk, *interrupted) == ("leave_form", 1.0)


def test_a_loop_resumed_after_an_unhappy_path_is_told_it_was_interrupted(project: Any, talk: Any) -> None:
    domain, stories = project(DOMAIN, RULES + """\
        - rule: ask to continue after chitchat in the form
          condition:
          - active_loop: leave_form
          steps:
          - intent: chitchat
          - action: utter_chitchat
          - action: utter_ask_continue
        - rule: continue the form
          condition:
          - active_loop: leave_form
          steps:
          - action: utter_ask_continue
          - intent: affirm
          - action: leave_form
          - active_loop: leave_form
        """.replace("        ", ""))
    policy = trained(domain, stories)
    events = [*form_started(talk), talk.listen(), talk.user("chitchat"), talk.rejected("leave_form"),
              talk.act("utter_chitchat")]
    assert policy.predict(talk.conversation(domain, *events), domain).action == "utter_ask_continue"
    events += [talk.act("utter_ask_continue")]
    assert policy.predict(talk.conversation(domain, *events), domain).action == "action_listen"
    events += [talk.listen(), talk.user("affirm")]
    prediction = policy.predict(talk.conversation(domain, *events), domain)
    assert prediction.action == "leave_form"
    assert prediction.events == (LoopInterrupted(timestamp=None, is_interrupted=True),)


def test_turns_of_rules_no_story_contains_are_hidden_from_ml_policies(project: Any, talk: Any) -> None:
    domain, stories = project(DOMAIN, RULES + """\
        stories:
        - story: greet in a story
          steps:
          - intent: greet
          - action: utter_greet
        """.replace("        ", ""))
    policy = trained(domain, stories)
    assert not policy.predict(talk.conversation(domain, talk.user("greet")), domain).hide_rule_turn
    assert policy.predict(talk.conversation(domain, talk.user("chitchat")), domain).hide_rule_turn


def test_contradicting_rules_are_an_error_naming_both_with_file_and_line(project: Any) -> None:
    domain, stories = project(DOMAIN, """\
        rules:
        - rule: greet back
          steps:
          - intent: greet
          - action: utter_greet
        - rule: greet like a vip
          steps:
          - intent: greet
          - action: utter_vip_greet
        """)
    with pytest.raises(InvalidProjectError) as error:
        trained(domain, stories)
    messages = [problem.message for problem in error.value.problems]
    path = stories.rules[0].source.file
    assert any("rule 'greet back'" in m and f"rule 'greet like a vip' ({path}:9)" in m for m in messages)
    assert any("rule 'greet like a vip'" in m and f"rule 'greet back' ({path}:5)" in m for m in messages)
    lines = {problem.location.line for problem in error.value.problems if problem.location}
    assert lines == {5, 9}


def test_a_story_contradicting_a_rule_is_an_error(project: Any) -> None:
    domain, stories = project(DOMAIN, """\
        rules:
        - rule: greet back
          steps:
          - intent: greet
          - action: utter_greet
        stories:
        - story: greet differently
          steps:
          - intent: greet
          - action: utter_vip_greet
        """)
    with pytest.raises(InvalidProjectError) as error:
        trained(domain, stories)
    (problem,) = error.value.problems
    assert "story 'greet differently'" in problem.message and "rule 'greet back'" in problem.message
    assert problem.location is not None and problem.location.line == 10


def test_a_rule_with_two_user_turns_is_refused_unless_allowed(project: Any) -> None:
    domain, stories = project(DOMAIN, """\
        rules:
        - rule: a little state machine
          steps:
          - intent: greet
          - action: utter_greet
          - intent: thank
          - action: utter_welcome
        """)
    with pytest.raises(InvalidProjectError, match="has 2 user turns"):
        trained(domain, stories)
    trained(domain, stories, restrict_rules=False)


def test_the_contradiction_check_can_be_switched_off(project: Any) -> None:
    domain, stories = project(DOMAIN, """\
        rules:
        - rule: a
          steps:
          - intent: greet
          - action: utter_greet
        - rule: b
          steps:
          - intent: greet
          - action: utter_vip_greet
        """)
    policy = trained(domain, stories, check_for_contradictions=False)
    assert policy.rules_not_in_stories == set()
