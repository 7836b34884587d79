"""ERP: expense claims (handbook chapter 5), welfare (chapter 6) and material requests.

The claim preview answers what filing would answer — every rule the claim breaks, the standard
that applies, the deadline — without writing, so the bot can check a claim while it is still
being described and show the limit before the employee confirms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hr_backend.api.call import Call, Reply
from hr_backend.api.endpoint import EMPLOYEE_ID, Endpoint, Param
from hr_backend.api.params import Body, query_choice
from hr_backend.api.views import JSON
from hr_backend.errors import invalid, not_found
from hr_backend.policy.access import Scope, may_see
from hr_backend.policy.claims import (
    CATEGORIES,
    CLAIM_WINDOW_DAYS,
    HOTEL_LIMIT_FIRST_TIER,
    HOTEL_LIMIT_OTHER,
    MEAL_LIMIT_PER_PERSON,
    OFFICE_LIMIT,
    OPEN_CLAIM_STATUSES,
    TAXI_DAILY_LIMIT,
    ClaimInput,
    claim_problems,
    claim_record,
)
from hr_backend.policy.numbers import plain, text

CLAIM_STATUSES = ("submitted", "approved", "paid", "rejected")
MATERIAL_STATUSES = ("pending", "issued", "rejected")
RIGHTS = "self, HR"
CLAIM_STEPS = ("部门主管审批", "财务审核", "付款")
"""Handbook 5.3: the steps after the employee files (员工提交→部门主管审批→财务审核→付款)."""
UNFILED_FIELDS = ("id", "status", "paid_on", "reject_reason")
"""Fields of a stored claim that only exist once it is filed."""


def _claim_view(claim: JSON) -> JSON:
    return {**claim, "category_name": CATEGORIES.get(str(claim["category"]), claim["category"])}


def list_reimbursements(call: Call) -> JSON:
    employee = call.owner(Scope.PERSONAL)
    status = query_choice(call.query, "status", CLAIM_STATUSES)
    claims = [
        _claim_view(c)
        for c in call.state.rows_of("reimbursements", employee.id)
        if status in (None, c["status"])
    ]
    return {"employee_id": employee.id, "reimbursements": claims}


def _visible(call: Call, kind: str, record_id: str) -> JSON:
    record = call.state.find(kind, record_id)
    owner = call.backend.dataset.employees.get(str(record["employee_id"])) if record else None
    if record is None or owner is None or not may_see(call.caller, owner, Scope.PERSONAL):
        raise not_found()
    return record


def get_reimbursement(call: Call) -> JSON:
    return _claim_view(_visible(call, "reimbursements", call.path["reimbursement_id"]))


def read_claim(body: Body) -> ClaimInput:
    category = body.required_choice("category", CATEGORIES)
    claim = ClaimInput(
        category=category,
        amount=round(body.positive_number("amount"), 2),
        occurred_on=body.required_day("occurred_on"),
        description=body.text("description"),
        city=body.optional_text("city"),
        nights=body.integer("nights", default=1, maximum=60),
        persons=body.integer("persons", default=1, maximum=100),
        overtime_after_21=body.flag("overtime_after_21"),
        manager_approved=body.flag("manager_approved"),
        invoice_title=body.optional_text("invoice_title"),
    )
    body.finish()
    if category == "accommodation" and not claim.city:
        raise invalid("city", "住宿报销须填写城市 city(一线城市与其他城市标准不同,手册5.2)")
    return claim


def _taxi_claimed(claim: ClaimInput, own_claims: list[JSON]) -> float:
    """What the employee already claims for taxis on the claim's day (open claims, as 5.2 counts)."""
    return sum(
        float(row["amount"])
        for row in own_claims
        if row.get("category") == "taxi"
        and row.get("occurred_on") == claim.occurred_on.isoformat()
        and row.get("status") in OPEN_CLAIM_STATUSES
    )


def claim_limit(claim: ClaimInput, own_claims: list[JSON]) -> JSON | None:
    """The chapter-5 standard that applies to ``claim`` (5.2): ``amount`` per ``per`` (day, night,
    person, claim; None when it is paid in full), its wording and section; None for categories
    without a standard (travel, training, other)."""
    if claim.category == "taxi":
        if claim.overtime_after_21:
            return {"amount": None, "per": "day", "text": "加班至21:00以后打车全额报销", "section": "5.2"}
        return {
            "amount": plain(TAXI_DAILY_LIMIT),
            "per": "day",
            "text": f"市内打车每天不超过{text(TAXI_DAILY_LIMIT)}元(加班至21:00以后打车全额报销)",
            "section": "5.2",
            "claimed_that_day": plain(_taxi_claimed(claim, own_claims)),
        }
    if claim.category == "accommodation":
        limit = HOTEL_LIMIT_FIRST_TIER if claim.first_tier else HOTEL_LIMIT_OTHER
        where = "一线城市" if claim.first_tier else "非一线城市"
        return {"amount": plain(limit), "per": "night", "text": f"出差住宿{where}每晚不超过{text(limit)}元",
                "section": "5.2", "first_tier": claim.first_tier}
    if claim.category == "meal":
        return {
            "amount": plain(MEAL_LIMIT_PER_PERSON),
            "per": "person",
            "text": f"业务餐费每人每餐不超过{text(MEAL_LIMIT_PER_PERSON)}元,须事先获主管同意",
            "section": "5.2",
        }
    if claim.category == "office":
        return {"amount": plain(OFFICE_LIMIT), "per": "claim",
                "text": f"办公用品单次不超过{text(OFFICE_LIMIT)}元,超过须走采购流程", "section": "5.2"}
    return None


def preview_reimbursement(call: Call) -> JSON:
    """What POST /erp/reimbursements would file for the caller, and every rule it breaks, without
    writing anything."""
    claim = read_claim(Body(call.body))
    employee_id, today = call.caller.id, call.backend.now.date()
    own_claims = call.state.rows_of("reimbursements", employee_id)
    problems = claim_problems(claim, today, own_claims)
    record = claim_record(claim, "", employee_id, today)
    would_file = {key: value for key, value in _claim_view(record).items() if key not in UNFILED_FIELDS}
    return {
        "ok": not problems,
        **would_file,
        "limit": claim_limit(claim, own_claims),
        "deadline": _deadline(claim.occurred_on).isoformat(),
        "approval_steps": list(CLAIM_STEPS),
        "problems": [problem.to_json() for problem in problems],
    }


def _deadline(occurred_on: date) -> date:
    """The last day the expense may be claimed (5.1)."""
    return occurred_on + timedelta(days=CLAIM_WINDOW_DAYS)


def submit_reimbursement(call: Call) -> Reply:
    claim = read_claim(Body(call.body))
    backend, employee_id = call.backend, call.caller.id
    today = backend.now.date()
    with backend.writing() as (transaction, state):
        problems = claim_problems(claim, today, state.rows_of("reimbursements", employee_id))
        if problems:
            raise problems[0].error()
        record = claim_record(claim, state.next_id("reimbursements", today.year), employee_id, today)
        transaction.put("reimbursements", record)
    return Reply(_claim_view(record), 201)


def list_welfare(call: Call) -> JSON:
    return {"welfare": list(call.backend.dataset.rows("welfare"))}


def get_welfare_records(call: Call) -> JSON:
    employee = call.owner(Scope.PERSONAL)
    dataset = call.backend.dataset
    catalogue = {w["id"]: w for w in dataset.rows("welfare")}
    records = []
    for record in dataset.rows_of("welfare_records", employee.id):
        item = catalogue.get(record["welfare_id"], {})
        records.append(
            {
                **record,
                "title": item.get("title"),
                "date": item.get("date"),
                "amount": item.get("amount"),
                "welfare_status": item.get("status"),
            }
        )
    return {"employee_id": employee.id, "records": records}


def list_material_requests(call: Call) -> JSON:
    employee = call.owner(Scope.PERSONAL)
    status = query_choice(call.query, "status", MATERIAL_STATUSES)
    rows = [r for r in call.state.rows_of("material_requests", employee.id) if status in (None, r["status"])]
    return {"employee_id": employee.id, "material_requests": rows}


def get_material_request(call: Call) -> JSON:
    return _visible(call, "material_requests", call.path["request_id"])


@dataclass(frozen=True)
class MaterialInput:
    item: str
    quantity: int
    reason: str


def read_material(body: Body) -> MaterialInput:
    material = MaterialInput(
        item=body.text("item", required=True, max_length=50),
        quantity=body.integer("quantity", default=1, maximum=20),
        reason=body.text("reason"),
    )
    body.finish()
    return material


def submit_material_request(call: Call) -> Reply:
    material = read_material(Body(call.body))
    backend = call.backend
    with backend.writing() as (transaction, state):
        record = {
            "id": state.next_id("material_requests", backend.now.year),
            "employee_id": call.caller.id,
            "item": material.item,
            "quantity": material.quantity,
            "requested_on": backend.now.date().isoformat(),
            "status": "pending",
            "reason": material.reason,
        }
        transaction.put("material_requests", record)
    return Reply(record, 201)


ENDPOINTS = (
    Endpoint(
        "GET",
        "/erp/reimbursements",
        list_reimbursements,
        "Expense claims and where they are",
        "erp",
        params=(EMPLOYEE_ID, Param("status", "only this status", schema={"enum": list(CLAIM_STATUSES)})),
        rights=RIGHTS,
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        "/erp/reimbursements/{reimbursement_id}",
        get_reimbursement,
        "One expense claim",
        "erp",
        params=(Param("reimbursement_id", "e.g. RB202600001", where="path", required=True),),
        rights=RIGHTS,
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/erp/reimbursements/preview",
        preview_reimbursement,
        "What an expense claim would file: the standard that applies, the deadline, every rule it breaks",
        "erp",
        body="ReimbursementInput",
        rights="the acting employee, for themself",
        errors=(400,),
    ),
    Endpoint(
        "POST",
        "/erp/reimbursements",
        submit_reimbursement,
        "File an expense claim (rules of chapter 5)",
        "erp",
        body="ReimbursementInput",
        status=201,
        rights="the acting employee files for themself",
        errors=(400, 422),
    ),
    Endpoint(
        "GET",
        "/erp/welfare",
        list_welfare,
        "Welfare items (holiday gifts, check-up, allowances)",
        "erp",
        rights="everyone",
    ),
    Endpoint(
        "GET",
        "/erp/welfare-records",
        get_welfare_records,
        "Which welfare items an employee received",
        "erp",
        params=(EMPLOYEE_ID,),
        rights=RIGHTS,
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/erp/material-requests",
        list_material_requests,
        "Office supply / equipment requests",
        "erp",
        params=(EMPLOYEE_ID, Param("status", "only this status", schema={"enum": list(MATERIAL_STATUSES)})),
        rights=RIGHTS,
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        "/erp/material-requests/{request_id}",
        get_material_request,
        "One material request",
        "erp",
        params=(Param("request_id", "e.g. MR0001", where="path", required=True),),
        rights=RIGHTS,
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/erp/material-requests",
        submit_material_request,
        "Request office supplies or equipment",
        "erp",
        body="MaterialRequestInput",
        status=201,
        rights="the acting employee requests for themself",
        errors=(400,),
    ),
)
