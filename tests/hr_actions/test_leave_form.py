"""The leave request form's actions (validate_leave_form, action_ask_leave_confirmed,
action_submit_leave_request) against the demo backend in-process, on the domain fragment in
actions/leave_form_domain.md. The clock is the demo's: Saturday 2026-11-21 10:00, so the earliest
annual leave is Tuesday 2026-11-24. E1008 has 7 days of annual leave, 0.5 of compensatory leave and
approved annual leave on 2026-11-30..12-01."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from actions.base import HRAction
from actions.connectors import HRSession
from actions.leave_form import ActionAskLeaveConfirmed, ActionSubmitLeaveRequest, ValidateLeaveForm
from actions.leave_queries import LAST_LEAVE_REQUEST_SLOT
from connector_support import REPO, backend_app, in_process_client, run
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from test_query_support import Answer, reference_now

EMPLOYEE = "E1008"
FORM_SLOTS = ("leave_type", "date", "duration", "leave_half_day", "leave_reason", "leave_confirmed")


def domain() -> dict[str, Any]:
    """The first YAML block of the proposed domain fragment."""
    text = (REPO / "actions" / "leave_form_domain.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    fragment: dict[str, Any] = yaml.safe_load(block.group(1))
    return fragment


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with backend_app(tmp_path_factory.mktemp("leave-form") / "b.db") as served:
        yield served


@pytest.fixture()
def fresh_app(tmp_path: Path) -> Iterator[Any]:
    """A backend of its own for a test that files a request."""
    with backend_app(tmp_path / "b.db") as served:
        yield served


def form_tracker(
    slots: Mapping[str, Any],
    *,
    recent: Mapping[str, Any] | None = None,
    text: str = "",
    intent: str = "inform",
    entities: Mapping[str, Any] | None = None,
) -> Tracker:
    """A tracker inside leave_form: `slots` filled earlier, `recent` the slot candidates the form
    extracted from the latest message (what validate_leave_form validates)."""
    recent = dict(recent or {})
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0},
               "entities": [{"entity": k, "value": v} for k, v in dict(entities or {}).items()]}
    events: list[dict[str, Any]] = [*({"event": "slot", "name": k, "value": v} for k, v in slots.items()),
                                    {"event": "user", "text": text, "parse_data": message},
                                    *({"event": "slot", "name": k, "value": v} for k, v in recent.items())]
    all_slots = {**{slot: None for slot in FORM_SLOTS}, "requested_slot": None, **slots, **recent}
    return Tracker(EMPLOYEE, all_slots, message, events, False, None, {"name": "leave_form"}, "action_listen")


def validate(app: Any, tracker: Tracker) -> Answer:
    action = ValidateLeaveForm(lambda: in_process_client(app), clock=reference_now)
    dispatcher = CollectingDispatcher()
    events = run(action.run(dispatcher, tracker, domain()))
    return Answer(messages=dispatcher.messages, events=events)


def act(app: Any, action_class: type[HRAction], tracker: Tracker) -> Answer:
    action = action_class(lambda: in_process_client(app), clock=reference_now)
    dispatcher = CollectingDispatcher()
    events = run(action.run(dispatcher, tracker, domain()))
    return Answer(messages=dispatcher.messages, events=events)


def requests_of(app: Any) -> list[dict[str, Any]]:
    async def fetch() -> list[dict[str, Any]]:
        async with in_process_client(app) as client:
            answer = await HRSession(client, EMPLOYEE).oa.leave_requests()
            return list(answer["leave_requests"])
    return run(fetch())


COMPLETE = {"leave_type": "annual", "date": "2026-11-24", "duration": 2, "leave_reason": "回老家办事",
            "requested_slot": "leave_confirmed"}


# --- validation ----------------------------------------------------------------------------

def test_an_allowed_request_keeps_its_slots_and_the_form_asks_for_the_next_one(app: Any) -> None:
    answer = validate(app, form_tracker({"leave_type": "annual"},
                                        recent={"date": "2026-11-24", "duration": 2}))

    assert answer.messages == []
    assert answer.slot("date") == "2026-11-24"
    assert answer.slot("duration") == 2
    assert answer.slot("requested_slot") == "leave_reason"


def test_the_duration_is_not_asked_for_a_span_of_days(app: Any) -> None:
    answer = validate(app, form_tracker({"leave_type": "annual"},
                                        recent={"date": {"from": "2026-11-24", "to": "2026-11-25"}}))

    assert answer.messages == []
    assert answer.slot("requested_slot") == "leave_reason"


def test_the_duration_is_not_asked_for_a_type_of_fixed_length(app: Any) -> None:
    answer = validate(app, form_tracker({}, recent={"leave_type": "marriage", "date": "2026-12-07"}))

    assert answer.slot("requested_slot") == "leave_reason"


def test_an_unknown_leave_type_is_asked_again(app: Any) -> None:
    answer = validate(app, form_tracker({}, recent={"leave_type": "sabbatical"}))

    assert answer.slot("leave_type") is None
    assert "年假" in answer.text
    assert answer.slot("requested_slot") == "leave_type"


def test_a_start_in_the_past_is_asked_again(app: Any) -> None:
    answer = validate(app, form_tracker({"leave_type": "annual"}, recent={"date": "2026-11-20"}))

    assert answer.slot("date") is None
    assert "不能早于今天" in answer.text


def test_less_than_half_a_day_is_asked_again(app: Any) -> None:
    answer = validate(app, form_tracker({"leave_type": "annual", "date": "2026-11-24"},
                                        recent={"duration": 0.3}))

    assert answer.slot("duration") is None
    assert "半天" in answer.text
    assert answer.slot("requested_slot") == "duration"


def test_too_little_notice_clears_the_date_with_the_backends_reason(app: Any) -> None:
    # Monday 2026-11-23: on a Saturday it is too late (the working day before is Friday)
    answer = validate(app, form_tracker({"leave_type": "annual", "duration": 1},
                                        recent={"date": "2026-11-23"}))

    assert answer.slot("date") is None
    assert "提前1个工作日" in answer.text and "手册2.9" in answer.text
    assert answer.slot("requested_slot") == "date"


def test_an_insufficient_balance_clears_the_duration_with_the_backends_reason(app: Any) -> None:
    answer = validate(app, form_tracker({"leave_type": "compensatory", "date": "2026-11-24"},
                                        recent={"duration": 2}))

    assert answer.slot("duration") is None
    assert "余额不足" in answer.text
    assert answer.slot("requested_slot") == "duration"


def test_a_correction_at_the_confirmation_replaces_the_date_and_asks_to_confirm_again(app: Any) -> None:
    answer = validate(app, form_tracker(COMPLETE, text="不对,改成周四", entities={"date": "2026-11-26"},
                                        recent={"date": "2026-11-26"}))

    assert [m["text"] for m in answer.messages] == ["好的,日期改为11月26日(周四)。"]
    assert answer.slot("date") == "2026-11-26"
    assert answer.slot("requested_slot") == "leave_confirmed"


def test_a_correction_onto_existing_leave_is_refused(app: Any) -> None:
    answer = validate(app, form_tracker(COMPLETE, recent={"date": "2026-11-30"}))

    assert answer.slot("date") is None
    assert answer.slot("requested_slot") == "date"
    assert answer.text


# --- the confirmation --------------------------------------------------------------------

def test_the_confirmation_summarises_type_dates_days_balance_and_reason(app: Any) -> None:
    answer = act(app, ActionAskLeaveConfirmed, form_tracker(COMPLETE))

    text = answer.text
    assert "年假" in text
    assert "11月24日(周二)至11月25日(周三)" in text
    assert "2天" in text
    assert "现有7天,提交后剩5天" in text
    assert "回老家办事" in text
    assert [b["payload"] for b in answer.buttons] == ["/affirm", "/deny"]


# --- submitting ------------------------------------------------------------------------------

def test_a_confirmed_request_is_filed_and_the_form_slots_are_emptied(fresh_app: Any) -> None:
    before = {r["id"] for r in requests_of(fresh_app)}

    answer = act(fresh_app, ActionSubmitLeaveRequest, form_tracker({**COMPLETE, "leave_confirmed": True}))

    (new,) = [r for r in requests_of(fresh_app) if r["id"] not in before]
    assert (new["leave_type"], new["start"], new["end"], new["days"]) == ("annual", "2026-11-24",
                                                                          "2026-11-25", 2)
    assert new["reason"] == "回老家办事"
    assert new["id"] in answer.text and "2天" in answer.text and new["current_step"] in answer.text
    assert answer.slot(LAST_LEAVE_REQUEST_SLOT) == new["id"]
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None


def test_a_refused_request_relays_the_reason_and_empties_the_form(fresh_app: Any) -> None:
    before = requests_of(fresh_app)
    slots = {**COMPLETE, "date": "2026-11-30", "duration": 1, "leave_confirmed": True}

    answer = act(fresh_app, ActionSubmitLeaveRequest, form_tracker(slots))

    assert requests_of(fresh_app) == before
    assert "已为您提交" not in answer.text and answer.text
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None


def test_an_unconfirmed_request_is_not_filed(fresh_app: Any) -> None:
    before = requests_of(fresh_app)

    answer = act(fresh_app, ActionSubmitLeaveRequest, form_tracker({**COMPLETE, "leave_confirmed": False}))

    assert requests_of(fresh_app) == before
    assert answer.messages[0]["response"] == "utter_leave_not_submitted"
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None


def test_a_correction_while_the_reason_is_asked_is_not_taken_as_the_reason() -> None:
    from actions.leave_form import ValidateLeaveForm
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    tracker = Tracker(
        "E1008", {"date": "2026-11-26", "leave_reason": "不对,改成下周四", "requested_slot": "leave_reason"},
        {"text": "不对,改成下周四", "intent": {"name": "inform"}},
        [{"event": "user", "text": "不对,改成下周四"},
         {"event": "slot", "name": "date", "value": "2026-11-26"},
         {"event": "slot", "name": "leave_reason", "value": "不对,改成下周四"}],
        False, None, {"name": "leave_form"}, "action_listen",
    )
    answer = ValidateLeaveForm().validate_leave_reason("不对,改成下周四", CollectingDispatcher(), tracker, {})
    assert answer == {"leave_reason": None}


# --- half days and corrections ----------------------------------------------------------------

def test_half_a_day_asks_morning_or_afternoon_before_the_reason(app: Any) -> None:
    answer = validate(app, form_tracker({"leave_type": "annual", "date": "2026-11-24"},
                                        recent={"duration": 0.5}, text="半天"))

    assert answer.slot("requested_slot") == "leave_half_day"


def test_the_half_named_in_the_message_is_taken_and_sent_to_oa(app: Any) -> None:
    half_day = {"date": "2026-11-24", "duration": 0.5}
    answer = validate(app, form_tracker({"leave_type": "annual"}, recent=half_day, text="下周二下午请半天"))

    assert answer.slot("leave_half_day") == "afternoon"
    assert answer.slot("requested_slot") == "leave_reason"
    summary = act(app, ActionAskLeaveConfirmed, form_tracker(
        {"leave_type": "annual", "date": "2026-11-24", "duration": 0.5, "leave_half_day": "afternoon",
         "leave_reason": "看牙"})).text
    assert "11月24日(周二)下午" in summary and "半天" in summary


def test_a_whole_day_never_asks_for_a_half(app: Any) -> None:
    one_day = {"date": "2026-11-24", "duration": 1}
    answer = validate(app, form_tracker({"leave_type": "annual"}, recent=one_day, text="下周二上午起请一天"))

    assert answer.slot("requested_slot") == "leave_reason"


def test_a_correction_is_acknowledged_with_the_new_value(app: Any) -> None:
    answer = validate(app, form_tracker({"leave_type": "annual", "date": "2026-11-24", "duration": 1},
                                        recent={"date": "2026-11-25"}, text="不对,改成周三",
                                        entities={"date": "2026-11-25"}))

    assert answer.messages[0]["text"] == "好的,日期改为11月25日(周三)。"
    assert answer.slot("date") == "2026-11-25"


def test_a_first_answer_is_not_called_a_correction(app: Any) -> None:
    answer = validate(app, form_tracker({"leave_type": "annual"}, recent={"date": "2026-11-25"},
                                        text="周三", entities={"date": "2026-11-25"}))

    assert not any("改为" in str(m.get("text")) for m in answer.messages)
