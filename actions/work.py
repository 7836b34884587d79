"""Everyday work questions: OA work orders (one by its number, e.g. OA-2031, or the latest
ones), the employee's projects (PMS: role, hours this week, open tasks) and their meetings on a
day or span (OA; default today)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from actions.base import HRAction, Query, Reply
from actions.connectors import NotFound
from actions.replies import format_date, format_date_span, format_time_range
from actions.when import SHANGHAI, DateSpan, day_of, latest_text, message_span

APPROVALS_SHOWN = 5
APPROVAL_STATUS_NAMES: Mapping[str, str] = {"pending": "审批中", "approved": "已通过", "rejected": "已驳回"}
PROJECT_STATUS_NAMES: Mapping[str, str] = {"active": "进行中", "closed": "已结项", "planning": "筹备中"}
_APPROVAL_ID = re.compile(r"OA\s*[-_]?\s*(\d+)", re.IGNORECASE)


def approval_id_in(text: str) -> str | None:
    """An OA work order number in the text, normalised to "OA-2031"."""
    match = _APPROVAL_ID.search(text)
    return f"OA-{match.group(1)}" if match else None


def _approval_line(approval: Mapping[str, Any], today: date) -> str:
    status = str(approval.get("status"))
    what = APPROVAL_STATUS_NAMES.get(status, status)
    approver = (approval.get("current_approver") or {}).get("name")
    if status == "pending" and approver:
        what += f",当前在{approver}处审批"
    submitted = day_of(approval.get("submitted_on"))
    when = f"{format_date(submitted, today=today)}提交," if submitted else ""
    name = approval.get("kind_name") or approval.get("title")
    return f"{approval.get('id')} {name}:{when}{what}"


class ActionApprovalStatus(HRAction):
    """approval_status: one work order named in the message, else the latest ones."""

    action_name = "action_approval_status"
    topic = "OA工单"

    async def answer(self, query: Query) -> Reply:
        approval_id = approval_id_in(latest_text(query.tracker))
        if approval_id is not None:
            try:
                approval = await query.hr.oa.approval(approval_id)
            except NotFound:
                return Reply(f"没有查到工单{approval_id}。请核对编号;只能查看您本人提交或正等您审批的工单。")
            return Reply(f"工单{_approval_line(approval, query.today)}。")
        answer = await query.hr.oa.approvals()
        approvals = sorted(answer.get("approvals") or [],
                           key=lambda a: (str(a.get("submitted_on")), str(a.get("id"))), reverse=True)
        if not approvals:
            return Reply("您目前没有OA工单(用章、出差、采购等申请)。请假审批可以问我「我的请假批了没」。")
        shown = approvals[:APPROVALS_SHOWN]
        more = f"\n(共{len(approvals)}个,以上是最近{len(shown)}个)" if len(approvals) > len(shown) else ""
        return Reply("您最近的OA工单:\n" + "\n".join(f"· {_approval_line(a, query.today)}" for a in shown)
                     + more)


class ActionProjectParticipation(HRAction):
    """project_participation: the employee's projects, role, hours this week and open tasks."""

    action_name = "action_project_participation"
    topic = "项目信息"
    answers_about_others = True

    async def answer(self, query: Query) -> Reply:
        who = query.subject.you
        answer = await query.hr.pms.assignments(employee_id=query.subject.employee_id)
        assignments: list[Mapping[str, Any]] = answer.get("assignments") or []
        if not assignments:
            return Reply(f"{who}目前没有参与的项目。")
        totals = answer.get("totals") or {}
        lines = []
        for item in assignments:
            status = str(item.get("project_status"))
            lines.append(f"· {item.get('project_name')}({PROJECT_STATUS_NAMES.get(status, status)}):"
                         f"{item.get('role')},本周{item.get('hours_this_week', 0)}小时,"
                         f"待办任务{item.get('open_tasks', 0)}个")
        return Reply(f"{who}参与了{len(assignments)}个项目,本周共{totals.get('hours_this_week', 0)}小时,"
                     f"待办任务{totals.get('open_tasks', 0)}个:\n" + "\n".join(lines))


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value).astimezone(SHANGHAI) if isinstance(value, str) else None
    except ValueError:
        return None


class ActionMeetingQuery(HRAction):
    """meeting_booking, when asking what meetings there are: the employee's meetings on the day
    or span of the message's date entity (default today)."""

    action_name = "action_meeting_query"
    topic = "会议安排"

    async def answer(self, query: Query) -> Reply:
        span = message_span(query.tracker) or DateSpan(query.today, query.today)
        answer = await query.hr.oa.meetings()
        meetings = []
        for meeting in answer.get("meetings") or []:
            start, end = _moment(meeting.get("start")), _moment(meeting.get("end"))
            if start is not None and span.start <= start.date() <= span.end:
                meetings.append((start, end, meeting))
        meetings.sort(key=lambda entry: entry[0])
        label = format_date_span(span.start, span.end, today=query.today)
        if not meetings:
            return Reply(f"您{label}没有会议安排。")
        lines = []
        for start, end, meeting in meetings:
            day = "" if span.single_day else format_date(start.date(), today=query.today) + " "
            organizer = (meeting.get("organizer") or {}).get("name")
            by = f",{organizer}组织" if organizer else ""
            hours = format_time_range(start.time(), end.time() if end else None)
            lines.append(f"· {day}{hours} {meeting.get('title')}({meeting.get('room_name')}{by})")
        return Reply(f"您{label}有{len(meetings)}个会议:\n" + "\n".join(lines))
