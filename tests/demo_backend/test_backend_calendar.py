"""Working days from company.json's calendar (holidays, make-up days) and the backend's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from backend_test_support import Api
from hr_backend.clock import COMPANY_TZ, parse_now
from hr_backend.data.dataset import Dataset


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        ("2026-09-25", "holiday"),  # 中秋, a Friday
        ("2026-09-27", "makeup_workday"),  # a Sunday worked
        ("2026-10-01", "holiday"),
        ("2026-10-10", "makeup_workday"),  # a Saturday worked
        ("2026-10-11", "weekend"),
        ("2026-10-08", "workday"),
    ],
)
def test_each_day_has_its_kind(company: Dataset, day: str, kind: str) -> None:
    assert company.calendar.day_kind(date.fromisoformat(day)) == kind


def test_a_span_over_mid_autumn_and_national_day_counts_make_up_days(company: Dataset) -> None:
    days = company.calendar.working_days(date(2026, 9, 21), date(2026, 10, 11))

    assert len(days) == 11
    assert date(2026, 9, 27) in days and date(2026, 10, 10) in days
    assert date(2026, 9, 25) not in days and date(2026, 10, 1) not in days


def test_counting_working_days_forward_and_back_skips_the_holiday(company: Dataset) -> None:
    calendar = company.calendar

    assert calendar.nth_working_day_after(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert calendar.nth_working_day_from(date(2026, 9, 30), 4) == date(2026, 10, 10)
    assert calendar.previous_working_day(date(2026, 10, 8)) == date(2026, 9, 30)
    assert calendar.previous_working_day(date(2026, 9, 28)) == date(2026, 9, 27)


def test_the_calendar_endpoint_reports_holidays_and_make_up_days(api: Api) -> None:
    body = api.ok("GET", "/hrm/calendar?from=2026-09-21&to=2026-10-11")

    assert body["working_days"] == 11
    assert body["makeup_workdays"] == ["2026-09-27", "2026-10-10"]
    assert body["holidays"][:2] == ["2026-09-25", "2026-10-01"]
    assert body["days"][6] == {"date": "2026-09-27", "kind": "makeup_workday", "kind_name": "调休上班日"}


def test_the_calendar_endpoint_refuses_a_backwards_span(api: Api) -> None:
    response = api.get("/hrm/calendar?from=2026-10-11&to=2026-09-21")

    assert response.status_code == 400
    assert response.json()["field"] == "to"


def test_leave_over_the_holidays_counts_only_working_days(open_api: Callable[..., Api]) -> None:
    api = open_api(today="2026-09-01")

    preview = api.ok(
        "POST",
        "/oa/leave-requests/preview",
        {"leave_type": "annual", "start": "2026-09-24", "end": "2026-09-28"},
    )
    assert preview["days"] == 3
    assert preview["dates"] == ["2026-09-24", "2026-09-27", "2026-09-28"]


def test_leave_given_in_days_ends_on_the_right_working_day(open_api: Callable[..., Api]) -> None:
    api = open_api(today="2026-09-01")

    preview = api.ok(
        "POST", "/oa/leave-requests/preview", {"leave_type": "annual", "start": "2026-09-30", "days": 3}
    )
    assert preview["end"] == "2026-10-09"
    assert preview["dates"] == ["2026-09-30", "2026-10-08", "2026-10-09"]


def test_leave_during_national_day_needs_no_days(open_api: Callable[..., Api]) -> None:
    api = open_api(today="2026-09-01")

    error = api.rejected(
        "/oa/leave-requests", {"leave_type": "annual", "start": "2026-10-01", "end": "2026-10-07"}
    )
    assert error["error"] == "no_working_days"
    assert error["section"] == "3.5"


def test_leave_on_a_make_up_saturday_costs_a_day_and_friday_is_notice_enough(
    open_api: Callable[..., Api],
) -> None:
    api = open_api(today="2026-10-09")

    assert (
        api.ok("POST", "/oa/leave-requests", {"leave_type": "annual", "start": "2026-10-10"}, who="E1009")[
            "days"
        ]
        == 1
    )


def test_the_clock_defaults_to_ten_on_the_reference_date(api: Api) -> None:
    health = api.ok("GET", "/health", who=None)

    assert health["now"] == "2026-11-21T10:00:00+08:00"
    assert health["today"] == "2026-11-21"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23", datetime(2026, 11, 23, 10, 0, tzinfo=COMPANY_TZ)),
        ("2026-11-23T15:30", datetime(2026, 11, 23, 15, 30, tzinfo=COMPANY_TZ)),
        ("2026-11-23T07:30:00+00:00", datetime(2026, 11, 23, 15, 30, tzinfo=COMPANY_TZ)),
    ],
)
def test_today_can_be_given_as_a_date_or_a_moment(text: str, expected: datetime) -> None:
    assert parse_now(text) == expected


def test_an_unreadable_today_says_which_forms_work() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_now("next monday")


def test_a_clock_override_moves_the_notice_check(open_api: Callable[..., Api]) -> None:
    api = open_api(today="2026-11-19")

    assert api.ok("GET", "/health", who=None)["today"] == "2026-11-19"
    assert (
        api.ok("POST", "/oa/leave-requests", {"leave_type": "annual", "start": "2026-11-23"})["status"]
        == "pending"
    )
