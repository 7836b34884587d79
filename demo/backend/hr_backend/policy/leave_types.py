"""The leave types of handbook chapter 2 and what limits each.

- annual (2.1), sick (2.2), compensatory (2.4): limited by the HRM balance ledger;
- personal (2.3): unpaid, at most 15 days a year;
- marriage (2.5), maternity (2.6), paternity (2.7), bereavement (2.8): a fixed length per request;
- annual and personal need one working day's notice; sick leave may be filed up to 2 working days
  after it (2.9); the other types cannot start in the past.
Days are working days of the company calendar, except maternity leave, which runs in calendar
days (98 天 is a length of time, not of work).
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIVE_STATUSES = ("pending", "approved")
STATUS_NAMES = {"pending": "审批中", "approved": "已批准", "rejected": "已驳回", "cancelled": "已撤销"}
HALF_DAYS = {"morning": "上午", "afternoon": "下午"}


@dataclass(frozen=True)
class LeaveType:
    code: str
    name: str
    section: str
    uses_balance: bool = False
    needs_notice: bool = False
    retroactive_working_days: int = 0
    per_request_max: float | None = None
    yearly_cap: float | None = None
    calendar_days: bool = False


LEAVE_TYPES = {
    leave.code: leave
    for leave in (
        LeaveType("annual", "年假", "2.1", uses_balance=True, needs_notice=True),
        LeaveType("sick", "病假", "2.2", uses_balance=True, retroactive_working_days=2),
        LeaveType("personal", "事假", "2.3", needs_notice=True, yearly_cap=15),
        LeaveType("compensatory", "调休", "2.4", uses_balance=True),
        LeaveType("marriage", "婚假", "2.5", per_request_max=3),
        LeaveType("maternity", "产假", "2.6", per_request_max=98, calendar_days=True),
        LeaveType("paternity", "陪产假", "2.7", per_request_max=15),
        LeaveType("bereavement", "丧假", "2.8", per_request_max=3),
    )
}

TYPE_NOTES = {
    "marriage": "婚假须在依法登记结婚后1年内一次性休完(手册2.5)",
    "paternity": "陪产假须在配偶生育后30天内休完(手册2.7)",
    "bereavement": "丧假适用于直系亲属(父母、配偶、子女)去世(手册2.8)",
    "maternity": "难产或多胞胎可增加产假,请联系HR(手册2.6)",
}
