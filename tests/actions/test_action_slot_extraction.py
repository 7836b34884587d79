"""action_extract_slots: every mapping type, intents, conditions and forms' rules."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from hrbot.actions.base import Action, ActionFailed, ActionRuntime
from hrbot.actions.lookup import ActionResolver
from hrbot.actions.slot_extraction import ActionExtractSlots
from hrbot.dialogue.trackers import new_tracker
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    Event,
    FollowupAction,
    SlotSet,
)
from hrbot.shared.core.tracker import DialogueStateTracker

DOMAIN = """\
version: "3.1"
intents: [request_leave, inform, affirm, deny, chitchat, greet]
entities:
  - leave_type
  - date
  - tag
  - city:
      roles: [from, to]
  - person:
      groups: [approver, cc]
slots:
  leave_type:
    type: text
    mappings:
      - type: from_entity
        entity: leave_type
  tags:
    type: list
    mappings:
      - type: from_entity
        entity: tag
  last_tag:
    type: text
    mappings:
      - type: from_entity
        entity: tag
  departure:
    type: text
    mappings:
      - type: from_entity
        entity: city
        role: from
  destination:
    type: text
    mappings:
      - type: from_entity
        entity: city
        role: to
  approver:
    type: text
    mappings:
      - type: from_entity
        entity: person
        group: approver
  confirmed:
    type: bool
    mappings:
      - type: from_intent
        intent: affirm
        value: true
      - type: from_intent
        intent: deny
        value: false
  note:
    type: text
    mappings:
      - type: from_text
        not_intent: [greet, request_leave]
  reason:
    type: text
    mappings:
      - type: from_text
        conditions:
          - active_loop: leave_form
  comment:
    type: text
    mappings:
      - type: from_text
        conditions:
          - active_loop: leave_form
            requested_slot: comment
  source:
    type: text
    mappings:
      - type: from_trigger_intent
        intent: request_leave
        value: chat
        conditions:
          - active_loop: leave_form
  start_date:
    type: text
    mappings:
      - type: from_entity
        entity: date
  end_date:
    type: text
    mappings:
      - type: from_entity
        entity: date
  outside_only:
    type: text
    mappings:
      - type: from_entity
        entity: leave_type
        conditions:
          - active_loop: null
  employee:
    type: any
    influence_conversation: false
    mappings:
      - type: custom
        action: action_fill_profile
  department:
    type: any
    influence_conversation: false
    mappings:
      - type: custom
        action: action_fill_profile
  manual:
    type: text
    mappings:
      - type: custom
forms:
  leave_form:
    required_slots: [leave_type, start_date, end_date, reason, comment]
    ignored_intents: [chitchat]
"""


class FakeAction(Action):
    def __init__(self, name: str, events: Sequence[Event] = (), fail: bool = False) -> None:
        self._name = name
        self.events = list(events)
        self.fail = fail
        self.calls: list[DialogueStateTracker] = []

    @property
    def name(self) -> str:
        return self._name

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        self.calls.append(tracker)
        if self.fail:
            raise ActionFailed(self._name, "action server unreachable")
        return list(self.events)


def _lookup(domain: Domain, *fakes: FakeAction) -> Callable[[str], Action]:
    resolver = ActionResolver(domain)
    by_name = {fake.name: fake for fake in fakes}
    return lambda name: by_name.get(name) or resolver(name)


def _extract(domain: Domain, tracker: DialogueStateTracker, kit: Any, *fakes: FakeAction) -> dict[str, Any]:
    events = asyncio.run(ActionExtractSlots().run(tracker, kit.runtime(domain, _lookup(domain, *fakes))))
    return {event.name: event.value for event in events if isinstance(event, SlotSet)}


def _tracker(
    domain: Domain,
    kit: Any,
    text: str,
    intent: str,
    *entities: dict[str, Any],
    before: Sequence[Event] = (),
    after: Sequence[Event] = (),
) -> DialogueStateTracker:
    return new_tracker(
        "e",
        domain,
        [
            *before,
            ActionExecuted(timestamp=kit.NOW, name="action_listen"),
            kit.user(text, intent, entities),
            *after,
        ],
    )


def _in_form(kit: Any, requested: str | None = None) -> list[Event]:
    return [
        ActionExecuted(timestamp=kit.NOW, name="leave_form"),
        ActiveLoop(timestamp=kit.NOW, name="leave_form"),
        SlotSet(timestamp=kit.NOW, name="requested_slot", value=requested),
    ]


@pytest.fixture
def domain(domain_from_yaml: Callable[[str], Domain]) -> Domain:
    return domain_from_yaml(DOMAIN)


def test_from_entity_sets_a_slot_again_when_the_value_is_repeated(domain: Domain, kit: Any) -> None:
    """As Rasa: a form must see that this message gave its slot, even with the same value."""
    tracker = _tracker(domain, kit, "病假", "inform", kit.entity("leave_type", "sick"))
    assert _extract(domain, tracker, kit)["leave_type"] == "sick"
    tracker.update(SlotSet(timestamp=kit.NOW, name="leave_type", value="sick"))
    assert _extract(domain, tracker, kit)["leave_type"] == "sick"


def test_a_list_slot_gets_every_value_and_another_slot_the_last(domain: Domain, kit: Any) -> None:
    tracker = _tracker(domain, kit, "a b", "inform", kit.entity("tag", "a"), kit.entity("tag", "b"))
    extracted = _extract(domain, tracker, kit)
    assert extracted["tags"] == ["a", "b"]
    assert extracted["last_tag"] == "b"


def test_from_entity_respects_roles_and_groups(domain: Domain, kit: Any) -> None:
    tracker = _tracker(
        domain,
        kit,
        "北京到上海",
        "inform",
        kit.entity("city", "北京", role="from"),
        kit.entity("city", "上海", role="to"),
        kit.entity("person", "王经理", group="approver"),
        kit.entity("person", "李四", group="cc"),
        kit.entity("city", "广州"),
    )
    extracted = _extract(domain, tracker, kit)
    assert (extracted["departure"], extracted["destination"], extracted["approver"]) == (
        "北京",
        "上海",
        "王经理",
    )


def test_from_intent_sets_the_value_of_the_mapping_whose_intent_matches(domain: Domain, kit: Any) -> None:
    assert _extract(domain, _tracker(domain, kit, "是的", "affirm"), kit)["confirmed"] is True
    assert _extract(domain, _tracker(domain, kit, "不是", "deny"), kit)["confirmed"] is False
    assert "confirmed" not in _extract(domain, _tracker(domain, kit, "你好", "greet"), kit)


def test_from_text_takes_the_message_unless_the_intent_is_excluded(domain: Domain, kit: Any) -> None:
    assert _extract(domain, _tracker(domain, kit, "家里有事", "inform"), kit)["note"] == "家里有事"
    assert "note" not in _extract(domain, _tracker(domain, kit, "你好", "greet"), kit)


def test_from_text_conditioned_on_a_form_fills_only_the_requested_slot(domain: Domain, kit: Any) -> None:
    outside = _extract(domain, _tracker(domain, kit, "回老家", "inform"), kit)
    assert "reason" not in outside and "comment" not in outside
    asked_reason = _extract(
        domain, _tracker(domain, kit, "回老家", "inform", before=_in_form(kit, "reason")), kit
    )
    assert asked_reason["reason"] == "回老家" and "comment" not in asked_reason
    asked_comment = _extract(
        domain, _tracker(domain, kit, "无", "inform", before=_in_form(kit, "comment")), kit
    )
    assert asked_comment["comment"] == "无" and "reason" not in asked_comment


def test_conditions_with_active_loop_null_hold_only_outside_loops(domain: Domain, kit: Any) -> None:
    outside = _tracker(domain, kit, "年假", "inform", kit.entity("leave_type", "annual"))
    assert _extract(domain, outside, kit)["outside_only"] == "annual"
    inside = _tracker(domain, kit, "年假", "inform", kit.entity("leave_type", "annual"), before=_in_form(kit))
    assert "outside_only" not in _extract(domain, inside, kit)


def test_from_trigger_intent_fills_only_while_the_message_activates_the_form(
    domain: Domain, kit: Any
) -> None:
    activating = _tracker(
        domain, kit, "我要请假", "request_leave", after=[ActiveLoop(timestamp=kit.NOW, name="leave_form")]
    )
    assert _extract(domain, activating, kit)["source"] == "chat"
    not_active = _tracker(domain, kit, "我要请假", "request_leave")
    assert "source" not in _extract(domain, not_active, kit)
    already_active = _tracker(domain, kit, "我要请假", "request_leave", before=_in_form(kit, "start_date"))
    assert "source" not in _extract(domain, already_active, kit)


def test_an_ignored_intent_of_the_active_form_fills_nothing(domain: Domain, kit: Any) -> None:
    entities = (kit.entity("leave_type", "annual"),)
    assert "leave_type" in _extract(domain, _tracker(domain, kit, "年假呢", "chitchat", *entities), kit)
    in_form = _tracker(domain, kit, "年假呢", "chitchat", *entities, before=_in_form(kit, "leave_type"))
    assert "leave_type" not in _extract(domain, in_form, kit)


def test_one_entity_does_not_fill_two_slots_of_the_active_form(domain: Domain, kit: Any) -> None:
    date = kit.entity("date", "2026-11-23")
    outside = _extract(domain, _tracker(domain, kit, "下周一", "inform", date), kit)
    assert outside["start_date"] == outside["end_date"] == "2026-11-23"
    asked_end = _extract(
        domain, _tracker(domain, kit, "下周一", "inform", date, before=_in_form(kit, "end_date")), kit
    )
    assert asked_end["end_date"] == "2026-11-23" and "start_date" not in asked_end


def test_after_a_rejection_conditioned_mappings_of_the_requested_slot_stop(domain: Domain, kit: Any) -> None:
    before = [*_in_form(kit, "reason"), ActionExecutionRejected(timestamp=kit.NOW, name="leave_form")]
    tracker = _tracker(domain, kit, "回老家", "inform")
    tracker.update_with_events(before)  # rejected after the message
    assert "reason" not in _extract(domain, tracker, kit)


def test_a_custom_mapping_runs_its_action_once_and_keeps_slot_and_bot_events(
    domain: Domain, kit: Any
) -> None:
    profile = FakeAction(
        "action_fill_profile",
        [
            SlotSet(timestamp=None, name="employee", value={"id": "E10001"}),
            SlotSet(timestamp=None, name="department", value="研发部"),
            BotUttered(timestamp=None, text="已读取您的档案"),
            FollowupAction(timestamp=None, name="action_restart"),
        ],
    )
    tracker = _tracker(domain, kit, "你好", "greet")
    events = asyncio.run(ActionExtractSlots().run(tracker, kit.runtime(domain, _lookup(domain, profile))))
    assert [e.type_name for e in events] == ["slot", "slot", "bot"]
    assert len(profile.calls) == 1 and profile.calls[0] is tracker


def test_a_failing_custom_mapping_action_is_skipped(domain: Domain, kit: Any) -> None:
    profile = FakeAction("action_fill_profile", fail=True)
    tracker = _tracker(domain, kit, "病假", "inform", kit.entity("leave_type", "sick"))
    assert _extract(domain, tracker, kit, profile)["leave_type"] == "sick"


def test_a_custom_mapping_without_an_action_is_left_to_custom_actions(domain: Domain, kit: Any) -> None:
    assert "manual" not in _extract(domain, _tracker(domain, kit, "随便", "inform"), kit)


def test_action_validate_slot_mappings_validates_the_extracted_slots(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = domain_from_yaml(DOMAIN + "actions: [action_validate_slot_mappings, action_fill_profile]\n")
    validator = FakeAction(
        "action_validate_slot_mappings", [SlotSet(timestamp=None, name="leave_type", value=None)]
    )
    tracker = _tracker(
        domain,
        kit,
        "病假 北京",
        "inform",
        kit.entity("leave_type", "sick"),
        kit.entity("city", "北京", role="from"),
    )
    extracted = _extract(domain, tracker, kit, validator, FakeAction("action_fill_profile"))
    assert extracted == {"leave_type": None, "departure": "北京", "note": "病假 北京", "outside_only": "sick"}
    seen = validator.calls[0]  # the extracted slots are its latest events
    assert [e.name for e in seen.events[-4:] if isinstance(e, SlotSet)] == [
        "leave_type",
        "departure",
        "note",
        "outside_only",
    ]
