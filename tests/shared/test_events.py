"""Tracker events: Rasa 3.x's JSON shape in and out, rasa_sdk's events read, bad input named."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from hrbot.shared.core.events import (
    EVENT_TYPES,
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AgentUttered,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    InvalidEventError,
    LoopInterrupted,
    ReminderCancelled,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    SlotSet,
    StoryExported,
    UserUtteranceReverted,
    UserUttered,
    event_from_dict,
    events_from_dicts,
)
from hrbot.shared.errors import HrbotError
from hrbot.shared.nlu.parse_result import ExtractedEntity, IntentPrediction, ParseResult

T = 1763690400.123456

# Events as Rasa 3.x writes them (tracker store, GET /conversations/{id}/tracker).
RASA_EVENTS: list[dict[str, Any]] = [
    {
        "event": "action",
        "timestamp": T,
        "name": "action_session_start",
        "policy": None,
        "confidence": 1.0,
        "action_text": None,
        "hide_rule_turn": False,
    },
    {"event": "session_started", "timestamp": T},
    {
        "event": "action",
        "timestamp": T,
        "name": "action_listen",
        "policy": None,
        "confidence": None,
        "action_text": None,
        "hide_rule_turn": False,
    },
    {
        "event": "user",
        "timestamp": T + 1,
        "metadata": {"wecom_corp_id": "ww1234"},
        "text": "我想明天请一天病假",
        "parse_data": {
            "intent": {"name": "request_leave", "confidence": 0.9731},
            "entities": [
                {"entity": "date", "start": 3, "end": 5, "value": "2026-11-22",
                 "extractor": "ChineseValueExtractor", "confidence": 1.0},
                {"entity": "leave_type", "start": 7, "end": 9, "value": "sick",
                 "extractor": "CRFEntityExtractor", "confidence_entity": 0.98,
                 "processors": ["EntitySynonymMapper"]},
            ],
            "text": "我想明天请一天病假",
            "message_id": "4f1c0e0a9d8b4f0f",
            "metadata": {"wecom_corp_id": "ww1234"},
            "intent_ranking": [
                {"name": "request_leave", "confidence": 0.9731},
                {"name": "leave_balance", "confidence": 0.0142},
            ],
            "response_selector": {"all_retrieval_intents": [], "default": {"response": {}}},
        },
        "input_channel": "wecom",
        "message_id": "4f1c0e0a9d8b4f0f",
    },
    {
        "event": "user_featurization",
        "timestamp": T + 1.5,
        "use_text_for_featurization": False,
    },
    {
        "event": "action",
        "timestamp": T + 2,
        "name": "leave_form",
        "policy": "RulePolicy",
        "confidence": 1.0,
        "action_text": None,
        "hide_rule_turn": True,
    },
    {"event": "active_loop", "timestamp": T + 2, "name": "leave_form"},
    {"event": "slot", "timestamp": T + 2, "name": "leave_type", "value": "sick"},
    {"event": "slot", "timestamp": T + 2, "name": "date",
     "value": {"from": "2026-11-22", "to": "2026-11-22"}},
    {"event": "slot", "timestamp": T + 2, "name": "requested_slot", "value": "duration"},
    {
        "event": "bot",
        "timestamp": T + 2,
        "metadata": {"utter_action": "utter_ask_duration"},
        "text": "请几天?",
        "data": {
            "elements": None,
            "quick_replies": None,
            "buttons": [
                {"title": "一天", "payload": '/inform{"duration": 1}'},
                {"title": "半天", "payload": '/inform{"duration": 0.5}'},
            ],
            "attachment": None,
            "image": None,
            "custom": None,
        },
    },
    {"event": "loop_interrupted", "timestamp": T + 3, "is_interrupted": True},
    {
        "event": "action_execution_rejected",
        "timestamp": T + 3,
        "name": "leave_form",
        "policy": "RulePolicy",
        "confidence": 1.0,
    },
    {"event": "active_loop", "timestamp": T + 4, "name": None},
    {"event": "followup", "timestamp": T + 4, "name": "action_submit_leave"},
    {"event": "entities", "timestamp": T + 4,
     "entities": [{"entity": "duration", "value": 1, "start": 0, "end": 2}]},
    {"event": "rewind", "timestamp": T + 5},
    {"event": "undo", "timestamp": T + 5},
    {"event": "reset_slots", "timestamp": T + 6},
    {"event": "pause", "timestamp": T + 7},
    {"event": "agent", "timestamp": T + 8, "text": "您好, 我是HR小王", "data": {"agent_id": "hr-007"}},
    {"event": "resume", "timestamp": T + 9},
    {
        "event": "reminder",
        "timestamp": T + 10,
        "intent": "EXTERNAL_leave_reminder",
        "date_time": "2026-11-22T09:00:00+08:00",
        "entities": [{"entity": "leave_type", "value": "sick"}],
        "name": "remind_leave",
        "kill_on_user_msg": False,
    },
    {"event": "cancel_reminder", "timestamp": T + 11, "name": "remind_leave", "intent": None,
     "entities": None},
    {"event": "export", "timestamp": T + 12},
    {"event": "export", "timestamp": T + 12, "path": "debug_stories.yml"},
    {"event": "restart", "timestamp": T + 13, "metadata": {"model_id": "20261121-hr"}},
    {
        "event": "action",
        "timestamp": T + 14,
        "name": None,
        "policy": "TEDPolicy",
        "confidence": 0.41,
        "action_text": "好的, 已帮您提交",
        "hide_rule_turn": False,
    },
]

# Events as rasa_sdk's helpers build them in a custom action's response (no timestamps,
# fewer keys).
RASA_SDK_EVENTS: list[dict[str, Any]] = [
    {"event": "slot", "timestamp": None, "name": "leave_days", "value": 5.0},
    {"event": "bot", "timestamp": None, "text": "已提交", "data": None, "metadata": None},
    {"event": "user", "timestamp": None, "text": "/greet", "parse_data": None, "input_channel": None},
    {"event": "restart", "timestamp": None},
    {"event": "session_started", "timestamp": None},
    {"event": "rewind", "timestamp": None},
    {"event": "reset_slots", "timestamp": None},
    {"event": "undo", "timestamp": None},
    {"event": "export", "timestamp": None},
    {"event": "followup", "timestamp": None, "name": "utter_goodbye"},
    {"event": "pause", "timestamp": None},
    {"event": "resume", "timestamp": None},
    {"event": "action", "name": "action_listen", "policy": None, "confidence": None, "timestamp": None},
    {"event": "agent", "text": "hi", "data": None, "timestamp": None},
    {"event": "active_loop", "name": "leave_form", "timestamp": None},
    {"event": "active_loop", "name": None, "timestamp": None},
    {"event": "loop_interrupted", "is_interrupted": False, "timestamp": None},
    {"event": "action_execution_rejected", "name": "leave_form", "policy": None, "confidence": None,
     "timestamp": None},
    {"event": "reminder", "timestamp": None, "intent": "EXTERNAL_dry_plant", "entities": {"plant": "orchid"},
     "date_time": "2026-11-21T10:05:00", "name": None, "kill_on_user_msg": True},
    {"event": "cancel_reminder", "timestamp": None, "intent": "EXTERNAL_dry_plant", "entities": None,
     "name": None},
]


def _event_id(data: dict[str, Any]) -> str:
    return str(data["event"])


@pytest.mark.parametrize("data", RASA_EVENTS, ids=_event_id)
def test_events_rasa_json_round_trips_exactly(data: dict[str, Any]) -> None:
    event = event_from_dict(data)

    assert event.to_dict() == data
    assert event_from_dict(event.to_dict()) == event
    assert json.loads(json.dumps(event.to_dict())) == data


@pytest.mark.parametrize("data", RASA_SDK_EVENTS, ids=_event_id)
def test_events_rasa_sdk_events_are_read_and_round_trip(data: dict[str, Any]) -> None:
    event = event_from_dict(data)

    assert event.timestamp is None
    assert event.to_dict()["event"] == data["event"]
    assert event_from_dict(event.to_dict()) == event


def test_events_every_registered_type_is_covered_by_the_rasa_examples() -> None:
    assert {data["event"] for data in RASA_EVENTS} == set(EVENT_TYPES)
    assert {data["event"] for data in RASA_SDK_EVENTS} <= set(EVENT_TYPES)


def test_events_registry_maps_names_to_classes_and_is_immutable() -> None:
    assert EVENT_TYPES["user"] is UserUttered
    assert EVENT_TYPES["undo"] is ActionReverted
    assert all(cls.type_name == name for name, cls in EVENT_TYPES.items())
    with pytest.raises(TypeError):
        EVENT_TYPES["stack"] = Event  # type: ignore[index]


@pytest.mark.parametrize(
    "event",
    [
        UserUttered(timestamp=T, text="你好", parse_data={"intent": {"name": "greet", "confidence": 0.9}}),
        BotUttered(timestamp=T, text="您好", data={"buttons": [{"title": "年假", "payload": "/leave"}]}),
        ActionExecuted(timestamp=T, name="utter_greet", policy="MemoizationPolicy", confidence=1.0),
        SlotSet(timestamp=T, name="month", value="2026-10"),
        ActiveLoop(timestamp=T, name="reimbursement_form"),
        LoopInterrupted(timestamp=T, is_interrupted=True),
        ActionExecutionRejected(timestamp=T, name="reimbursement_form"),
        FollowupAction(timestamp=T, name="action_listen"),
        Restarted(timestamp=T),
        SessionStarted(timestamp=T, metadata={"channel": "dingtalk"}),
        UserUtteranceReverted(timestamp=T),
        ActionReverted(timestamp=T),
        AllSlotsReset(timestamp=T),
        ConversationPaused(timestamp=T),
        ConversationResumed(timestamp=T),
        DefinePrevUserUtteredFeaturization(timestamp=T, use_text_for_featurization=True),
        EntitiesAdded(timestamp=T, entities=[{"entity": "amount", "value": 85.0}]),
        AgentUttered(timestamp=T, text="我来处理", data=["any", "json"]),
        ReminderScheduled(
            timestamp=T, intent="EXTERNAL_x",
            trigger_date_time=datetime(2026, 11, 22, 9, tzinfo=timezone(timedelta(hours=8))),
        ),
        ReminderCancelled(timestamp=T, intent="EXTERNAL_x"),
        StoryExported(timestamp=T, path="stories.yml"),
    ],
    ids=lambda event: event.type_name,
)
def test_events_constructed_events_round_trip_through_dicts(event: Event) -> None:
    assert event_from_dict(event.to_dict()) == event
    assert event_from_dict(json.loads(json.dumps(event.to_dict()))) == event


def test_events_base_fields_follow_rasa_metadata_only_when_set() -> None:
    assert Restarted(timestamp=T).to_dict() == {"event": "restart", "timestamp": T}
    assert Restarted(timestamp=T, metadata={"a": 1}).to_dict() == {
        "event": "restart", "timestamp": T, "metadata": {"a": 1},
    }
    # user and bot events always carry metadata, as in Rasa
    assert BotUttered(timestamp=T, text="x").to_dict() == {
        "event": "bot", "timestamp": T, "metadata": {}, "text": "x", "data": {},
    }


def test_events_user_parse_data_is_completed_as_rasa_does() -> None:
    event = event_from_dict(RASA_SDK_EVENTS[2])

    assert isinstance(event, UserUttered)
    assert event.to_dict() == {
        "event": "user",
        "timestamp": None,
        "metadata": {},
        "text": "/greet",
        "parse_data": {"intent": {}, "entities": [], "text": "/greet", "message_id": None, "metadata": {}},
        "input_channel": None,
        "message_id": None,
    }
    assert event.intent_name is None


def test_events_user_from_parse_result_and_back() -> None:
    result = ParseResult(
        text="上个月工资多少",
        intent=IntentPrediction("salary_query", 0.95),
        intent_ranking=(IntentPrediction("salary_query", 0.95), IntentPrediction("salary_dispute", 0.03)),
        entities=(ExtractedEntity("month", 0, 3, "2026-10", "ChineseValueExtractor", 1.0),),
    )

    event = UserUttered.from_parse_result(result, timestamp=T, input_channel="rest", message_id="m1")

    assert event.intent_name == "salary_query"
    assert event.entities[0]["value"] == "2026-10"
    assert event.parse_data["message_id"] == "m1"
    assert event.parse_data["intent_ranking"][1] == {"name": "salary_dispute", "confidence": 0.03}
    assert event.parse_result() == result
    assert event_from_dict(event.to_dict()) == event


def test_events_with_timestamp_stamps_an_unstamped_event() -> None:
    event = event_from_dict({"event": "slot", "name": "amount", "value": 85})

    stamped = event.with_timestamp(T)

    assert event.timestamp is None
    assert stamped == SlotSet(timestamp=T, name="amount", value=85)


def test_events_constructors_never_read_the_clock() -> None:
    assert SlotSet(timestamp=None, name="a").timestamp is None
    with pytest.raises(TypeError):
        SlotSet(name="a")  # type: ignore[call-arg]


def test_events_rasa_defaults_for_missing_optional_fields() -> None:
    action = event_from_dict({"event": "action", "name": "utter_greet"})
    interrupted = event_from_dict({"event": "loop_interrupted"})
    reminder = event_from_dict(
        {"event": "reminder", "intent": "EXTERNAL_x", "date_time": "2026-11-21T10:00:00"}
    )

    assert action == ActionExecuted(timestamp=None, name="utter_greet")
    assert isinstance(action, ActionExecuted) and action.hide_rule_turn is False
    assert interrupted == LoopInterrupted(timestamp=None, is_interrupted=False)
    assert isinstance(reminder, ReminderScheduled) and reminder.kill_on_user_message is True


def test_events_integer_timestamp_and_confidence_read_as_float() -> None:
    event = event_from_dict({"event": "action", "timestamp": 1763690400, "name": "a", "confidence": 1})

    assert isinstance(event, ActionExecuted)
    assert event.timestamp == 1763690400.0 and isinstance(event.timestamp, float)
    assert event.confidence == 1.0 and isinstance(event.confidence, float)


def test_events_unknown_type_is_named_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown event type 'stack'.*known types: action, .*user"):
        event_from_dict({"event": "stack", "timestamp": T, "update": "[]"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"timestamp": T, "name": "x"}, r"no 'event' key"),
        ({"event": 3}, r"unknown event type 3"),
        (["event", "slot"], r"must be a JSON object, got list"),
        ({"event": "slot", "value": 1}, r"event 'slot': required field 'name' \(a string\) is missing"),
        ({"event": "slot", "name": 7}, r"event 'slot': field 'name' must be a string, got int 7"),
        ({"event": "slot", "name": "a", "timestamp": "yesterday"},
         r"event 'slot': field 'timestamp' must be a number or null, got str 'yesterday'"),
        ({"event": "slot", "name": "a", "timestamp": True}, r"field 'timestamp' must be a number"),
        ({"event": "slot", "name": "a", "metadata": []}, r"field 'metadata' must be an object or null"),
        ({"event": "followup"}, r"event 'followup': required field 'name'"),
        ({"event": "followup", "name": None}, r"event 'followup': field 'name' must be a string, got null"),
        ({"event": "action"}, r"event 'action': needs a 'name'"),
        ({"event": "action", "name": "a", "confidence": "high"}, r"field 'confidence' must be a number"),
        ({"event": "action", "name": "a", "hide_rule_turn": "yes"},
         r"field 'hide_rule_turn' must be true or false"),
        ({"event": "action_execution_rejected"}, r"event 'action_execution_rejected': required field 'name'"),
        ({"event": "loop_interrupted", "is_interrupted": 1}, r"field 'is_interrupted' must be true or false"),
        ({"event": "user_featurization"}, r"required field 'use_text_for_featurization'"),
        ({"event": "entities"}, r"event 'entities': required field 'entities'"),
        ({"event": "entities", "entities": ["date"]}, r"field 'entities' must be a list of objects"),
        ({"event": "user", "text": 5}, r"event 'user': field 'text' must be a string"),
        ({"event": "user", "parse_data": "greet"}, r"field 'parse_data' must be an object"),
        ({"event": "user", "parse_data": {"intent": "greet"}},
         r"field 'parse_data.intent' must be an object"),
        ({"event": "bot", "data": "buttons"}, r"event 'bot': field 'data' must be an object"),
        ({"event": "active_loop", "name": ["f"]},
         r"event 'active_loop': field 'name' must be a string or null"),
        ({"event": "reminder", "intent": "x"}, r"event 'reminder': required field 'date_time'"),
        ({"event": "reminder", "intent": "x", "date_time": "tomorrow"},
         r"field 'date_time' must be an ISO 8601 date-time, got str 'tomorrow'"),
        ({"event": "reminder", "date_time": "2026-11-21T10:00:00"}, r"required field 'intent'"),
        ({"event": "export", "path": 1}, r"event 'export': field 'path' must be a string or null"),
    ],
)
def test_events_bad_input_raises_value_error_naming_the_problem(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        event_from_dict(data)

    assert isinstance(caught.value, InvalidEventError)
    assert isinstance(caught.value, HrbotError)


def test_events_from_dicts_names_the_index_of_a_bad_event() -> None:
    with pytest.raises(ValueError, match=r"events\[1\]: event 'slot': required field 'name'"):
        events_from_dicts([{"event": "restart"}, {"event": "slot"}])


def test_events_unknown_keys_are_ignored_as_rasa_does() -> None:
    event = event_from_dict({"event": "slot", "name": "a", "value": 1, "timestamp": T, "extra": "x"})

    assert event == SlotSet(timestamp=T, name="a", value=1)


def test_events_are_frozen() -> None:
    event = SlotSet(timestamp=T, name="a", value=1)

    with pytest.raises(AttributeError):
        event.value = 2  # type: ignore[misc]
