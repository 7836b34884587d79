"""CRM (客服系统): customer-service accounts, agents' nicknames, shifts, sessions and an agent's
performance (handbook 7.2). Each method returns the system's JSON answer as is."""

from __future__ import annotations

from actions.connectors.client import JSON, SystemCall


class Crm:
    """The CRM endpoints, called for the employee of `call`."""

    def __init__(self, call: SystemCall) -> None:
        self._call = call

    async def accounts(self) -> JSON:
        """accounts: customer-service accounts, shared and personal."""
        return await self._call.get("/crm/accounts")

    async def agent(self, employee_id: str = "me") -> JSON:
        """employee_id, name, nickname (the signature used in sessions, or None)."""
        return await self._call.get(f"/crm/agents/{employee_id}", target=employee_id)

    async def shifts(self, month: str | None = None, employee_id: str | None = None) -> JSON:
        """employee_id, shifts: logins to shared accounts [{account_id, date, login, logout, ...}]."""
        return await self._call.get("/crm/shifts", {"month": month, "employee_id": employee_id})

    async def sessions(self, month: str | None = None, employee_id: str | None = None) -> JSON:
        """employee_id, sessions attributed to the agent, each with its attribution basis."""
        return await self._call.get("/crm/sessions", {"month": month, "employee_id": employee_id})

    async def performance(self, month: str | None = None, employee_id: str | None = None) -> JSON:
        """employee_id, month, sessions, avg_first_response_seconds, resolution_rate, avg_rating,
        rated_sessions, by_account (the same per account), ambiguous_sessions, rule."""
        return await self._call.get("/crm/performance", {"month": month, "employee_id": employee_id})

    async def attribution_inputs(self, month: str) -> JSON:
        """One month's raw attribution inputs in company.json's shape (handbook 7.2): month, from,
        to, scope ("all", "team", "none"), agents (whose figures the acting employee may see),
        company {timezone}, employees [{id, name}], cs_accounts, cs_agent_nicknames,
        cs_account_shifts (every login to the accounts in scope overlapping the month) and
        cs_sessions (those starting in the month); empty tables for non-CS employees."""
        return await self._call.get("/crm/attribution-inputs", {"month": month})
