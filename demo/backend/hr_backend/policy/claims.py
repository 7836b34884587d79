"""Expense claims against handbook chapter 5.

- filed within 30 days of the expense (5.1), not for a future date;
- taxi: at most 100 元 a day across the day's claims, unless working overtime past 21:00 (5.2);
- accommodation: at most 500 元 a night in first-tier cities (北京, 上海, 广州, 深圳), 350 elsewhere;
- business meals: at most 150 元 per person, and only with the manager's prior consent (5.2);
- office supplies: at most 500 元 per claim; more goes through purchasing (5.2);
- the invoice title, when given, must be the company's name (5.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from hr_backend.errors import Problem
from hr_backend.policy.numbers import plain, text

JSON = dict[str, Any]

CATEGORIES = {
    "taxi": "打车费",
    "travel": "差旅交通费",
    "accommodation": "住宿费",
    "meal": "业务餐费",
    "office": "办公用品",
    "training": "培训费",
    "other": "其他费用",
}
FIRST_TIER_CITIES = ("北京", "上海", "广州", "深圳")
COMPANY_TITLE = "星河电商科技有限公司"
CLAIM_WINDOW_DAYS = 30
TAXI_DAILY_LIMIT = 100.0
HOTEL_LIMIT_FIRST_TIER = 500.0
HOTEL_LIMIT_OTHER = 350.0
MEAL_LIMIT_PER_PERSON = 150.0
OFFICE_LIMIT = 500.0
OPEN_CLAIM_STATUSES = ("submitted", "approved", "paid")


@dataclass(frozen=True)
class ClaimInput:
    category: str
    amount: float
    occurred_on: date
    description: str = ""
    city: str | None = None
    nights: int = 1
    persons: int = 1
    overtime_after_21: bool = False
    manager_approved: bool = False
    invoice_title: str | None = None

    @property
    def first_tier(self) -> bool:
        return self.city is not None and any(name in self.city for name in FIRST_TIER_CITIES)


def claim_problems(claim: ClaimInput, today: date, own_claims: list[JSON]) -> list[Problem]:
    """Every rule ``claim`` breaks; ``own_claims`` are the employee's existing claims."""
    problems = []
    if claim.occurred_on > today:
        problems.append(
            Problem("date_in_future", f"费用发生日期{claim.occurred_on}晚于今天({today}),请核对日期")
        )
    elif (today - claim.occurred_on).days > CLAIM_WINDOW_DAYS:
        problems.append(
            Problem(
                "claim_expired",
                f"费用须在发生后{CLAIM_WINDOW_DAYS}天内提交报销(手册5.1):{claim.occurred_on}的费用"
                f"已于{date.fromordinal(claim.occurred_on.toordinal() + CLAIM_WINDOW_DAYS)}逾期",
                "5.1",
            )
        )
    problem = _limit_problem(claim, own_claims)
    if problem is not None:
        problems.append(problem)
    if claim.invoice_title is not None and claim.invoice_title.strip() != COMPANY_TITLE:
        problems.append(
            Problem(
                "invalid_invoice_title",
                f'发票抬头须为"{COMPANY_TITLE}","{claim.invoice_title}"会被驳回(手册5.4)',
                "5.4",
            )
        )
    return problems


def _limit_problem(claim: ClaimInput, own_claims: list[JSON]) -> Problem | None:
    if claim.category == "taxi" and not claim.overtime_after_21:
        same_day = sum(
            float(row["amount"])
            for row in own_claims
            if row.get("category") == "taxi"
            and row.get("occurred_on") == claim.occurred_on.isoformat()
            and row.get("status") in OPEN_CLAIM_STATUSES
        )
        if same_day + claim.amount > TAXI_DAILY_LIMIT:
            already = f",当天已报销{text(same_day)}元" if same_day else ""
            return Problem(
                "taxi_daily_limit",
                f"市内打车每天不超过{text(TAXI_DAILY_LIMIT)}元(手册5.2){already},本次{text(claim.amount)}元;"
                "加班至21:00以后打车可全额报销",
                "5.2",
            )
    if claim.category == "accommodation":
        limit = HOTEL_LIMIT_FIRST_TIER if claim.first_tier else HOTEL_LIMIT_OTHER
        per_night = claim.amount / claim.nights
        if per_night > limit:
            where = "一线城市" if claim.first_tier else "非一线城市"
            return Problem(
                "accommodation_limit",
                f"出差住宿{where}每晚不超过{text(limit)}元(手册5.2),本次每晚{per_night:.2f}元",
                "5.2",
            )
    if claim.category == "meal":
        if not claim.manager_approved:
            return Problem("meal_needs_preapproval", "业务餐费须事先获主管同意(手册5.2)", "5.2")
        per_person = claim.amount / claim.persons
        if per_person > MEAL_LIMIT_PER_PERSON:
            return Problem(
                "meal_limit",
                f"业务餐费每人每餐不超过{text(MEAL_LIMIT_PER_PERSON)}元(手册5.2),"
                f"本次{claim.persons}人人均{per_person:.2f}元",
                "5.2",
            )
    if claim.category == "office" and claim.amount > OFFICE_LIMIT:
        return Problem(
            "office_over_limit",
            f"办公用品单次报销不超过{text(OFFICE_LIMIT)}元,超过须走采购流程(手册5.2),本次{text(claim.amount)}元",
            "5.2",
        )
    return None


def claim_record(claim: ClaimInput, record_id: str, employee_id: str, today: date) -> JSON:
    """The claim to store, waiting for the manager's approval (5.3)."""
    record: JSON = {
        "id": record_id,
        "employee_id": employee_id,
        "category": claim.category,
        "description": claim.description or CATEGORIES[claim.category],
        "amount": plain(claim.amount),
        "submitted_on": today.isoformat(),
        "status": "submitted",
        "current_step": "部门主管审批",
        "paid_on": None,
        "reject_reason": None,
        "occurred_on": claim.occurred_on.isoformat(),
    }
    if claim.category == "accommodation":
        record.update(city=claim.city, nights=claim.nights)
    if claim.category == "meal":
        record["persons"] = claim.persons
    if claim.category == "taxi":
        record["overtime_after_21"] = claim.overtime_after_21
    if claim.invoice_title is not None:
        record["invoice_title"] = claim.invoice_title
    return record
