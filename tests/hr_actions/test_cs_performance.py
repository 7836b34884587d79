"""action_performance_query for customer-service agents and team reports, against the demo backend
in-process (clock: Saturday 2026-11-21 10:00). An agent's figures must be hrbot.cs's attribution
of that month, computed here from company.json's slice of the month (sessions starting in it,
logins made in it, in the file's order) — not CRM's own simple rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from actions.cs_performance import asked_month, is_cs_question
from actions.performance import ActionPerformanceQuery
from actions.replies import format_percent
from actions.subject import ABOUT_SLOT
from actions.team_performance import REFUSAL, wants_team_report
from connector_support import backend_app, in_process_client, run
from test_query_support import ask, company, rows

from hrbot.cs.engine import attribute_sessions
from hrbot.cs.explain import number
from hrbot.cs.kpi import SURE, AgentKpi, KpiTable, compute_kpis
from hrbot.cs.loading import cs_data_from_json
from hrbot.cs.period import Period

AGENT, OTHER_AGENT, CS_MANAGER, HR_AGENT, TECH_HEAD, ENGINEER = (
    "E1009", "E1008", "E1007", "E1002", "E1023", "E1024")
TODAY = date(2026, 11, 21)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with backend_app(tmp_path_factory.mktemp("cs") / "b.db") as served:
        yield served


class Expected:
    """hrbot.cs's KPIs of one month of company.json, with each agent's split and unsure sessions."""

    def __init__(self, month: str, last_day: int) -> None:
        raw = company()
        data = cs_data_from_json({
            **raw,
            "cs_sessions": [s for s in raw["cs_sessions"] if s["start"].startswith(month)],
            "cs_account_shifts": [s for s in raw["cs_account_shifts"] if s["login"].startswith(month)],
        })
        year, number_ = int(month[:4]), int(month[5:])
        period = Period(date(year, number_, 1), date(year, number_, last_day))
        self.attributions = attribute_sessions(data, period=period)
        self.kpis: KpiTable = compute_kpis(data, self.attributions, period)

    def row(self, employee_id: str) -> AgentKpi:
        return next(r for r in self.kpis.agents if r.employee_id == employee_id)

    def split(self, employee_id: str) -> int:
        return sum(1 for a in self.attributions.values() if employee_id in a.shares and len(a.shares) > 1)

    def unsure(self, employee_id: str) -> int:
        return sum(1 for a in self.attributions.values() if employee_id in a.shares and a.confidence < SURE)


@pytest.fixture(scope="module")
def october() -> Expected:
    return Expected("2026-10", 31)


def crm_simple_count(app: Any, employee_id: str, month: str) -> int:
    async def fetch() -> int:
        async with in_process_client(app) as client:
            answer = await client.request("crm", "GET", "/crm/performance", acting=employee_id,
                                          params={"month": month})
            return int(answer["sessions"])
    return run(fetch())


# --- reading the question ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "month", "cs"), [
    ("我上个月接待了多少", "2026-10", True),
    ("我的首响是多少秒", None, True),
    ("这个月客服考核得分", "2026-11", True),
    ("上个月的绩效", "2026-10", True),
    ("9月的考核分数", "2026-09", False),
    ("我的绩效怎么样", None, False),
    ("我上季度绩效是多少", None, False),
])
def test_a_question_is_about_the_cs_figures_when_it_names_them_or_only_a_month(
    text: str, month: str | None, cs: bool
) -> None:
    assert asked_month(text, None, TODAY) == month
    assert is_cs_question(text, month) is cs


@pytest.mark.parametrize(("text", "team"), [
    ("客服团队上个月的绩效报告", True), ("我们组的绩效", True), ("我下属的绩效怎么样", True),
    ("我的绩效报告", False), ("E1008的绩效", False),
])
def test_team_wording_is_told_from_a_personal_question(text: str, team: bool) -> None:
    assert wants_team_report(text) is team


# --- one agent -----------------------------------------------------------------------------------

def test_an_agents_month_is_hrbot_cs_attribution_with_fractional_sessions(
    app: Any, october: Expected
) -> None:
    row = october.row(AGENT)

    text = ask(app, ActionPerformanceQuery, AGENT, "我上个月接待了多少", intent="performance_query").text

    assert text.startswith("您2026年10月的客服绩效")
    assert f"接待量:{number(row.sessions)} 个会话" in text and row.sessions != int(row.sessions)
    shared = number(row.split_sessions)
    assert f"其中 {october.split(AGENT)} 个会话与同时登录的同事按概率分摊,计 {shared} 个" in text
    assert f"{october.unsure(AGENT)} 个会话的归属把握低于90%" in text
    assert row.first_response_seconds is not None and row.resolution_rate is not None
    assert f"平均首次响应:{number(row.first_response_seconds, 1)} 秒" in text
    assert f"解决率:{format_percent(row.resolution_rate)}" in text
    assert f"平均客户评分:{row.rating:.2f} 分" in text
    assert "归属方法(手册7.2)" in text
    assert f"接待量:{crm_simple_count(app, AGENT, '2026-10')} 个会话" not in text


def test_without_a_month_the_month_in_progress_is_answered(app: Any) -> None:
    expected = Expected("2026-11", 30)

    text = ask(app, ActionPerformanceQuery, "E1012", "我的接待量").text

    assert text.startswith("您2026年11月(截至今天)的客服绩效")
    assert f"接待量:{number(expected.row('E1012').sessions)} 个会话" in text


def test_a_month_entity_is_the_month_answered(app: Any, october: Expected) -> None:
    text = ask(app, ActionPerformanceQuery, OTHER_AGENT, "我10月的首响", entities={"month": "2026-10"}).text

    first_response = october.row(OTHER_AGENT).first_response_seconds
    assert first_response is not None and f"平均首次响应:{number(first_response, 1)} 秒" in text


def test_a_managers_question_about_an_agent_gets_the_same_figures_by_name(
    app: Any, october: Expected
) -> None:
    name = rows("employees", id=OTHER_AGENT)[0]["name"]

    answer = ask(app, ActionPerformanceQuery, CS_MANAGER, f"{name}上个月接待了多少",
                 entities={"person": name})

    assert answer.text.startswith(f"{name}2026年10月的客服绩效")
    assert f"接待量:{number(october.row(OTHER_AGENT).sessions)} 个会话" in answer.text
    assert answer.slot(ABOUT_SLOT) == OTHER_AGENT


def test_an_agent_asking_about_a_colleague_is_refused(app: Any) -> None:
    name = rows("employees", id=OTHER_AGENT)[0]["name"]

    text = ask(app, ActionPerformanceQuery, AGENT, f"{name}上个月接待了多少", entities={"person": name}).text

    assert "隐私" in text and "接待量" not in text


def test_an_agents_general_question_still_gets_the_review(app: Any) -> None:
    latest = max(rows("performance_reviews", employee_id=AGENT), key=lambda r: r["period"])

    text = ask(app, ActionPerformanceQuery, AGENT, "我的绩效怎么样").text

    assert text.startswith(f"您{latest['period']}的绩效:{latest['score']}分")


def test_someone_without_cs_data_is_told_so_and_gets_the_review(app: Any) -> None:
    latest = max(rows("performance_reviews", employee_id=ENGINEER), key=lambda r: r["period"])

    text = ask(app, ActionPerformanceQuery, ENGINEER, "我上个月接待了多少").text

    assert text.startswith("没有查到您的客服接待数据")
    assert f"您{latest['period']}的绩效:{latest['score']}分" in text


# --- team reports --------------------------------------------------------------------------------

def _agents() -> list[str]:
    return sorted({r["employee_id"] for r in company()["cs_agent_nicknames"]})


def test_the_cs_manager_gets_a_row_per_agent_report(app: Any, october: Expected) -> None:
    text = ask(app, ActionPerformanceQuery, CS_MANAGER, "客服团队上个月的绩效报告").text

    assert text.startswith(f"您团队2026年10月的客服绩效({len(_agents())}人")
    for agent in _agents():
        row = october.row(agent)
        assert f"{row.name}" in text and number(row.sessions) in text
    assert f"合计接待 {number(sum(october.row(a).sessions for a in _agents()))} 个会话" in text


def test_hr_gets_the_whole_cs_team(app: Any, october: Expected) -> None:
    text = ask(app, ActionPerformanceQuery, HR_AGENT, "客服团队上个月的绩效报告").text

    assert text.startswith("客服团队2026年10月的客服绩效")
    assert all(october.row(agent).name in text for agent in _agents())


def test_a_manager_outside_cs_gets_the_review_table_of_their_reports(app: Any) -> None:
    reports = rows("employees", manager_id=TECH_HEAD)

    text = ask(app, ActionPerformanceQuery, TECH_HEAD, "我们组的绩效").text

    assert text.startswith(f"您直属下属2026Q3的绩效({len(reports)}人)")
    for report in reports:
        review = rows("performance_reviews", employee_id=report["id"], period="2026Q3")[0]
        assert f"{report['name']}" in text and f"{review['score']}分" in text


def test_an_employee_without_reports_gets_no_team_report(app: Any) -> None:
    assert ask(app, ActionPerformanceQuery, OTHER_AGENT, "我们组的绩效").text == REFUSAL
