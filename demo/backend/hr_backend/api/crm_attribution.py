"""CRM: the raw inputs of customer-service attribution for one month (handbook 7.2).

``/crm/performance`` answers with the backend's own simple rule (login, then signature, else
unattributed). A consumer with a better attribution engine needs the evidence instead: the
shared accounts' sessions, who was logged in to them, and the nicknames agents sign with. This
endpoint serves exactly that, shaped like company.json's ``cs_*`` tables, for one month:

- sessions that start in the month (company time) on the accounts in scope;
- every login to those accounts that overlaps the month (a login of the evening before counts:
  it may run past midnight) — everyone's, since a colleague logged in at the same time is
  evidence about who answered;
- every agent's nicknames (a session signed by someone outside the team must not go to the team).

Rows keep company.json's order, so the month's inputs are exactly the month's slice of the
export (an engine may be sensitive to row order).

Which accounts are in scope: everything for HR roles; for a customer-service agent, the accounts
their team (the agents sharing their manager) worked that month; for a manager, the accounts their
agent reports worked. Attribution is a joint computation — whoever else was logged in, and every
agent's habits, decide a session — so an agent gets the team's accounts, not only their own, and
their figure is the same one their manager and HR compute. ``agents`` lists whose figures the
caller may see (an agent: themself; a manager: their agent reports; HR: every agent). Anyone
else gets empty tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from hr_backend.api.call import Call
from hr_backend.api.endpoint import MONTH, Endpoint, Param
from hr_backend.api.params import query_month
from hr_backend.api.views import JSON
from hr_backend.clock import to_company_time
from hr_backend.data.dataset import Dataset
from hr_backend.errors import invalid

TABLES = ("cs_accounts", "cs_agent_nicknames", "cs_account_shifts", "cs_sessions")


def month_days(month: str) -> tuple[date, date]:
    """The first and last day of ``month`` (YYYY-MM)."""
    first = date(int(month[:4]), int(month[5:7]), 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _local_day(value: object) -> date:
    return to_company_time(datetime.fromisoformat(str(value))).date()


def cs_agents(dataset: Dataset) -> set[str]:
    """Everyone the cs_* tables know as an agent: a nickname, a login, or an own account."""
    return (
        {str(r["employee_id"]) for r in dataset.rows("cs_agent_nicknames")}
        | {str(r["employee_id"]) for r in dataset.rows("cs_account_shifts")}
        | {str(r["owner"]) for r in dataset.rows("cs_accounts") if r.get("owner")}
    )


def shift_overlaps(shift: JSON, first: date, last: date) -> bool:
    """Whether a login may matter to a session of the days ``first``..``last``: logged in on one
    of them, or the evening before and (possibly) still on at midnight."""
    login = _local_day(shift["login"])
    if first <= login <= last:
        return True
    if login != first - timedelta(days=1):
        return False
    return shift.get("logout") is None or _local_day(shift["logout"]) >= first


def _team(call: Call, agents: set[str]) -> tuple[set[str], set[str]]:
    """(whose figures the caller may see, whose work decides the accounts in scope)."""
    caller, dataset = call.caller, call.backend.dataset
    if caller.is_hr:
        return set(agents), set(agents)
    visible: set[str] = set()
    team: set[str] = set()
    if caller.id in agents:
        visible.add(caller.id)
        manager = caller.employee.manager_id
        peers = {e.id for e in dataset.direct_reports(manager)} if manager else set()
        team |= (peers & agents) | {caller.id}
    reports = {e.id for e in dataset.direct_reports(caller.id)} & agents
    visible |= reports
    team |= reports
    return visible, team


def _accounts_worked(dataset: Dataset, team: set[str], first: date, last: date) -> set[str]:
    worked = {
        str(s["account_id"])
        for s in dataset.rows("cs_account_shifts")
        if s["employee_id"] in team and shift_overlaps(s, first, last)
    }
    owned = {str(a["id"]) for a in dataset.rows("cs_accounts") if a.get("owner") in team}
    return worked | owned


def _rows(rows: Iterable[JSON], accounts: set[str], key: str = "account_id") -> list[JSON]:
    return [row for row in rows if str(row[key]) in accounts]


def get_attribution_inputs(call: Call) -> JSON:
    month = query_month(call.query)
    if month is None:
        raise invalid("month", "缺少查询参数 month(月份 YYYY-MM)")
    dataset = call.backend.dataset
    first, last = month_days(month)
    agents = cs_agents(dataset)
    visible, team = _team(call, agents)
    if call.caller.is_hr:
        accounts = {str(a["id"]) for a in dataset.rows("cs_accounts")}
    else:
        accounts = _accounts_worked(dataset, team, first, last)
    sessions = [
        s for s in _rows(dataset.rows("cs_sessions"), accounts) if first <= _local_day(s["start"]) <= last
    ]
    shifts = [s for s in _rows(dataset.rows("cs_account_shifts"), accounts) if shift_overlaps(s, first, last)]
    return {
        "month": month,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "scope": "all" if call.caller.is_hr else ("team" if accounts else "none"),
        "agents": sorted(visible),
        "company": {"timezone": dataset.company.get("timezone", "Asia/Shanghai")},
        "employees": [
            {"id": e, "name": dataset.employees[e].name} for e in sorted(visible) if e in dataset.employees
        ],
        "cs_accounts": _rows(dataset.rows("cs_accounts"), accounts, key="id"),
        "cs_agent_nicknames": list(dataset.rows("cs_agent_nicknames")) if accounts else [],
        "cs_account_shifts": shifts,
        "cs_sessions": sessions,
        "rule": "使用公共账号接待的会话,按登录记录与客服署名归属到个人(手册7.2)",
    }


ENDPOINTS = (
    Endpoint(
        "GET",
        "/crm/attribution-inputs",
        get_attribution_inputs,
        "One month's raw attribution inputs (sessions, logins, nicknames) in company.json's cs_* shape",
        "crm",
        params=(Param("month", "the month, YYYY-MM", required=True, schema=MONTH),),
        rights="HR: every account; a CS agent or their manager: the accounts the team worked "
        "that month (others get empty tables)",
        errors=(400,),
    ),
)
