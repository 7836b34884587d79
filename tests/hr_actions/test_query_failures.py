"""What every query action does when things go wrong (HR systems down, unknown sender), its
name, and the shared helpers: the reference clock and reading months and dates."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from actions.attendance import ActionAttendanceQuery
from actions.base import HRAction
from actions.connectors import HRSystemsClient, SystemUnavailable
from actions.expenses import ActionMaterialRequestStatus, ActionReimbursementStatus, ActionWelfareQuery
from actions.hiring import ActionRecruitmentProgress
from actions.identity import UNKNOWN_EMPLOYEE_MESSAGE
from actions.leave_queries import ActionLeaveBalance, ActionLeaveStatus
from actions.pay import ActionSalaryDispute, ActionSalaryQuery, ActionSocialInsuranceQuery
from actions.people import ActionEmployeeInfo, ActionTrainingQuery
from actions.performance import ActionPerformanceQuery
from actions.when import (
    SHANGHAI,
    DateSpan,
    month_span,
    reference_now,
    requested_month,
    requested_span,
)
from actions.work import ActionApprovalStatus, ActionMeetingQuery, ActionProjectParticipation
from connector_support import backend_app, demo_config
from test_query_support import ask, tracker_for, unreachable_client

ACTIONS: dict[str, type[HRAction]] = {
    "action_leave_balance": ActionLeaveBalance,
    "action_leave_status": ActionLeaveStatus,
    "action_salary_query": ActionSalaryQuery,
    "action_salary_dispute": ActionSalaryDispute,
    "action_social_insurance_query": ActionSocialInsuranceQuery,
    "action_attendance_query": ActionAttendanceQuery,
    "action_reimbursement_status": ActionReimbursementStatus,
    "action_employee_info": ActionEmployeeInfo,
    "action_training_query": ActionTrainingQuery,
    "action_recruitment_progress": ActionRecruitmentProgress,
    "action_welfare_query": ActionWelfareQuery,
    "action_material_request_status": ActionMaterialRequestStatus,
    "action_approval_status": ActionApprovalStatus,
    "action_performance_query": ActionPerformanceQuery,
    "action_project_participation": ActionProjectParticipation,
    "action_meeting_query": ActionMeetingQuery,
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with backend_app(tmp_path_factory.mktemp("failures") / "b.db") as served:
        yield served


@pytest.mark.parametrize("name", ACTIONS)
def test_every_action_has_its_contract_name_and_survives_pickling(name: str) -> None:
    action = ACTIONS[name]()
    assert action.name() == name
    assert pickle.loads(pickle.dumps(action)).name() == name


@pytest.mark.parametrize("name", ACTIONS)
def test_with_the_hr_systems_down_every_action_relays_the_connectors_friendly_message(
    app: Any, name: str
) -> None:
    answer = ask(app, ACTIONS[name], "E1008", "查一下", client_factory=unreachable_client)

    assert answer.text == SystemUnavailable("hrm", "").user_message
    assert answer.events == []


@pytest.mark.parametrize("name", ACTIONS)
def test_an_unknown_sender_is_told_their_account_is_not_linked(app: Any, name: str) -> None:
    answer = ask(app, ACTIONS[name], "E9999", "查一下")

    assert answer.text == UNKNOWN_EMPLOYEE_MESSAGE
    assert answer.events == []


def test_a_failure_after_the_identity_is_known_is_relayed_too(app: Any) -> None:
    """The identity look-up answers, the payroll endpoints are down: still the friendly message."""

    class PayrollDown(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.ASGITransport(app=app)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.startswith("/hrm/payslips"):
                raise httpx.ConnectError("connection refused", request=request)
            return await self.inner.handle_async_request(request)

    answer = ask(app, ActionSalaryQuery, "E1008", "上个月工资", client_factory=lambda: HRSystemsClient(
        demo_config(), transport=PayrollDown(), retry_delay=0))

    assert answer.text == SystemUnavailable("hrm", "").user_message and answer.events == []


def test_an_invalid_month_entity_is_ignored_rather_than_sent(app: Any) -> None:
    answer = ask(app, ActionSalaryQuery, "E1008", "上个月工资", entities={"month": "2026-13"})

    assert "实发工资" in answer.text and answer.slot("month") != "2026-13"


def test_an_unexpected_bug_becomes_an_apology_with_a_human_handoff(app: Any) -> None:
    class Broken(HRAction):
        action_name = "action_broken"

        async def answer(self, query: Any) -> Any:
            raise KeyError("net")

    answer = ask(app, Broken, "E1008", "查一下")

    assert "暂时无法使用" in answer.text
    assert answer.buttons == [{"title": "转人工", "payload": "/human_handoff"}]


def test_the_reference_time_comes_from_the_environment_in_shanghai_time() -> None:
    assert reference_now({"HRBOT_REFERENCE_TIME": "2026-11-21T10:00:00+08:00"}) == datetime(
        2026, 11, 21, 10, tzinfo=SHANGHAI)
    assert reference_now({"HRBOT_REFERENCE_TIME": "2026-11-23"}) == datetime(2026, 11, 23, tzinfo=SHANGHAI)
    real = reference_now({"HRBOT_REFERENCE_TIME": "not a time"})
    assert real.tzinfo is not None and real.year >= 2025
    assert reference_now({}).utcoffset() == datetime(2026, 1, 1, tzinfo=SHANGHAI).utcoffset()


def test_month_and_date_come_from_the_latest_message_first_then_the_slot() -> None:
    from_message = tracker_for("E1008", entities={"month": "2026-09", "date": {"from": "2026-11-03",
                                                                           "to": "2026-11-01"}},
                               slots={"month": "2026-10", "date": "2026-11-20"})
    from_slots = tracker_for("E1008", slots={"month": "2026-10", "date": "2026-11-20"})
    invalid = tracker_for("E1008", entities={"month": "十月", "date": "明天"}, slots={"month": "2026-13"})

    assert requested_month(from_message) == "2026-09"
    assert requested_span(from_message) == DateSpan(date(2026, 11, 1), date(2026, 11, 3))
    assert requested_month(from_slots) == "2026-10"
    assert requested_span(from_slots) == DateSpan(date(2026, 11, 20), date(2026, 11, 20))
    assert requested_month(invalid) is None and requested_span(invalid) is None
    assert month_span("2026-12") == DateSpan(date(2026, 12, 1), date(2026, 12, 31))


def test_a_backend_of_another_day_does_not_change_what_today_means_for_the_answer(tmp_path: Any) -> None:
    with backend_app(tmp_path / "b.db", today="2026-11-23") as other_day:
        text = ask(other_day, ActionMeetingQuery, "E1008", "今天有什么会").text
    assert text.startswith("您11月21日(周六)")


def test_the_action_server_registers_each_query_action_but_not_their_base() -> None:
    """rasa_sdk's executor registers every Action subclass that `inspect.isabstract` says is
    concrete (the whole package scan also builds the policy action's jieba index, so not here)."""
    import inspect

    assert inspect.isabstract(HRAction)
    assert not any(inspect.isabstract(action) for action in ACTIONS.values())
