"""Leave questions: how many days are left (HRM balances) and where the employee's requests are
in their approval (OA). Filing and withdrawing are other actions; `action_leave_status` remembers
the request a following "帮我撤销" most likely means, in the slot `last_leave_request_id`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from rasa_sdk.events import SlotSet

from actions.base import HRAction, Query, Reply
from actions.replies import LEAVE_TYPE_NAMES, format_date_span, format_days
from actions.when import day_of, entity_values

LAST_LEAVE_REQUEST_SLOT = "last_leave_request_id"
LATEST_REQUESTS_SHOWN = 5
CANCELLABLE_STATUSES = frozenset({"pending", "approved"})


def requested_leave_type(query: Query) -> str | None:
    """The leave type code asked about: the latest message's entity, else the `leave_type` slot."""
    for value in [*entity_values(query.tracker, "leave_type"), query.tracker.get_slot("leave_type")]:
        if isinstance(value, str) and value.strip().lower() in LEAVE_TYPE_NAMES:
            return value.strip().lower()
    return None


def _year_word(year: Any, today: date) -> str:
    return "今年" if year == today.year else f"{year}年"


def _balance_sentence(balance: Mapping[str, Any], today: date) -> str:
    name = balance.get("leave_type_name") or LEAVE_TYPE_NAMES.get(str(balance["leave_type"]), "假期")
    pending = balance.get("pending") or 0
    held = f",审批中{format_days(pending)}" if pending else ""
    return (f"{_year_word(balance.get('year'), today)}的{name}剩余{format_days(balance['remaining'])}"
            f"(共{format_days(balance['entitled'])},已用{format_days(balance['used'])}{held})")


def _personal_sentence(personal: Mapping[str, Any], today: date) -> str:
    return (f"{_year_word(personal.get('year'), today)}的事假已请{format_days(personal['taken'])},"
            f"全年最多{format_days(personal['cap'])},还可请{format_days(personal['remaining'])}"
            f"(手册{personal.get('section') or '2.3'},事假不带薪)")


class ActionLeaveBalance(HRAction):
    """leave_balance: one type's remaining days, or every type the employee has days of."""

    action_name = "action_leave_balance"
    topic = "假期余额"
    answers_about_others = True

    async def answer(self, query: Query) -> Reply:
        leave_type = requested_leave_type(query)
        who, whose = query.subject.you, query.subject.employee_id
        if leave_type == "personal":
            answer = await query.hr.hrm.leave_balances(employee_id=whose)
            personal = answer.get("personal_leave")
            if personal:
                return Reply(f"{who}{_personal_sentence(personal, query.today)}。")
        answer = await query.hr.hrm.leave_balances(leave_type=leave_type, employee_id=whose)
        balances = [b for b in answer.get("balances") or [] if leave_type in (None, b.get("leave_type"))]
        if leave_type is not None:
            if not balances:
                name = LEAVE_TYPE_NAMES[leave_type]
                return Reply(f"{who}目前没有{name}的额度记录。{name}"
                             "按《员工手册》规定的天数在申请时核定,如需了解可以问我相关规定。")
            return Reply(f"{who}{_balance_sentence(balances[0], query.today)}。")
        shown = [b for b in balances if (b.get("remaining") or 0) > 0 or (b.get("entitled") or 0) > 0]
        lines = [f"· {_balance_sentence(b, query.today)}" for b in shown]
        personal = answer.get("personal_leave")
        if personal:
            lines.append(f"· {_personal_sentence(personal, query.today)}")
        if not lines:
            return Reply(f"{who}目前没有可用的假期余额。")
        return Reply(f"{who}的假期余额:\n" + "\n".join(lines))


def _request_line(request: Mapping[str, Any], today: date) -> str:
    name = request.get("leave_type_name") or LEAVE_TYPE_NAMES.get(str(request.get("leave_type")), "请假")
    start, end = day_of(request.get("start")), day_of(request.get("end"))
    when = format_date_span(start, end, today=today) if start and end and start <= end else ""
    half = {"morning": "上午", "afternoon": "下午"}.get(str(request.get("half_day")), "")
    status = str(request.get("status_name") or request.get("status"))
    if request.get("status") == "pending":
        approver = (request.get("approver") or {}).get("name")
        step = request.get("current_step") or "审批"
        status += f",当前:{step}" + (f"({approver})" if approver else "")
    return f"· {when}{half} {name}{format_days(request.get('days') or 0)} {status}"


def _submitted(request: Mapping[str, Any]) -> str:
    return str(request.get("submitted_at") or "")


def cancellable_candidate(requests: list[Mapping[str, Any]], today: date) -> Mapping[str, Any] | None:
    """The most recently submitted request that is pending or approved and has not started."""
    future = [r for r in requests if r.get("status") in CANCELLABLE_STATUSES
              and (day_of(r.get("start")) or today) > today]
    return max(future, key=_submitted, default=None)


class ActionLeaveStatus(HRAction):
    """leave_status: the latest requests with their status and current step; remembers the most
    recent pending/approved request that has not started in `last_leave_request_id` (None when
    there is none, so a stale one is never withdrawn)."""

    action_name = "action_leave_status"
    topic = "请假记录"

    async def answer(self, query: Query) -> Reply:
        answer = await query.hr.oa.leave_requests()
        requests: list[Mapping[str, Any]] = sorted(answer.get("leave_requests") or [], key=_submitted,
                                                   reverse=True)
        candidate = cancellable_candidate(requests, query.today)
        event = SlotSet(LAST_LEAVE_REQUEST_SLOT, candidate.get("id") if candidate else None)
        if not requests:
            return Reply("您目前没有请假申请记录。", events=(event,))
        shown = requests[:LATEST_REQUESTS_SHOWN]
        lines = [_request_line(r, query.today) for r in shown]
        more = f"(共{len(requests)}条,以上是最近{len(shown)}条)" if len(requests) > len(shown) else ""
        return Reply("您最近的请假申请:\n" + "\n".join(lines) + more, events=(event,))
