"""Performance questions (HRM): score, grade, OKR completion and the reviewer's feedback of the
latest review period, or of the quarter the message names ("2026Q2", "上季度", "第二季度", a
month entity's quarter)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from actions.base import HRAction, Query, Reply
from actions.replies import format_percent
from actions.when import latest_text, message_month

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


class ActionPerformanceQuery(HRAction):
    """performance_query: the latest review, or the period asked about, with the one before."""

    action_name = "action_performance_query"
    topic = "绩效信息"
    answers_about_others = True

    async def answer(self, query: Query) -> Reply:
        period = requested_period(latest_text(query.tracker), message_month(query.tracker), query.today)
        who = query.subject.you
        answer = await query.hr.hrm.performance(employee_id=query.subject.employee_id)
        reviews: list[Mapping[str, Any]] = sorted(answer.get("reviews") or [],
                                                  key=lambda r: str(r.get("period")), reverse=True)
        if not reviews:
            return Reply(f"暂时没有查到{who}的绩效考核记录。")
        if period is not None:
            asked = [r for r in reviews if r.get("period") == period]
            if not asked:
                known = "、".join(str(r.get("period")) for r in reviews)
                return Reply(f"没有查到{who}{period}的绩效记录。已有的考核期:{known}。")
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
        return Reply(text)
