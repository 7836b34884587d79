"""The attendance correction form's actions (validate_punch_correction_form,
action_ask_correction_date, action_ask_correction_confirmed, action_submit_punch_correction)
against the demo backend in-process. On the demo's day (Saturday 2026-11-21) E1004 may correct
only 11-19 (late, until 11-24) and E1008 nothing (its missing punch of 11-13 is out of the
window). With the backend's day set to 2026-11-20, E1044 may correct 11-20 and 11-17 (both late);
on 2026-11-05 E1044 may correct 11-02..11-04 and has one correction (11-05) in November."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from actions.base import HRAction
from actions.connectors import HRSession
from actions.punch_correction import (
    FORM_SLOTS,
    ActionAskCorrectionConfirmed,
    ActionAskCorrectionDate,
    ActionSubmitPunchCorrection,
    ValidatePunchCorrectionForm,
)
from connector_support import REPO, backend_app, in_process_client, run
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from test_query_support import Answer, reference_now


def domain() -> dict[str, Any]:
    text = (REPO / "actions" / "punch_correction_domain.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    fragment: dict[str, Any] = yaml.safe_load(block.group(1))
    return fragment


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with backend_app(tmp_path_factory.mktemp("punch-correction") / "b.db") as served:
        yield served


@pytest.fixture(scope="module")
def friday_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The backend on Friday 2026-11-20, when E1044 has two days to correct."""
    with backend_app(tmp_path_factory.mktemp("punch-friday") / "b.db", today="2026-11-20") as served:
        yield served


@pytest.fixture()
def fresh_app(tmp_path: Path) -> Iterator[Any]:
    """A backend of its own for a test that files a correction."""
    with backend_app(tmp_path / "b.db") as served:
        yield served


def form_tracker(sender: str, slots: Mapping[str, Any] | None = None, *, text: str = "我要补卡",
                 intent: str = "attendance_correction", entities: Mapping[str, Any] | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0},
               "entities": [{"entity": k, "value": v} for k, v in dict(entities or {}).items()]}
    all_slots = {**{slot: None for slot in FORM_SLOTS}, "requested_slot": None, **dict(slots or {})}
    return Tracker(sender, all_slots, message, [{"event": "user", "text": text, "parse_data": message}],
                   False, None, {"name": "punch_correction_form"}, "action_listen")


def act(app: Any, action_class: type[HRAction] | type[ValidatePunchCorrectionForm],
        tracker: Tracker) -> Answer:
    action = action_class(lambda: in_process_client(app), clock=reference_now)
    dispatcher = CollectingDispatcher()
    events = run(action.run(dispatcher, tracker, domain()))
    return Answer(messages=dispatcher.messages, events=events)


def filed(app: Any, sender: str) -> list[tuple[str, str]]:
    async def fetch() -> list[tuple[str, str]]:
        async with in_process_client(app) as client:
            answer = await HRSession(client, sender).oa.punch_corrections()
            return [(str(c["date"]), str(c["status"])) for c in answer["attendance_corrections"]]
    return run(fetch())


# --- choosing the day -----------------------------------------------------------------------

def test_the_only_correctable_day_is_chosen_without_asking(app: Any) -> None:
    answer = act(app, ValidatePunchCorrectionForm, form_tracker("E1004"))

    assert answer.messages == []
    assert answer.slot("correction_date") == "2026-11-19"


def test_with_several_days_none_is_chosen_and_the_question_offers_each_as_a_button(friday_app: Any) -> None:
    answer = act(friday_app, ValidatePunchCorrectionForm, form_tracker("E1044"))
    assert answer.messages == [] and answer.events == []

    question = act(friday_app, ActionAskCorrectionDate,
                   form_tracker("E1044", {"requested_slot": "correction_date"}))
    payloads = [b["payload"] for b in question.buttons]
    assert payloads == [f'/inform{{"correction_date": "{day}"}}' for day in ("2026-11-20", "2026-11-17")]
    title = question.buttons[1]["title"]
    assert "11月17日(周二)" in title and "迟到" in title and "11月20日(周五)前可补" in title


def test_a_date_in_the_message_chooses_that_day(friday_app: Any) -> None:
    tracker = form_tracker("E1044", text="周二的考勤异常帮我申诉一下", entities={"date": "2026-11-17"})
    answer = act(friday_app, ValidatePunchCorrectionForm, tracker)

    assert answer.messages == []
    assert answer.slot("correction_date") == "2026-11-17"


def test_naming_another_day_when_asked_for_the_reason_changes_the_day_not_the_reason(
    friday_app: Any
) -> None:
    text = "帮我补周二的卡"
    tracker = form_tracker("E1044", {"correction_date": "2026-11-19", "correction_reason": text,
                                     "requested_slot": "correction_reason"},
                           text=text, entities={"date": "2026-11-17"})
    answer = act(friday_app, ValidatePunchCorrectionForm, tracker)

    assert answer.slot("correction_date") == "2026-11-17"
    assert answer.slot("correction_reason") is None


def test_a_reason_that_reads_like_a_request_but_names_no_day_is_kept(friday_app: Any) -> None:
    text = "外出见客户忘了打卡"
    tracker = form_tracker("E1044", {"correction_date": "2026-11-17", "correction_reason": text,
                                     "requested_slot": "correction_reason"}, text=text)
    answer = act(friday_app, ValidatePunchCorrectionForm, tracker)

    assert all(event.get("name") != "correction_reason" for event in answer.events)


def test_a_day_past_the_window_is_explained_with_the_handbook_and_left_empty(app: Any) -> None:
    answer = act(app, ValidatePunchCorrectionForm, form_tracker("E1004", entities={"date": "2026-11-16"}))

    assert "3个工作日" in answer.text and "手册3.3" in answer.text and "11月16日(周一)" in answer.text
    assert answer.events == []


def test_a_day_without_abnormal_attendance_is_explained(app: Any) -> None:
    answer = act(app, ValidatePunchCorrectionForm, form_tracker("E1004", entities={"date": "2026-11-18"}))

    assert "没有考勤异常" in answer.text
    assert answer.events == []


def test_a_button_for_a_day_that_cannot_be_corrected_is_refused(app: Any) -> None:
    chosen = {"correction_date": "2026-11-16", "requested_slot": "correction_date"}
    answer = act(app, ValidatePunchCorrectionForm, form_tracker("E1004", chosen, intent="inform"))

    assert "期限已过" in answer.text
    assert answer.slot("correction_date") is None


def test_with_nothing_to_correct_the_form_ends_with_the_reason(app: Any) -> None:
    answer = act(app, ValidatePunchCorrectionForm, form_tracker("E1008"))

    assert "没有可以补卡的考勤异常" in answer.text and "手册3.3" in answer.text
    assert answer.slot("requested_slot") is None
    submitted = act(app, ActionSubmitPunchCorrection, form_tracker("E1008"))
    assert submitted.messages == []


# --- the confirmation ------------------------------------------------------------------------

def test_the_confirmation_shows_day_abnormality_reason_and_deadline(app: Any) -> None:
    slots = {"correction_date": "2026-11-19", "correction_reason": "地铁故障"}
    answer = act(app, ActionAskCorrectionConfirmed, form_tracker("E1004", slots))

    assert "11月19日(周四)" in answer.text and "迟到" in answer.text
    assert "地铁故障" in answer.text and "11月24日(周二)" in answer.text
    assert [b["payload"] for b in answer.buttons] == ["/affirm", "/deny"]


# --- filing ------------------------------------------------------------------------------------

def test_a_confirmed_correction_is_filed_and_the_form_emptied(fresh_app: Any) -> None:
    slots = {"correction_date": "2026-11-19", "correction_reason": "地铁故障", "correction_confirmed": True}
    answer = act(fresh_app, ActionSubmitPunchCorrection, form_tracker("E1004", slots, intent="affirm"))

    assert re.search(r"已为您提交补卡申请\(编号\w+\)", answer.text)
    assert "11月19日(周四) 迟到" in answer.text and "地铁故障" in answer.text
    assert "直属主管审批" in answer.text
    assert ("2026-11-19", "pending") in filed(fresh_app, "E1004")
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None


def test_a_refusal_for_the_monthly_limit_is_relayed_and_the_form_emptied(tmp_path: Path) -> None:
    with backend_app(tmp_path / "b.db", today="2026-11-05") as thursday_app:
        def submit(day: str) -> Answer:
            slots = {"correction_date": day, "correction_reason": "忘记打卡", "correction_confirmed": True}
            return act(thursday_app, ActionSubmitPunchCorrection, form_tracker("E1044", slots))
        assert "已为您提交" in submit("2026-11-02").text and "已为您提交" in submit("2026-11-03").text
        answer = submit("2026-11-04")

        assert "每月补卡不超过3次" in answer.text and "手册3.3" in answer.text
        assert ("2026-11-04", "pending") not in filed(thursday_app, "E1044")
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None


def test_an_unconfirmed_correction_files_nothing(fresh_app: Any) -> None:
    slots = {"correction_date": "2026-11-19", "correction_reason": "地铁故障", "correction_confirmed": False}
    answer = act(fresh_app, ActionSubmitPunchCorrection, form_tracker("E1004", slots, intent="deny"))

    assert "没有提交" in answer.text
    assert filed(fresh_app, "E1004") == [("2026-10-09", "pending")]
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None
