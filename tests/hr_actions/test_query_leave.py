"""action_leave_balance and action_leave_status against the demo backend, expectations from
company.json."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from actions.leave_queries import LAST_LEAVE_REQUEST_SLOT, ActionLeaveBalance, ActionLeaveStatus
from actions.replies import format_date, format_days
from connector_support import backend_app
from test_query_support import ask, reference_day, rows


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with backend_app(tmp_path_factory.mktemp("leave") / "b.db") as served:
        yield served


def balance(employee: str, leave_type: str) -> dict[str, Any]:
    (row,) = rows("leave_balances", employee_id=employee, leave_type=leave_type)
    return row


def test_the_balance_of_the_leave_type_asked_about_shows_remaining_entitled_and_used(app: Any) -> None:
    annual = balance("E1001", "annual")

    answer = ask(app, ActionLeaveBalance, "E1001", "我还剩几天年假", entities={"leave_type": "annual"})

    assert (f"年假剩余{format_days(annual['remaining'])}(共{format_days(annual['entitled'])},"
            f"已用{format_days(annual['used'])}") in answer.text
    assert "病假" not in answer.text
    assert answer.events == []


def test_the_leave_type_slot_is_used_when_the_message_names_none(app: Any) -> None:
    sick = balance("E1008", "sick")

    answer = ask(app, ActionLeaveBalance, "E1008", "还有几天", slots={"leave_type": "sick"})

    assert f"病假剩余{format_days(sick['remaining'])}" in answer.text


def test_without_a_type_every_type_with_days_is_listed(app: Any) -> None:
    held = [b for b in rows("leave_balances", employee_id="E1008") if b["remaining"] > 0 or b["entitled"] > 0]
    assert held

    text = ask(app, ActionLeaveBalance, "E1008", "我的假期余额").text

    for row in held:
        assert f"剩余{format_days(row['remaining'])}" in text
    assert "事假" in text  # the yearly cap of personal leave (2.3)


def test_personal_leave_answers_with_its_yearly_cap(app: Any) -> None:
    text = ask(app, ActionLeaveBalance, "E1008", "事假还能请几天", entities={"leave_type": "personal"}).text

    assert "事假" in text and "全年最多15天" in text


def cancellable(employee: str) -> dict[str, Any] | None:
    today = reference_day()
    future = [r for r in rows("leave_requests", employee_id=employee)
              if r["status"] in ("pending", "approved") and date.fromisoformat(r["start"]) > today]
    return max(future, key=lambda r: r["submitted_at"], default=None)


def test_the_status_lists_the_requests_and_remembers_the_latest_one_that_can_be_withdrawn(app: Any) -> None:
    requests = rows("leave_requests", employee_id="E1008")
    expected = cancellable("E1008")
    assert expected is not None and requests

    answer = ask(app, ActionLeaveStatus, "E1008", "我的请假批了没")

    assert answer.slot(LAST_LEAVE_REQUEST_SLOT) == expected["id"]
    for request in requests:
        start = date.fromisoformat(request["start"])
        assert format_date(start, today=reference_day()) in answer.text
    pending = [r for r in requests if r["status"] == "pending"]
    assert all(f"审批中,当前:{r['current_step']}" in answer.text for r in pending)


def test_without_a_request_to_withdraw_the_remembered_one_is_cleared(app: Any) -> None:
    employee = next(e["id"] for e in rows("employees")
                    if rows("leave_requests", employee_id=e["id"]) and cancellable(e["id"]) is None)

    answer = ask(app, ActionLeaveStatus, employee, "我的请假批了没")

    assert answer.slot(LAST_LEAVE_REQUEST_SLOT) is None
    assert "您最近的请假申请" in answer.text
