"""The OpenAPI description matches the routes and the body readers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from backend_test_support import REPO, Api
from hr_backend.api.erp import read_claim, read_material
from hr_backend.api.hrm_disputes import read_dispute, read_reply
from hr_backend.api.oa_leave import read_leave
from hr_backend.api.oa_meetings import read_meeting
from hr_backend.api.oa_work import read_correction
from hr_backend.api.params import Body
from hr_backend.api.registry import ENDPOINTS
from hr_backend.api.schemas import BODIES
from starlette.routing import Route

FULL_BODIES: dict[str, tuple[Callable[[Body], Any], dict[str, Any]]] = {
    "DisputeInput": (read_dispute, {"period": "2026Q3", "reason": "x"}),
    "DisputeReplyInput": (read_reply, {"text": "x"}),
    "LeaveInput": (
        read_leave,
        {
            "leave_type": "annual",
            "start": "2026-11-24",
            "end": "2026-11-24",
            "days": 0.5,
            "half_day": "morning",
            "reason": "x",
        },
    ),
    "ReimbursementInput": (
        read_claim,
        {
            "category": "accommodation",
            "amount": 1,
            "occurred_on": "2026-11-20",
            "description": "x",
            "city": "上海",
            "nights": 1,
            "persons": 1,
            "overtime_after_21": False,
            "manager_approved": False,
            "invoice_title": "星河电商科技有限公司",
        },
    ),
    "CorrectionInput": (read_correction, {"date": "2026-11-18", "reason": "x"}),
    "MaterialRequestInput": (read_material, {"item": "鼠标", "quantity": 1, "reason": "x"}),
    "MeetingInput": (
        read_meeting,
        {
            "title": "x",
            "start": "2026-11-23T14:00",
            "end": "2026-11-23T15:00",
            "room_id": "R301",
            "attendee_ids": [],
            "size": 2,
        },
    ),
}


@pytest.fixture
def spec(api: Api) -> dict[str, Any]:
    response = api.get("/openapi.json", who=None, bearer="")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_every_route_is_described_and_every_description_is_routed(api: Api, spec: dict[str, Any]) -> None:
    routed = {
        (method.lower(), r.path)
        for r in api.app.routes
        if isinstance(r, Route)
        for method in r.methods or ()
        if method != "HEAD"
    }
    described = {(method, path) for path, operations in spec["paths"].items() for method in operations}

    assert routed == described


def test_every_body_schema_lists_exactly_what_its_reader_reads(spec: dict[str, Any]) -> None:
    used = {e.body for e in ENDPOINTS if e.body}
    assert used == set(FULL_BODIES) == set(BODIES)
    for name, (reader, example) in FULL_BODIES.items():
        body = Body(example)
        reader(body)
        assert body.fields_read == set(spec["components"]["schemas"][name]["properties"]) == set(example), (
            name
        )


def test_every_reference_resolves(spec: dict[str, Any]) -> None:
    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [ref for value in node.values() for ref in refs(value)]
        if isinstance(node, list):
            return [ref for value in node for ref in refs(value)]
        return []

    for ref in refs(spec["paths"]):
        _, section, kind, name = ref.split("/")
        assert name in spec[section][kind], ref


def test_each_system_is_secured_by_its_own_token(spec: dict[str, Any]) -> None:
    operation = spec["paths"]["/erp/reimbursements"]["post"]

    assert operation["security"] == [{"erpToken": []}]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReimbursementInput"
    }
    assert {"401", "403", "422"} <= set(operation["responses"])
    assert spec["paths"]["/health"]["get"]["security"] == []
    assert spec["paths"]["/hrm/identities"]["get"]["parameters"][0]["name"] == "wecom_userid"


def test_acting_employee_is_declared_where_it_is_required(spec: dict[str, Any]) -> None:
    acting = {"$ref": "#/components/parameters/ActingEmployee"}

    assert acting in spec["paths"]["/hrm/payslips/{month}"]["get"]["parameters"]
    assert acting not in spec["paths"]["/admin/reset"]["post"]["parameters"]


def test_a_wrong_method_answers_in_the_error_shape(api: Api) -> None:
    response = api.call("DELETE", "/hrm/employees/me")

    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_the_readme_lists_every_endpoint() -> None:
    readme = (REPO / "demo" / "backend" / "README.md").read_text(encoding="utf-8")

    missing = [f"{e.method} {e.path}" for e in ENDPOINTS if f"`{e.method} {e.path}`" not in readme]
    assert missing == []
