"""Read endpoints the bot answers from: payslips, performance, training, CS sessions, projects."""

from __future__ import annotations

from backend_test_support import NOT_FOUND, Api
from hr_backend.data.dataset import Dataset
from hr_backend.policy.cs import attribute_sessions, session_stats


def test_a_payslip_lists_its_items_with_signs(api: Api) -> None:
    payslip = api.ok("GET", "/hrm/payslips/2026-10")

    assert (payslip["gross"], payslip["net"], payslip["paid_on"]) == (9574.71, 8130.24, "2026-11-10")
    items = {item["code"]: item for item in payslip["items"]}
    assert items["overtime_pay"] == {"code": "overtime_pay", "name": "加班费", "amount": 524.14, "sign": 1}
    assert items["income_tax"]["sign"] == -1
    signed = sum(item["amount"] * item["sign"] for item in payslip["items"][:5])
    assert round(signed, 2) == payslip["gross"]


def test_payslips_are_listed_by_month(api: Api) -> None:
    payslips = api.ok("GET", "/hrm/payslips?year=2026")["payslips"]

    assert [p["month"] for p in payslips] == [f"2026-{m:02d}" for m in range(1, 11)]
    assert set(payslips[0]) == {"month", "gross", "net", "paid_on"}


def test_a_month_without_a_payslip_is_not_found_and_a_bad_month_is_refused(api: Api) -> None:
    assert api.get("/hrm/payslips/2026-11").json() == NOT_FOUND
    assert api.get("/hrm/payslips/Oct").json()["field"] == "month"


def test_performance_by_period_names_the_reviewer(api: Api) -> None:
    reviews = api.ok("GET", "/hrm/performance?period=2026Q3", who="E1001")["reviews"]

    assert len(reviews) == 1
    assert (reviews[0]["score"], reviews[0]["grade"]) == (72, "C")
    assert reviews[0]["reviewer"]["name"] == "田艳"


def test_training_status_lists_required_courses_still_open(api: Api) -> None:
    body = api.ok("GET", "/hrm/training-records", who="E1001")

    assert [r["training_id"] for r in body["required_open"]] == ["T01"]
    assert body["required_open"][0]["title"] == "信息安全与数据保护"
    assert [r["training_id"] for r in body["upcoming"]] == ["T01"]


def test_shared_account_sessions_go_to_the_logged_in_agent_or_the_signer(company: Dataset) -> None:
    attributions = attribute_sessions(
        company.rows("cs_sessions"), company.rows("cs_account_shifts"), company.rows("cs_agent_nicknames")
    )

    assert (attributions["CS000001"].employee_id, attributions["CS000001"].basis) == ("E1021", "signature")
    assert (attributions["CS000003"].employee_id, attributions["CS000003"].basis) == ("E1021", "login")
    ambiguous = attributions["CS000099"]
    assert (ambiguous.employee_id, ambiguous.candidates) == (None, ("E1021", "E1009"))


def test_session_stats_are_the_measures_of_handbook_7_2() -> None:
    sessions = [
        {"first_response_seconds": 30, "resolved": True, "rating": 5},
        {"first_response_seconds": 90, "resolved": False, "rating": None},
    ]

    assert session_stats(sessions) == {
        "sessions": 2,
        "avg_first_response_seconds": 60.0,
        "resolution_rate": 0.5,
        "avg_rating": 5.0,
        "rated_sessions": 1,
    }
    assert session_stats([])["avg_rating"] is None


def test_cs_performance_counts_the_agents_sessions(api: Api, company: Dataset) -> None:
    body = api.ok("GET", "/crm/performance?month=2026-10", who="E1009")

    sessions = api.ok("GET", "/crm/sessions?month=2026-10", who="E1009")["sessions"]
    assert body["sessions"] == len(sessions) == sum(s["sessions"] for s in body["by_account"].values())
    assert {s["attribution"] for s in sessions} <= {"login", "signature"}
    assert body["ambiguous_sessions"] >= 1
    assert api.get("/crm/performance?employee_id=E1009", who="E1008").json() == NOT_FOUND
    assert api.ok("GET", "/crm/performance?employee_id=E1009", who="E1007")["sessions"] > body["sessions"]


def test_an_agents_nickname(api: Api) -> None:
    assert api.ok("GET", "/crm/agents/me") == {"employee_id": "E1008", "name": "吴婉清", "nickname": "小雨"}


def test_my_projects_with_hours_and_open_tasks(api: Api) -> None:
    body = api.ok("GET", "/pms/assignments")

    assert [(a["project_name"], a["role"]) for a in body["assignments"]] == [
        ("会员积分体系改造", "支持"),
        ("双十一大促系统保障", "开发"),
    ]
    assert body["totals"] == {"hours_this_week": 36, "open_tasks": 6}


def test_a_project_is_visible_to_its_members(api: Api) -> None:
    assert "E1008" in [m["employee_id"] for m in api.ok("GET", "/pms/projects/PRJ-103")["members"]]
    assert api.get("/pms/projects/PRJ-103", who="E1001").status_code == 200
    assert api.get("/pms/projects/PRJ-103", who="E1009").json() == NOT_FOUND
    assert len(api.ok("GET", "/pms/projects", who="E1009")["projects"]) == 4
