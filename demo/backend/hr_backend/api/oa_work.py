"""OA: punch corrections (handbook 3.3), other approvals, and what waits for the caller's approval."""

from __future__ import annotations

from datetime import date

from hr_backend.api.call import Call, Reply
from hr_backend.api.endpoint import EMPLOYEE_ID, Endpoint, Param
from hr_backend.api.params import Body, query_choice
from hr_backend.api.views import JSON, person, with_names
from hr_backend.errors import not_found
from hr_backend.policy.access import Caller, Scope, may_see
from hr_backend.policy.punches import (
    CORRECTABLE,
    MONTHLY_LIMIT,
    WINDOW_WORKING_DAYS,
    correction_problems,
    correction_record,
    eligible_days,
    used_in_month,
)

APPROVAL_KINDS = {
    "business_trip": "出差申请",
    "seal": "用章申请",
    "it_access": "系统权限申请",
    "purchase": "采购申请",
    "contract": "合同审批",
}
APPROVAL_STATUSES = ("pending", "approved", "rejected")


def list_corrections(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    rows = sorted(call.state.rows_of("attendance_corrections", employee.id), key=lambda r: str(r["date"]))
    return {"employee_id": employee.id, "attendance_corrections": rows}


def eligible_corrections(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    today = call.backend.now.date()
    corrections = call.state.rows_of("attendance_corrections", employee.id)
    days = eligible_days(
        call.backend.dataset.rows_of("attendance", employee.id),
        corrections,
        today,
        call.backend.dataset.calendar,
    )
    month = today.isoformat()[:7]
    return {
        "employee_id": employee.id,
        "today": today.isoformat(),
        "eligible": days,
        "this_month": {"month": month, "used": used_in_month(corrections, month), "limit": MONTHLY_LIMIT},
        "rule": f"漏打卡可在{WINDOW_WORKING_DAYS}个工作日内提交补卡申请,"
        f"每月补卡不超过{MONTHLY_LIMIT}次(手册3.3)",
    }


def read_correction(body: Body) -> tuple[date, str]:
    """The day to correct and why."""
    day, reason = body.required_day("date"), body.text("reason", default="忘记打卡")
    body.finish()
    return day, reason


def submit_correction(call: Call) -> Reply:
    day, reason = read_correction(Body(call.body))
    backend, employee_id = call.backend, call.caller.id
    today = backend.now.date()
    with backend.writing() as (transaction, state):
        record = next(
            (r for r in backend.dataset.rows_of("attendance", employee_id) if r["date"] == day.isoformat()),
            None,
        )
        corrections = state.rows_of("attendance_corrections", employee_id)
        problems = correction_problems(day, record, corrections, today, backend.dataset.calendar)
        if problems or record is None:
            raise problems[0].error()
        correction = correction_record(
            state.next_id("attendance_corrections", today.year),
            employee_id,
            day,
            str(record["status"]),
            reason,
            backend.now.isoformat(timespec="seconds"),
        )
        transaction.put("attendance_corrections", correction)
    return Reply({**correction, "kind_name": CORRECTABLE[str(record["status"])]}, 201)


def _may_see_approval(caller: Caller, call: Call, approval: JSON) -> bool:
    owner = call.backend.dataset.employees.get(str(approval["employee_id"]))
    return (owner is not None and may_see(caller, owner, Scope.PERSONAL)) or approval.get(
        "current_approver_id"
    ) == caller.id


def _approval_view(call: Call, approval: JSON) -> JSON:
    return {
        **with_names(approval, call.backend.dataset, current_approver="current_approver_id"),
        "kind_name": APPROVAL_KINDS.get(str(approval["kind"]), approval["kind"]),
    }


def list_approvals(call: Call) -> JSON:
    employee = call.owner(Scope.PERSONAL)
    status = query_choice(call.query, "status", APPROVAL_STATUSES)
    kind = query_choice(call.query, "kind", APPROVAL_KINDS)
    rows = [
        _approval_view(call, a)
        for a in call.backend.dataset.rows_of("oa_approvals", employee.id)
        if status in (None, a["status"]) and kind in (None, a["kind"])
    ]
    return {"employee_id": employee.id, "approvals": rows}


def get_approval(call: Call) -> JSON:
    approval = call.backend.dataset.find("oa_approvals", call.path["approval_id"])
    if approval is None or not _may_see_approval(call.caller, call, approval):
        raise not_found()
    return _approval_view(call, approval)


def get_todo(call: Call) -> JSON:
    caller, dataset, state = call.caller, call.backend.dataset, call.state
    reports = {e.id for e in dataset.direct_reports(caller.id)}
    leave = [
        {**r, "employee": person(dataset, r["employee_id"])}
        for r in state.rows("leave_requests")
        if r["status"] == "pending" and r.get("approver_id") == caller.id
    ]
    corrections = [
        {**r, "employee": person(dataset, r["employee_id"])}
        for r in state.rows("attendance_corrections")
        if r["status"] == "pending" and r["employee_id"] in reports
    ]
    approvals = [
        _approval_view(call, a)
        for a in dataset.rows("oa_approvals")
        if a["status"] == "pending" and a.get("current_approver_id") == caller.id
    ]
    return {
        "employee_id": caller.id,
        "leave_requests": leave,
        "attendance_corrections": corrections,
        "approvals": approvals,
    }


ENDPOINTS = (
    Endpoint(
        "GET",
        "/oa/attendance-corrections",
        list_corrections,
        "Punch corrections filed",
        "oa",
        params=(EMPLOYEE_ID,),
        rights="self, direct manager, HR",
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/oa/attendance-corrections/eligible",
        eligible_corrections,
        "Abnormal punch days that may still be corrected (3 working days, 3 a month)",
        "oa",
        params=(EMPLOYEE_ID,),
        rights="self, direct manager, HR",
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/oa/attendance-corrections",
        submit_correction,
        "File a punch correction (handbook 3.3)",
        "oa",
        body="CorrectionInput",
        status=201,
        rights="the acting employee files for themself",
        errors=(400, 422),
    ),
    Endpoint(
        "GET",
        "/oa/approvals",
        list_approvals,
        "OA work orders other than leave (seal, trip, IT, ...)",
        "oa",
        params=(
            EMPLOYEE_ID,
            Param("status", "only this status", schema={"enum": list(APPROVAL_STATUSES)}),
            Param("kind", "only this kind", schema={"enum": list(APPROVAL_KINDS)}),
        ),
        rights="self, HR",
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        "/oa/approvals/{approval_id}",
        get_approval,
        "One work order and who has it now",
        "oa",
        params=(Param("approval_id", "e.g. OA-2001", where="path", required=True),),
        rights="the applicant, the current approver, HR",
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/oa/todo",
        get_todo,
        "What waits for the acting employee's approval",
        "oa",
        rights="the acting employee's own queue",
    ),
)
