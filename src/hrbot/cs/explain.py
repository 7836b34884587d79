"""How each agent's figure was reached, in Chinese, with the real numbers.

An agent who doubts their share can follow every step: which sessions were counted and on
what evidence, how the averages compare with the team's, and the arithmetic from the pool
to their amount, including the cent the rounding may have added.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from hrbot.cs.kpi import AgentKpi, KpiTable
from hrbot.cs.pool import COMPONENT_NAMES_ZH, AgentAllocation, ComponentShare, PoolAllocation

GROUP_TEXT = {
    "signature": "由首条消息中的署名确认",
    "login": "按登录记录确认(会话开始时只有其本人登录该账号)",
    "inferred": "登录记录缺失,按相邻时段的署名或登录记录推断",
    "overlap": "来自多人同时登录且未署名的会话",
}


def money(value: Decimal | Fraction | float) -> str:
    """Yuan to the cent with thousands separators (exact amounts are rounded for display)."""
    amount = value if isinstance(value, Decimal) else Decimal(f"{float(value):.2f}")
    return f"¥{amount.quantize(Decimal('0.01')):,}"


def number(value: float | Fraction, places: int = 2) -> str:
    text = f"{float(value):,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Explanation:
    """`lines` are the points in order; `steps` the pool arithmetic, which belongs under
    the line introducing it (`steps_after`)."""

    employee_id: str
    title: str
    lines: tuple[str, ...]
    steps: tuple[str, ...] = ()
    steps_after: int = -1

    def markdown_lines(self) -> list[str]:
        out = []
        for index, line in enumerate(self.lines):
            out.append(f"- {line}")
            if index == self.steps_after:
                out.extend(f"    - {step}" for step in self.steps)
        return out

    def text(self) -> str:
        return "\n".join([self.title, *self.markdown_lines()])


def _who(row: AgentKpi) -> str:
    nick = f",昵称「{'、'.join(row.nicknames)}」" if row.nicknames else ""
    return f"{row.name or row.employee_id}({row.employee_id}{nick})"


def _sessions_line(row: AgentKpi, table: KpiTable) -> str:
    if row.sessions <= 0:
        return f"{table.period.label} 期间有登录记录,但没有会话归属到本人,接待量为 0,因此不参与绩效池分配。"
    parts = [
        f"{number(row.by_group[g])} 个{GROUP_TEXT[g]}" for g in GROUP_TEXT if row.by_group.get(g, 0) > 1e-9
    ]
    line = f"{table.period.label} 共计接待 {number(row.sessions)} 个会话:" + ";".join(parts) + "。"
    if row.split_sessions > 1e-9:
        line += (
            f"其中 {number(row.split_sessions)} 个是与同时登录的同事按概率分摊的份额:"
            "无法确定接待人的会话不整个算给任何一人(两人各半时各计 0.5 个)。"
        )
    return line


def _quality_line(row: AgentKpi, table: KpiTable) -> str:
    team = table.team
    parts = []
    if row.first_response_seconds is not None:
        versus = (
            f"(团队平均 {number(team.first_response_seconds or 0, 1)} 秒)"
            if team.first_response_seconds
            else ""
        )
        parts.append(f"平均首次响应 {number(row.first_response_seconds, 1)} 秒{versus}")
    if row.resolution_rate is not None:
        versus = f"(团队 {team.resolution_rate:.1%})" if team.resolution_rate is not None else ""
        parts.append(f"解决率 {row.resolution_rate:.1%}{versus}")
    if row.rating is not None:
        parts.append(
            f"平均客户评分 {row.rating:.2f} 分(基于 {number(row.rated)} 个评分;团队 {team.rating:.2f} 分)"
            if team.rating is not None
            else f"平均客户评分 {row.rating:.2f} 分"
        )
    else:
        parts.append("期间没有客户评分(评分部分按团队平均计)")
    return ";".join(parts) + "。"


def _component_line(share: ComponentShare, row: AgentKpi, allocation: PoolAllocation) -> str:
    name = COMPONENT_NAMES_ZH[share.component]
    if share.component == "volume":
        how = f"点数 = 接待量 {number(share.points)}"
    elif share.component == "response":
        team = allocation.team_response_seconds or 0.0
        own = row.first_response_seconds
        how = (
            f"点数 = 接待量 × 团队平均首响 {number(team, 1)} 秒 ÷ 本人 {number(own, 1)} 秒 "
            f"= {number(share.points)}"
            if own is not None
            else f"点数 = 接待量(无首响数据,按团队平均计)= {number(share.points)}"
        )
    elif share.component == "resolution":
        how = f"点数 = 已解决会话 {number(share.points)}"
    else:
        rating = row.rating if row.rating is not None else allocation.team_rating
        how = f"点数 = 接待量 × 平均评分 {number(rating or 0)} ÷ 5 = {number(share.points)}"
    return (
        f"{name}({float(allocation.weights[share.component]):.0%},预算 {money(share.budget)}):{how};"
        f"{money(share.budget)} × {number(share.points)} ÷ 团队 {number(share.team_points)} = "
        f"{money(share.amount)}"
    )


def explain_agent(
    row: AgentKpi, table: KpiTable, allocation: PoolAllocation, own: AgentAllocation | None
) -> Explanation:
    lines = [_sessions_line(row, table)]
    steps: list[str] = []
    steps_after = -1
    if row.sessions > 0:
        lines.append(_quality_line(row, table))
    if own is not None:
        dropped = ""
        if allocation.dropped:
            names = "、".join(COMPONENT_NAMES_ZH[c] for c in allocation.dropped)
            dropped = f"(本期无人在「{names}」上得分,该部分权重按比例并入其余部分)"
        lines.append(
            f"绩效池 {money(allocation.pool)} 按 {allocation.requested.describe()} 分成各部分预算{dropped},"
            "每部分按点数占团队总点数的比例分配:"
        )
        steps_after = len(lines) - 1
        steps.extend(_component_line(share, row, allocation) for share in own.components)
        rounding = own.rounding
        note = (
            f"按最大余数法取整到分时加了 {money(rounding)}"
            if rounding > 0
            else "取整到分时舍去了不足 1 分的部分"
        )
        lines.append(
            f"合计 {money(own.amount)}(精确值 ¥{float(own.exact):,.4f},{note};全体金额之和正好等于绩效池)。"
        )
    if row.unsure_sessions > 1e-9:
        lines.append(
            f"有 {number(row.unsure_sessions)} 个会话的归属把握低于 90%,如有异议可对照 attribution.json "
            "中的证据提出申诉(手册 7.3:结果公布后 5 个工作日内)。"
        )
    return Explanation(row.employee_id, _who(row), tuple(lines), tuple(steps), steps_after)


def explain_all(table: KpiTable, allocation: PoolAllocation) -> list[Explanation]:
    return [explain_agent(row, table, allocation, allocation.of(row.employee_id)) for row in table.agents]
