"""CRM: customer-service accounts, agents' nicknames, shifts and sessions (handbook 7.2)."""

from __future__ import annotations

from collections import defaultdict

from hr_backend.api.call import Call
from hr_backend.api.endpoint import EMPLOYEE_ID, MONTH, Endpoint, Param
from hr_backend.api.params import query_month
from hr_backend.api.views import JSON
from hr_backend.policy.access import Scope
from hr_backend.policy.cs import session_stats, sessions_of

RIGHTS = "self, direct manager, HR"
MONTH_PARAM = Param("month", "only this month, YYYY-MM", schema=MONTH)


def list_accounts(call: Call) -> JSON:
    return {"accounts": list(call.backend.dataset.rows("cs_accounts"))}


def get_agent(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM, call.path["employee_id"])
    nickname = next(
        (
            n["nickname"]
            for n in call.backend.dataset.rows("cs_agent_nicknames")
            if n["employee_id"] == employee.id
        ),
        None,
    )
    return {"employee_id": employee.id, "name": employee.name, "nickname": nickname}


def list_shifts(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    month = query_month(call.query)
    shifts = [
        s
        for s in call.backend.dataset.rows_of("cs_account_shifts", employee.id)
        if month is None or str(s["date"]).startswith(month)
    ]
    return {"employee_id": employee.id, "shifts": sorted(shifts, key=lambda s: str(s["login"]))}


def _sessions(call: Call, employee_id: str, month: str | None) -> list[JSON]:
    backend = call.backend
    sessions = [
        s
        for s in sessions_of(employee_id, backend.dataset.rows("cs_sessions"), backend.cs_attributions)
        if month is None or str(s["start"]).startswith(month)
    ]
    return [
        {**s, "attribution": backend.cs_attributions[str(s["id"])].basis}
        for s in sorted(sessions, key=lambda s: str(s["start"]))
    ]


def list_sessions(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    return {"employee_id": employee.id, "sessions": _sessions(call, employee.id, query_month(call.query))}


def get_cs_performance(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    month = query_month(call.query)
    sessions = _sessions(call, employee.id, month)
    by_account: defaultdict[str, list[JSON]] = defaultdict(list)
    for session in sessions:
        by_account[str(session["account_id"])].append(session)
    ambiguous = sum(
        1
        for s in call.backend.dataset.rows("cs_sessions")
        if (month is None or str(s["start"]).startswith(month))
        and call.backend.cs_attributions[str(s["id"])].employee_id is None
        and employee.id in call.backend.cs_attributions[str(s["id"])].candidates
    )
    return {
        "employee_id": employee.id,
        "month": month,
        **session_stats(sessions),
        "by_account": {account: session_stats(rows) for account, rows in sorted(by_account.items())},
        "ambiguous_sessions": ambiguous,
        "rule": "使用公共账号接待的会话,按登录记录与客服署名归属到个人(手册7.2)",
    }


ENDPOINTS = (
    Endpoint(
        "GET",
        "/crm/accounts",
        list_accounts,
        "Customer-service accounts (shared and personal)",
        "crm",
        rights="everyone",
    ),
    Endpoint(
        "GET",
        "/crm/agents/{employee_id}",
        get_agent,
        "An agent's nickname",
        "crm",
        params=(Param("employee_id", "employee id, or `me`", where="path", required=True),),
        rights=RIGHTS,
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/crm/shifts",
        list_shifts,
        "Logins to shared accounts",
        "crm",
        params=(EMPLOYEE_ID, MONTH_PARAM),
        rights=RIGHTS,
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        "/crm/sessions",
        list_sessions,
        "Sessions attributed to an agent (login + signature, 7.2)",
        "crm",
        params=(EMPLOYEE_ID, MONTH_PARAM),
        rights=RIGHTS,
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        "/crm/performance",
        get_cs_performance,
        "Sessions, first response, resolution rate and rating of an agent (7.2)",
        "crm",
        params=(EMPLOYEE_ID, MONTH_PARAM),
        rights=RIGHTS,
        errors=(400, 404),
    ),
)
