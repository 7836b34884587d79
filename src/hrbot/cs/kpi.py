"""Per-agent KPIs of a period (handbook 7.2: 接待量、首次响应时长、解决率、客户评分).

Every figure is credit-weighted: a session whose credit was split 0.6/0.4 counts 0.6 of a
session for one agent and 0.4 for the other, in the volume and in the averages alike, so the
team totals equal the sum of the agents'.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from hrbot.cs.attribution import Attribution
from hrbot.cs.period import Period
from hrbot.cs.records import CsData, Session

# How each attribution method is shown to HR: settled by a signature, by the login records,
# inferred where records were missing, or decided between agents logged in together.
METHOD_GROUPS = {
    "signature": "signature",
    "login": "login",
    "account_owner": "login",
    "login_after_start": "login",
    "login_left_before_answer": "login",
    "login_nearby": "inferred",
    "signed_nearby": "inferred",
    "roster": "inferred",
}
GROUPS = ("signature", "login", "inferred", "overlap")
SURE = 0.9


def method_group(method: str) -> str:
    return METHOD_GROUPS.get(method, "overlap")


@dataclass(frozen=True)
class AgentKpi:
    """One agent's figures for the period."""

    employee_id: str
    name: str
    nicknames: tuple[str, ...]
    sessions: float
    by_group: dict[str, float]
    split_sessions: float  # credit from sessions shared with another agent
    unsure_sessions: float  # credit from sessions attributed with confidence below 0.9
    first_response_seconds: float | None
    resolved: float
    resolution_rate: float | None
    rated: float
    rating: float | None


@dataclass(frozen=True)
class TeamKpi:
    sessions: int
    credited: float
    unattributed: int
    first_response_seconds: float | None
    resolution_rate: float | None
    rating: float | None
    rated: float
    by_group: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class KpiTable:
    period: Period
    agents: tuple[AgentKpi, ...]
    team: TeamKpi


@dataclass
class _Sums:
    sessions: float = 0.0
    split: float = 0.0
    unsure: float = 0.0
    response_weight: float = 0.0
    response_total: float = 0.0
    resolved_weight: float = 0.0
    resolved: float = 0.0
    rated: float = 0.0
    rating_total: float = 0.0
    by_group: dict[str, float] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0.0))

    def add(self, session: Session, share: float, attribution: Attribution) -> None:
        self.sessions += share
        self.by_group[method_group(attribution.method)] += share
        if len(attribution.shares) > 1:
            self.split += share
        if attribution.confidence < SURE:
            self.unsure += share
        if session.first_response_seconds is not None:
            self.response_weight += share
            self.response_total += share * session.first_response_seconds
        if session.resolved is not None:
            self.resolved_weight += share
            self.resolved += share * session.resolved
        if session.rating is not None:
            self.rated += share
            self.rating_total += share * session.rating

    @staticmethod
    def _mean(total: float, weight: float) -> float | None:
        return total / weight if weight > 1e-12 else None


def compute_kpis(data: CsData, attributions: Mapping[str, Attribution], period: Period) -> KpiTable:
    """KPIs of every agent who was credited with a session or logged in during `period`."""
    sessions = [s for s in data.sessions if period.contains(s.start, data.timezone)]
    sums: dict[str, _Sums] = defaultdict(_Sums)
    team = _Sums()
    unattributed = 0
    for session in sessions:
        attribution = attributions.get(session.id)
        if attribution is None or not attribution.shares:
            unattributed += 1
            continue
        for agent, share in attribution.shares.items():
            sums[agent].add(session, share, attribution)
            team.add(session, share, attribution)
    on_shift = {s.employee_id for s in data.shifts if period.contains(s.login, data.timezone)}
    agents = sorted(set(sums) | on_shift)
    rows = []
    for agent in agents:
        total = sums[agent]
        profile = data.agents.get(agent)
        rows.append(
            AgentKpi(
                employee_id=agent,
                name=data.agent_name(agent),
                nicknames=profile.nicknames if profile else (),
                sessions=total.sessions,
                by_group=dict(total.by_group),
                split_sessions=total.split,
                unsure_sessions=total.unsure,
                first_response_seconds=_Sums._mean(total.response_total, total.response_weight),
                resolved=total.resolved,
                resolution_rate=_Sums._mean(total.resolved, total.resolved_weight),
                rated=total.rated,
                rating=_Sums._mean(total.rating_total, total.rated),
            )
        )
    return KpiTable(
        period,
        tuple(rows),
        TeamKpi(
            sessions=len(sessions),
            credited=team.sessions,
            unattributed=unattributed,
            first_response_seconds=_Sums._mean(team.response_total, team.response_weight),
            resolution_rate=_Sums._mean(team.resolved, team.resolved_weight),
            rating=_Sums._mean(team.rating_total, team.rated),
            rated=team.rated,
            by_group=dict(team.by_group),
        ),
    )
