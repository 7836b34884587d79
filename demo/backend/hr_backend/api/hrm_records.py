"""HRM: leave balances, payslips (handbook chapter 4) and attendance (chapter 3)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hr_backend.api.call import Call
from hr_backend.api.endpoint import DATE, EMPLOYEE_ID, MONTH, Endpoint, Param
from hr_backend.api.params import query_choice, query_date, query_month
from hr_backend.api.views import JSON
from hr_backend.errors import invalid, not_found
from hr_backend.policy.access import Scope
from hr_backend.policy.leave_balance import days_taken_in_year, leave_balances
from hr_backend.policy.leave_types import LEAVE_TYPES
from hr_backend.policy.numbers import plain
from hr_backend.policy.punches import active_corrections

LATE_FREE_PER_MONTH = 3
LATE_FEE = 50
PAYSLIP_ITEMS = (
    ("base", "基本工资", 1),
    ("overtime_pay", "加班费", 1),
    ("bonus", "奖金", 1),
    ("allowance", "补贴", 1),
    ("absence_deduction", "缺勤扣款", -1),
    ("gross", "应发工资", 0),
    ("social_insurance", "个人社保", -1),
    ("housing_fund", "个人住房公积金", -1),
    ("income_tax", "个人所得税", -1),
    ("net", "实发工资", 0),
)
ATTENDANCE_STATUSES = ("normal", "late", "early_leave", "missing_punch", "on_leave")


def get_leave_balances(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    wanted = query_choice(call.query, "leave_type", LEAVE_TYPES)
    balances = [
        b.to_json() for b in leave_balances(call.state, employee.id) if wanted in (None, b.leave_type)
    ]
    year = call.backend.now.year
    personal = LEAVE_TYPES["personal"]
    taken = days_taken_in_year(call.state, employee.id, "personal", year)
    cap = personal.yearly_cap or 0.0
    return {
        "employee_id": employee.id,
        "balances": balances,
        "personal_leave": {
            "year": year,
            "cap": plain(cap),
            "taken": plain(taken),
            "remaining": plain(max(0.0, cap - taken)),
            "section": personal.section,
        },
    }


def _summary(payslip: JSON) -> JSON:
    return {key: payslip[key] for key in ("month", "gross", "net", "paid_on")}


def list_payslips(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    year = call.query.get("year")
    payslips = [
        p
        for p in call.backend.dataset.rows_of("payslips", employee.id)
        if not year or str(p["month"]).startswith(f"{year}-")
    ]
    return {
        "employee_id": employee.id,
        "payslips": [_summary(p) for p in sorted(payslips, key=lambda p: p["month"])],
    }


def get_payslip(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    month = query_month({"month": call.path["month"]})
    payslip = next(
        (p for p in call.backend.dataset.rows_of("payslips", employee.id) if p["month"] == month), None
    )
    if payslip is None:
        raise not_found()
    items = [
        {"code": code, "name": name, "amount": payslip[code], "sign": sign}
        for code, name, sign in PAYSLIP_ITEMS
    ]
    return {
        **payslip,
        "employee_name": employee.name,
        "items": items,
        "formulas": {
            "gross": "应发工资 = 基本工资 + 加班费 + 奖金 + 补贴 - 缺勤扣款(手册4.2)",
            "overtime_pay": "加班费 = 加班小时数 × 基本工资 ÷ 21.75 ÷ 8 × 1.5(手册4.2)",
            "net": "实发工资 = 应发工资 - 个人社保 - 个人公积金 - 个人所得税(手册4.5)",
        },
    }


def _window(call: Call) -> tuple[date, date]:
    month = query_month(call.query)
    if month is not None:
        first = date.fromisoformat(f"{month}-01")
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first, date.fromordinal(following.toordinal() - 1)
    today = call.backend.now.date()
    start = query_date(call.query, "from") or today.replace(day=1)
    end = query_date(call.query, "to") or today
    if end < start:
        raise invalid("to", f"to({end})早于from({start})")
    return start, end


def get_attendance(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    start, end = _window(call)
    status = query_choice(call.query, "status", ATTENDANCE_STATUSES)
    corrections = {
        c["date"]: c for c in active_corrections(call.state.rows_of("attendance_corrections", employee.id))
    }
    rows = [
        r
        for r in call.backend.dataset.rows_of("attendance", employee.id)
        if start.isoformat() <= r["date"] <= end.isoformat()
    ]
    counts = Counter(str(r["status"]) for r in rows)
    late_by_month = Counter(str(r["date"])[:7] for r in rows if r["status"] == "late")
    records = [
        {**r, "correction": _correction_ref(corrections.get(r["date"]))}
        for r in sorted(rows, key=lambda r: r["date"])
        if status in (None, r["status"])
    ]
    return {
        "employee_id": employee.id,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "records": records,
        "summary": {
            "days": len(rows),
            **{name: counts.get(name, 0) for name in ATTENDANCE_STATUSES},
            "late_minutes": sum(int(r.get("late_minutes") or 0) for r in rows),
            "overtime_hours": plain(sum(float(r.get("overtime_hours") or 0) for r in rows)),
            "late_fee": sum(max(0, n - LATE_FREE_PER_MONTH) * LATE_FEE for n in late_by_month.values()),
            "late_fee_rule": "每月迟到累计3次以内不扣款;第4次起每次扣款50元(手册3.2)",
        },
    }


def _correction_ref(correction: JSON | None) -> JSON | None:
    return None if correction is None else {"id": correction["id"], "status": correction["status"]}


ENDPOINTS = (
    Endpoint(
        "GET",
        "/hrm/leave-balances",
        get_leave_balances,
        "Leave balances (pending requests held)",
        "hrm",
        params=(EMPLOYEE_ID, Param("leave_type", "only this type", schema={"enum": list(LEAVE_TYPES)})),
        rights="self, direct manager, HR",
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        "/hrm/payslips",
        list_payslips,
        "Payslip summaries by month",
        "hrm",
        params=(EMPLOYEE_ID, Param("year", "only this year, e.g. 2026")),
        rights="self, direct manager, HR (handbook 4.7)",
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/hrm/payslips/{month}",
        get_payslip,
        "One month's payslip with its items",
        "hrm",
        params=(Param("month", "YYYY-MM", where="path", required=True, schema=MONTH), EMPLOYEE_ID),
        rights="self, direct manager, HR (handbook 4.7)",
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        "/hrm/attendance",
        get_attendance,
        "Attendance records and summary (late fee per 3.2)",
        "hrm",
        params=(
            EMPLOYEE_ID,
            Param("month", "YYYY-MM (instead of from/to)", schema=MONTH),
            Param("from", "first day (default: first of this month)", schema=DATE),
            Param("to", "last day (default: today)", schema=DATE),
            Param("status", "only this status", schema={"enum": list(ATTENDANCE_STATUSES)}),
        ),
        rights="self, direct manager, HR",
        errors=(400, 404),
    ),
)
