"""HRM: training, performance (handbook chapter 7) and hiring progress for hiring managers."""

from __future__ import annotations

from collections import Counter

from hr_backend.api.call import Call
from hr_backend.api.endpoint import EMPLOYEE_ID, Endpoint, Param
from hr_backend.api.views import JSON, person, with_names
from hr_backend.errors import not_found
from hr_backend.policy.access import Caller, Scope

GRADE_SCALE = "评分95分及以上为S,88-94分为A,78-87分为B,78分以下为C(手册7.1)"
CLOSED_STAGES = ("已入职", "已淘汰")


def list_trainings(call: Call) -> JSON:
    return {"trainings": list(call.backend.dataset.rows("trainings"))}


def get_training_records(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    dataset = call.backend.dataset
    catalogue = {t["id"]: t for t in dataset.rows("trainings")}
    records = [
        {**catalogue.get(r["training_id"], {}), **r} for r in dataset.rows_of("training_records", employee.id)
    ]
    records.sort(key=lambda r: str(r.get("date", "")))
    return {
        "employee_id": employee.id,
        "records": records,
        "required_open": [r for r in records if r.get("required") and r["status"] != "completed"],
        "upcoming": [r for r in records if str(r.get("date", "")) >= call.backend.now.date().isoformat()],
    }


def get_performance(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    period = call.query.get("period")
    dataset = call.backend.dataset
    reviews = [
        with_names(r, dataset, reviewer="reviewer_id")
        for r in dataset.rows_of("performance_reviews", employee.id)
        if not period or r["period"] == period
    ]
    reviews.sort(key=lambda r: str(r["period"]), reverse=True)
    return {"employee_id": employee.id, "reviews": reviews, "grade_scale": GRADE_SCALE}


def _may_see_position(caller: Caller, position: JSON) -> bool:
    return caller.is_hr or position["hiring_manager_id"] == caller.id


def _position_view(call: Call, position: JSON, *, with_candidates: bool) -> JSON:
    dataset = call.backend.dataset
    candidates = [c for c in dataset.rows("candidates") if c["position_id"] == position["id"]]
    department = next(
        (d["name"] for d in dataset.rows("departments") if d["id"] == position["department_id"]), None
    )
    view = {
        **position,
        "department": department,
        "open": int(position["headcount"]) - int(position["hired"]),
        "hiring_manager": person(dataset, position["hiring_manager_id"]),
        "candidates_by_stage": dict(Counter(str(c["stage"]) for c in candidates)),
        "in_process": sum(1 for c in candidates if c["stage"] not in CLOSED_STAGES),
    }
    if with_candidates:
        view["candidates"] = sorted(candidates, key=lambda c: str(c["updated_on"]), reverse=True)
    return view


def list_positions(call: Call) -> JSON:
    positions = [p for p in call.backend.dataset.rows("positions") if _may_see_position(call.caller, p)]
    return {"positions": [_position_view(call, p, with_candidates=False) for p in positions]}


def get_position(call: Call) -> JSON:
    position = call.backend.dataset.find("positions", call.path["position_id"])
    if position is None or not _may_see_position(call.caller, position):
        raise not_found()
    return _position_view(call, position, with_candidates=True)


def _visible_candidates(call: Call) -> list[JSON]:
    dataset = call.backend.dataset
    positions = {p["id"]: p for p in dataset.rows("positions") if _may_see_position(call.caller, p)}
    return [
        {**c, "position_title": positions[c["position_id"]]["title"]}
        for c in dataset.rows("candidates")
        if c["position_id"] in positions
    ]


def list_candidates(call: Call) -> JSON:
    name, position_id, stage = (call.query.get(key) for key in ("name", "position_id", "stage"))
    candidates = [
        c
        for c in _visible_candidates(call)
        if (not name or name in c["name"])
        and position_id in (None, "", c["position_id"])
        and stage in (None, "", c["stage"])
    ]
    return {"candidates": candidates}


def get_candidate(call: Call) -> JSON:
    candidate = next((c for c in _visible_candidates(call) if c["id"] == call.path["candidate_id"]), None)
    if candidate is None:
        raise not_found()
    return candidate


HIRING_RIGHTS = "the position's hiring manager, HR"

ENDPOINTS = (
    Endpoint("GET", "/hrm/trainings", list_trainings, "The training catalogue", "hrm", rights="everyone"),
    Endpoint(
        "GET",
        "/hrm/training-records",
        get_training_records,
        "An employee's trainings: status, score, required ones still open",
        "hrm",
        params=(EMPLOYEE_ID,),
        rights="self, direct manager, HR",
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/hrm/performance",
        get_performance,
        "Performance reviews by period (grades per 7.1)",
        "hrm",
        params=(EMPLOYEE_ID, Param("period", "e.g. 2026Q3")),
        rights="self, direct manager, HR",
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/hrm/positions",
        list_positions,
        "Open positions with candidates per stage",
        "hrm",
        rights=HIRING_RIGHTS + " (others get an empty list)",
    ),
    Endpoint(
        "GET",
        "/hrm/positions/{position_id}",
        get_position,
        "One position and its candidates",
        "hrm",
        params=(Param("position_id", "e.g. P01", where="path", required=True),),
        rights=HIRING_RIGHTS,
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/hrm/candidates",
        list_candidates,
        "Candidates, by name, position or stage",
        "hrm",
        params=(
            Param("name", "part of the name"),
            Param("position_id", "e.g. P01"),
            Param("stage", "e.g. 一面, offer"),
        ),
        rights=HIRING_RIGHTS + " (others get an empty list)",
    ),
    Endpoint(
        "GET",
        "/hrm/candidates/{candidate_id}",
        get_candidate,
        "One candidate's stage",
        "hrm",
        params=(Param("candidate_id", "e.g. C001", where="path", required=True),),
        rights=HIRING_RIGHTS,
        errors=(404,),
    ),
)
