"""Pay questions from HRM payroll: a month's pay (net, gross, pay day, items on request), a pay
dispute (the items to check, then a human) and social insurance / housing fund contributions.

Each returns `SlotSet("month", ...)` with the month it answered, so a follow-up "那9月呢?"
(an `inform` with a month entity) can be answered for another month by the same action."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from rasa_sdk.events import SlotSet

from actions.base import HUMAN_HANDOFF_BUTTON, HRAction, Query, Reply
from actions.connectors import JSON, NotFound
from actions.replies import format_date, format_days, format_money, format_month, format_table
from actions.when import day_of, latest_text, requested_month

MONTH_SLOT = "month"
PAY_ACTIONS = frozenset({"action_salary_query", "action_salary_dispute", "action_social_insurance_query"})
"""The answers whose month a pay follow-up ("扣了多少税?") keeps."""
DETAIL_WORDS = re.compile(r"扣|税|明细|社保|公积金|加班|工资条|组成|构成|项目|奖金|补贴|缺勤")


class NoPayslip(Exception):
    """There is no payslip for the month asked about; `text` says so to the employee."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


async def latest_paid_month(query: Query) -> str | None:
    """The newest month with a payslip paid on or before today."""
    answer = await query.hr.hrm.payslips(employee_id=query.subject.employee_id)
    paid = [p for p in answer.get("payslips") or []
            if (day_of(p.get("paid_on")) or date.max) <= query.today]
    return str(max(paid, key=lambda p: str(p["month"]))["month"]) if paid else None


async def payslip_for(query: Query) -> JSON:
    """The payslip of the month asked about (entity, then slot), else of the latest paid month.
    Raises NoPayslip with a sentence for the employee when there is none."""
    month = requested_month(query.tracker, PAY_ACTIONS)
    if month is None:
        month = await latest_paid_month(query)
        if month is None:
            raise NoPayslip(f"暂时没有查到{query.subject.you}的工资发放记录。")
    try:
        return await query.hr.hrm.payslip(month, employee_id=query.subject.employee_id)
    except NotFound:
        latest = await latest_paid_month(query)
        hint = f"最近一期已发放的是{format_month(latest, today=None)}。" if latest else ""
        raise NoPayslip(f"没有查到{query.subject.you}{format_month(month, today=None)}的工资条,"
                        f"可能还没有核算发放。{hint}") from None


def _pay_day(payslip: Mapping[str, Any], today: date) -> str:
    paid_on = day_of(payslip.get("paid_on"))
    if paid_on is None:
        return "尚未发放"
    verb = "已于" if paid_on <= today else "预计"
    return f"{verb}{format_date(paid_on, today=today)}发放"


def _item_name(item: Mapping[str, Any], payslip: Mapping[str, Any]) -> str:
    name = str(item.get("name") or item.get("code"))
    if item.get("code") == "overtime_pay" and payslip.get("overtime_hours"):
        return f"{name}({payslip['overtime_hours']}小时)"
    if item.get("code") == "absence_deduction" and payslip.get("absence_days"):
        return f"{name}({format_days(payslip['absence_days'])})"
    return name


def items_table(payslip: Mapping[str, Any]) -> str:
    """The payslip's items, one per line, deductions with a minus sign, amounts aligned."""
    rows = []
    for item in payslip.get("items") or []:
        if not item.get("amount"):
            continue  # "缺勤扣款 -0 元" says nothing
        sign = "-" if item.get("sign") == -1 else ""
        rows.append([_item_name(item, payslip), sign + format_money(item.get("amount") or 0)])
    return format_table(rows, align=["left", "right"])


class ActionSalaryQuery(HRAction):
    """salary_query: net, gross and pay day of a month; the items when the message asks for them."""

    action_name = "action_salary_query"
    topic = "工资信息"
    answers_about_others = True

    async def answer(self, query: Query) -> Reply:
        try:
            payslip = await payslip_for(query)
        except NoPayslip as missing:
            return Reply(missing.text)
        month = str(payslip["month"])
        whose = "" if query.subject.is_self else query.subject.name
        text = (f"{whose}{format_month(month, today=None)}实发工资 {format_money(payslip['net'])}"
                f"(应发 {format_money(payslip['gross'])}),{_pay_day(payslip, query.today)}。")
        if DETAIL_WORDS.search(latest_text(query.tracker)):
            text += "\n明细:\n" + items_table(payslip)
        return Reply(text, events=(SlotSet(MONTH_SLOT, month),))


class ActionSalaryDispute(HRAction):
    """salary_dispute: the month's items and formulas to check, and a button to a human."""

    action_name = "action_salary_dispute"
    topic = "工资信息"

    async def answer(self, query: Query) -> Reply:
        try:
            payslip = await payslip_for(query)
        except NoPayslip as missing:
            return Reply(missing.text + "如果工资有问题,可以转人工HR为您核查。",
                         buttons=(HUMAN_HANDOFF_BUTTON,))
        month = str(payslip["month"])
        formulas = [str(f) for f in (payslip.get("formulas") or {}).values()]
        text = (f"这是您{format_month(month, today=None)}工资条的明细,请先核对:\n{items_table(payslip)}"
                + ("\n计算方式:\n" + "\n".join(f"· {f}" for f in formulas) if formulas else "")
                + "\n如果核对后仍觉得有误,可以转人工HR为您核查。")
        return Reply(text, buttons=(HUMAN_HANDOFF_BUTTON,), events=(SlotSet(MONTH_SLOT, month),))


class ActionSocialInsuranceQuery(HRAction):
    """social_insurance_query: the personal social insurance and housing fund contributions of
    the latest payslip (or of the month asked about)."""

    action_name = "action_social_insurance_query"
    topic = "社保公积金信息"

    async def answer(self, query: Query) -> Reply:
        try:
            payslip = await payslip_for(query)
        except NoPayslip as missing:
            return Reply(missing.text)
        month = str(payslip["month"])
        social, housing = payslip.get("social_insurance") or 0, payslip.get("housing_fund") or 0
        text = (f"根据您{format_month(month, today=None)}的工资条,个人缴纳社保 {format_money(social)}、"
                f"住房公积金 {format_money(housing)},合计 {format_money(float(social) + float(housing))},"
                "已从当月工资中代扣。")
        return Reply(text, events=(SlotSet(MONTH_SLOT, month),))
