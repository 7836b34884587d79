"""The report as one self-contained HTML page for HR: summary, charts (inline SVG), the
per-agent table and each agent's explanation. Nothing is loaded from elsewhere."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from hrbot.cs.charts import bar_chart, stacked_bar_chart
from hrbot.cs.explain import Explanation, money, number
from hrbot.cs.kpi import GROUPS, AgentKpi
from hrbot.cs.report import CsReport

GROUP_NAMES = {
    "signature": "署名确认",
    "login": "登录确认",
    "inferred": "记录缺失推断",
    "overlap": "重叠时段判断",
}
METHOD_NAMES = {
    "signature": "署名",
    "login": "唯一登录",
    "login_after_start": "开始后登录",
    "login_left_before_answer": "回复前已登出",
    "login_nearby": "登录时间相近",
    "signed_nearby": "相邻署名推断",
    "roster": "按排班推断",
    "account_owner": "个人账号",
    "style": "习惯模型",
    "split": "平均分摊",
    "first_login": "先登录者",
    "last_login": "后登录者",
    "unattributed": "无法归属",
}
STYLE = """
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;
  max-width:1100px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px}
.card b{display:block;font-size:20px}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #eee;padding:5px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
tfoot td{font-weight:bold;border-top:2px solid #999}
.explanation{margin:12px 0;padding:8px 14px;background:#f8f8f8}
.explanation h3{font-size:15px;margin:4px 0}.note{color:#666;font-size:12px}
svg.chart{display:block;margin:12px 0}
"""


def _label(row: AgentKpi) -> str:
    return f"{row.name or row.employee_id} {row.employee_id}"


def _opt(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def _charts(report: CsReport) -> list[str]:
    rows = report.kpis.agents
    team = report.kpis.team
    charts = [
        bar_chart(
            "绩效池分配(元)",
            [
                (_label(r), float(a.amount) if (a := report.allocation.of(r.employee_id)) else 0.0)
                for r in rows
            ],
            chart_id="chart-allocation",
            value_text=lambda v: f"¥{v:,.2f}",
        ),
        stacked_bar_chart(
            "接待量(按归属依据)",
            [(_label(r), [r.by_group.get(g, 0.0) for g in GROUPS]) for r in rows],
            [GROUP_NAMES[g] for g in GROUPS],
            chart_id="chart-sessions",
        ),
    ]
    measured = [r for r in rows if r.sessions > 0]
    if team.first_response_seconds is not None:
        charts.append(
            bar_chart(
                "平均首次响应(秒,越短越好)",
                [(_label(r), r.first_response_seconds or 0.0) for r in measured],
                chart_id="chart-response",
                value_text=lambda v: f"{v:.1f}",
                reference=("团队", team.first_response_seconds),
                color="#e0a030",
            )
        )
    if team.resolution_rate is not None:
        charts.append(
            bar_chart(
                "解决率",
                [(_label(r), r.resolution_rate or 0.0) for r in measured],
                chart_id="chart-resolution",
                value_text=lambda v: f"{v:.1%}",
                reference=("团队", team.resolution_rate),
                color="#4aa57a",
            )
        )
    if team.rating is not None:
        charts.append(
            bar_chart(
                "平均客户评分(1-5)",
                [(_label(r), r.rating or 0.0) for r in measured],
                chart_id="chart-rating",
                value_text=lambda v: f"{v:.2f}",
                reference=("团队", team.rating),
                color="#8064a2",
            )
        )
    return charts


def _table(report: CsReport) -> str:
    head = (
        "<tr><th>客服</th><th>昵称</th><th>接待量</th>"
        + "".join(f"<th>{GROUP_NAMES[g]}</th>" for g in GROUPS)
        + "<th>平均首响(秒)</th><th>解决率</th><th>平均评分</th><th>分配金额</th></tr>"
    )
    body = []
    for row in report.kpis.agents:
        own = report.allocation.of(row.employee_id)
        body.append(
            f'<tr data-agent="{escape(row.employee_id)}"><td><a href="#agent-{escape(row.employee_id)}">'
            f"{escape(_label(row))}</a></td><td>{escape('、'.join(row.nicknames))}</td>"
            f"<td>{number(row.sessions)}</td>"
            + "".join(f"<td>{number(row.by_group.get(g, 0.0))}</td>" for g in GROUPS)
            + f"<td>{_opt(row.first_response_seconds, '.1f')}</td><td>{_opt(row.resolution_rate, '.1%')}</td>"
            f"<td>{_opt(row.rating, '.2f')}</td><td>{money(own.amount) if own else '¥0.00'}</td></tr>"
        )
    team = report.kpis.team
    total = sum((a.amount for a in report.allocation.agents), Decimal(0))
    foot = (
        f"<tr><td>团队合计</td><td></td><td>{number(team.credited)}</td>"
        + "".join(f"<td>{number(team.by_group.get(g, 0.0))}</td>" for g in GROUPS)
        + f"<td>{_opt(team.first_response_seconds, '.1f')}</td><td>{_opt(team.resolution_rate, '.1%')}</td>"
        f"<td>{_opt(team.rating, '.2f')}</td><td>{money(total)}</td></tr>"
    )
    return (
        f'<table id="agents"><thead>{head}</thead><tbody>{"".join(body)}</tbody><tfoot>{foot}</tfoot></table>'
    )


def _explanation(explanation: Explanation) -> str:
    items = []
    for index, line in enumerate(explanation.lines):
        steps = ""
        if index == explanation.steps_after:
            steps = "<ol>" + "".join(f"<li>{escape(step)}</li>" for step in explanation.steps) + "</ol>"
        items.append(f"<li>{escape(line)}{steps}</li>")
    return (
        f'<section class="explanation" id="agent-{escape(explanation.employee_id)}">'
        f"<h3>{escape(explanation.title)}</h3><ul>{''.join(items)}</ul></section>"
    )


def render_html(report: CsReport) -> str:
    team = report.kpis.team
    methods = "、".join(f"{METHOD_NAMES.get(m, m)} {n}" for m, n in report.methods.items())
    cards = [
        ("会话总数", str(team.sessions)),
        ("已归属", number(team.credited)),
        ("无法归属", str(team.unattributed)),
        ("归属把握低于90%", str(report.unsure_sessions)),
        ("绩效池", money(report.allocation.pool)),
    ]
    explanations = "".join(_explanation(e) for e in report.explanations)
    source = f"数据:{escape(report.source)};" if report.source else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>客服绩效池报告 {escape(report.period.label)}</title>
<style>{STYLE}</style></head><body>
<h1>客服绩效池报告 {escape(report.period.label)}</h1>
<p class="note">{source}公共账号会话按登录记录与客服署名归属到个人(手册 7.2)。归属依据:{escape(methods)}。
多人同时登录且未署名的会话由「{escape(METHOD_NAMES.get(report.tie_breaker, report.tie_breaker))}」判断,
把握不足时按概率分摊。分配权重:{escape(report.allocation.requested.describe())}。</p>
<div class="cards">{"".join(f'<div class="card">{escape(k)}<b>{escape(v)}</b></div>' for k, v in cards)}</div>
<h2>图表</h2>
{"".join(_charts(report))}
<h2>每人明细</h2>
{_table(report)}
<h2>每人说明</h2>
{explanations}
</body></html>
"""
