"""Team performance reports for managers and HR ("客服团队上个月的绩效报告", "我们组的绩效").

Whose team: a manager's direct reports; for HR roles, the whole customer-service team when the
question is about customer service (any team's figures are theirs to see), else their own
direct reports. Anyone else is refused. A team with customer-service agents gets the month's
7.2 table (sessions, first response, resolution, rating) computed with hrbot's attribution
engine (`actions.cs_performance`), unless the question is about the quarterly review; other
teams get the review table (score, grade, OKR completion) of the period asked or the latest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from actions.base import Query, Reply
from actions.cs_performance import (
    CS_WORDS,
    REVIEW_WORDS,
    MonthFigures,
    month_figures,
    question_month,
    team_table,
)
from actions.replies import format_percent, format_table
from actions.when import latest_text

TEAM_WORDS = re.compile(
    r"团队|我们组|我们部门|本部门|咱们组|组里|组员|全组|整个组|全部门|下属|手下|部门的人|各人|每个人|每位|"
    r"所有人|大家|客服组|客服部"
)
EMPLOYEE_ID = re.compile(r"(?<![A-Za-z0-9])[Ee]\d{4}(?!\d)")
REFUSAL = ("抱歉,团队绩效报告只对部门主管(查看直属下属)和人力资源部开放。"
           "您可以查询自己的绩效,例如「我上个月接待了多少」或「我上季度绩效多少分」。")
WHICH_TEAM = "请说明要看哪个团队,例如「客服团队上个月的绩效报告」。"


def wants_team_report(text: str) -> bool:
    """Whether a performance question asks about a team rather than one person."""
    return TEAM_WORDS.search(text) is not None and EMPLOYEE_ID.search(text) is None


async def team_report(query: Query, period: str | None) -> Reply:
    """The report of the asker's team (see the module), or the refusal. `period` is the review
    period the question names ("2026Q3"), if any."""
    employee = query.employee
    if not (employee.is_manager or employee.is_hr):
        return Reply(REFUSAL)
    text = latest_text(query.tracker)
    about_cs = CS_WORDS.search(text) is not None
    about_review = not about_cs and (period is not None or REVIEW_WORDS.search(text) is not None)
    if employee.is_hr and about_cs:
        figures = await _figures(query)
        return Reply(team_table(figures, figures.visible, "客服团队", query.today))
    reports = await _reports(query) if employee.is_manager else {}
    if not reports:
        return Reply(WHICH_TEAM if employee.is_hr else REFUSAL)
    if not about_review:
        figures = await _figures(query)
        agents = [member for member in reports if figures.may_see(member)]
        if agents:
            return Reply(team_table(figures, agents, "您团队", query.today))
    return Reply(await _review_table(query, reports, period))


async def _figures(query: Query) -> MonthFigures:
    month = question_month(query.tracker, query.today) or query.today.isoformat()[:7]
    return month_figures(await query.hr.crm.attribution_inputs(month))


async def _reports(query: Query) -> dict[str, str]:
    """The asker's direct reports, id -> name."""
    answer = await query.hr.hrm.reports()
    return {str(r.get("id")): str(r.get("name") or r.get("id")) for r in answer.get("reports") or []
            if isinstance(r, Mapping)}


async def _review_table(query: Query, members: Mapping[str, str], period: str | None) -> str:
    """Score, grade and OKR completion of each member for `period`, else their latest review;
    highest score first."""
    found: list[tuple[str, float, list[str]]] = []
    for member, name in members.items():
        answer = await query.hr.hrm.performance(period=period, employee_id=member)
        reviews = sorted((r for r in answer.get("reviews") or [] if isinstance(r, Mapping)),
                         key=lambda r: str(r.get("period")), reverse=True)
        if not reviews:
            continue
        review = reviews[0]
        okr = review.get("okr_completion")
        score = review.get("score")
        found.append((str(review.get("period")), float(score) if isinstance(score, int | float) else 0.0,
                      [name, str(review.get("period")), f"{score}分", str(review.get("grade")),
                       format_percent(okr) if okr is not None else "-"]))
    if not found:
        return f"没有查到您直属下属{period or ''}的绩效记录。"
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    periods = "、".join(sorted({item[0] for item in found}, reverse=True))
    table = format_table([["姓名", "考核期", "分数", "等级", "OKR完成度"], *(item[2] for item in found)],
                         align=["left", "left", "right", "left", "right"])
    return f"您直属下属{periods}的绩效({len(found)}人):\n{table}"
