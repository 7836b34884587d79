"""MemoizationPolicy remembers the last max_history states of the stories exactly;
AugmentedMemoizationPolicy forgets the start of the conversation step by step when that fails."""

from __future__ import annotations

from typing import Any

from hrbot.dialogue.policies.memoization import AugmentedMemoizationPolicy, MemoizationPolicy
from hrbot.dialogue.story_graph import generate_trackers
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.stories import StoryData

DOMAIN = """\
version: "3.1"
intents: [greet, thank, request_leave, inform, chitchat]
slots:
  vip:
    type: bool
    mappings:
    - type: custom
responses:
  utter_greet: [{text: 你好}]
  utter_welcome: [{text: 不客气}]
  utter_ask_type: [{text: 什么假}]
  utter_ask_days: [{text: 几天}]
  utter_chitchat: [{text: 哈哈}]
"""

STORIES = """\
version: "3.1"
stories:
- story: greet then leave
  steps:
  - intent: greet
  - action: utter_greet
  - intent: request_leave
  - action: utter_ask_type
- story: leave directly
  steps:
  - intent: request_leave
  - action: utter_ask_type
  - intent: inform
  - action: utter_ask_days
rules:
- rule: chitchat
  steps:
  - intent: chitchat
  - action: utter_chitchat
"""


def trained(policy_class: type[MemoizationPolicy], domain: Domain, stories: StoryData, **options: Any
            ) -> MemoizationPolicy:
    policy = policy_class(options)
    policy.train(generate_trackers(stories, domain).all, domain, lambda message: None)
    return policy


def test_memoization_predicts_the_next_action_of_a_story_with_the_same_history(
    project: Any, talk: Any
) -> None:
    domain, stories = project(DOMAIN, STORIES)
    policy = trained(MemoizationPolicy, domain, stories)
    conversation = talk.conversation(domain, talk.user("greet"), talk.act("utter_greet"), talk.listen(),
                                     talk.user("request_leave"))
    prediction = policy.predict(conversation, domain)
    assert (prediction.action, prediction.confidence, prediction.policy, prediction.priority) == (
        "utter_ask_type", 1.0, "MemoizationPolicy", 3)


def test_memoization_knows_nothing_of_a_history_no_story_has(project: Any, talk: Any) -> None:
    domain, stories = project(DOMAIN, STORIES)
    policy = trained(MemoizationPolicy, domain, stories)
    conversation = talk.conversation(domain, talk.user("thank"), talk.act("utter_welcome"), talk.listen(),
                                     talk.user("request_leave"))
    assert policy.predict(conversation, domain).action is None


def test_memoization_looks_only_at_the_last_max_history_states(project: Any, talk: Any) -> None:
    domain, stories = project(DOMAIN, STORIES)
    conversation = talk.conversation(domain, talk.user("thank"), talk.act("utter_welcome"), talk.listen(),
                                     talk.user("request_leave"))
    assert trained(MemoizationPolicy, domain, stories, max_history=1).predict(
        conversation, domain).action == "utter_ask_type"
    assert trained(MemoizationPolicy, domain, stories, max_history=5).predict(
        conversation, domain).action is None


def test_memoization_learns_from_stories_not_from_rules(project: Any, talk: Any) -> None:
    domain, stories = project(DOMAIN, STORIES)
    policy = trained(MemoizationPolicy, domain, stories)
    assert policy.predict(talk.conversation(domain, talk.user("chitchat")), domain).action is None
    assert all("chitchat" not in key for key in policy.lookup)


def test_memoization_forgets_histories_that_lead_to_different_actions(project: Any, talk: Any) -> None:
    stories_text = STORIES.split("rules:")[0] + """\
- story: greet then leave, asked differently
  steps:
  - intent: greet
  - action: utter_greet
  - intent: request_leave
  - action: utter_ask_days
"""
    domain, stories = project(DOMAIN, stories_text)
    policy = trained(MemoizationPolicy, domain, stories)
    conversation = talk.conversation(domain, talk.user("greet"), talk.act("utter_greet"), talk.listen(),
                                     talk.user("request_leave"))
    assert policy.predict(conversation, domain).action is None
    assert policy.predict(talk.conversation(domain, talk.user("greet")), domain).action == "utter_greet"


def test_memoization_can_score_with_the_nlu_confidence(project: Any, talk: Any) -> None:
    domain, stories = project(DOMAIN, STORIES)
    policy = trained(MemoizationPolicy, domain, stories, use_nlu_confidence_as_score=True)
    prediction = policy.predict(talk.conversation(domain, talk.user("greet", confidence=0.7)), domain)
    assert (prediction.action, prediction.confidence) == ("utter_greet", 0.7)


def test_augmented_memoization_forgets_the_start_until_a_story_matches(project: Any, talk: Any) -> None:
    domain, stories = project(DOMAIN, STORIES)
    conversation = talk.conversation(domain, talk.user("thank"), talk.act("utter_welcome"), talk.listen(),
                                     talk.user("request_leave"), talk.act("utter_ask_type"), talk.listen(),
                                     talk.user("inform"))
    assert trained(MemoizationPolicy, domain, stories).predict(conversation, domain).action is None
    prediction = trained(AugmentedMemoizationPolicy, domain, stories).predict(conversation, domain)
    assert (prediction.action, prediction.policy) == ("utter_ask_days", "AugmentedMemoizationPolicy")


def test_augmented_memoization_forgets_slots_set_in_the_forgotten_part(project: Any, talk: Any) -> None:
    domain, stories = project(DOMAIN, STORIES)
    conversation = talk.conversation(domain, talk.user("thank"), talk.slot("vip", True),
                                     talk.act("utter_welcome"), talk.listen(), talk.user("request_leave"))
    assert trained(MemoizationPolicy, domain, stories, max_history=1).predict(conversation, domain).action \
        is None
    policy = trained(AugmentedMemoizationPolicy, domain, stories, max_history=1)
    assert policy.predict(conversation, domain).action == "utter_ask_type"
