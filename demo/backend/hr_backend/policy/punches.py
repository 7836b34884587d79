"""Punch corrections against handbook 3.3: within 3 working days, at most 3 a month.

A correction fixes one day's abnormal attendance record (``missing_punch``, ``late`` or
``early_leave``). It must be filed no later than the 3rd working day after that day, and an
employee has at most 3 corrections (pending or approved) per calendar month of the corrected day.
One day is corrected once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hr_backend.data.workcal import WorkCalendar
from hr_backend.errors import Problem

JSON = dict[str, Any]

CORRECTABLE = {"missing_punch": "漏打卡", "late": "迟到", "early_leave": "早退"}
WINDOW_WORKING_DAYS = 3
MONTHLY_LIMIT = 3
ACTIVE_STATUSES = ("pending", "approved")


def deadline(day: date, calendar: WorkCalendar) -> date:
    """The last day a correction of ``day`` may be filed."""
    return calendar.nth_working_day_after(day, WINDOW_WORKING_DAYS)


def active_corrections(corrections: list[JSON]) -> list[JSON]:
    return [row for row in corrections if row.get("status") in ACTIVE_STATUSES]


def used_in_month(corrections: list[JSON], month: str) -> int:
    """How many of the employee's corrections count against ``month`` (YYYY-MM)."""
    return sum(1 for row in active_corrections(corrections) if str(row["date"]).startswith(month))


def correction_problems(
    day: date, record: JSON | None, corrections: list[JSON], today: date, calendar: WorkCalendar
) -> list[Problem]:
    """Every rule a correction of ``day`` breaks; ``record`` is that day's attendance, if any."""
    if day > today:
        return [Problem("date_in_future", f"{day}还没到,不能补卡")]
    if record is None or record.get("status") not in CORRECTABLE:
        return [Problem("nothing_to_correct", f"{day}没有异常考勤记录,无需补卡")]
    if any(row["date"] == day.isoformat() for row in active_corrections(corrections)):
        return [Problem("already_requested", f"{day}已提交过补卡申请,不能重复提交")]
    problems = []
    last_day = deadline(day, calendar)
    if today > last_day:
        problems.append(
            Problem(
                "correction_window_passed",
                f"漏打卡须在{WINDOW_WORKING_DAYS}个工作日内提交补卡申请(手册3.3):{day}的补卡已于{last_day}截止",
                "3.3",
            )
        )
    month = day.isoformat()[:7]
    if used_in_month(corrections, month) >= MONTHLY_LIMIT:
        problems.append(
            Problem(
                "monthly_correction_limit",
                f"每月补卡不超过{MONTHLY_LIMIT}次(手册3.3):{month}已提交{MONTHLY_LIMIT}次",
                "3.3",
            )
        )
    return problems


def eligible_days(
    attendance: list[JSON], corrections: list[JSON], today: date, calendar: WorkCalendar
) -> list[JSON]:
    """Abnormal days that may still be corrected today, newest first, each with its deadline."""
    eligible = []
    for record in attendance:
        day = date.fromisoformat(record["date"])
        if not correction_problems(day, record, corrections, today, calendar):
            eligible.append(
                {
                    "date": record["date"],
                    "status": record["status"],
                    "status_name": CORRECTABLE[record["status"]],
                    "check_in": record.get("check_in"),
                    "check_out": record.get("check_out"),
                    "deadline": deadline(day, calendar).isoformat(),
                }
            )
    return sorted(eligible, key=lambda row: row["date"], reverse=True)


def correction_record(
    record_id: str, employee_id: str, day: date, kind: str, reason: str, submitted_at: str
) -> JSON:
    """The correction to store, waiting for the direct manager (3.3)."""
    return {
        "id": record_id,
        "employee_id": employee_id,
        "date": day.isoformat(),
        "kind": kind,
        "reason": reason,
        "status": "pending",
        "submitted_at": submitted_at,
        "current_step": "直属主管审批",
    }
