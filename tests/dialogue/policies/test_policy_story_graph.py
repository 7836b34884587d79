"""Stories and rules as training conversations: checkpoints glued (with slot conditions),
`or` expanded, Rasa's augmentation, rule conversations, and bounded expansion."""

from __future__ import annotations

from typing import Any

from hrbot.dialogue.story_graph import TrainingTracker, generate_trackers
from hrbot.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet, UserUttered

DOMAIN = """\
version: "3.1"
intents: [greet, request_leave, thank, affirm, deny, inform, goodbye]
entities: [leave_type]
slots:
  confirmed:
    type: bool
  leave_type:
    type: text
  dates:
    type: list
responses:
  utter_greet:
  - text: 你好
  utter_ask_confirm:
  - text: 确认吗
  utter_done:
  - text: 已提交
  utter_cancelled:
  - text: 已取消
  utter_welcome:
  - text: 不客气
  utter_bye:
  - text: 再见
forms:
  leave_form:
    required_slots: [leave_type]
"""


def compact(event: Event) -> str:
    if isinstance(event, UserUttered):
        entities = ",".join(f"{e['entity']}={e['value']}" for e in event.entities)
        return f"user:{event.intent_name}" + (f"[{entities}]" if entities else "")
    if isinstance(event, ActionExecuted):
        return event.name or f"bot:{event.action_text}"
    if isinstance(event, SlotSet):
        return f"slot:{event.name}={event.value}"
    if isinstance(event, ActiveLoop):
        return f"loop:{event.name}"
    return event.type_name


def flows(trackers: tuple[TrainingTracker, ...]) -> set[tuple[str, ...]]:
    return {tuple(compact(e) for e in tracker.events) for tracker in trackers}


def test_a_story_becomes_a_conversation_with_listens_before_user_turns(project: Any) -> None:
    domain, stories = project(DOMAIN, """\
        stories:
        - story: greet
          steps:
          - intent: greet
          - action: utter_greet
          - intent: request_leave
            entities:
            - leave_type: 年假
          - slot_was_set:
            - leave_type: 年假
          - bot: 好的
        """)
    result = generate_trackers(stories, domain, augmentation_factor=0)
    assert flows(result.stories) == {(
        "action_listen", "user:greet", "utter_greet", "action_listen", "user:request_leave[leave_type=年假]",
        "slot:leave_type=年假", "bot:好的", "action_listen",
    )}
    story = result.stories[0]
    assert story.name == "greet" and not story.is_rule and not story.is_augmented
    assert story.sources[1] is not None and story.sources[1].line == 4


def test_checkpoints_glue_every_story_that_reaches_them_to_every_story_that_starts_there(
    project: Any,
) -> None:
    domain, stories = project(DOMAIN, """\
        stories:
        - story: greet
          steps:
          - intent: greet
          - action: utter_greet
          - checkpoint: asked
        - story: ask directly
          steps:
          - intent: request_leave
          - action: utter_ask_confirm
          - checkpoint: asked
        - story: thanks
          steps:
          - checkpoint: asked
          - intent: thank
          - action: utter_welcome
        """)
    result = generate_trackers(stories, domain, augmentation_factor=0)
    assert flows(result.stories) == {
        ("action_listen", "user:greet", "utter_greet", "action_listen", "user:thank", "utter_welcome",
         "action_listen"),
        ("action_listen", "user:request_leave", "utter_ask_confirm", "action_listen", "user:thank",
         "utter_welcome", "action_listen"),
    }
    assert {t.name for t in result.stories} == {"greet > thanks", "ask directly > thanks"}


def test_a_checkpoint_in_the_middle_of_a_story_also_lets_other_stories_continue_there(
    project: Any,
) -> None:
    domain, stories = project(DOMAIN, """\
        stories:
        - story: main
          steps:
          - intent: greet
          - action: utter_greet
          - checkpoint: greeted
          - intent: goodbye
          - action: utter_bye
        - story: other ending
          steps:
          - checkpoint: greeted
          - intent: thank
          - action: utter_welcome
        """)
    result = generate_trackers(stories, domain, augmentation_factor=0)
    assert flows(result.stories) == {
        ("action_listen", "user:greet", "utter_greet", "action_listen", "user:goodbye", "utter_bye",
         "action_listen"),
        ("action_listen", "user:greet", "utter_greet", "action_listen", "user:thank", "utter_welcome",
         "action_listen"),
    }


def test_checkpoint_slot_conditions_choose_which_conversations_continue(project: Any) -> None:
    domain, stories = project(DOMAIN, """\
        stories:
        - story: confirm
          steps:
          - intent: affirm
          - slot_was_set:
            - confirmed: true
          - action: utter_ask_confirm
          - checkpoint: decided
        - story: refuse
          steps:
          - intent: deny
          - slot_was_set:
            - confirmed: false
          - action: utter_ask_confirm
          - checkpoint: decided
        - story: submit when confirmed
          steps:
          - checkpoint: decided
            slot_was_set:
            - confirmed: true
          - action: utter_done
        - story: cancel when refused
          steps:
          - checkpoint: decided
            slot_was_set:
            - confirmed: false
          - action: utter_cancelled
        """)
    result = generate_trackers(stories, domain, augmentation_factor=0)
    assert {(f[1], f[-2]) for f in flows(result.stories)} == {
        ("user:affirm", "utter_done"), ("user:deny", "utter_cancelled"),
    }


def test_a_story_ending_at_a_checkpoint_nobody_continues_is_reported_and_not_trained(project: Any) -> None:
    domain, stories = project(DOMAIN, """\
        stories:
        - story: dangling
          steps:
          - intent: greet
          - action: utter_greet
          - checkpoint: nowhere
        - story: plain
          steps:
          - intent: goodbye
          - action: utter_bye
        """)
    result = generate_trackers(stories, domain, augmentation_factor=0)
    assert [t.name for t in result.stories] == ["plain"]
    assert any("'nowhere'" in notice and "dangling" in notice for notice in result.notices)


def test_or_steps_give_one_conversation_per_alternative(project: Any) -> None:
    domain, stories = project(DOMAIN, """\
        stories:
        - story: thanks or affirm
          steps:
          - intent: request_leave
          - action: utter_ask_confirm
          - or:
            - intent: thank
            - intent: affirm
          - or:
            - slot_was_set:
              - confirmed: true
            - slot_was_set:
              - leave_type
          - action: utter_done
        """)
    result = generate_trackers(stories, domain, augmentation_factor=0)
    middles = {f[4:6] for f in flows(result.stories)}
    assert middles == {
        ("user:thank", "slot:confirmed=True"), ("user:thank", "slot:leave_type=filled"),
        ("user:affirm", "slot:confirmed=True"), ("user:affirm", "slot:leave_type=filled"),
    }


def test_expansion_is_capped_and_reported(project: Any) -> None:
    alternatives = "\n".join(f"            - intent: {name}" for name in
                             ("greet", "thank", "affirm", "deny", "inform", "goodbye"))
    steps = "\n".join(f"          - or:\n{alternatives}\n          - action: utter_greet" for _ in range(4))
    domain, stories = project(DOMAIN, f"stories:\n- story: explosive\n  steps:\n{steps[8:]}\n"
                              .replace("\n          ", "\n  "))
    result = generate_trackers(stories, domain, augmentation_factor=0, max_trackers=100)
    assert len(result.stories) <= 100
    assert any("explosive" in notice and "kept the first 100" in notice for notice in result.notices)


def test_augmentation_glues_stories_together_repeatably_and_marks_them(project: Any) -> None:
    domain, stories = project(DOMAIN, """\
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
        """)
    first = generate_trackers(stories, domain, augmentation_factor=5)
    again = generate_trackers(stories, domain, augmentation_factor=5)
    assert [t.events for t in first.stories] == [t.events for t in again.stories]
    originals = [t for t in first.stories if not t.is_augmented]
    augmented = [t for t in first.stories if t.is_augmented]
    assert len(originals) == 3
    assert augmented and all(" > " in t.name or t.name in {"greet", "bye", "thanks"} for t in augmented)
    assert ("action_listen", "user:greet", "utter_greet", "action_listen", "user:goodbye", "utter_bye",
            "action_listen") in flows(tuple(augmented))
    assert max(len(t.events) for t in augmented) > 7  # several rounds: three stories and more
    assert len(generate_trackers(stories, domain, augmentation_factor=0).stories) == 3


def test_rule_conversations_start_with_conditions_and_the_rule_snippet(project: Any) -> None:
    domain, stories = project(DOMAIN, """\
        rules:
        - rule: greet when confirmed
          condition:
          - slot_was_set:
            - confirmed: true
          - active_loop: null
          steps:
          - intent: greet
          - action: utter_greet
        - rule: only at the start
          conversation_start: true
          steps:
          - intent: goodbye
          - action: utter_bye
        - rule: no listen after
          steps:
          - intent: thank
          - action: utter_welcome
          wait_for_user_input: false
        """)
    rules = {t.name: [compact(e) for e in t.events] for t in generate_trackers(stories, domain).rules}
    assert rules == {
        "greet when confirmed": ["slot:confirmed=True", "loop:should_not_be_set", "...", "action_listen",
                                 "user:greet", "utter_greet", "action_listen"],
        "only at the start": ["action_listen", "user:goodbye", "utter_bye", "action_listen"],
        "no listen after": ["...", "action_listen", "user:thank", "utter_welcome", "..."],
    }
    assert all(t.is_rule for t in generate_trackers(stories, domain).rules)
