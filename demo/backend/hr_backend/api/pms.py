"""PMS: projects, and who works on what (roles, hours this week, open tasks)."""

from __future__ import annotations

from hr_backend.api.call import Call
from hr_backend.api.endpoint import EMPLOYEE_ID, Endpoint, Param
from hr_backend.api.views import JSON, person
from hr_backend.errors import not_found
from hr_backend.policy.access import Scope
from hr_backend.policy.numbers import plain


def _projects(call: Call) -> dict[str, JSON]:
    return {str(p["id"]): p for p in call.backend.dataset.rows("projects")}


def list_projects(call: Call) -> JSON:
    assignments = call.backend.dataset.rows("project_assignments")
    return {
        "projects": [
            {**p, "members": sum(1 for a in assignments if a["project_id"] == p["id"])}
            for p in _projects(call).values()
        ]
    }


def get_project(call: Call) -> JSON:
    project = _projects(call).get(call.path["project_id"])
    dataset = call.backend.dataset
    members = [a for a in dataset.rows("project_assignments") if project and a["project_id"] == project["id"]]
    if project is None or not (call.caller.is_hr or any(a["employee_id"] == call.caller.id for a in members)):
        raise not_found()
    return {**project, "members": [{**a, "employee": person(dataset, a["employee_id"])} for a in members]}


def list_assignments(call: Call) -> JSON:
    employee = call.owner(Scope.TEAM)
    projects = _projects(call)
    rows = [
        {
            **a,
            "project_name": projects.get(str(a["project_id"]), {}).get("name"),
            "project_status": projects.get(str(a["project_id"]), {}).get("status"),
        }
        for a in call.backend.dataset.rows_of("project_assignments", employee.id)
    ]
    return {
        "employee_id": employee.id,
        "assignments": rows,
        "totals": {
            "hours_this_week": plain(sum(float(a["hours_this_week"]) for a in rows)),
            "open_tasks": sum(int(a["open_tasks"]) for a in rows),
        },
    }


ENDPOINTS = (
    Endpoint(
        "GET",
        "/pms/projects",
        list_projects,
        "Projects with status and member count",
        "pms",
        rights="everyone",
    ),
    Endpoint(
        "GET",
        "/pms/projects/{project_id}",
        get_project,
        "One project and its members",
        "pms",
        params=(Param("project_id", "e.g. PRJ-102", where="path", required=True),),
        rights="project members, HR",
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/pms/assignments",
        list_assignments,
        "An employee's projects, roles, hours and open tasks",
        "pms",
        params=(EMPLOYEE_ID,),
        rights="self, direct manager, HR",
        errors=(404,),
    ),
)
