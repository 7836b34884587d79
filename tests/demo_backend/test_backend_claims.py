"""Expense claims against handbook chapter 5, and material requests; today is 2026-11-21."""

from __future__ import annotations

from typing import Any

import pytest
from backend_test_support import Api


def claim(**fields: Any) -> dict[str, Any]:
    return {"category": "taxi", "amount": 85, "occurred_on": "2026-11-20", **fields}


def test_a_claim_is_filed_for_the_managers_approval(api: Api) -> None:
    response = api.post("/erp/reimbursements", claim(description="加班打车"))

    assert response.status_code == 201
    filed = response.json()
    assert filed["id"] == "RB202600120"
    assert (filed["status"], filed["current_step"], filed["submitted_on"]) == (
        "submitted",
        "部门主管审批",
        "2026-11-21",
    )
    assert filed["category_name"] == "打车费"
    listed = api.ok("GET", "/erp/reimbursements?status=submitted")["reimbursements"]
    assert filed["id"] in [c["id"] for c in listed]
    assert api.ok("GET", f"/erp/reimbursements/{filed['id']}")["amount"] == 85


def test_a_claim_must_be_filed_within_thirty_days(api: Api) -> None:
    assert api.ok("POST", "/erp/reimbursements", claim(occurred_on="2026-10-22"))["status"] == "submitted"

    error = api.rejected("/erp/reimbursements", claim(occurred_on="2026-10-21"))
    assert error == {
        "error": "claim_expired",
        "message": "费用须在发生后30天内提交报销(手册5.1):2026-10-21的费用已于2026-11-20逾期",
        "section": "5.1",
    }


def test_an_expense_cannot_lie_in_the_future(api: Api) -> None:
    assert api.rejected("/erp/reimbursements", claim(occurred_on="2026-11-22"))["error"] == "date_in_future"


def test_taxi_is_limited_per_day_across_claims(api: Api) -> None:
    api.ok("POST", "/erp/reimbursements", claim(amount=60))

    error = api.rejected("/erp/reimbursements", claim(amount=60))
    assert error["error"] == "taxi_daily_limit"
    assert "当天已报销60元" in error["message"]
    assert error["section"] == "5.2"
    assert api.ok("POST", "/erp/reimbursements", claim(amount=40))["amount"] == 40


def test_taxi_after_late_overtime_is_paid_in_full(api: Api) -> None:
    assert api.ok("POST", "/erp/reimbursements", claim(amount=150, overtime_after_21=True))["amount"] == 150


@pytest.mark.parametrize(
    ("city", "amount", "accepted"),
    [
        ("上海", 1000, True),
        ("上海市", 1002, False),
        ("杭州", 700, True),
        ("杭州", 800, False),
    ],
)
def test_hotel_nights_are_limited_by_city_tier(api: Api, city: str, amount: float, accepted: bool) -> None:
    body = claim(category="accommodation", amount=amount, city=city, nights=2)

    if accepted:
        assert api.ok("POST", "/erp/reimbursements", body)["nights"] == 2
    else:
        assert api.rejected("/erp/reimbursements", body)["error"] == "accommodation_limit"


def test_a_hotel_claim_needs_the_city(api: Api) -> None:
    response = api.post("/erp/reimbursements", claim(category="accommodation", amount=300))

    assert response.status_code == 400
    assert response.json()["field"] == "city"


def test_business_meals_need_prior_consent_and_stay_under_the_per_person_limit(api: Api) -> None:
    meal = claim(category="meal", amount=280, persons=2)

    assert api.rejected("/erp/reimbursements", meal)["error"] == "meal_needs_preapproval"
    assert (
        api.rejected("/erp/reimbursements", {**meal, "amount": 320, "manager_approved": True})["error"]
        == "meal_limit"
    )
    assert api.ok("POST", "/erp/reimbursements", {**meal, "manager_approved": True})["persons"] == 2


def test_office_supplies_over_five_hundred_go_through_purchasing(api: Api) -> None:
    error = api.rejected("/erp/reimbursements", claim(category="office", amount=600))

    assert error["error"] == "office_over_limit"
    assert "采购流程" in error["message"]


def test_the_invoice_title_must_be_the_company(api: Api) -> None:
    error = api.rejected("/erp/reimbursements", claim(invoice_title="星河科技"))

    assert error["error"] == "invalid_invoice_title"
    assert error["section"] == "5.4"
    assert api.ok("POST", "/erp/reimbursements", claim(invoice_title="星河电商科技有限公司"))["invoice_title"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "lunch"}, "category"),
        ({"amount": -5}, "amount"),
        ({"amount": "85"}, "amount"),
        ({"persons": 0}, "persons"),
        ({"overtime_after_21": "yes"}, "overtime_after_21"),
    ],
)
def test_malformed_claims_name_the_field(api: Api, fields: dict[str, Any], field: str) -> None:
    response = api.post("/erp/reimbursements", claim(**fields))

    assert response.status_code == 400
    assert response.json()["field"] == field


def test_a_material_request_is_filed_pending(api: Api) -> None:
    filed = api.ok("POST", "/erp/material-requests", {"item": "显示器", "quantity": 2, "reason": "双屏办公"})

    assert (filed["id"], filed["status"], filed["requested_on"]) == ("MR0041", "pending", "2026-11-21")
    assert api.ok("GET", "/erp/material-requests/MR0041")["item"] == "显示器"
    assert filed in api.ok("GET", "/erp/material-requests?status=pending")["material_requests"]


def test_a_material_request_needs_an_item_and_a_sane_quantity(api: Api) -> None:
    assert api.post("/erp/material-requests", {"quantity": 1}).json()["field"] == "item"
    assert api.post("/erp/material-requests", {"item": "鼠标", "quantity": 0}).json()["field"] == "quantity"


def test_welfare_records_name_the_benefit(api: Api) -> None:
    records = api.ok("GET", "/erp/welfare-records", who="E1001")["records"]

    assert records[0] == {
        "employee_id": "E1001",
        "welfare_id": "W01",
        "status": "received",
        "title": "中秋节礼盒",
        "date": "2026-09-22",
        "amount": 300,
        "welfare_status": "distributed",
    }
