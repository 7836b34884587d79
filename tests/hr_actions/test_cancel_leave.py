"""The cancel leave form's actions (validate_cancel_leave_form, action_ask_cancel_request_id,
action_ask_cancel_confirmed, action_submit_cancel_leave) against the demo backend in-process. The
clock is the demo's: Saturday 2026-11-21 10:00. E1008 may withdraw sick leave 12-15..12-17 (pending)
and annual leave 11-30..12-01 (approved); E1004 only annual leave 12-24..12-25; E1006 nothing (its
annual leave on 11-19 has started)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from actions.base import HRAction
from actions.cancel_leave import (
    FORM_SLOTS,
    ActionAskCancelConfirmed,
    ActionAskCancelRequestId,
    ActionSubmitCancelLeave,
    ValidateCancelLeaveForm,
    cancellable_requests,
)
from actions.connectors import HRSession
from actions.leave_queries import LAST_LEAVE_REQUEST_SLOT
from connector_support import REPO, backend_app, in_process_client, run
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from test_query_support import Answer, reference_day, reference_now

SICK, ANNUAL = "LV202600009", "LV202600010"


def domain() -> dict[str, Any]:
    text = (REPO / "actions" / "cancel_leave_domain.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    fragment: dict[str, Any] = yaml.safe_load(block.group(1))
    return fragment


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with backend_app(tmp_path_factory.mktemp("cancel-leave") / "b.db") as served:
        yield served


@pytest.fixture()
def fresh_app(tmp_path: Path) -> Iterator[Any]:
    """A backend of its own for a test that withdraws a request."""
    with backend_app(tmp_path / "b.db") as served:
        yield served


def form_tracker(sender: str, slots: Mapping[str, Any] | None = None, *, text: str = "撤销请假",
                 intent: str = "cancel_leave", entities: Mapping[str, Any] | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0},
               "entities": [{"entity": k, "value": v} for k, v in dict(entities or {}).items()]}
    all_slots = {**{slot: None for slot in FORM_SLOTS}, "requested_slot": None, **dict(slots or {})}
    return Tracker(sender, all_slots, message, [{"event": "user", "text": text, "parse_data": message}],
                   False, None, {"name": "cancel_leave_form"}, "action_listen")


def act(app: Any, action_class: type[HRAction] | type[ValidateCancelLeaveForm], tracker: Tracker) -> Answer:
    action = action_class(lambda: in_process_client(app), clock=reference_now)
    dispatcher = CollectingDispatcher()
    events = run(action.run(dispatcher, tracker, domain()))
    return Answer(messages=dispatcher.messages, events=events)


def cancellable_ids(app: Any, sender: str) -> list[str]:
    async def fetch() -> list[str]:
        async with in_process_client(app) as client:
            answer = await HRSession(client, sender).oa.leave_requests()
            return [str(r["id"]) for r in cancellable_requests(answer["leave_requests"], reference_day())]
    return run(fetch())


# --- choosing the request ------------------------------------------------------------------

def test_the_only_cancellable_request_is_chosen_without_asking(app: Any) -> None:
    answer = act(app, ValidateCancelLeaveForm, form_tracker("E1004"))

    assert answer.messages == []
    assert answer.slot("cancel_request_id") == "LV202600002"


def test_with_several_requests_none_is_chosen_and_the_question_offers_each_as_a_button(app: Any) -> None:
    answer = act(app, ValidateCancelLeaveForm, form_tracker("E1008"))
    assert answer.messages == [] and answer.events == []

    asking = form_tracker("E1008", {"requested_slot": "cancel_request_id"})
    question = act(app, ActionAskCancelRequestId, asking)
    payloads = [b["payload"] for b in question.buttons]
    assert payloads == [f'/inform{{"cancel_request_id": "{request_id}"}}' for request_id in (ANNUAL, SICK)]
    assert "11月30日(周一)至12月1日(周二) 年假2天" in question.buttons[0]["title"]


def test_a_date_inside_a_requests_span_chooses_it(app: Any) -> None:
    answer = act(app, ValidateCancelLeaveForm, form_tracker("E1008", entities={"date": "2026-12-16"}))

    assert answer.slot("cancel_request_id") == SICK


def test_a_leave_type_in_the_message_chooses_the_request_of_that_type(app: Any) -> None:
    answer = act(app, ValidateCancelLeaveForm, form_tracker("E1008", entities={"leave_type": "annual"}))

    assert answer.slot("cancel_request_id") == ANNUAL


def test_the_request_just_shown_by_leave_status_is_chosen(app: Any) -> None:
    answer = act(app, ValidateCancelLeaveForm, form_tracker("E1008", {LAST_LEAVE_REQUEST_SLOT: SICK}))

    assert answer.slot("cancel_request_id") == SICK


def test_a_date_matching_no_request_says_so_and_leaves_the_choice_open(app: Any) -> None:
    answer = act(app, ValidateCancelLeaveForm, form_tracker("E1008", entities={"date": "2026-11-24"}))

    assert "没有找到" in answer.text
    assert answer.events == []


def test_a_button_for_a_request_that_cannot_be_withdrawn_is_refused(app: Any) -> None:
    chosen = {"cancel_request_id": "LV202600002", "requested_slot": "cancel_request_id"}
    tracker = form_tracker("E1008", chosen, intent="inform")
    answer = act(app, ValidateCancelLeaveForm, tracker)

    assert "LV202600002" in answer.text
    assert answer.slot("cancel_request_id") is None


def test_with_nothing_to_withdraw_the_form_ends_with_the_reason(app: Any) -> None:
    answer = act(app, ValidateCancelLeaveForm, form_tracker("E1006"))

    assert "没有可以撤销的请假" in answer.text and "手册2.10" in answer.text
    assert answer.slot("requested_slot") is None
    submitted = act(app, ActionSubmitCancelLeave, form_tracker("E1006"))
    assert submitted.messages == []


# --- the confirmation ----------------------------------------------------------------------

def test_the_confirmation_shows_type_dates_days_and_status(app: Any) -> None:
    answer = act(app, ActionAskCancelConfirmed, form_tracker("E1008", {"cancel_request_id": SICK}))

    assert "病假" in answer.text and "12月15日(周二)至12月17日(周四)" in answer.text
    assert "3天" in answer.text and "审批中" in answer.text
    assert [b["payload"] for b in answer.buttons] == ["/affirm", "/deny"]


# --- withdrawing -----------------------------------------------------------------------------

def test_a_confirmed_cancellation_withdraws_the_request_and_empties_the_form(fresh_app: Any) -> None:
    tracker = form_tracker("E1008", {"cancel_request_id": ANNUAL, "cancel_confirmed": True,
                                     LAST_LEAVE_REQUEST_SLOT: ANNUAL}, intent="affirm")
    answer = act(fresh_app, ActionSubmitCancelLeave, tracker)

    assert "已为您撤销年假申请" in answer.text and "假期余额已退回" in answer.text
    assert cancellable_ids(fresh_app, "E1008") == [SICK]
    assert answer.slot(LAST_LEAVE_REQUEST_SLOT) is None
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None


def test_a_refusal_is_relayed_and_the_form_emptied(fresh_app: Any) -> None:
    tracker = form_tracker("E1006", {"cancel_request_id": "LV202600004", "cancel_confirmed": True})
    answer = act(fresh_app, ActionSubmitCancelLeave, tracker)

    assert "2026-11-19开始" in answer.text and "不能撤销" in answer.text
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None


def test_an_unconfirmed_cancellation_changes_nothing(fresh_app: Any) -> None:
    tracker = form_tracker("E1008", {"cancel_request_id": ANNUAL, "cancel_confirmed": False}, intent="deny")
    answer = act(fresh_app, ActionSubmitCancelLeave, tracker)

    assert "没有撤销" in answer.text
    assert cancellable_ids(fresh_app, "E1008") == [ANNUAL, SICK]
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None
