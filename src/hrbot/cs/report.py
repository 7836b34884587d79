"""The HR report of a period: KPIs, the pool allocation and the explanations, built once and
written as CSV (for spreadsheets), HTML with charts (for reading) and Markdown explanations
(to send each agent theirs), next to the attribution JSON they rest on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from hrbot.cs.attribution import Attribution, write_attributions
from hrbot.cs.engine import method_counts
from hrbot.cs.explain import Explanation, explain_all, money
from hrbot.cs.kpi import SURE, KpiTable, compute_kpis
from hrbot.cs.period import Period
from hrbot.cs.pool import PoolAllocation, PoolWeights, allocate_pool
from hrbot.cs.records import CsData

FILES = ("report.csv", "report.html", "explanations.md", "attribution.json")


@dataclass(frozen=True)
class CsReport:
    period: Period
    kpis: KpiTable
    allocation: PoolAllocation
    explanations: tuple[Explanation, ...]
    methods: dict[str, int]
    unsure_sessions: int
    tie_breaker: str
    source: str


def build_report(
    data: CsData,
    attributions: Mapping[str, Attribution],
    period: Period,
    pool: Decimal,
    weights: PoolWeights,
    *,
    tie_breaker: str = "",
    source: str = "",
) -> CsReport:
    """KPIs, allocation and explanations of `period` from attributions of its sessions."""
    kpis = compute_kpis(data, attributions, period)
    allocation = allocate_pool(
        kpis.agents,
        pool,
        weights,
        team_response=kpis.team.first_response_seconds,
        team_rating=kpis.team.rating,
    )
    ids = {s.id for s in data.sessions if period.contains(s.start, data.timezone)}
    in_period = [a for a in attributions.values() if a.session_id in ids]
    return CsReport(
        period=period,
        kpis=kpis,
        allocation=allocation,
        explanations=tuple(explain_all(kpis, allocation)),
        methods=method_counts(in_period),
        unsure_sessions=sum(1 for a in in_period if a.confidence < SURE),
        tie_breaker=tie_breaker,
        source=source,
    )


def write_report(report: CsReport, attributions: Mapping[str, Attribution], out_dir: Path) -> list[Path]:
    """Write the four files into `out_dir` (created if needed); returns their paths."""
    from hrbot.cs.report_csv import write_csv
    from hrbot.cs.report_html import render_html

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / name for name in FILES]
    write_csv(report, paths[0])
    paths[1].write_text(render_html(report), encoding="utf-8")
    paths[2].write_text(render_explanations(report), encoding="utf-8")
    write_attributions(paths[3], attributions.values())
    return paths


def render_explanations(report: CsReport) -> str:
    head = [
        f"# 客服绩效池说明 {report.period.label}",
        "",
        f"绩效池 {money(report.allocation.pool)} 的分配依据。每人一节,可单独转发。",
        "",
    ]
    body = []
    for explanation in report.explanations:
        body.extend([f"## {explanation.title}", "", *explanation.markdown_lines(), ""])
    return "\n".join(head + body)
