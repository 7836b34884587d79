"""The customer-service tables of company.json as plain frozen dataclasses.

Times are timezone-aware datetimes; a session or shift without an offset is read in the
company's time zone when loading, so every comparison here is between aware moments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo


@dataclass(frozen=True)
class Account:
    """A platform account. Shared accounts are the reason attribution is needed; a personal
    account with an `owner` belongs to that employee outright."""

    id: str
    platform: str = ""
    label: str = ""
    shared: bool = True
    owner: str | None = None


@dataclass(frozen=True)
class Shift:
    """One login of an agent to an account. `logout` is None when it was never recorded."""

    account_id: str
    employee_id: str
    login: datetime
    logout: datetime | None


@dataclass(frozen=True)
class Session:
    """One customer conversation on an account."""

    id: str
    account_id: str
    start: datetime
    end: datetime | None = None
    first_response_seconds: float | None = None
    messages: int | None = None
    resolved: bool | None = None
    rating: float | None = None
    first_agent_message: str = ""
    platform: str = ""

    @property
    def answered_at(self) -> datetime:
        """When the first agent message was sent: the moment its author was surely at work."""
        if self.first_response_seconds is None:
            return self.start
        return self.start + timedelta(seconds=self.first_response_seconds)


@dataclass(frozen=True)
class Agent:
    """A customer-service agent: an employee with one or more nicknames they sign with."""

    employee_id: str
    name: str = ""
    nicknames: tuple[str, ...] = ()


@dataclass(frozen=True)
class CsData:
    """Everything attribution and the report need, already validated."""

    accounts: dict[str, Account]
    agents: dict[str, Agent]
    shifts: tuple[Shift, ...]
    sessions: tuple[Session, ...]
    timezone: tzinfo
    employee_names: dict[str, str] = field(default_factory=dict)

    def agent_name(self, employee_id: str) -> str:
        agent = self.agents.get(employee_id)
        if agent is not None and agent.name:
            return agent.name
        return self.employee_names.get(employee_id, "")
