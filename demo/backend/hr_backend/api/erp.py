"""ERP: expense claims (handbook chapter 5), welfare (chapter 6) and material requests."""

from __future__ import annotations

from dataclasses import dataclass

from hr_backend.api.call import Call, Reply
from hr_backend.api.endpoint import EMPLOYEE_ID, Endpoint, Param
from hr_backend.api.params import Body, query_choice
from hr_backend.api.views import JSON
from hr_backend.errors import invalid, not_found
from hr_backend.policy.access import Scope, may_see
from hr_backend.policy.claims import CATEGORIES, ClaimInput, claim_problems, claim_record

CLAIM_STATUSES = ("submitted", "approved", "paid", "rejected")
MATERIAL_STATUSES = ("pending", "issued", "rejected")
RIGHTS = "self, HR"


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
