"""The expense claim preview (POST /erp/reimbursements/preview): every chapter-5 problem a claim
has, the standard that applies and what would be filed, without filing anything. Today is
Saturday 2026-11-21."""

from __future__ import annotations

from typing import Any

from backend_test_support import Api

PREVIEW = "/erp/reimbursements/preview"


def claim(**fields: Any) -> dict[str, Any]:
    return {"category": "taxi", "amount": 85, "occurred_on": "2026-11-20", **fields}


def claims_of(api: Api) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = api.ok("GET", "/erp/reimbursements")["reimbursements"]
    return listed


def test_an_allowed_claim_shows_what_would_be_filed_and_files_nothing(api: Api) -> None:
    before = claims_of(api)

    preview = api.ok("POST", PREVIEW, claim(description="加班打车回家"))

    assert preview["ok"] is True and preview["problems"] == []
    assert (preview["category"], preview["category_name"], preview["amount"]) == ("taxi", "打车费", 85)
    assert (preview["occurred_on"], preview["description"]) == ("2026-11-20", "加班打车回家")
    assert preview["current_step"] == "部门主管审批"
    assert preview["approval_steps"] == ["部门主管审批", "财务审核", "付款"]
    assert preview["deadline"] == "2026-12-20"
    assert "id" not in preview and "status" not in preview
    assert claims_of(api) == before


def test_the_preview_answers_what_filing_would_refuse(api: Api) -> None:
    body = claim(amount=120)

    preview = api.ok("POST", PREVIEW, body)
    refusal = api.rejected("/erp/reimbursements", body)

    assert preview["ok"] is False
    assert preview["problems"] == [refusal]
    assert refusal["error"] == "taxi_daily_limit"


def test_every_problem_is_listed_not_only_the_first(api: Api) -> None:
    preview = api.ok("POST", PREVIEW, claim(amount=150, occurred_on="2026-10-01", invoice_title="某某公司"))

    assert [p["error"] for p in preview["problems"]] == [
        "claim_expired", "taxi_daily_limit", "invalid_invoice_title",
    ]
    assert all(p["section"] for p in preview["problems"])


def test_the_taxi_limit_counts_what_was_already_claimed_that_day(api: Api) -> None:
    api.ok("POST", "/erp/reimbursements", claim(amount=60))

    preview = api.ok("POST", PREVIEW, claim(amount=50))

    assert preview["limit"]["amount"] == 100 and preview["limit"]["claimed_that_day"] == 60
    assert preview["problems"][0]["error"] == "taxi_daily_limit"
    assert "当天已报销60元" in preview["problems"][0]["message"]
    assert api.ok("POST", PREVIEW, claim(amount=40))["ok"] is True


def test_taxi_after_late_overtime_has_no_ceiling(api: Api) -> None:
    preview = api.ok("POST", PREVIEW, claim(amount=150, overtime_after_21=True))

    assert preview["ok"] is True
    assert preview["limit"]["amount"] is None and "全额" in preview["limit"]["text"]


def test_accommodation_applies_the_first_tier_limit_per_night(api: Api) -> None:
    shanghai = api.ok("POST", PREVIEW, claim(category="accommodation", amount=900, city="上海", nights=2))
    chengdu = api.ok("POST", PREVIEW, claim(category="accommodation", amount=900, city="成都", nights=2))

    assert (shanghai["ok"], shanghai["limit"]["amount"], shanghai["limit"]["per"]) == (True, 500, "night")
    assert (shanghai["city"], shanghai["nights"]) == ("上海", 2)
    assert chengdu["limit"]["amount"] == 350
    assert chengdu["problems"][0]["error"] == "accommodation_limit"
    assert "非一线城市每晚不超过350元" in chengdu["problems"][0]["message"]


def test_a_meal_needs_prior_consent_and_stays_within_the_per_person_limit(api: Api) -> None:
    unapproved = api.ok("POST", PREVIEW, claim(category="meal", amount=300, persons=4))
    too_dear = api.ok("POST", PREVIEW, claim(category="meal", amount=700, persons=4, manager_approved=True))
    fine = api.ok("POST", PREVIEW, claim(category="meal", amount=560, persons=4, manager_approved=True))

    assert unapproved["problems"][0]["error"] == "meal_needs_preapproval"
    assert too_dear["problems"][0]["error"] == "meal_limit"
    assert (fine["ok"], fine["persons"], fine["limit"]["per"]) == (True, 4, "person")


def test_categories_without_a_standard_have_no_limit(api: Api) -> None:
    assert api.ok("POST", PREVIEW, claim(category="training", amount=2000))["limit"] is None


def test_a_malformed_claim_is_refused_as_filing_would_refuse_it(api: Api) -> None:
    no_city = api.post(PREVIEW, claim(category="accommodation"))
    no_amount = api.post(PREVIEW, {"category": "taxi", "occurred_on": "2026-11-20"})

    assert no_city.status_code == 400 and no_city.json()["field"] == "city"
    assert no_amount.status_code == 400 and no_amount.json()["field"] == "amount"


def test_the_preview_needs_the_erp_token_and_an_acting_employee(api: Api) -> None:
    assert api.post(PREVIEW, claim(), bearer="demo-hrm-token").status_code == 401
    assert api.post(PREVIEW, claim(), who=None).json()["error"] == "missing_acting_employee"


def test_the_preview_is_described_in_the_openapi_spec(api: Api) -> None:
    spec = api.ok("GET", "/openapi.json", who=None, bearer="")

    operation = spec["paths"][PREVIEW]["post"]
    assert operation["security"] == [{"erpToken": []}]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReimbursementInput"
    }
    assert "get" not in spec["paths"][PREVIEW]
