"""How performance disputes stand, and the reviewer's reply (handbook 7.3), through the bot.

`action_performance_dispute_status` ("我的绩效申诉怎么样了"): each of the employee's disputes
with its state — waiting for the reviewer; answered but not yet delivered ("已回复,将于11月26日
(周四)19:00起的反馈窗口送达"); or the answer itself once its Thursday feedback window has begun
(HRM shows the text only from then on). A reviewer also hears which disputes wait for their
answer and how to give it. With no dispute filed — or when the employee wanted to file one and no
result is in its window — it says what can be disputed and until when.

`action_reply_performance_dispute` ("回复申诉 PD202600001:已复核,维持原评分"): files the
reviewer's answer with HRM and says when it will reach the employee.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from actions.base import HRAction, Query, Reply
from actions.connectors import NotFound
from actions.dispute_wording import DISPUTE, reply_in, request_of
from actions.performance_disputes import open_list, standings, window_words
from actions.replies import format_date
from actions.when import day_of, latest_text


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def delivery_words(value: Any, today: date) -> str:
    """"11月26日(周四)19:00" of a `deliver_at`."""
    moment = _moment(value)
    if moment is None:
        return "下一个周四19:00"
    return f"{format_date(moment.date(), today=today)}{moment:%H:%M}"


def own_dispute_lines(dispute: Mapping[str, Any], next_window: Mapping[str, Any] | None,
                      today: date) -> list[str]:
    """One of the employee's disputes: what, when, for whom, and where it stands."""
    reviewer = (dispute.get("reviewer") or {}).get("name") or "主管"
    filed = day_of(dispute.get("submitted_at"))
    when = f"{format_date(filed, today=today)}提交," if filed else ""
    lines = [f"· {dispute.get('id')}({dispute.get('period')}绩效,{when}处理人{reviewer}):"]
    for reply in dispute.get("replies") or []:
        author = (reply.get("author") or {}).get("name") or reviewer
        delivered = delivery_words(reply.get("deliver_at"), today)
        lines.append(f"  {author}的回复({delivered}送达):“{reply.get('text')}”")
    waiting = [r for r in dispute.get("pending_replies") or [] if isinstance(r, Mapping)]
    if waiting:
        first = min(str(r.get("deliver_at")) for r in waiting)
        lines.append(f"  已回复,将于{delivery_words(first, today)}起的反馈窗口送达。")
    elif not dispute.get("replies"):
        lines.append(f"  待{reviewer}回复。主管每周四19:00-21:00集中回复绩效反馈,"
                     f"最近一次反馈窗口是{window_words(next_window, today)}。")
    return lines


def review_lines(disputes: Sequence[Mapping[str, Any]], today: date) -> list[str]:
    """The disputes addressed to a reviewer: those waiting for an answer and how to give one."""
    waiting = [d for d in disputes if d.get("status") == "pending"]
    answered = [d for d in disputes if d.get("status") != "pending"]
    lines: list[str] = []
    if waiting:
        lines.append(f"待您回复的绩效申诉({len(waiting)}条):")
        for dispute in waiting:
            employee = (dispute.get("employee") or {}).get("name") or dispute.get("employee_id")
            review = dispute.get("review") or {}
            lines.append(f"· {dispute.get('id')}:{employee} {dispute.get('period')}"
                         f"({review.get('score')}分,{review.get('grade')}),理由:{dispute.get('reason')}")
        example = waiting[0].get("id")
        lines.append(f"回复请说「回复申诉 {example}:您的回复」,回复会在周四19:00-21:00的反馈窗口送达员工。")
    for dispute in answered:
        employee = (dispute.get("employee") or {}).get("name") or dispute.get("employee_id")
        pending = dispute.get("next_delivery_at")
        state = f"将于{delivery_words(pending, today)}送达" if pending else "已送达"
        lines.append(f"· {dispute.get('id')}({employee} {dispute.get('period')}):您已回复,{state}。")
    return lines


class ActionPerformanceDisputeStatus(HRAction):
    """performance_query about disputes: the employee's disputes and where they stand, those
    waiting for the asker's answer as reviewer, and what may still be disputed (see module)."""

    action_name = "action_performance_dispute_status"

    async def answer(self, query: Query) -> Reply:
        hrm, today = query.hr.hrm, query.today
        listing = await hrm.performance_disputes()
        disputes = [d for d in listing.get("disputes") or [] if isinstance(d, Mapping)]
        own = [d for d in disputes if d.get("relation") == "owner"]
        to_review = [d for d in disputes if d.get("relation") == "reviewer"]
        wants_to_file = request_of(latest_text(query.tracker)) == DISPUTE
        lines: list[str] = []
        if wants_to_file or not (own or to_review):
            lines += await self._eligibility(query, wants_to_file, bool(own))
        if own:
            lines.append("您的绩效申诉:")
            for dispute in own:
                lines += own_dispute_lines(dispute, listing.get("next_feedback_window"), today)
        lines += review_lines(to_review, today)
        return Reply("\n".join(lines))

    async def _eligibility(self, query: Query, wants_to_file: bool, has_own: bool) -> list[str]:
        eligibility = await query.hr.hrm.dispute_eligibility()
        results = standings(eligibility)
        lines = [] if has_own or wants_to_file else ["您还没有提交过绩效申诉。"]
        if any(r.get("open") for r in results):
            lines.append("在申诉期内、可以申诉的绩效结果:\n" + open_list(eligibility, query.today))
            lines.append("如有异议,说「我要申诉绩效」即可。")
        elif wants_to_file:
            reasons = [str(r.get("problem")) for r in results[:1] if r.get("problem")]
            lines.append("目前没有可以申诉的绩效结果" + (f":{reasons[0]}。" if reasons else
                                                      "(手册7.3:结果公布后5个工作日内可以申诉)。"))
            lines.append("如有疑问,可以转人工HR。")
        else:
            lines.append(open_list(eligibility, query.today))
        return lines


class ActionReplyPerformanceDispute(HRAction):
    """performance_query from a reviewer answering a dispute ("回复申诉 PD202600001:…"): files the
    answer with HRM (only the dispute's reviewer may) and says when the employee gets it. Without
    an id, the only dispute waiting for the reviewer is meant; with several, they are listed."""

    action_name = "action_reply_performance_dispute"

    async def answer(self, query: Query) -> Reply:
        hrm = query.hr.hrm
        request = reply_in(latest_text(query.tracker))
        dispute_id = request.dispute_id
        if dispute_id is None:
            listing = await hrm.performance_disputes(role="to_review")
            waiting = [d for d in listing.get("disputes") or [] if d.get("status") == "pending"]
            if not waiting:
                return Reply("目前没有待您回复的绩效申诉。")
            if len(waiting) > 1:
                return Reply("\n".join([*review_lines(waiting, query.today),
                                        "请在回复里注明申诉编号。"]))
            dispute_id = str(waiting[0].get("id"))
        if not request.text:
            return Reply(f"请把回复内容一起发给我,例如「回复申诉 {dispute_id}:已复核,维持原评分」。")
        try:
            answer = await hrm.reply_performance_dispute(dispute_id, request.text)
        except NotFound:
            return Reply(f"没有找到编号为{dispute_id}的绩效申诉,请核对编号;"
                         "问我「我的绩效申诉怎么样了」可以列出待您回复的申诉。")
        employee = (answer.get("employee") or {}).get("name") or "员工"
        reply = answer.get("reply") or {}
        deliver = _moment(reply.get("deliver_at"))
        head = f"已回复申诉{dispute_id}({employee} {answer.get('period')}绩效)。"
        if deliver is not None and deliver <= query.now:
            return Reply(head + f"现在正是反馈窗口({window_words(reply.get('window'), query.today)}),"
                         f"回复已送达{employee}。")
        return Reply(head + f"按手册7.3,回复将于{delivery_words(reply.get('deliver_at'), query.today)}"
                     f"起的反馈窗口送达{employee}。")
