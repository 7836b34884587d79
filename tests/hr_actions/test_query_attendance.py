"""action_attendance_query against the demo backend, expectations from company.json's
attendance records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from actions.attendance import ActionAttendanceQuery
from actions.replies import format_date, format_money
from connector_support import backend_app
from test_query_support import ask, company, reference_day, rows


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with backend_app(tmp_path_factory.mktemp("attendance") / "b.db") as served:
        yield served


def month_records(employee: str, month: str) -> list[dict[str, Any]]:
    return [r for r in rows("attendance", employee_id=employee) if r["date"].startswith(month)]


def test_this_month_is_the_default_with_counts_and_the_abnormal_days(app: Any) -> None:
    today = reference_day()
    month = today.isoformat()[:7]
    records = month_records("E1008", month)
    counts = Counter(r["status"] for r in records)
    abnormal = [r for r in records if r["status"] in ("late", "missing_punch", "early_leave")]
    assert abnormal

    text = ask(app, ActionAttendanceQuery, "E1008", "我这个月考勤怎么样").text

    assert f"迟到{counts['late']}次" in text and f"缺卡{counts['missing_punch']}次" in text
    for record in abnormal:
        assert format_date(date.fromisoformat(record["date"]), today=today, padded=True) in text


def test_a_month_with_more_than_three_late_days_shows_the_late_fee_of_the_handbook(app: Any) -> None:
    late = Counter((r["employee_id"], r["date"][:7])
                   for r in company()["attendance"] if r["status"] == "late")
    (employee, month), times = late.most_common(1)[0]
    assert times > 3

    text = ask(app, ActionAttendanceQuery, employee, "迟到扣了多少", entities={"month": month}).text

    assert f"迟到{times}次" in text
    assert f"迟到扣款 {format_money(50 * (times - 3))}" in text and "手册3.2" in text


def test_a_single_day_shows_its_punches(app: Any) -> None:
    record = next(r for r in month_records("E1008", "2026-11") if r["status"] == "missing_punch")

    text = ask(app, ActionAttendanceQuery, "E1008", "那天的打卡", entities={"date": record["date"]}).text

    assert text.startswith(format_date(date.fromisoformat(record["date"]), today=reference_day()))
    assert f"{record['check_in']}–--:--" in text and "缺卡" in text


def test_a_span_is_summarised_over_its_days(app: Any) -> None:
    span = {"from": "2026-11-09", "to": "2026-11-15"}
    records = [r for r in month_records("E1008", "2026-11") if span["from"] <= r["date"] <= span["to"]]
    missing = sum(r["status"] == "missing_punch" for r in records)

    text = ask(app, ActionAttendanceQuery, "E1008", "上周考勤", entities={"date": span}).text

    assert "11月9日(周一)至11月15日(周日)" in text and f"缺卡{missing}次" in text


def test_a_future_day_has_no_records_yet(app: Any) -> None:
    text = ask(app, ActionAttendanceQuery, "E1008", "下周一的考勤", entities={"date": "2026-11-30"}).text

    assert "还没到" in text
