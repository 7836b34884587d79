"""Punch corrections against handbook 3.3: within 3 working days, at most 3 a month."""

from __future__ import annotations

from collections.abc import Callable

from backend_test_support import Api


def test_eligible_days_are_abnormal_days_inside_the_window(api: Api) -> None:
    body = api.ok("GET", "/oa/attendance-corrections/eligible", who="E1011")

    assert body["eligible"] == [
        {
            "date": "2026-11-18",
            "status": "missing_punch",
            "status_name": "漏打卡",
            "check_in": "08:36",
            "check_out": None,
            "deadline": "2026-11-23",
        }
    ]
    assert body["this_month"] == {"month": "2026-11", "used": 1, "limit": 3}


def test_days_already_corrected_or_out_of_the_window_are_not_eligible(api: Api) -> None:
    assert api.ok("GET", "/oa/attendance-corrections/eligible", who="E1037")["eligible"] == []
    assert api.ok("GET", "/oa/attendance-corrections/eligible", who="E1008")["eligible"] == []


def test_a_manager_sees_a_reports_eligible_days(api: Api) -> None:
    assert api.ok("GET", "/oa/attendance-corrections/eligible?employee_id=E1011", who="E1007")["eligible"]


def test_a_correction_is_filed_for_the_direct_manager(api: Api) -> None:
    filed = api.ok("POST", "/oa/attendance-corrections", {"date": "2026-11-18"}, who="E1011")

    assert filed["id"] == "AC202600026"
    assert (filed["kind"], filed["status"], filed["reason"]) == ("missing_punch", "pending", "忘记打卡")
    assert api.ok("GET", "/oa/attendance-corrections/eligible", who="E1011")["eligible"] == []
    record = api.ok("GET", "/hrm/attendance?from=2026-11-18&to=2026-11-18", who="E1011")["records"][0]
    assert record["correction"] == {"id": "AC202600026", "status": "pending"}
    assert filed["id"] in [c["id"] for c in api.ok("GET", "/oa/todo", who="E1007")["attendance_corrections"]]


def test_a_correction_after_three_working_days_is_refused(api: Api) -> None:
    error = api.rejected("/oa/attendance-corrections", {"date": "2026-11-13"})

    assert error == {
        "error": "correction_window_passed",
        "message": "漏打卡须在3个工作日内提交补卡申请(手册3.3):2026-11-13的补卡已于2026-11-18截止",
        "section": "3.3",
    }


def test_at_most_three_corrections_a_month(open_api: Callable[..., Api]) -> None:
    api = open_api(today="2026-11-05")

    api.ok(
        "POST", "/oa/attendance-corrections", {"date": "2026-11-02", "reason": "外出拜访客户"}, who="E1044"
    )
    api.ok("POST", "/oa/attendance-corrections", {"date": "2026-11-03"}, who="E1044")
    error = api.rejected("/oa/attendance-corrections", {"date": "2026-11-04"}, who="E1044")

    assert error == {
        "error": "monthly_correction_limit",
        "message": "每月补卡不超过3次(手册3.3):2026-11已提交3次",
        "section": "3.3",
    }


def test_a_normal_day_needs_no_correction(api: Api) -> None:
    assert api.rejected("/oa/attendance-corrections", {"date": "2026-11-19"})["error"] == "nothing_to_correct"


def test_a_day_is_corrected_once(api: Api) -> None:
    assert api.rejected("/oa/attendance-corrections", {"date": "2026-11-19"}, who="E1037")["error"] == (
        "already_requested"
    )


def test_a_future_day_cannot_be_corrected(api: Api) -> None:
    assert api.rejected("/oa/attendance-corrections", {"date": "2026-11-23"})["error"] == "date_in_future"


def test_attendance_summary_counts_lateness_and_the_late_fee(api: Api) -> None:
    summary = api.ok("GET", "/hrm/attendance?month=2026-11", who="E1044")["summary"]

    assert (summary["late"], summary["missing_punch"]) == (4, 2)
    assert summary["late_fee"] == 50
