"""PolicyEnsemble: config names and defaults, best confidence with ties broken by priority,
the core fallback, rejected actions, only known actions, and persist/load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hrbot.dialogue.policies.ensemble import PolicyEnsemble
from hrbot.shared.config import parse_config
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.stories import StoryData
from hrbot.shared.errors import InvalidProjectError, UnknownComponentError

DOMAIN = """\
version: "3.1"
intents: [greet, chitchat, request_leave, inform, thank, goodbye, nonsense]
entities: [leave_type]
slots:
  leave_type:
    type: text
    mappings: [{type: from_entity, entity: leave_type}]
responses:
  utter_greet: [{text: 你好}]
  utter_chitchat: [{text: 哈哈}]
  utter_ask_type: [{text: 什么假}]
  utter_welcome: [{text: 不客气}]
  utter_bye: [{text: 再见}]
  utter_submit: [{text: 已提交}]
forms:
  leave_form:
    required_slots: [leave_type]
"""

DATA = """\
version: "3.1"
stories:
- story: greet and leave
  steps:
  - intent: greet
  - action: utter_greet
  - intent: request_leave
  - action: leave_form
  - active_loop: leave_form
  - active_loop: null
  - action: utter_submit
- story: thanks
  steps:
  - intent: thank
  - action: utter_welcome
rules:
- rule: chitchat
  steps:
  - intent: chitchat
  - action: utter_chitchat
- rule: start the form
  steps:
  - intent: request_leave
  - action: leave_form
  - active_loop: leave_form
- rule: submit
  condition:
  - active_loop: leave_form
  steps:
  - action: leave_form
  - active_loop: null
  - action: utter_submit
"""


def ensemble(policies: list[dict[str, Any]] | None, domain: Domain, stories: StoryData) -> PolicyEnsemble:
    built, _ = PolicyEnsemble.from_config(policies)
    built.train(stories, domain)
    return built


@pytest.fixture
def data(project: Any) -> tuple[Domain, StoryData]:
    domain, stories = project(DOMAIN, DATA)
    return domain, stories


@pytest.fixture
def default(data: tuple[Domain, StoryData]) -> PolicyEnsemble:
    return ensemble(None, *data)


def test_a_config_without_policies_gets_rasas_defaults(default: PolicyEnsemble) -> None:
    names = [policy["name"] for policy in default.config_dict()["policies"]]
    assert names == ["RulePolicy", "MemoizationPolicy", "LinearTEDPolicy"]
    _, notices = PolicyEnsemble.from_config(None)
    assert any("Rasa's defaults" in notice for notice in notices)


def test_ted_runs_the_learned_policy_and_its_network_options_are_ignored_with_a_notice() -> None:
    built, notices = PolicyEnsemble.from_config([
        {"name": "TEDPolicy", "max_history": 3, "epochs": 100, "constrain_similarities": True},
        {"name": "UnexpecTEDIntentPolicy", "epochs": 100},
    ])
    assert built.config_dict()["policies"][0]["name"] == "LinearTEDPolicy"
    assert built.config_dict()["policies"][0]["max_history"] == 3
    assert any("epochs, constrain_similarities" in notice and "ignored" in notice for notice in notices)
    assert any("UnexpecTEDIntentPolicy is skipped" in notice for notice in notices)
    assert len(built.policies) == 1


def test_an_unknown_policy_is_an_error_listing_the_known_names_with_its_line() -> None:
    config = parse_config("policies:\n  - name: RulePolicy\n  - name: FancyPolicy\n")
    with pytest.raises(UnknownComponentError) as error:
        PolicyEnsemble.from_config(config.policies, source="config.yml")
    (problem,) = error.value.problems
    assert "unknown policy 'FancyPolicy'" in problem.message
    assert problem.location is not None
    assert (problem.location.file, problem.location.line) == ("config.yml", 3)
    assert problem.hint is not None and "MemoizationPolicy" in problem.hint and "TEDPolicy" in problem.hint


def test_rasa_2_policies_and_bad_option_values_are_errors_that_say_what_to_do() -> None:
    with pytest.raises(InvalidProjectError) as error:
        PolicyEnsemble.from_config([
            {"name": "FormPolicy"},
            {"name": "RulePolicy", "core_fallback_threshold": 3},
            {"name": "MemoizationPolicy", "max_history": 0},
        ])
    messages = [problem.message for problem in error.value.problems]
    assert len(messages) == 3
    assert "FormPolicy" in messages[0] and "RulePolicy" in (error.value.problems[0].hint or "")
    assert "core_fallback_threshold" in messages[1] and "max_history" in messages[2]


def test_the_config_dict_is_plain_deterministic_json(data: Any) -> None:
    first, _ = PolicyEnsemble.from_config([{"name": "RulePolicy"}, {"name": "TEDPolicy", "epochs": 5}])
    second, _ = PolicyEnsemble.from_config([{"name": "RulePolicy"}, {"name": "TEDPolicy"}])
    assert json.dumps(first.config_dict(), sort_keys=True) == json.dumps(second.config_dict(), sort_keys=True)
    assert first.config_dict()["policies"][0]["core_fallback_threshold"] == 0.3


def test_the_most_confident_policy_wins_and_ties_go_to_the_higher_priority(data: Any, talk: Any) -> None:
    domain, stories = data
    greet = talk.conversation(domain, talk.user("greet"))
    both = ensemble([{"name": "MemoizationPolicy"}, {"name": "RulePolicy"}], domain, stories)
    prediction = both.predict(greet, domain)
    assert (prediction.action, prediction.policy, prediction.confidence) == (
        "utter_greet", "MemoizationPolicy", 1.0)
    chitchat = both.predict(talk.conversation(domain, talk.user("chitchat")), domain)
    assert (chitchat.action, chitchat.policy) == ("utter_chitchat", "RulePolicy")
    form = talk.conversation(domain, talk.user("greet"), talk.act("utter_greet"), talk.listen(),
                             talk.user("request_leave"))
    assert both.predict(form, domain).policy == "RulePolicy"  # memoization also says leave_form at 1.0
    promoted = ensemble([{"name": "MemoizationPolicy", "priority": 7}, {"name": "RulePolicy"}],
                        domain, stories)
    assert promoted.predict(form, domain).policy == "MemoizationPolicy"


def without_forms(project: Any) -> tuple[Domain, StoryData]:
    return project(DOMAIN.split("forms:")[0], DATA.split("- story: thanks")[0].split("stories:")[0]
                   + "stories:\n- story: greet\n  steps:\n  - intent: greet\n  - action: utter_greet\n")


def test_on_a_full_tie_the_policy_listed_first_wins(project: Any, talk: Any) -> None:
    domain, stories = without_forms(project)
    tied = ensemble([{"name": "AugmentedMemoizationPolicy"}, {"name": "MemoizationPolicy"}], domain, stories)
    assert tied.predict(talk.conversation(domain, talk.user("greet")), domain).policy == \
        "AugmentedMemoizationPolicy"


def test_when_nobody_is_confident_the_core_fallback_is_predicted(data: Any, talk: Any) -> None:
    domain, stories = data
    built = ensemble([{"name": "RulePolicy", "core_fallback_threshold": 0.5}, {"name": "MemoizationPolicy"}],
                     domain, stories)
    prediction = built.predict(talk.conversation(domain, talk.user("nonsense")), domain)
    assert (prediction.action, prediction.confidence, prediction.policy) == (
        "action_default_fallback", 0.5, "RulePolicy")


def test_without_the_rule_policy_there_is_no_core_fallback(project: Any, talk: Any) -> None:
    domain, stories = without_forms(project)
    built = ensemble([{"name": "MemoizationPolicy"}], domain, stories)
    prediction = built.predict(talk.conversation(domain, talk.user("nonsense")), domain)
    assert (prediction.action, prediction.confidence) == ("action_listen", 0.0)


def test_a_rejected_action_is_not_predicted_again(default: PolicyEnsemble, data: Any, talk: Any) -> None:
    domain, _ = data
    events = [talk.user("request_leave"), talk.act("leave_form"), talk.loop("leave_form"),
              talk.slot("requested_slot", "leave_type"), talk.listen(), talk.user("chitchat")]
    assert default.predict(talk.conversation(domain, *events), domain).action == "leave_form"
    events.append(talk.rejected("leave_form"))
    prediction = default.predict(talk.conversation(domain, *events), domain)
    assert (prediction.action, prediction.policy) == ("utter_chitchat", "RulePolicy")
    assert prediction.hide_rule_turn


def test_only_actions_the_domain_knows_are_predicted(data: Any, project: Any, talk: Any) -> None:
    domain, stories = data
    built = ensemble([{"name": "MemoizationPolicy"}, {"name": "RulePolicy"}], domain, stories)
    smaller, _ = project(DOMAIN.replace("  utter_greet: [{text: 你好}]\n", ""), "stories: []\n")
    prediction = built.predict(talk.conversation(smaller, talk.user("greet")), smaller)
    assert prediction.action == "action_default_fallback"


def test_forms_need_the_rule_policy(data: Any) -> None:
    domain, stories = data
    built, _ = PolicyEnsemble.from_config([{"name": "MemoizationPolicy"}])
    with pytest.raises(InvalidProjectError, match="RulePolicy"):
        built.train(stories, domain)


def test_training_problems_carry_the_offending_line(project: Any) -> None:
    domain, stories = project(DOMAIN, DATA + """\
- rule: greet differently
  steps:
  - intent: greet
  - action: utter_bye
""")
    built, _ = PolicyEnsemble.from_config(None)
    with pytest.raises(InvalidProjectError) as error:
        built.train(stories, domain)
    (problem,) = error.value.problems
    assert problem.source_line == "  - action: utter_greet"
    assert "story 'greet and leave'" in problem.message
    assert f"rule 'greet differently' ({problem.location.file}:36)" in problem.message  # type: ignore[union-attr]


def test_persist_and_load_give_identical_predictions(default: PolicyEnsemble, data: Any, talk: Any,
                                                    tmp_path: Path) -> None:
    domain, _ = data
    default.persist(tmp_path / "core")
    loaded = PolicyEnsemble.load(tmp_path / "core")
    assert loaded.config_dict() == default.config_dict()
    conversations = [
        [talk.user("greet")],
        [talk.user("greet"), talk.act("utter_greet"), talk.listen(), talk.user("thank")],
        [talk.user("chitchat")],
        [talk.user("nonsense")],
        [talk.user("request_leave"), talk.act("leave_form"), talk.loop("leave_form")],
        [talk.user("thank"), talk.act("utter_welcome"), talk.listen(), talk.user("greet"),
         talk.act("utter_greet"), talk.listen(), talk.user("chitchat"),
         talk.act("utter_chitchat", hidden=True), talk.listen(hidden=True), talk.user("request_leave")],
    ]
    for events in conversations:
        tracker = talk.conversation(domain, *events)
        assert loaded.predict(tracker, domain) == default.predict(tracker, domain)
        for mine, theirs in zip(default.policies, loaded.policies, strict=True):
            assert mine.scores(tracker, domain).confidences == theirs.scores(tracker, domain).confidences
    files = {path.suffix for path in (tmp_path / "core").rglob("*") if path.is_file()}
    assert files == {".json", ".npz"}
