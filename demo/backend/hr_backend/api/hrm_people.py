"""HRM: identity look-up, profiles, direct reports and the company calendar."""

from __future__ import annotations

from datetime import timedelta

from hr_backend.api.call import Call
from hr_backend.api.endpoint import DATE, Endpoint, Param
from hr_backend.api.params import query_date
from hr_backend.api.views import JSON, identity, profile
from hr_backend.data.workcal import DAY_KIND_NAMES, each_day, iso_dates
from hr_backend.errors import invalid, not_found
from hr_backend.policy.access import Scope, may_see

IDENTITY_KEYS = ("wecom_userid", "dingtalk_userid", "employee_id")
MAX_QUERY_CHARS = 50
MAX_CALENDAR_DAYS = 366


def resolve_identity(call: Call) -> JSON:
    given = {key: call.query[key] for key in IDENTITY_KEYS if call.query.get(key)}
    if len(given) != 1:
        raise invalid("query", f"请只给出 {', '.join(IDENTITY_KEYS)} 中的一个")
    ((key, value),) = given.items()
    dataset = call.backend.dataset
    if key == "employee_id":
        employee = dataset.employees.get(value)
    else:
        employee = dataset.employee_by_channel(**{key: value})
    if employee is None:
        raise not_found()
    return identity(employee, dataset)


def get_employee(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM, call.path["employee_id"])
    return profile(employee, call.caller, call.backend.dataset, call.backend.now.date())


def find_employees(call: Call) -> JSON:
    """The employees named ``q`` (exact name or employee id) whose team data the caller may see:
    themself, their direct reports, everyone for HR. Anyone else is left out exactly as if no
    such employee existed, so the answer never tells whether a name belongs to someone."""
    wanted = (call.query.get("q") or "").strip()
    if not wanted:
        raise invalid("q", "请给出要查找的员工姓名或工号 q")
    if len(wanted) > MAX_QUERY_CHARS:
        raise invalid("q", f"q 最长{MAX_QUERY_CHARS}个字符")
    dataset = call.backend.dataset
    found = [
        {"id": e.id, "name": e.name, "department": e.department, "title": e.title}
        for e in dataset.employees.values()
        if (e.name == wanted or e.id == wanted.upper()) and may_see(call.caller, e, Scope.TEAM)
    ]
    return {"query": wanted, "employees": found}


def list_reports(call: Call) -> JSON:
    manager = call.employee(call.path["employee_id"])
    if manager.id != call.caller.id and not call.caller.is_hr:
        raise not_found()
    dataset, today = call.backend.dataset, call.backend.now.date()
    reports = [profile(e, call.caller, dataset, today) for e in dataset.direct_reports(manager.id)]
    return {"manager_id": manager.id, "reports": reports}


def working_calendar(call: Call) -> JSON:
    start = query_date(call.query, "from") or call.backend.now.date()
    end = query_date(call.query, "to") or start
    if end < start:
        raise invalid("to", f"to({end})早于from({start})")
    if (end - start) > timedelta(days=MAX_CALENDAR_DAYS):
        raise invalid("to", f"一次最多查询{MAX_CALENDAR_DAYS}天")
    calendar = call.backend.dataset.calendar
    working = calendar.working_days(start, end)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "working_days": len(working),
        "dates": iso_dates(working),
        "holidays": iso_dates(calendar.holidays_in(start, end)),
        "makeup_workdays": iso_dates(calendar.makeup_workdays_in(start, end)),
        "days": [
            {
                "date": day.isoformat(),
                "kind": calendar.day_kind(day),
                "kind_name": DAY_KIND_NAMES[calendar.day_kind(day)],
            }
            for day in each_day(start, end)
        ],
    }


EMPLOYEE_PATH = Param("employee_id", "employee id, or `me`", where="path", required=True)

ENDPOINTS = (
    Endpoint(
        "GET",
        "/hrm/identities",
        resolve_identity,
        "Map a channel user to an employee",
        "hrm",
        params=(
            Param("wecom_userid", "WeCom userid"),
            Param("dingtalk_userid", "DingTalk userid"),
            Param("employee_id", "employee id"),
        ),
        acting=False,
        rights="any holder of the HRM token; exactly one parameter",
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        "/hrm/employees",
        find_employees,
        "Find employees the caller may see by exact name or employee id",
        "hrm",
        params=(Param("q", "an exact name or employee id", required=True),),
        rights="only the caller, their direct reports, or anyone for HR are ever returned",
        errors=(400,),
    ),
    Endpoint(
        "GET",
        "/hrm/employees/{employee_id}",
        get_employee,
        "An employee's profile (identifiers masked)",
        "hrm",
        params=(EMPLOYEE_PATH,),
        rights="self, direct manager, HR",
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/hrm/employees/{employee_id}/reports",
        list_reports,
        "A manager's direct reports",
        "hrm",
        params=(EMPLOYEE_PATH,),
        rights="the manager themself, HR",
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/hrm/calendar",
        working_calendar,
        "Working days of a span (holidays, make-up days)",
        "hrm",
        params=(
            Param("from", "first day (default today)", schema=DATE),
            Param("to", "last day (default = from)", schema=DATE),
        ),
        rights="everyone",
        errors=(400,),
    ),
)
