"""Attendance questions from HRM: for a day, a span or a month (default: this month so far), the
lateness count, missing punches, early leaves, leave days, overtime and the late fee the backend
computes per handbook 3.2, with the abnormal days listed compactly."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from actions.base import HRAction, Query, Reply
from actions.replies import (
    format_date,
    format_date_span,
    format_money,
    format_month,
    format_table,
    format_time_range,
)
from actions.when import (
    DateSpan,
    day_of,
    message_month,
    message_span,
    month_of,
    month_span,
    previous_action,
    span_of,
)

STATUS_NAMES: Mapping[str, str] = {
    "normal": "正常",
    "late": "迟到",
    "early_leave": "早退",
    "missing_punch": "缺卡",
    "on_leave": "请假",
}
ABNORMAL = frozenset({"late", "early_leave", "missing_punch"})
ABNORMAL_DAYS_SHOWN = 8


def _clock(value: Any) -> time | None:
    try:
        return time.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _number(value: Any) -> str:
    number = float(value or 0)
    return str(int(number)) if number == int(number) else f"{number:g}"


def _record_row(record: Mapping[str, Any], today: date) -> list[str]:
    day = day_of(record.get("date"))
    status = str(record.get("status"))
    what = STATUS_NAMES.get(status, status)
    if status == "late" and record.get("late_minutes"):
        what += f"{record['late_minutes']}分钟"
    correction = record.get("correction")
    if isinstance(correction, Mapping) and correction.get("status"):
        what += {"pending": "(补卡审批中)", "approved": "(已补卡)", "rejected": "(补卡被驳回)"}.get(
            str(correction["status"]), "")
    punches = format_time_range(_clock(record.get("check_in")), _clock(record.get("check_out")))
    return [format_date(day, today=today, padded=True) if day else str(record.get("date")), punches, what]


def _summary_sentence(summary: Mapping[str, Any]) -> str:
    parts = [f"迟到{summary.get('late', 0)}次"]
    if summary.get("late_minutes"):
        parts[0] += f"(共{summary['late_minutes']}分钟)"
    parts += [f"缺卡{summary.get('missing_punch', 0)}次", f"早退{summary.get('early_leave', 0)}次"]
    if summary.get("on_leave"):
        parts.append(f"有{summary['on_leave']}天请假")
    parts.append(f"加班{_number(summary.get('overtime_hours'))}小时")
    sentence = ",".join(parts)
    fee = summary.get("late_fee") or 0
    if fee or summary.get("late"):
        sentence += f";迟到扣款 {format_money(fee)}"
        if summary.get("late_fee_rule"):
            sentence += f"({summary['late_fee_rule']})"
    return sentence


class ActionAttendanceQuery(HRAction):
    """attendance_query: a day's punches, or a month's / span's summary and abnormal days."""

    action_name = "action_attendance_query"
    topic = "考勤记录"
    answers_about_others = True

    async def answer(self, query: Query) -> Reply:
        today = query.today
        tracker = query.tracker
        who, whose = query.subject.you, query.subject.employee_id
        span = message_span(tracker)
        month = None if span else message_month(tracker)
        if span is None and month is None and previous_action(tracker) == self.action_name:
            month = month_of(tracker.get_slot("month"))  # a follow-up keeps the month or day asked
            span = None if month else span_of(tracker.get_slot("date"))
        if span is None and month is None:
            month = f"{today.year}-{today.month:02d}"
        if span is not None and span.start > today:
            return Reply("还没到这一天,暂时没有考勤记录。")
        if span is not None:
            span = DateSpan(span.start, min(span.end, today))
            answer = await query.hr.hrm.attendance(start=span.start, end=span.end, employee_id=whose)
            label = format_date_span(span.start, span.end, today=today)
        else:
            assert month is not None
            if month_span(month).start > today:
                return Reply(f"{format_month(month, today=today)}还没到,暂时没有考勤记录。")
            answer = await query.hr.hrm.attendance(month=month, employee_id=whose)
            label = format_month(month, today=today)
        records: list[Mapping[str, Any]] = answer.get("records") or []
        if span is not None and span.single_day:
            if not records:
                return Reply(f"{label}没有{who}的打卡记录(可能是休息日或节假日)。")
            row = _record_row(records[0], today)
            whose_word = "" if query.subject.is_self else query.subject.name
            return Reply(f"{whose_word}{format_date(span.start, today=today)}的打卡:{row[1]},{row[2]}。")
        if not records:
            return Reply(f"{label}暂时没有{who}的考勤记录。")
        text = f"{who}{label}的考勤:{_summary_sentence(answer.get('summary') or {})}。"
        abnormal = [r for r in records if r.get("status") in ABNORMAL]
        if abnormal:
            rows = [_record_row(r, today) for r in abnormal[:ABNORMAL_DAYS_SHOWN]]
            more = f"\n(另有{len(abnormal) - len(rows)}天异常未列出)" if len(abnormal) > len(rows) else ""
            text += "\n异常记录:\n" + format_table(rows) + more
        else:
            text += "没有异常打卡。"
        return Reply(text)
