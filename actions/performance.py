"""Performance questions: the quarterly review (HRM) — score, grade, OKR completion and the
reviewer's feedback of the latest period, or of the quarter the message names ("2026Q2", "上季度",
"第二季度", a month entity's quarter) — and, for customer-service agents asked about their 7.2
figures or a month ("我这个月接待了多少", "上个月的首响"), the month's sessions, first response,
resolution rate and rating as hrbot's attribution engine credits them (`actions.cs_performance`).
Managers and HR may ask for their team ("我们组的绩效", `actions.team_performance`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import HRAction, Query, Reply
from actions.cs_performance import CS_WORDS, agent_reply, is_cs_question, month_figures, question_month
from actions.replies import format_percent
from actions.subject import ABOUT_SLOT
from actions.team_performance import team_report, wants_team_report
from actions.when import latest_text, message_month
from hrbot.cs.loading import CsDataError

CS_DATA_BROKEN = "客服系统的接待数据有问题,暂时算不出接待量,问题已经记录下来。请稍后再试或联系HR。"

logger = logging.getLogger(__name__)

_PERIOD = re.compile(r"(?:(\d{4})\s*年?\s*)?(?:[Qq]\s*([1-4])|第?([一二三四1-4])季度)")
_QUARTER_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def requested_period(text: str, month: str | None, today: date) -> str | None:
    """The review period ("2026Q2") the message asks about, or None for the latest."""
    year, quarter = _quarter_of(today)
    if "上季度" in text or "上个季度" in text:
        return f"{year}Q{quarter - 1}" if quarter > 1 else f"{year - 1}Q4"
    if "本季度" in text or "这个季度" in text or "这季度" in text:
        return f"{year}Q{quarter}"
    match = _PERIOD.search(text)
    if match:
        number = int(match.group(2)) if match.group(2) else _QUARTER_NUMERALS[match.group(3)]
        if "去年" in text:
            return f"{year - 1}Q{number}"
        return f"{int(match.group(1)) if match.group(1) else year}Q{number}"
    if month is not None:
        asked_year, asked_quarter = _quarter_of(date(int(month[:4]), int(month[5:7]), 1))
        return f"{asked_year}Q{asked_quarter}"
    return None


def _review_sentence(review: Mapping[str, Any], who: str) -> str:
    parts = [f"{review.get('score')}分", f"等级{review.get('grade')}"]
    if review.get("okr_completion") is not None:
        parts.append(f"OKR完成度{format_percent(review['okr_completion'])}")
    text = f"{who}{review.get('period')}的绩效:" + ",".join(parts) + "。"
    reviewer = (review.get("reviewer") or {}).get("name")
    if review.get("feedback"):
        text += f"{reviewer or '主管'}的评语:“{review['feedback']}”。"
    return text


async def cs_figures(query: Query, month: str) -> Reply | None:
    """The 7.2 figures of the subject for `month`, or None when CRM does not list them as an agent
    whose figures the asker may see (not a customer-service agent, or not visible)."""
    inputs = await query.hr.crm.attribution_inputs(month)
    employee_id = query.subject.employee_id or query.employee.employee_id
    if employee_id not in (inputs.get("agents") or []):
        return None
    try:
        figures = month_figures(inputs)
    except CsDataError as error:
        logger.error("customer-service data of %s cannot be attributed: %s", month, error)
        return Reply(CS_DATA_BROKEN)
    return Reply(agent_reply(figures, employee_id, query.subject.you, query.today))


class ActionPerformanceQuery(HRAction):
    """performance_query: a customer-service agent's 7.2 figures when asked about them or about a
    month; otherwise the latest review, or the period asked about, with the one before; a team's
    report for managers and HR."""

    action_name = "action_performance_query"
    topic = "绩效信息"
    answers_about_others = True

    async def _answer(self, tracker: Tracker) -> Reply:
        """A team question is answered before names are looked for ("我们组" names nobody)."""
        if not wants_team_report(latest_text(tracker)):
            return await super()._answer(tracker)
        async with self.query(tracker) as query:
            period = requested_period(latest_text(tracker), message_month(tracker), query.today)
            reply = await team_report(query, period)
        if tracker.get_slot(ABOUT_SLOT) is None:
            return reply
        return Reply(reply.text, reply.buttons, (*reply.events, SlotSet(ABOUT_SLOT, None)))

    async def answer(self, query: Query) -> Reply:
        text = latest_text(query.tracker)
        month = question_month(query.tracker, query.today)
        no_cs_data = ""
        if is_cs_question(text, month):
            figures = await cs_figures(query, month or query.today.isoformat()[:7])
            if figures is not None:
                return figures
            if CS_WORDS.search(text):
                no_cs_data = (f"没有查到{query.subject.you}的客服接待数据"
                              "(接待量、首次响应等指标只统计客服岗位),以下是季度绩效。\n")
        period = requested_period(text, None if no_cs_data else month, query.today)
        who = query.subject.you
        answer = await query.hr.hrm.performance(employee_id=query.subject.employee_id)
        reviews: list[Mapping[str, Any]] = sorted(answer.get("reviews") or [],
                                                  key=lambda r: str(r.get("period")), reverse=True)
        if not reviews:
            return Reply(f"{no_cs_data}暂时没有查到{who}的绩效考核记录。")
        if period is not None:
            asked = [r for r in reviews if r.get("period") == period]
            if not asked:
                known = "、".join(str(r.get("period")) for r in reviews)
                return Reply(f"{no_cs_data}没有查到{who}{period}的绩效记录。已有的考核期:{known}。")
            review = asked[0]
        else:
            review = reviews[0]
        text = _review_sentence(review, who)
        earlier = [r for r in reviews if str(r.get("period")) < str(review.get("period"))]
        if earlier:
            last = earlier[0]
            text += f"\n上一期{last.get('period')}:{last.get('score')}分,等级{last.get('grade')}。"
        if answer.get("grade_scale"):
            text += f"\n评级标准:{answer['grade_scale']}"
        return Reply(no_cs_data + text)
