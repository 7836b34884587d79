"""Tokens, the acting employee, who may see whose data, masking, and identity look-up."""

from __future__ import annotations

import pytest
from backend_test_support import NOT_FOUND, Api
from hr_backend.policy.masking import mask_bank_account, mask_id_card, mask_phone

EMPLOYEE, PEER, MANAGER, OTHER_MANAGER, HR_AGENT, HR_ADMIN = (
    "E1008",
    "E1009",
    "E1007",
    "E1023",
    "E1002",
    "E1001",
)


def test_a_call_without_the_systems_token_is_refused(api: Api) -> None:
    response = api.get("/hrm/employees/me", bearer="wrong")

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


def test_each_system_only_accepts_its_own_token(api: Api) -> None:
    assert api.get("/erp/reimbursements", bearer="demo-hrm-token").status_code == 401
    assert api.get("/erp/reimbursements", bearer="demo-erp-token").status_code == 200


def test_a_call_must_name_the_acting_employee(api: Api) -> None:
    response = api.get("/hrm/employees/me", who=None)

    assert response.status_code == 400
    assert response.json()["error"] == "missing_acting_employee"


def test_an_unknown_acting_employee_is_forbidden(api: Api) -> None:
    response = api.get("/hrm/employees/me", who="E9999")

    assert response.status_code == 403
    assert response.json()["error"] == "unknown_acting_employee"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (EMPLOYEE, 200),
        (MANAGER, 200),
        (HR_AGENT, 200),
        (HR_ADMIN, 200),
        (PEER, 404),
        (OTHER_MANAGER, 404),
    ],
)
def test_payslips_are_for_the_employee_the_direct_manager_and_hr_only(
    api: Api, who: str, status: int
) -> None:
    response = api.get(f"/hrm/payslips/2026-10?employee_id={EMPLOYEE}", who=who)

    assert response.status_code == status
    if status == 404:
        assert response.json() == NOT_FOUND


def test_a_hidden_record_answers_exactly_like_a_missing_one(api: Api) -> None:
    hidden = api.get(f"/hrm/payslips/2026-10?employee_id={EMPLOYEE}", who=PEER)
    no_employee = api.get("/hrm/payslips/2026-10?employee_id=E9999", who=PEER)
    no_month = api.get("/hrm/payslips/2027-01", who=PEER)
    no_route = api.get("/hrm/nothing-here", who=PEER)

    assert (
        hidden.status_code == no_employee.status_code == no_month.status_code == no_route.status_code == 404
    )
    assert hidden.content == no_employee.content == no_month.content == no_route.content


@pytest.mark.parametrize(
    "path",
    [
        "/hrm/leave-balances",
        "/hrm/attendance",
        "/oa/leave-requests",
        "/oa/attendance-corrections",
        "/hrm/employees/E1008",
        "/hrm/performance",
    ],
)
def test_a_manager_reads_direct_reports_leave_and_attendance_but_a_peer_does_not(api: Api, path: str) -> None:
    query = "" if path.endswith("E1008") else f"?employee_id={EMPLOYEE}"

    assert api.get(path + query, who=MANAGER).status_code == 200
    assert api.get(path + query, who=OTHER_MANAGER).json() == NOT_FOUND
    assert api.get(path + query, who=PEER).json() == NOT_FOUND


@pytest.mark.parametrize("path", ["/erp/reimbursements", "/erp/material-requests", "/erp/welfare-records"])
def test_expense_and_welfare_records_are_for_the_employee_and_hr_only(api: Api, path: str) -> None:
    query = f"?employee_id={EMPLOYEE}"

    assert api.get(path + query, who=EMPLOYEE).status_code == 200
    assert api.get(path + query, who=HR_AGENT).status_code == 200
    assert api.get(path + query, who=MANAGER).json() == NOT_FOUND


def test_a_leave_request_is_visible_to_its_owner_manager_and_hr(api: Api) -> None:
    for who in (EMPLOYEE, MANAGER, HR_AGENT):
        assert api.get("/oa/leave-requests/LV202600010", who=who).json()["employee_id"] == EMPLOYEE
    assert api.get("/oa/leave-requests/LV202600010", who=PEER).json() == NOT_FOUND
    assert api.get("/oa/leave-requests/LV209999999", who=EMPLOYEE).json() == NOT_FOUND


def test_an_oa_approval_is_visible_to_its_applicant_and_current_approver(api: Api) -> None:
    approval = api.ok("GET", "/oa/approvals/OA-2002", who=MANAGER)

    assert approval["employee_id"] == "E1022"
    assert approval["current_approver"]["name"] == "宋俊杰"
    assert api.get("/oa/approvals/OA-2002", who="E1022").status_code == 200
    assert api.get("/oa/approvals/OA-2002", who=EMPLOYEE).json() == NOT_FOUND


def test_a_meeting_is_visible_to_its_attendees_only(api: Api) -> None:
    assert api.get("/oa/meetings/M010", who=EMPLOYEE).json()["room_name"] == "301会议室"
    assert api.get("/oa/meetings/M010", who=PEER).json() == NOT_FOUND


def test_hiring_progress_is_for_the_hiring_manager_and_hr(api: Api) -> None:
    assert [p["id"] for p in api.ok("GET", "/hrm/positions", who=OTHER_MANAGER)["positions"]] == ["P01"]
    assert len(api.ok("GET", "/hrm/positions", who=HR_AGENT)["positions"]) == 3
    assert api.ok("GET", "/hrm/positions", who=EMPLOYEE)["positions"] == []
    assert api.get("/hrm/positions/P02", who=OTHER_MANAGER).json() == NOT_FOUND
    assert api.ok("GET", "/hrm/candidates?name=沈", who=OTHER_MANAGER)["candidates"][0]["id"] == "C010"
    assert [c["id"] for c in api.ok("GET", "/hrm/candidates?name=沈", who=HR_AGENT)["candidates"]] == [
        "C010",
        "C013",
    ]


def test_the_team_list_is_for_the_manager_and_hr(api: Api) -> None:
    reports = api.ok("GET", f"/hrm/employees/{MANAGER}/reports", who=MANAGER)["reports"]

    assert len(reports) == 15
    assert all(r["manager_id"] == MANAGER for r in reports)
    assert api.get(f"/hrm/employees/{MANAGER}/reports", who=EMPLOYEE).json() == NOT_FOUND


def test_identifiers_are_masked_for_the_employee_and_the_manager(api: Api) -> None:
    for who in (EMPLOYEE, MANAGER):
        profile = api.ok("GET", f"/hrm/employees/{EMPLOYEE}", who=who)
        assert profile["identifiers_masked"] is True
        assert profile["id_card"] == "330106********4893"
        assert profile["bank_account"] == "6222 **** **** 2841"
        assert profile["phone"] == "135****4059"


def test_hr_roles_see_identifiers_unmasked(api: Api) -> None:
    profile = api.ok("GET", f"/hrm/employees/{EMPLOYEE}", who=HR_AGENT)

    assert profile["identifiers_masked"] is False
    assert profile["id_card"] == "330106199302274893"
    assert profile["bank_account"] == "6222377774022382841"
    assert profile["phone"] == "13518564059"


def test_masking_keeps_the_agreed_digits() -> None:
    assert mask_id_card("330106198802014700") == "330106********4700"
    assert mask_bank_account("6222292184111995661") == "6222 **** **** 5661"
    assert mask_phone("13231514755") == "132****4755"
    assert mask_phone("12345") == "*****"


def test_the_profile_names_the_manager_and_tenure(api: Api) -> None:
    profile = api.ok("GET", "/hrm/employees/me")

    assert profile["manager"] == {"id": MANAGER, "name": "宋俊杰", "title": "客服经理"}
    assert profile["hire_date"] == "2019-04-27"
    assert profile["tenure_years"] == 7


@pytest.mark.parametrize("query", ["wecom_userid=wx_u1008", "dingtalk_userid=dt001008", "employee_id=E1008"])
def test_identity_lookup_maps_a_channel_user_to_the_employee(api: Api, query: str) -> None:
    identity = api.ok("GET", f"/hrm/identities?{query}", who=None)

    assert identity["employee_id"] == EMPLOYEE
    assert identity["name"] == "吴婉清"
    assert identity["is_hr"] is False
    assert "id_card" not in identity


def test_identity_lookup_of_a_manager_and_of_hr(api: Api) -> None:
    assert api.ok("GET", "/hrm/identities?wecom_userid=wx_u1007", who=None)["is_manager"] is True
    assert api.ok("GET", "/hrm/identities?dingtalk_userid=dt001002", who=None)["is_hr"] is True


def test_identity_lookup_of_an_unknown_user_is_not_found(api: Api) -> None:
    assert api.get("/hrm/identities?wecom_userid=wx_nobody", who=None).json() == NOT_FOUND


def test_identity_lookup_takes_exactly_one_identifier(api: Api) -> None:
    response = api.get("/hrm/identities?wecom_userid=wx_u1008&dingtalk_userid=dt001008", who=None)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert api.get("/hrm/identities", who=None).status_code == 400


def test_identity_lookup_still_needs_the_hrm_token(api: Api) -> None:
    assert (
        api.get("/hrm/identities?wecom_userid=wx_u1008", who=None, bearer="demo-oa-token").status_code == 401
    )


def _found(api: Api, q: str, who: str) -> list[str]:
    response = api.get(f"/hrm/employees?q={q}", who=who)
    assert response.status_code == 200
    return [row["id"] for row in response.json()["employees"]]


@pytest.mark.parametrize(
    ("who", "q", "found"),
    [
        (MANAGER, "吴婉清", [EMPLOYEE]),  # a direct report, by name
        (MANAGER, "e1008", [EMPLOYEE]),  # and by employee id, any case
        (EMPLOYEE, "吴婉清", [EMPLOYEE]),  # oneself
        (HR_AGENT, "周伟", ["E1023"]),  # HR: anyone
        (EMPLOYEE, "任超", []),  # a peer exists but is not visible
        (EMPLOYEE, "宋俊杰", []),  # nor is one's own manager
        (OTHER_MANAGER, "吴婉清", []),  # nor another manager's report
        (EMPLOYEE, "不存在的人", []),  # and a name nobody has looks the same
    ],
)
def test_employee_search_returns_only_visible_people_and_hides_the_rest_alike(
    api: Api, who: str, q: str, found: list[str]
) -> None:
    assert _found(api, q, who) == found


def test_employee_search_needs_a_query(api: Api) -> None:
    response = api.get("/hrm/employees?q=", who=EMPLOYEE)

    assert response.status_code == 400
    assert response.json()["field"] == "q"
