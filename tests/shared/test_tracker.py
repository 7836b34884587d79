"""The tracker: state derived by replaying events as Rasa 3.x does, and its /tracker JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hrbot.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from hrbot.shared.core.tracker import ActiveLoopState, DialogueStateTracker, EventVerbosity

SLOTS = {"leave_type": None, "date": None, "requested_slot": None, "employee_id": "E1001"}
EMPTY_MESSAGE: dict[str, Any] = {
    "intent": {}, "entities": [], "text": None, "message_id": None, "metadata": {},
}


def listen(t: float) -> ActionExecuted:
    return ActionExecuted(timestamp=t, name="action_listen")


def action(name: str, t: float) -> ActionExecuted:
    return ActionExecuted(timestamp=t, name=name, policy="RulePolicy", confidence=1.0)


def user(text: str, intent: str, t: float, **extra: Any) -> UserUttered:
    return UserUttered(
        timestamp=t,
        text=text,
        parse_data={"intent": {"name": intent, "confidence": 0.9}, "entities": extra.pop("entities", [])},
        **extra,
    )


def session_start(t: float) -> list[Event]:
    return [action("action_session_start", t), SessionStarted(timestamp=t), listen(t)]


def tracker(*events: Event, slots: dict[str, Any] | None = None) -> DialogueStateTracker:
    return DialogueStateTracker("emp-1001", initial_slots=SLOTS if slots is None else slots, events=events)


def test_tracker_fresh_to_dict_has_rasa_shape() -> None:
    assert tracker().to_dict() == {
        "sender_id": "emp-1001",
        "slots": SLOTS,
        "latest_message": EMPTY_MESSAGE,
        "latest_event_time": None,
        "followup_action": "action_listen",
        "paused": False,
        "events": [],
        "latest_input_channel": None,
        "active_loop": {},
        "latest_action": {},
        "latest_action_name": None,
    }


def test_tracker_to_dict_after_a_turn() -> None:
    greet = user("你好", "greet", 2.0, input_channel="wecom", message_id="m1")
    t = tracker(*session_start(1.0), greet, action("utter_greet", 3.0),
                BotUttered(timestamp=3.0, text="您好"), listen(4.0))

    state = t.to_dict()

    assert state["latest_message"] == {
        "intent": {"name": "greet", "confidence": 0.9},
        "entities": [],
        "text": "你好",
        "message_id": "m1",
        "metadata": {},
    }
    assert state["latest_event_time"] == 4.0
    assert state["followup_action"] is None
    assert state["latest_input_channel"] == "wecom"
    assert state["latest_action"] == {"action_name": "action_listen"}
    assert state["latest_action_name"] == "action_listen"
    assert state["events"] == [event.to_dict() for event in t.events]
    assert json.loads(json.dumps(state)) == state
    assert t.latest_bot_utterance == BotUttered(timestamp=3.0, text="您好")
    assert t.latest_intent_name == "greet"


def test_tracker_slots_start_from_the_callers_initial_values() -> None:
    t = tracker(SlotSet(timestamp=1.0, name="leave_type", value="sick"))

    assert t.slots == {**SLOTS, "leave_type": "sick"}
    assert t.get_slot("employee_id") == "E1001"
    assert t.get_slot("missing") is None


def test_tracker_ignores_undeclared_slots_when_slots_are_given() -> None:
    t = tracker(SlotSet(timestamp=1.0, name="not_in_domain", value=1))

    assert "not_in_domain" not in t.slots


def test_tracker_without_declared_slots_accepts_any_slot() -> None:
    t = DialogueStateTracker("x", events=[SlotSet(timestamp=1.0, name="a", value=[1])])

    assert t.slots == {"a": [1]}

    t.update(AllSlotsReset(timestamp=2.0))

    assert t.slots == {"a": None}


def test_tracker_slot_values_are_copied_not_shared() -> None:
    initial: dict[str, Any] = {"dates": []}
    t = tracker(slots=initial)
    value = {"from": "2026-11-22"}
    t.update(SlotSet(timestamp=1.0, name="dates", value=value))

    t.slots["dates"]["from"] = "changed"
    value["from"] = "changed too"

    assert t.get_slot("dates") == {"from": "2026-11-22"}
    assert initial == {"dates": []}


def test_tracker_reset_slots_restores_initial_values_and_keeps_history() -> None:
    t = tracker(SlotSet(timestamp=1.0, name="employee_id", value="E2"), user("hi", "greet", 2.0),
                AllSlotsReset(timestamp=3.0))

    assert t.slots == SLOTS
    assert t.latest_intent_name == "greet"
    assert len(t.applied_events()) == 3


def test_tracker_restart_wipes_state_and_asks_for_a_session_start() -> None:
    t = tracker(*session_start(1.0), user("请假", "request_leave", 2.0),
                SlotSet(timestamp=2.0, name="leave_type", value="sick"),
                ConversationPaused(timestamp=2.5),
                Restarted(timestamp=3.0))

    assert t.slots == SLOTS
    assert t.latest_message == EMPTY_MESSAGE
    assert t.followup_action == "action_session_start"
    assert t.paused is False
    assert t.latest_action_name is None
    assert t.applied_events() == []
    assert t.events_after_latest_restart() == []
    assert t.to_dict()["events"] == []
    assert len(t.to_dict(EventVerbosity.ALL)["events"]) == 7
    assert t.to_dict(EventVerbosity.NONE)["events"] is None
    # Rasa reports the input channel of the latest user message even across a restart
    assert t.latest_input_channel is None


def test_tracker_session_started_resets_but_carried_over_slots_follow_it() -> None:
    first = [*session_start(1.0), user("请假", "request_leave", 2.0),
             SlotSet(timestamp=2.0, name="leave_type", value="sick"),
             SlotSet(timestamp=2.0, name="date", value="2026-11-22")]
    new_session = [action("action_session_start", 10.0), SessionStarted(timestamp=10.0),
                   SlotSet(timestamp=10.0, name="leave_type", value="sick"), listen(10.0)]

    t = tracker(*first, *new_session)

    assert t.slots == {**SLOTS, "leave_type": "sick"}  # carried over; `date` not
    assert t.latest_message == EMPTY_MESSAGE
    assert t.applied_events() == new_session[2:]
    assert t.events_after_latest_restart() == [*first, *new_session]


def test_tracker_rewind_undoes_back_to_before_the_latest_user_message() -> None:
    t = tracker(*session_start(1.0),
                user("我还剩几天年假", "leave_balance", 2.0), action("action_leave_balance", 3.0),
                SlotSet(timestamp=3.0, name="leave_type", value="annual"), listen(4.0),
                user("asdf", "out_of_scope", 5.0),
                SlotSet(timestamp=5.5, name="leave_type", value="sick"),
                action("action_default_fallback", 6.0), UserUtteranceReverted(timestamp=6.0))

    assert t.latest_intent_name == "leave_balance"
    assert t.slots["leave_type"] == "annual"
    assert t.latest_action_name == "action_leave_balance"
    assert [e.to_dict()["event"] for e in t.applied_events()] == ["action", "user", "action", "slot"]
    # all events are kept; only the state is rewound
    assert len(t.events) == 11


def test_tracker_undo_reverts_the_latest_action_and_its_events() -> None:
    t = tracker(user("hi", "greet", 1.0), action("utter_greet", 2.0), listen(3.0),
                action("action_submit_leave", 4.0), SlotSet(timestamp=4.0, name="date", value="x"),
                ActionReverted(timestamp=5.0))

    assert t.latest_action_name == "action_listen"
    assert t.slots["date"] is None


def test_tracker_active_loop_lifecycle_as_rasa() -> None:
    ask = user("我想请假", "request_leave", 2.0, message_id="m7")
    t = tracker(
        *session_start(1.0), ask, action("leave_form", 3.0), ActiveLoop(timestamp=3.0, name="leave_form")
    )

    assert t.active_loop == ActiveLoopState(
        "leave_form", is_interrupted=False, rejected=False, trigger_message=ask.parse_data
    )
    assert t.to_dict()["active_loop"] == {
        "name": "leave_form", "is_interrupted": False, "rejected": False, "trigger_message": ask.parse_data,
    }

    t.update_with_events([
        listen(4.0), user("年假有几天", "policy_question", 5.0),
        ActionExecutionRejected(timestamp=6.0, name="leave_form"),
        action("utter_policy", 6.5),
        LoopInterrupted(timestamp=7.0, is_interrupted=True),
    ])
    assert t.active_loop is not None
    assert t.active_loop.rejected is True
    assert t.active_loop.is_interrupted is True

    t.update(action("leave_form", 8.0))  # the loop runs again: neither interrupted nor rejected
    assert t.active_loop == ActiveLoopState("leave_form", trigger_message=ask.parse_data)

    t.update(ActiveLoop(timestamp=9.0, name=None))
    assert t.active_loop is None
    assert t.active_loop_name is None
    assert t.to_dict()["active_loop"] == {}


def test_tracker_rejection_of_another_action_does_not_reject_the_loop() -> None:
    t = tracker(ActiveLoop(timestamp=1.0, name="leave_form"),
                ActionExecutionRejected(timestamp=2.0, name="reimbursement_form"))

    assert t.active_loop is not None and t.active_loop.rejected is False
    assert t.active_loop.trigger_message is None


def test_tracker_applied_events_fold_a_loops_happy_path_as_rasa() -> None:
    happy = [
        user("我想请假", "request_leave", 1.0), action("leave_form", 2.0),
        ActiveLoop(timestamp=2.0, name="leave_form"), listen(3.0),
        user("病假", "inform", 4.0),
        DefinePrevUserUtteredFeaturization(timestamp=4.0, use_text_for_featurization=False),
        SlotSet(timestamp=4.5, name="leave_type", value="sick"), action("leave_form", 5.0),
    ]

    t = tracker(*happy)

    applied = t.applied_events()
    assert applied == [happy[0], happy[1], happy[2], happy[6]]
    assert t.slots["leave_type"] == "sick"


def test_tracker_pause_and_resume() -> None:
    t = tracker(ConversationPaused(timestamp=1.0))
    assert t.paused is True
    assert t.to_dict()["paused"] is True

    t.update(ConversationResumed(timestamp=2.0))
    assert t.paused is False


def test_tracker_followup_action_is_set_and_cleared_by_the_next_action() -> None:
    t = tracker(listen(1.0), FollowupAction(timestamp=2.0, name="action_submit_leave"))
    assert t.followup_action == "action_submit_leave"

    t.update(action("action_submit_leave", 3.0))
    assert t.followup_action is None


def test_tracker_entities_event_adds_to_the_latest_message_after_listen() -> None:
    duration = {"entity": "duration", "value": 1.0, "start": 0, "end": 2}
    t = tracker(user("一天", "inform", 1.0, entities=[]), listen(2.0),
                EntitiesAdded(timestamp=3.0, entities=[duration, duration]))

    assert t.latest_message["entities"] == [duration]
    assert list(t.get_latest_entity_values("duration")) == [1.0]
    # the user event itself is unchanged
    assert t.latest_user_event is not None and t.latest_user_event.entities == []


def test_tracker_entities_event_is_ignored_unless_the_bot_is_listening() -> None:
    t = tracker(user("一天", "inform", 1.0), action("utter_ok", 2.0),
                EntitiesAdded(timestamp=3.0, entities=[{"entity": "duration", "value": 1}]))

    assert t.latest_message["entities"] == []


def test_tracker_end_to_end_action_sets_action_text() -> None:
    t = tracker(ActionExecuted(timestamp=1.0, action_text="好的"))

    assert t.latest_action == {"action_text": "好的"}
    assert t.latest_action_name == "好的"


def test_tracker_from_dicts_replays_rasa_json() -> None:
    t = DialogueStateTracker.from_dicts(
        "emp-1001",
        [
            {"event": "action", "timestamp": 1.0, "name": "action_session_start", "policy": None,
             "confidence": 1.0, "action_text": None, "hide_rule_turn": False},
            {"event": "session_started", "timestamp": 1.0},
            {"event": "action", "timestamp": 1.0, "name": "action_listen", "policy": None,
             "confidence": None, "action_text": None, "hide_rule_turn": False},
            {"event": "user", "timestamp": 2.0, "metadata": {}, "text": "上个月工资多少",
             "parse_data": {"intent": {"name": "salary_query", "confidence": 0.98},
                            "entities": [{"entity": "month", "value": "2026-10", "start": 0, "end": 3}],
                            "text": "上个月工资多少", "message_id": "m1", "metadata": {}},
             "input_channel": "rest", "message_id": "m1"},
            {"event": "slot", "timestamp": 3.0, "name": "month", "value": "2026-10"},
        ],
        initial_slots={"month": None},
    )

    assert t.slots == {"month": "2026-10"}
    assert list(t.get_latest_entity_values("month")) == ["2026-10"]
    assert t.latest_input_channel == "rest"
    assert t.latest_event_time == 3.0


def test_tracker_from_dicts_rejects_a_bad_event_with_its_index() -> None:
    with pytest.raises(ValueError, match=r"events\[0\]: unknown event type 'stack'"):
        DialogueStateTracker.from_dicts("x", [{"event": "stack", "update": "[]"}])
