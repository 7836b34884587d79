"""action_salary_query, action_salary_dispute and action_social_insurance_query against the demo
backend, expectations from company.json's payslips."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from actions.pay import ActionSalaryDispute, ActionSalaryQuery, ActionSocialInsuranceQuery
from actions.replies import format_date, format_money
from connector_support import backend_app
from test_query_support import ask, one, reference_day, rows


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with backend_app(tmp_path_factory.mktemp("pay") / "b.db") as served:
        yield served


def latest_paid(employee: str) -> dict[str, Any]:
    paid = [p for p in rows("payslips", employee_id=employee)
            if date.fromisoformat(p["paid_on"]) <= reference_day()]
    return max(paid, key=lambda p: p["month"])


def test_without_a_month_the_latest_paid_month_is_answered_with_net_gross_and_pay_day(app: Any) -> None:
    payslip = latest_paid("E1001")

    answer = ask(app, ActionSalaryQuery, "E1001", "我工资发了多少")

    assert f"实发工资 {format_money(payslip['net'])}" in answer.text
    assert f"应发 {format_money(payslip['gross'])}" in answer.text
    assert format_date(date.fromisoformat(payslip["paid_on"]), today=reference_day()) in answer.text
    assert answer.slot("month") == payslip["month"]
    assert "明细" not in answer.text


def test_the_month_entity_picks_the_month_and_is_remembered(app: Any) -> None:
    payslip = one("payslips", employee_id="E1008", month="2026-09")

    answer = ask(app, ActionSalaryQuery, "E1008", "9月工资多少", entities={"month": "2026-09"})

    assert "2026年9月" in answer.text and format_money(payslip["net"]) in answer.text
    assert answer.slot("month") == "2026-09"


def test_a_follow_up_month_beats_the_month_slot_and_the_slot_serves_when_none_is_given(app: Any) -> None:
    august = one("payslips", employee_id="E1008", month="2026-08")
    july = one("payslips", employee_id="E1008", month="2026-07")

    follow_up = ask(app, ActionSalaryQuery, "E1008", "那8月呢?", intent="inform",
                    entities={"month": "2026-08"}, slots={"month": "2026-10"})
    from_slot = ask(app, ActionSalaryQuery, "E1008", "扣了多少税", slots={"month": "2026-07"},
                    previous="action_salary_query")

    assert format_money(august["net"]) in follow_up.text and follow_up.slot("month") == "2026-08"
    assert format_money(july["net"]) in from_slot.text


def test_a_month_asked_about_another_topic_does_not_carry_into_a_pay_question(app: Any) -> None:
    october = one("payslips", employee_id="E1014", month="2026-10")

    answer = ask(app, ActionSocialInsuranceQuery, "E1014", "我的公积金每月交多少", slots={"month": "2026-11"},
                 previous="action_attendance_query")

    assert format_money(october["housing_fund"]) in answer.text


def test_asking_about_tax_or_deductions_shows_the_items(app: Any) -> None:
    payslip = one("payslips", employee_id="E1008", month="2026-10")

    text = ask(app, ActionSalaryQuery, "E1008", "10月扣了多少税", entities={"month": "2026-10"}).text

    assert "个人所得税" in text and f"-{format_money(payslip['income_tax'])}" in text
    assert f"-{format_money(payslip['social_insurance'])}" in text
    assert f"加班费({payslip['overtime_hours']}小时)" in text


def test_a_month_without_a_payslip_says_so_and_names_the_latest_paid_month(app: Any) -> None:
    answer = ask(app, ActionSalaryQuery, "E1008", "11月工资", entities={"month": "2026-11"})

    assert "没有查到您2026年11月的工资条" in answer.text
    latest = latest_paid("E1008")["month"]
    assert f"最近一期已发放的是{latest[:4]}年{int(latest[5:])}月" in answer.text
    assert answer.events == []


def test_a_dispute_shows_the_items_and_formulas_then_offers_a_human(app: Any) -> None:
    payslip = latest_paid("E1008")

    answer = ask(app, ActionSalaryDispute, "E1008", "这个月工资少发了")

    assert format_money(payslip["base"]) in answer.text and format_money(payslip["net"]) in answer.text
    assert "手册4.2" in answer.text
    assert answer.buttons == [{"title": "转人工", "payload": "/human_handoff"}]
    assert answer.slot("month") == payslip["month"]


def test_social_insurance_and_housing_fund_come_from_the_latest_payslip(app: Any) -> None:
    payslip = latest_paid("E1008")

    answer = ask(app, ActionSocialInsuranceQuery, "E1008", "我的公积金每月交多少")

    assert f"社保 {format_money(payslip['social_insurance'])}" in answer.text
    assert f"住房公积金 {format_money(payslip['housing_fund'])}" in answer.text
    assert format_money(payslip["social_insurance"] + payslip["housing_fund"]) in answer.text
