"""Finance questions from ERP: where the employee's expense claims are (status, step, paid
date), their welfare (gifts, check-up, allowances) and their office supply requests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from actions.base import HRAction, Query, Reply
from actions.replies import EXPENSE_TYPE_NAMES, format_date, format_money
from actions.when import day_of, entity_values

CLAIMS_SHOWN = 5
RECORDS_SHOWN = 6
CLAIM_STATUS_NAMES: Mapping[str, str] = {
    "submitted": "审批中", "approved": "已批准,待付款", "paid": "已付款", "rejected": "已驳回",
}
MATERIAL_STATUS_NAMES: Mapping[str, str] = {"pending": "待审批", "issued": "已发放", "rejected": "已驳回"}


def _day(value: Any, today: date) -> str:
    day = day_of(value)
    return format_date(day, today=today) if day else "日期不详"


def _claim_line(claim: Mapping[str, Any], today: date) -> str:
    status = str(claim.get("status"))
    what = CLAIM_STATUS_NAMES.get(status, status)
    if status == "submitted" and claim.get("current_step"):
        what += f",当前:{claim['current_step']}"
    elif status == "paid" and claim.get("paid_on"):
        paid = day_of(claim["paid_on"])
        arrives = "预计" if paid is not None and paid > today else ""
        what += f",{arrives}{_day(claim['paid_on'], today)}到账"
    elif status == "rejected" and claim.get("reject_reason"):
        what += f",原因:{claim['reject_reason']}"
    name = claim.get("category_name") or claim.get("description") or claim.get("category")
    return (f"· {claim.get('id')} {name} {format_money(claim.get('amount') or 0)},"
            f"{_day(claim.get('submitted_on'), today)}提交,{what}")


class ActionReimbursementStatus(HRAction):
    """reimbursement_status: the latest claims (of the expense type asked about, if any)."""

    action_name = "action_reimbursement_status"
    topic = "报销记录"

    async def answer(self, query: Query) -> Reply:
        answer = await query.hr.erp.reimbursements()
        claims: list[Mapping[str, Any]] = answer.get("reimbursements") or []
        kinds = {str(v) for v in entity_values(query.tracker, "expense_type") if v in EXPENSE_TYPE_NAMES}
        if kinds:
            claims = [c for c in claims if c.get("category") in kinds]
        kind_word = "、".join(EXPENSE_TYPE_NAMES[k] for k in sorted(kinds))
        if not claims:
            return Reply(f"您目前没有{kind_word}报销记录。")
        claims = sorted(claims, key=lambda c: (str(c.get("submitted_on")), str(c.get("id"))), reverse=True)
        shown = claims[:CLAIMS_SHOWN]
        more = f"\n(共{len(claims)}笔,以上是最近{len(shown)}笔)" if len(claims) > len(shown) else ""
        return Reply(f"您最近的{kind_word}报销:\n" + "\n".join(_claim_line(c, query.today) for c in shown)
                     + more)


class ActionWelfareQuery(HRAction):
    """welfare_query: each welfare item with its amount, date and whether the employee got it."""

    action_name = "action_welfare_query"
    topic = "福利记录"

    async def answer(self, query: Query) -> Reply:
        answer = await query.hr.erp.welfare_records()
        records: list[Mapping[str, Any]] = sorted(answer.get("records") or [],
                                                  key=lambda r: str(r.get("date")))
        if not records:
            return Reply("暂时没有查到您的福利发放记录。")
        lines = []
        for record in records:
            day = day_of(record.get("date"))
            if record.get("status") == "received":
                state = "已领取"
            elif day is not None and day > query.today:
                state = "待发放"
            else:
                state = "未领取,请联系HR"
            amount = f" {format_money(record['amount'])}" if record.get("amount") else ""
            lines.append(f"· {record.get('title')}{amount},{_day(record.get('date'), query.today)},{state}")
        return Reply("您的福利:\n" + "\n".join(lines))


class ActionMaterialRequestStatus(HRAction):
    """material_request (asking about records): the employee's supply requests and their status."""

    action_name = "action_material_request_status"
    topic = "办公用品领用记录"

    async def answer(self, query: Query) -> Reply:
        answer = await query.hr.erp.material_requests()
        requests: list[Mapping[str, Any]] = sorted(
            answer.get("material_requests") or [],
            key=lambda r: (str(r.get("requested_on")), str(r.get("id"))), reverse=True)
        if not requests:
            return Reply("您目前没有办公用品领用记录。")
        shown = requests[:RECORDS_SHOWN]
        lines = []
        for request in shown:
            status = str(request.get("status"))
            lines.append(f"· {request.get('id')} {request.get('item')}×{request.get('quantity') or 1},"
                         f"{_day(request.get('requested_on'), query.today)}申请,"
                         f"{MATERIAL_STATUS_NAMES.get(status, status)}")
        more = f"\n(共{len(requests)}条,以上是最近{len(shown)}条)" if len(requests) > len(shown) else ""
        return Reply("您的办公用品领用记录:\n" + "\n".join(lines) + more)
