"""Customer-service figures for the bot (handbook 7.2), computed with hrbot's attribution engine.

CRM's `/crm/performance` attributes sessions with the backend's own simple rule. The bot answers
with the figures HR's report uses instead: it reads the month's raw evidence from CRM
(`/crm/attribution-inputs`: sessions, logins and nicknames of the accounts in scope, shaped like
company.json's cs_* tables) and runs `hrbot.cs` on it — signatures, logins, the learned
tie-breaker, and credit split by probability where the evidence leaves real doubt. So an agent
may have handled 54.09 sessions. CRM decides what the asker may see: the inputs of their team's
accounts, and `agents`, whose figures they may read; everyone else's rows are computed (they are
evidence) but never shown.

    inputs = await hr.crm.attribution_inputs("2026-10")
    figures = month_figures(inputs)
    text = agent_reply(figures, "E1008", "您", today)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from actions.replies import format_month, format_percent, format_table
from actions.when import latest_text, message_month, month_span
from hrbot.cs.attribution import Attribution
from hrbot.cs.engine import attribute_sessions
from hrbot.cs.explain import number
from hrbot.cs.kpi import SURE, AgentKpi, KpiTable, compute_kpis
from hrbot.cs.loading import cs_data_from_json
from hrbot.cs.period import Period

CS_WORDS = re.compile(
    r"接待|会话|首次响应|首响|响应时[长间]|响应速度|解决率|客户评分|客户满意|满意度|平均评分|评分平均|"
    r"客服|公共账号|公共客服|归属|算到我|算我的|算给我"
)
"""What only a customer-service question asks about (handbook 7.2's measures, the shared accounts)."""
REVIEW_WORDS = re.compile(
    r"等级|评级|OKR|okr|季度|[Qq][1-4]|考核结果|评语|反馈|面谈|系数|几分|分数|得分|打分|评价|[SABC]吗|是[SABC]"
)
"""What a question about the quarterly review asks about."""

METHOD_LINE = (
    "归属方法(手册7.2):会话首条消息有署名的归署名人,否则归会话开始时登录该公共账号的人;"
    "多人同时登录又未署名时按各人的接待习惯估计概率,把握不足80%时按概率分摊,所以接待量可能带小数。"
)


def is_cs_question(text: str, month: str | None) -> bool:
    """Whether a performance question is about the 7.2 figures: it names them ("接待了多少",
    "首响", "客户评分"), or names a month without asking about the review ("上个月的绩效")."""
    if CS_WORDS.search(text):
        return True
    return month is not None and not REVIEW_WORDS.search(text)


def asked_month(text: str, entity_month: str | None, today: date) -> str | None:
    """The month a question names: the NLU's month entity, else one hrbot's normaliser reads in
    the text ("上个月", "这个月", "10月"); None when it names none."""
    if entity_month is not None:
        return entity_month
    from hrbot.nlu.normalise.finder import find_values

    for match in find_values(text, today, ("month",)):
        if isinstance(match.value, str):
            return match.value
    return None


def question_month(tracker: Any, today: date) -> str | None:
    """`asked_month` of the latest message of `tracker`."""
    return asked_month(latest_text(tracker), message_month(tracker), today)


@dataclass(frozen=True)
class Doubt:
    """Of the sessions credited to one agent: how many were split with colleagues, and how many
    were attributed with less than 90% confidence (whole sessions, not credit)."""

    split: int = 0
    unsure: int = 0


@dataclass(frozen=True)
class MonthFigures:
    """One month's KPIs of every agent in the inputs; `visible` are those the asker may see."""

    month: str
    kpis: KpiTable
    visible: tuple[str, ...]
    doubts: Mapping[str, Doubt] = field(default_factory=dict)

    def row(self, employee_id: str) -> AgentKpi | None:
        """The agent's figures, or None when they neither logged in nor were credited."""
        return next((r for r in self.kpis.agents if r.employee_id == employee_id), None)

    def may_see(self, employee_id: str) -> bool:
        return employee_id in self.visible


def month_figures(inputs: Mapping[str, Any]) -> MonthFigures:
    """Attribute the month's sessions of CRM's attribution inputs and compute every agent's KPIs.
    Raises `hrbot.cs.loading.CsDataError` when CRM's data cannot be read (it says what is wrong)."""
    month = str(inputs["month"])
    span = month_span(month)
    data = cs_data_from_json(inputs, source=f"CRM attribution inputs of {month}")
    period = Period(span.start, span.end)
    attributions = attribute_sessions(data, period=period)
    return MonthFigures(
        month=month,
        kpis=compute_kpis(data, attributions, period),
        visible=tuple(str(a) for a in inputs.get("agents") or ()),
        doubts=_doubts(attributions.values()),
    )


def _doubts(attributions: Iterable[Attribution]) -> dict[str, Doubt]:
    split: dict[str, int] = {}
    unsure: dict[str, int] = {}
    for item in attributions:
        for agent in item.shares:
            if len(item.shares) > 1:
                split[agent] = split.get(agent, 0) + 1
            if item.confidence < SURE:
                unsure[agent] = unsure.get(agent, 0) + 1
    return {agent: Doubt(split.get(agent, 0), unsure.get(agent, 0)) for agent in set(split) | set(unsure)}


def month_words(month: str, today: date) -> str:
    """"2026年10月"-style wording, with "(截至今天)" for the month in progress."""
    label = format_month(month, today=None)
    return f"{label}(截至今天)" if month == today.isoformat()[:7] else label


def _seconds(value: float | None) -> str:
    return f"{number(value, 1)} 秒" if value is not None else "无数据"


def _percent(value: float | None) -> str:
    return format_percent(value) if value is not None else "无数据"


def agent_reply(figures: MonthFigures, employee_id: str, who: str, today: date) -> str:
    """The 7.2 figures of one agent for the month, with how many sessions were split or uncertain
    and a line on the method; the team's averages for comparison."""
    when = month_words(figures.month, today)
    row = figures.row(employee_id)
    if row is None or row.sessions <= 1e-9:
        return f"{when}没有查到{who}的客服接待记录(没有登录公共账号,也没有会话归属到{who})。"
    team = figures.kpis.team
    doubt = figures.doubts.get(employee_id, Doubt())
    volume = f"· 接待量:{number(row.sessions)} 个会话"
    notes = []
    if doubt.split:
        shared = number(row.split_sessions)
        notes.append(f"其中 {doubt.split} 个会话与同时登录的同事按概率分摊,计 {shared} 个")
    if doubt.unsure:
        notes.append(f"{doubt.unsure} 个会话的归属把握低于90%")
    if notes:
        volume += "(" + ";".join(notes) + ")"
    lines = [
        f"{who}{when}的客服绩效(按手册7.2归属到个人):",
        volume,
        f"· 平均首次响应:{_seconds(row.first_response_seconds)}"
        f"(客服团队平均 {_seconds(team.first_response_seconds)})",
        f"· 解决率:{_percent(row.resolution_rate)}(团队 {_percent(team.resolution_rate)})",
    ]
    if row.rating is not None:
        lines.append(f"· 平均客户评分:{row.rating:.2f} 分(基于 {number(row.rated)} 个评分)")
    else:
        lines.append("· 平均客户评分:本月没有客户评分")
    lines.append(METHOD_LINE)
    if doubt.unsure:
        lines.append("对会话归属有疑问的,可以请主管对照登录与署名记录核对。")
    return "\n".join(lines)


def team_table(figures: MonthFigures, members: Sequence[str], title: str, today: date) -> str:
    """A compact per-agent table (sessions, first response, resolution, rating) of `members`
    that the asker may see, busiest first, and the team's totals."""
    rows = [r for r in (figures.row(m) for m in members if figures.may_see(m)) if r is not None]
    rows.sort(key=lambda r: (-r.sessions, r.employee_id))
    when = month_words(figures.month, today)
    if not rows:
        return f"{title}{when}没有客服接待记录。"
    table = [["姓名", "接待量", "首响(秒)", "解决率", "评分"]] + [
        [
            r.name or r.employee_id,
            number(r.sessions),
            number(r.first_response_seconds, 1) if r.first_response_seconds is not None else "-",
            _percent(r.resolution_rate) if r.resolution_rate is not None else "-",
            f"{r.rating:.2f}" if r.rating is not None else "-",
        ]
        for r in rows
    ]
    total = sum(r.sessions for r in rows)
    lines = [
        f"{title}{when}的客服绩效({len(rows)}人,按手册7.2归属):",
        format_table(table, align=["left", "right", "right", "right", "right"]),
        f"合计接待 {number(total)} 个会话;团队平均首响 {_seconds(figures.kpis.team.first_response_seconds)},"
        f"解决率 {_percent(figures.kpis.team.resolution_rate)}。",
    ]
    if any(figures.doubts.get(r.employee_id, Doubt()).split for r in rows):
        lines.append("多人同时登录又未署名的会话按概率分摊,所以接待量可能带小数。")
    return "\n".join(lines)
