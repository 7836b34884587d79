"""OA: leave requests — list, preview, file and cancel (handbook chapter 2)."""

from __future__ import annotations

from hr_backend.api.call import Call, Reply
from hr_backend.api.endpoint import DATE, EMPLOYEE_ID, Endpoint, Param
from hr_backend.api.params import Body, query_choice, query_date
from hr_backend.api.views import JSON, person
from hr_backend.data.dataset import Employee
from hr_backend.data.state import CompanyState
from hr_backend.errors import forbidden, not_found
from hr_backend.policy.access import Scope, may_see
from hr_backend.policy.leave import LeaveInput, LeavePlan, cancellation_problem, plan_leave
from hr_backend.policy.leave_types import HALF_DAYS, LEAVE_TYPES, STATUS_NAMES


def read_leave(body: Body) -> LeaveInput:
    request = LeaveInput(
        leave_type=LEAVE_TYPES[body.required_choice("leave_type", LEAVE_TYPES)],
        start=body.required_day("start"),
        end=body.day("end"),
        days=body.number("days"),
        half_day=body.choice("half_day", HALF_DAYS),
        reason=body.text("reason"),
    )
    body.finish()
    return request


def _view(call: Call, request: JSON) -> JSON:
    return {
        **request,
        "leave_type_name": LEAVE_TYPES[str(request["leave_type"])].name,
        "status_name": STATUS_NAMES.get(str(request["status"]), request["status"]),
        "approver": person(call.backend.dataset, request.get("approver_id")),
    }


def _approver_id(call: Call, employee: Employee) -> str:
    """The direct manager; employees without one go to the HR director (as company.json does)."""
    if employee.manager_id:
        return employee.manager_id
    director = call.backend.dataset.hr_director()
    return director.id if director else employee.id


def list_leave_requests(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    status = query_choice(call.query, "status", STATUS_NAMES)
    start, end = query_date(call.query, "from"), query_date(call.query, "to")
    rows = [
        r
        for r in call.state.rows_of("leave_requests", employee.id)
        if status in (None, r["status"])
        and (start is None or r["end"] >= start.isoformat())
        and (end is None or r["start"] <= end.isoformat())
    ]
    rows.sort(key=lambda r: (str(r["start"]), str(r["id"])))
    return {"employee_id": employee.id, "leave_requests": [_view(call, r) for r in rows]}


def _visible_request(call: Call, state: CompanyState) -> tuple[JSON, Employee]:
    request = state.find("leave_requests", call.path["request_id"])
    owner = call.backend.dataset.employees.get(str(request["employee_id"])) if request else None
    if request is None or owner is None:
        raise not_found()
    if not (may_see(call.caller, owner, Scope.TEAM) or request.get("approver_id") == call.caller.id):
        raise not_found()
    return request, owner


def get_leave_request(call: Call) -> JSON:
    request, _ = _visible_request(call, call.state)
    return _view(call, request)


def _plan(call: Call, state: CompanyState) -> tuple[LeaveInput, LeavePlan]:
    request = read_leave(Body(call.body))
    return request, plan_leave(request, call.caller.employee, state, call.backend.now)


def preview_leave(call: Call) -> JSON:
    _, plan = _plan(call, call.state)
    body = plan.to_json()
    body["approver"] = person(call.backend.dataset, _approver_id(call, call.caller.employee))
    return body


def submit_leave(call: Call) -> Reply:
    backend = call.backend
    with backend.writing() as (transaction, state):
        request, plan = _plan(call, state)
        if plan.problems:
            raise plan.problems[0].error()
        record_id = state.next_id("leave_requests", backend.now.year)
        record = plan.record(record_id, _approver_id(call, call.caller.employee), backend.now, request.reason)
        transaction.put("leave_requests", record)
    preview = plan.to_json()
    return Reply({**_view(call, record), "notes": preview["notes"], "balance": preview["balance"]}, 201)


def cancel_leave(call: Call) -> JSON:
    backend = call.backend
    with backend.writing() as (transaction, state):
        request, owner = _visible_request(call, state)
        if owner.id != call.caller.id:
            raise forbidden("请假只能由本人撤销(手册2.10)", "2.10")
        problem = cancellation_problem(request, backend.now.date())
        if problem is not None:
            raise problem.error()
        cancelled = {
            **request,
            "status": "cancelled",
            "current_step": "已撤销",
            "cancelled_at": backend.now.isoformat(timespec="seconds"),
        }
        transaction.put("leave_requests", cancelled)
    return _view(call, cancelled)


REQUEST_ID = Param("request_id", "e.g. LV202600001", where="path", required=True)

ENDPOINTS = (
    Endpoint(
        "GET",
        "/oa/leave-requests",
        list_leave_requests,
        "Leave requests and their approval status",
        "oa",
        params=(
            EMPLOYEE_ID,
            Param("status", "only this status", schema={"enum": list(STATUS_NAMES)}),
            Param("from", "ending on or after", schema=DATE),
            Param("to", "starting on or before", schema=DATE),
        ),
        rights="self, direct manager, HR",
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        "/oa/leave-requests/{request_id}",
        get_leave_request,
        "One leave request",
        "oa",
        params=(REQUEST_ID,),
        rights="self, direct manager, the approver, HR",
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/oa/leave-requests/preview",
        preview_leave,
        "What a leave request would cost: working days, balance after, every rule it breaks",
        "oa",
        body="LeaveInput",
        rights="the acting employee, for themself",
        errors=(400,),
    ),
    Endpoint(
        "POST",
        "/oa/leave-requests",
        submit_leave,
        "File a leave request (rules of chapter 2)",
        "oa",
        body="LeaveInput",
        status=201,
        rights="the acting employee files for themself",
        errors=(400, 422),
    ),
    Endpoint(
        "POST",
        "/oa/leave-requests/{request_id}/cancel",
        cancel_leave,
        "Withdraw a request that has not started (handbook 2.10)",
        "oa",
        params=(REQUEST_ID,),
        rights="only the employee who filed it (others who may see it: 403)",
        errors=(403, 404, 422),
    ),
)
