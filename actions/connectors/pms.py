"""PMS (项目管理系统): projects and who works on what. Each method returns the system's JSON
answer as is."""

from __future__ import annotations

from actions.connectors.client import JSON, SystemCall


class Pms:
    """The PMS endpoints, called for the employee of `call`."""

    def __init__(self, call: SystemCall) -> None:
        self._call = call

    async def projects(self) -> JSON:
        """projects: [{id, name, status, members, ...}]."""
        return await self._call.get("/pms/projects")

    async def project(self, project_id: str) -> JSON:
        """One project and its members (project members and HR only)."""
        return await self._call.get(f"/pms/projects/{project_id}")

    async def assignments(self, employee_id: str | None = None) -> JSON:
        """employee_id, assignments: [{project_id, project_name, project_status, role,
        hours_this_week, open_tasks, ...}], totals: {hours_this_week, open_tasks}."""
        return await self._call.get("/pms/assignments", {"employee_id": employee_id})
