"""Story structure conflicts (`rasa data validate stories`): the same history leading to
different actions, reported with both stories and their file:line, plus rule contradictions."""

from __future__ import annotations

from typing import Any

from hrbot.dialogue.conflicts import find_story_conflicts

DOMAIN = """\
version: "3.1"
intents: [greet, request_leave, thank, affirm]
responses:
  utter_greet: [{text: 你好}]
  utter_ask_type: [{text: 什么假}]
  utter_ask_days: [{text: 几天}]
  utter_welcome: [{text: 不客气}]
"""

CONFLICTING = """\
version: "3.1"
stories:
- story: leave asks the type
  steps:
  - intent: greet
  - action: utter_greet
  - intent: request_leave
  - action: utter_ask_type
- story: leave asks the days
  steps:
  - intent: greet
  - action: utter_greet
  - intent: request_leave
  - action: utter_ask_days
"""


def test_stories_continuing_the_same_history_differently_conflict_naming_both(project: Any) -> None:
    domain, stories = project(DOMAIN, CONFLICTING)
    (problem,) = find_story_conflicts(stories, domain)
    path = stories.stories[0].source.file
    assert problem.message.startswith("story structure conflict after intent 'request_leave'")
    assert f"'utter_ask_type' in 'leave asks the type' ({path}:8)" in problem.message
    assert f"'utter_ask_days' in 'leave asks the days' ({path}:14)" in problem.message
    assert "user greet → bot utter_greet → user request_leave" in problem.message
    assert problem.location is not None and (problem.location.file, problem.location.line) == (path, 8)
    assert problem.source_line == "  - action: utter_ask_type"
    assert problem.hint is not None and "MemoizationPolicy" in problem.hint


def test_stories_that_agree_do_not_conflict(project: Any) -> None:
    domain, stories = project(DOMAIN, CONFLICTING.replace("utter_ask_days", "utter_ask_type"))
    assert find_story_conflicts(stories, domain) == []


def test_only_the_last_max_history_states_count(project: Any) -> None:
    domain, stories = project(DOMAIN, CONFLICTING.replace(
        "- story: leave asks the days\n  steps:\n  - intent: greet", "- story: leave asks the days\n"
        "  steps:\n  - intent: thank"))
    assert find_story_conflicts(stories, domain, max_history=5) == []
    (problem,) = find_story_conflicts(stories, domain, max_history=1)
    assert "after intent 'request_leave'" in problem.message


def test_an_implicit_listen_conflicting_with_an_action_is_found(project: Any) -> None:
    domain, stories = project(DOMAIN, """\
        stories:
        - story: greet and stop
          steps:
          - intent: greet
          - action: utter_greet
        - story: greet and ask
          steps:
          - intent: greet
          - action: utter_greet
          - action: utter_ask_type
        """)
    (problem,) = find_story_conflicts(stories, domain)
    assert "after action 'utter_greet'" in problem.message
    assert "'action_listen' in 'greet and stop'" in problem.message
    assert "'utter_ask_type' in 'greet and ask'" in problem.message


def test_contradicting_rules_are_reported_with_both_places(project: Any) -> None:
    domain, stories = project(DOMAIN, """\
        rules:
        - rule: thank back
          steps:
          - intent: thank
          - action: utter_welcome
        - rule: thank with a greeting
          steps:
          - intent: thank
          - action: utter_greet
        """)
    problems = find_story_conflicts(stories, domain)
    path = stories.rules[0].source.file
    assert {(p.location.file, p.location.line) for p in problems if p.location} == {(path, 5), (path, 9)}
    assert any(f"rule 'thank with a greeting' ({path}:9)" in p.message for p in problems)
    assert all(p.source_line for p in problems)
    assert find_story_conflicts(stories, domain, include_rules=False) == []
