"""Leave requests against handbook chapter 2; the reference day is Saturday 2026-11-21."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from backend_test_support import NOT_FOUND, Api


def balance(api: Api, leave_type: str, who: str = "E1008") -> dict[str, Any]:
    balances = api.ok("GET", f"/hrm/leave-balances?leave_type={leave_type}", who=who)["balances"]
    assert len(balances) == 1
    result: dict[str, Any] = balances[0]
    return result


def test_balances_come_from_the_hrm_ledger(api: Api) -> None:
    body = api.ok("GET", "/hrm/leave-balances", who="E1001")

    annual = next(b for b in body["balances"] if b["leave_type"] == "annual")
    assert annual == {
        "employee_id": "E1001",
        "leave_type": "annual",
        "leave_type_name": "年假",
        "year": 2026,
        "entitled": 7,
        "used": 4,
        "pending": 0,
        "remaining": 3,
    }
    assert body["personal_leave"] == {"year": 2026, "cap": 15, "taken": 2, "remaining": 13, "section": "2.3"}


def test_preview_counts_working_days_and_the_balance_after(api: Api) -> None:
    preview = api.ok(
        "POST", "/oa/leave-requests/preview", {"leave_type": "annual", "start": "2026-11-24", "days": 3}
    )

    assert preview["ok"] is True
    assert preview["end"] == "2026-11-26"
    assert preview["dates"] == ["2026-11-24", "2026-11-25", "2026-11-26"]
    assert preview["balance"] == {"year": 2026, "before": 7, "after": 4}
    assert preview["approver"]["id"] == "E1007"
    assert preview["problems"] == []


def test_preview_lists_every_problem_without_writing(api: Api) -> None:
    preview = api.ok(
        "POST",
        "/oa/leave-requests/preview",
        {"leave_type": "annual", "start": "2026-11-23", "end": "2026-11-27"},
        who="E1001",
    )

    assert preview["ok"] is False
    assert [p["error"] for p in preview["problems"]] == ["insufficient_notice", "insufficient_balance"]
    assert api.backend.store.count() == 0


def test_a_leave_request_is_filed_pending_and_holds_its_days(api: Api) -> None:
    response = api.post(
        "/oa/leave-requests",
        {"leave_type": "annual", "start": "2026-11-24", "end": "2026-11-25", "reason": "家里有事"},
    )

    assert response.status_code == 201
    request = response.json()
    assert request["id"] == "LV202600088"
    assert request["status"] == "pending"
    assert request["current_step"] == "直属主管审批"
    assert request["days"] == 2
    assert request["approver"]["name"] == "宋俊杰"
    assert balance(api, "annual") == {**balance(api, "annual"), "used": 0, "pending": 2, "remaining": 5}
    listed = api.ok("GET", "/oa/leave-requests?status=pending")["leave_requests"]
    assert "LV202600088" in [r["id"] for r in listed]


def test_the_smallest_unit_is_half_a_day(api: Api) -> None:
    error = api.rejected("/oa/leave-requests", {"leave_type": "annual", "start": "2026-11-24", "days": 0.3})

    assert error == {
        "error": "half_day_minimum",
        "message": "最小请假单位为半天(手册2.9),不能请0.3天",
        "section": "2.9",
    }


def test_half_a_day_is_accepted_and_morning_and_afternoon_do_not_overlap(api: Api) -> None:
    morning = api.ok("POST", "/oa/leave-requests", {"leave_type": "sick", "start": "2026-11-24", "days": 0.5})
    afternoon = api.ok(
        "POST", "/oa/leave-requests", {"leave_type": "sick", "start": "2026-11-24", "half_day": "afternoon"}
    )
    again = api.rejected(
        "/oa/leave-requests", {"leave_type": "sick", "start": "2026-11-24", "half_day": "morning"}
    )

    assert (morning["half_day"], morning["days"]) == ("morning", 0.5)
    assert (afternoon["half_day"], afternoon["days"]) == ("afternoon", 0.5)
    assert again["error"] == "leave_overlap"


def test_annual_leave_needs_one_working_days_notice(api: Api) -> None:
    error = api.rejected("/oa/leave-requests", {"leave_type": "annual", "start": "2026-11-23"})

    assert error == {
        "error": "insufficient_notice",
        "message": "年假须至少提前1个工作日申请(手册2.9):2026-11-23开始的年假最晚应在2026-11-20提交",
        "section": "2.9",
    }


def test_personal_leave_needs_notice_too_but_a_friday_request_for_monday_is_in_time(
    open_api: Callable[..., Api],
) -> None:
    friday = open_api(today="2026-11-20")

    assert (
        friday.ok("POST", "/oa/leave-requests", {"leave_type": "personal", "start": "2026-11-23"})["days"]
        == 1
    )
    error = friday.rejected("/oa/leave-requests", {"leave_type": "personal", "start": "2026-11-20"})
    assert error["error"] == "insufficient_notice"


def test_sick_leave_may_be_filed_up_to_two_working_days_afterwards(api: Api) -> None:
    assert api.ok("POST", "/oa/leave-requests", {"leave_type": "sick", "start": "2026-11-19"})["days"] == 1

    error = api.rejected("/oa/leave-requests", {"leave_type": "sick", "start": "2026-11-18"})
    assert error["error"] == "sick_leave_too_late"
    assert "2026-11-20截止" in error["message"]
    assert error["section"] == "2.9"


def test_other_leave_cannot_start_in_the_past(api: Api) -> None:
    error = api.rejected(
        "/oa/leave-requests", {"leave_type": "compensatory", "start": "2026-11-20", "days": 0.5}
    )

    assert error["error"] == "start_in_past"


def test_leave_may_not_overlap_an_existing_request(api: Api) -> None:
    error = api.rejected("/oa/leave-requests", {"leave_type": "sick", "start": "2026-12-01"})

    assert error["error"] == "leave_overlap"
    assert "LV202600010" in error["message"]


def test_leave_needs_enough_balance(api: Api) -> None:
    error = api.rejected(
        "/oa/leave-requests", {"leave_type": "annual", "start": "2026-11-24", "days": 4}, who="E1001"
    )

    assert error == {
        "error": "insufficient_balance",
        "message": "年假余额不足:剩余3天,本次需要4天(手册2.1)",
        "section": "2.1",
    }


def test_pending_requests_hold_the_balance_for_the_next_request(api: Api) -> None:
    api.ok(
        "POST", "/oa/leave-requests", {"leave_type": "annual", "start": "2026-11-24", "days": 2}, who="E1001"
    )

    error = api.rejected(
        "/oa/leave-requests", {"leave_type": "annual", "start": "2026-11-26", "days": 2}, who="E1001"
    )
    assert error["message"] == "年假余额不足:剩余1天,本次需要2天(手册2.1)"


def test_compensatory_leave_balance_cites_its_own_section(api: Api) -> None:
    error = api.rejected("/oa/leave-requests", {"leave_type": "compensatory", "start": "2026-11-24"})

    assert error["message"] == "调休余额不足:剩余0.5天,本次需要1天(手册2.4)"


def test_personal_leave_is_capped_at_fifteen_days_a_year(api: Api) -> None:
    error = api.rejected(
        "/oa/leave-requests", {"leave_type": "personal", "start": "2026-11-24", "days": 14}, who="E1038"
    )

    assert error == {
        "error": "yearly_cap_exceeded",
        "message": "事假每年累计不超过15天(手册2.3):2026年已申请2天,本次14天",
        "section": "2.3",
    }


def test_marriage_leave_is_three_days(api: Api) -> None:
    error = api.rejected("/oa/leave-requests", {"leave_type": "marriage", "start": "2026-11-23", "days": 4})

    assert error["error"] == "exceeds_entitlement"
    assert error["section"] == "2.5"


def test_a_span_of_rest_days_needs_no_leave(api: Api) -> None:
    error = api.rejected(
        "/oa/leave-requests", {"leave_type": "sick", "start": "2026-11-28", "end": "2026-11-29"}
    )

    assert error["error"] == "no_working_days"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"start": "2026-11-25", "end": "2026-11-24"}, "invalid_span"),
        ({"start": "2026-11-24", "end": "2026-11-25", "days": 3}, "days_mismatch"),
        ({"start": "2026-11-24", "end": "2026-11-25", "half_day": "morning"}, "invalid_half_day"),
        ({"start": "2026-11-24", "days": 1.5}, "unsupported_span"),
        ({"start": "2026-11-24", "days": 1, "half_day": "morning"}, "days_mismatch"),
    ],
)
def test_inconsistent_spans_are_refused(api: Api, body: dict[str, Any], code: str) -> None:
    assert api.rejected("/oa/leave-requests", {"leave_type": "sick", **body})["error"] == code


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"leave_type": "holiday", "start": "2026-11-24"}, "leave_type"),
        ({"leave_type": "annual"}, "start"),
        ({"leave_type": "annual", "start": "24/11/2026"}, "start"),
        ({"leave_type": "annual", "start": "2026-11-24", "dayz": 1}, "dayz"),
        ({"leave_type": "annual", "start": "2026-11-24", "days": "one"}, "days"),
    ],
)
def test_malformed_requests_name_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    response = api.post("/oa/leave-requests", body)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert response.json()["field"] == field


def test_a_body_that_is_not_a_json_object_is_refused(api: Api) -> None:
    response = api.call("POST", "/oa/leave-requests", content=b"[1, 2]")

    assert response.status_code == 400
    assert response.json()["field"] == "body"


def test_notes_tell_about_certificates_and_extra_approval(api: Api) -> None:
    request = api.ok("POST", "/oa/leave-requests", {"leave_type": "sick", "start": "2026-11-23", "days": 4})

    assert request["approval_steps"] == ["直属主管审批", "部门负责人审批"]
    assert "连续病假2天及以上须提供二级以上医院的病假证明(手册2.2)" in request["notes"]
    assert "请假超过3天,直属主管审批后还须部门负责人审批(手册2.9)" in request["notes"]


def test_personal_leave_preview_estimates_the_deduction(api: Api) -> None:
    preview = api.ok("POST", "/oa/leave-requests/preview", {"leave_type": "personal", "start": "2026-11-24"})

    assert "预计扣除基本工资349.43元" in preview["notes"][0]


def test_cancelling_a_new_request_gives_its_days_back(api: Api) -> None:
    request = api.ok("POST", "/oa/leave-requests", {"leave_type": "annual", "start": "2026-11-24", "days": 2})

    cancelled = api.ok("POST", f"/oa/leave-requests/{request['id']}/cancel")
    assert cancelled["status"] == "cancelled"
    assert cancelled["current_step"] == "已撤销"
    assert balance(api, "annual")["remaining"] == 7


def test_cancelling_an_approved_company_request_gives_its_days_back(api: Api) -> None:
    assert balance(api, "annual", who="E1051")["remaining"] == 4

    api.ok("POST", "/oa/leave-requests/LV202600082/cancel", who="E1051")
    assert balance(api, "annual", who="E1051") == {
        **balance(api, "annual", who="E1051"),
        "used": 0.5,
        "remaining": 4.5,
    }
    assert api.ok("GET", "/oa/leave-requests/LV202600082", who="E1051")["status"] == "cancelled"


def test_a_started_leave_cannot_be_cancelled(api: Api) -> None:
    response = api.post("/oa/leave-requests/LV202600004/cancel", who="E1006")

    assert response.status_code == 422
    assert response.json() == {
        "error": "leave_already_started",
        "message": "该请假已于2026-11-19开始,不能撤销;如需提前结束请联系HR(手册2.10)",
        "section": "2.10",
    }


def test_a_rejected_or_cancelled_leave_cannot_be_cancelled(api: Api) -> None:
    assert api.post("/oa/leave-requests/LV202600007/cancel", who="E1007").json()["error"] == "not_cancellable"
    api.ok("POST", "/oa/leave-requests/LV202600001/cancel", who="E1001")
    assert api.post("/oa/leave-requests/LV202600001/cancel", who="E1001").json()["error"] == "not_cancellable"


def test_only_the_owner_may_cancel(api: Api) -> None:
    by_manager = api.post("/oa/leave-requests/LV202600010/cancel", who="E1007")
    by_peer = api.post("/oa/leave-requests/LV202600010/cancel", who="E1009")

    assert by_manager.status_code == 403
    assert by_manager.json()["error"] == "forbidden"
    assert by_peer.json() == NOT_FOUND
    assert api.ok("GET", "/oa/leave-requests/LV202600010")["status"] == "approved"


def test_the_approver_sees_pending_requests_in_their_todo(api: Api) -> None:
    request = api.ok("POST", "/oa/leave-requests", {"leave_type": "annual", "start": "2026-11-24"})

    todo = api.ok("GET", "/oa/todo", who="E1007")
    assert request["id"] in [r["id"] for r in todo["leave_requests"]]
    assert todo["approvals"][0]["current_approver_id"] == "E1007"
