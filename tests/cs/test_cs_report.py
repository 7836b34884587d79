"""The HR report: CSV that parses and adds up, an HTML page with every agent and the charts,
and explanations that carry the real figures."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from hrbot.cs.engine import attribute_sessions
from hrbot.cs.loading import cs_data_from_json
from hrbot.cs.period import parse_period
from hrbot.cs.pool import DEFAULT_WEIGHTS
from hrbot.cs.report import CsReport, build_report, write_report
from hrbot.cs.synthetic import PRESETS, generate

POOL = Decimal("88888.88")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[CsReport, Path]:
    constructed = generate(replace(PRESETS["everything"], days=28, seed=5))
    data = cs_data_from_json(constructed.company)
    period = parse_period("2027-03-01", "2027-03-28")
    attributions = attribute_sessions(data, period=period)
    report = build_report(data, attributions, period, POOL, DEFAULT_WEIGHTS, tie_breaker="style")
    out = tmp_path_factory.mktemp("report")
    write_report(report, attributions, out)
    return report, out


def test_the_csv_parses_has_a_row_per_agent_and_its_amounts_sum_to_the_pool(
    written: tuple[CsReport, Path],
) -> None:
    report, out = written
    with (out / "report.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    assert [r["employee_id"] for r in rows] == [a.employee_id for a in report.kpis.agents]
    assert sum(Decimal(r["amount"]) for r in rows) == POOL
    assert sum(float(r["sessions"]) for r in rows) == pytest.approx(report.kpis.team.credited)
    for row in rows:
        parts = sum(float(row[f"amount_{c}"]) for c in ("volume", "response", "resolution", "rating"))
        assert parts == pytest.approx(float(row["exact_amount"]), abs=1e-3)


def test_the_html_has_every_agent_row_the_charts_and_the_explanations(written: tuple[CsReport, Path]) -> None:
    report, out = written
    page = (out / "report.html").read_text(encoding="utf-8")

    for agent in report.kpis.agents:
        assert f'<tr data-agent="{agent.employee_id}">' in page
        assert f'id="agent-{agent.employee_id}"' in page
    for chart in ("chart-allocation", "chart-sessions", "chart-response", "chart-resolution", "chart-rating"):
        assert re.search(f'<svg class="chart" id="{chart}"[^>]*>.*?<rect class="bar"', page, re.S)
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert f"¥{POOL:,}" in page


def test_each_explanation_walks_from_the_pool_to_the_agents_amount(written: tuple[CsReport, Path]) -> None:
    report, out = written
    text = (out / "explanations.md").read_text(encoding="utf-8")

    busiest = max(report.kpis.agents, key=lambda a: a.sessions)
    own = report.allocation.of(busiest.employee_id)
    assert own is not None
    section = text.split(f"({busiest.employee_id}")[1].split("\n## ")[0]
    assert f"¥{own.amount:,}" in section
    assert "接待量(40%,预算 ¥35,555.55)" in section
    assert "最大余数法" in section or "舍去" in section


def test_attribution_json_is_written_next_to_the_report(written: tuple[CsReport, Path]) -> None:
    _, out = written

    assert (out / "attribution.json").stat().st_size > 0
