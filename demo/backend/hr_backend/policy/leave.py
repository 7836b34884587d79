"""Leave requests against the handbook: what a span costs, and every rule it breaks.

``plan_leave`` is shared by the preview (which lists every problem) and the submission (which
answers the first one with 422). Checks, in order:

1. the span: end not before start, half a day as the smallest unit (2.9), at least one working
   day in it (3.5), ``days`` agreeing with the span when both are given;
2. timing: one working day's notice for annual and personal leave, i.e. filed no later than the
   working day before the leave starts (2.9); sick leave up to 2 working days after its last day
   (2.9); other types not in the past;
3. no overlap with the employee's pending or approved leave (half days: morning and afternoon of
   one day do not overlap);
4. the balance (2.1, 2.2, 2.4), the 15-day yearly cap of personal leave (2.3) or the fixed length
   of marriage, maternity, paternity and bereavement leave (2.5-2.8).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from hr_backend.data.dataset import Employee
from hr_backend.data.state import CompanyState
from hr_backend.data.workcal import WorkCalendar, each_day
from hr_backend.errors import Problem
from hr_backend.policy.leave_balance import Balance, balance_for, days_taken_in_year
from hr_backend.policy.leave_types import (
    ACTIVE_STATUSES,
    HALF_DAYS,
    STATUS_NAMES,
    TYPE_NOTES,
    LeaveType,
)
from hr_backend.policy.numbers import plain, text

JSON = dict[str, Any]

DAILY_WAGE_DIVISOR = 21.75
DEPARTMENT_HEAD_AFTER_DAYS = 3
SICK_CERTIFICATE_FROM_DAYS = 2


@dataclass(frozen=True)
class LeaveInput:
    """A leave request as filed: ``end`` or ``days`` may be left out (one of them, or both)."""

    leave_type: LeaveType
    start: date
    end: date | None = None
    days: float | None = None
    half_day: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class LeavePlan:
    """What a request would be: its days, the balance before and after, its approval steps."""

    employee_id: str
    leave_type: LeaveType
    start: date
    end: date
    half_day: str | None
    days: float
    dates: tuple[date, ...]
    balance: Balance | None = None
    steps: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    def to_json(self) -> JSON:
        body: JSON = {
            "ok": not self.problems,
            "employee_id": self.employee_id,
            "leave_type": self.leave_type.code,
            "leave_type_name": self.leave_type.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "half_day": self.half_day,
            "days": plain(self.days),
            "dates": [day.isoformat() for day in self.dates],
            "approval_steps": list(self.steps),
            "notes": list(self.notes),
            "problems": [problem.to_json() for problem in self.problems],
            "balance": None,
        }
        if self.balance is not None:
            body["balance"] = {
                "year": self.balance.year,
                "before": plain(self.balance.remaining),
                "after": plain(self.balance.remaining - self.days),
            }
        return body

    def record(self, record_id: str, approver_id: str, now: datetime, reason: str) -> JSON:
        """The leave request to store, pending at its first approval step."""
        return {
            "id": record_id,
            "employee_id": self.employee_id,
            "leave_type": self.leave_type.code,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": plain(self.days),
            "half_day": self.half_day,
            "reason": reason,
            "status": "pending",
            "approver_id": approver_id,
            "submitted_at": now.isoformat(timespec="seconds"),
            "current_step": self.steps[0],
            "approval_steps": list(self.steps),
        }


def plan_leave(request: LeaveInput, employee: Employee, state: CompanyState, now: datetime) -> LeavePlan:
    """Cost ``request`` for ``employee`` and collect every rule it breaks."""
    calendar = state.dataset.calendar
    kind = request.leave_type
    span = _span(request, calendar)
    if isinstance(span, Problem):
        end = request.end or request.start
        return LeavePlan(
            employee.id,
            kind,
            request.start,
            max(end, request.start),
            request.half_day,
            0.0,
            (),
            problems=(span,),
        )
    end, half_day, dates = span
    days = 0.5 if half_day else float(len(dates))
    plan_problems = [*_timing(kind, request.start, end, now.date(), calendar)]
    overlap = _overlap(state, employee.id, dates, half_day)
    if overlap is not None:
        plan_problems.append(overlap)
    balance = balance_for(state, employee.id, kind.code, request.start) if kind.uses_balance else None
    plan_problems.extend(_entitlement(kind, days, balance, state, employee.id, request.start))
    steps = ("直属主管审批", "部门负责人审批") if days > DEPARTMENT_HEAD_AFTER_DAYS else ("直属主管审批",)
    return LeavePlan(
        employee.id,
        kind,
        request.start,
        end,
        half_day,
        days,
        tuple(dates),
        balance,
        steps,
        tuple(_notes(kind, days, employee)),
        tuple(plan_problems),
    )


def cancellation_problem(request: JSON, today: date) -> Problem | None:
    """Why the employee cannot withdraw ``request`` (handbook 2.10), or None."""
    status = str(request["status"])
    if status not in ACTIVE_STATUSES:
        return Problem(
            "not_cancellable", f"该请假{STATUS_NAMES.get(status, status)},无需撤销(手册2.10)", "2.10"
        )
    if date.fromisoformat(request["start"]) <= today:
        return Problem(
            "leave_already_started",
            f"该请假已于{request['start']}开始,不能撤销;如需提前结束请联系HR(手册2.10)",
            "2.10",
        )
    return None


def _span(request: LeaveInput, calendar: WorkCalendar) -> tuple[date, str | None, list[date]] | Problem:
    start, days, half_day = request.start, request.days, request.half_day
    if request.end is not None and request.end < start:
        return Problem("invalid_span", f"结束日期{request.end}早于开始日期{start}")
    if days is not None and (days <= 0 or days * 2 != int(days * 2)):
        return Problem("half_day_minimum", f"最小请假单位为半天(手册2.9),不能请{text(days)}天", "2.9")
    if days == 0.5 and half_day is None:
        half_day = "morning"
    if half_day is not None and request.end not in (None, start):
        return Problem("invalid_half_day", "半天假只能在同一天内,跨多天请按整天申请(手册2.9)", "2.9")
    if days is not None and days > 0.5 and days != int(days):
        return Problem(
            "unsupported_span",
            f"暂不支持跨天的{text(days)}天请假,请拆成整天和半天两笔申请(最小单位半天,手册2.9)",
            "2.9",
        )
    if half_day is not None and days not in (None, 0.5):
        return Problem("days_mismatch", f"半天假是0.5天,与填写的{text(days or 0)}天不一致", "2.9")
    kind = request.leave_type
    if request.end is not None or half_day is not None:
        end = request.end or start
    elif days is not None:
        end = (
            date.fromordinal(start.toordinal() + int(days) - 1)
            if kind.calendar_days
            else calendar.nth_working_day_from(start, int(days))
        )
    else:
        end = start
    dates = list(each_day(start, end)) if kind.calendar_days else calendar.working_days(start, end)
    if not dates:
        return Problem("no_working_days", f"{start}至{end}都是休息日或法定节假日,无需请假(手册3.5)", "3.5")
    counted = 0.5 if half_day else float(len(dates))
    if days is not None and days != counted:
        return Problem(
            "days_mismatch", f"{start}至{end}共{text(counted)}个工作日,与填写的{text(days)}天不一致", "2.9"
        )
    return end, half_day, dates


def _timing(kind: LeaveType, start: date, end: date, today: date, calendar: WorkCalendar) -> list[Problem]:
    if kind.needs_notice:
        if start > today and calendar.has_working_day_between(today, start):
            return []
        latest = calendar.previous_working_day(start)
        return [
            Problem(
                "insufficient_notice",
                f"{kind.name}须至少提前1个工作日申请(手册2.9):{start}开始的{kind.name}最晚应在{latest}提交",
                "2.9",
            )
        ]
    if kind.retroactive_working_days:
        deadline = calendar.nth_working_day_after(end, kind.retroactive_working_days)
        if today > deadline:
            return [
                Problem(
                    "sick_leave_too_late",
                    f"病假可在事后{kind.retroactive_working_days}个工作日内补交申请(手册2.9),"
                    f"{start}的病假补交已于{deadline}截止",
                    "2.9",
                )
            ]
        return []
    if start < today:
        return [
            Problem(
                "start_in_past",
                f"只有病假可以事后补交(手册2.9),{kind.name}的开始日期不能早于今天({today})",
                "2.9",
            )
        ]
    return []


def _slots(start: date, end: date, half_day: str | None) -> set[tuple[date, str]]:
    halves = (half_day,) if half_day else tuple(HALF_DAYS)
    return {(day, half) for day in each_day(start, end) for half in halves}


def _overlap(
    state: CompanyState, employee_id: str, dates: list[date], half_day: str | None
) -> Problem | None:
    wanted = {(day, half) for day in dates for half in ((half_day,) if half_day else tuple(HALF_DAYS))}
    for other in state.rows_of("leave_requests", employee_id):
        if other["status"] not in ACTIVE_STATUSES:
            continue
        taken = _slots(
            date.fromisoformat(other["start"]), date.fromisoformat(other["end"]), other.get("half_day")
        )
        if wanted & taken:
            return Problem(
                "leave_overlap",
                f"与已有请假{other['id']}({other['start']}至{other['end']},"
                f"{STATUS_NAMES.get(str(other['status']), other['status'])})时间重叠,不能重复请假",
            )
    return None


def _entitlement(
    kind: LeaveType, days: float, balance: Balance | None, state: CompanyState, employee_id: str, start: date
) -> list[Problem]:
    if kind.uses_balance:
        remaining = balance.remaining if balance is not None else 0.0
        if days > remaining:
            return [
                Problem(
                    "insufficient_balance",
                    f"{kind.name}余额不足:剩余{text(remaining)}天,本次需要{text(days)}天(手册{kind.section})",
                    kind.section,
                )
            ]
    if kind.yearly_cap is not None:
        taken = days_taken_in_year(state, employee_id, kind.code, start.year)
        if taken + days > kind.yearly_cap:
            return [
                Problem(
                    "yearly_cap_exceeded",
                    f"{kind.name}每年累计不超过{text(kind.yearly_cap)}天(手册{kind.section}):"
                    f"{start.year}年已申请{text(taken)}天,本次{text(days)}天",
                    kind.section,
                )
            ]
    if kind.per_request_max is not None and days > kind.per_request_max:
        unit = "天" if kind.calendar_days else "个工作日"
        return [
            Problem(
                "exceeds_entitlement",
                f"{kind.name}为{text(kind.per_request_max)}天(手册{kind.section}),本次申请{text(days)}{unit}超出",
                kind.section,
            )
        ]
    return []


def _notes(kind: LeaveType, days: float, employee: Employee) -> list[str]:
    notes = []
    if kind.code == "sick" and days >= SICK_CERTIFICATE_FROM_DAYS:
        notes.append("连续病假2天及以上须提供二级以上医院的病假证明(手册2.2)")
    if kind.code == "personal":
        deduction = employee.base_salary / DAILY_WAGE_DIVISOR * days
        notes.append(f"事假为无薪假,预计扣除基本工资{deduction:.2f}元(基本工资÷21.75×天数,手册2.3)")
    if days > DEPARTMENT_HEAD_AFTER_DAYS:
        notes.append("请假超过3天,直属主管审批后还须部门负责人审批(手册2.9)")
    if kind.code in TYPE_NOTES:
        notes.append(TYPE_NOTES[kind.code])
    return notes
