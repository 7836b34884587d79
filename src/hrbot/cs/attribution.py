"""The result of attributing one session, and the attribution JSON file.

The file maps each session id to
``{"agent_id", "confidence", "method", "evidence", "shares"}``:

- ``agent_id``   the most likely agent (null only when nothing points to anyone);
- ``confidence`` the estimated probability that ``agent_id`` is right, 0..1;
- ``method``     the step that decided: ``signature``, ``login``, ``login_after_start``,
                 ``login_nearby``, ``signed_nearby``, ``roster``, ``account_owner``, the
                 tie-breaker's name (``style``, ``split``, ``first_login``, ``last_login``)
                 or ``unattributed``;
- ``evidence``   what was weighed, each ``{"kind", "detail", "agents"[, "weight"]}``;
- ``shares``     agent id -> fraction of the credit; one agent with 1.0 unless the evidence
                 leaves real doubt, in which case the credit is split by probability.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrbot.shared.errors import HrbotError

SHARE_DECIMALS = 4


@dataclass(frozen=True)
class Evidence:
    """One thing that was weighed, in words a person can check against the data."""

    kind: str
    detail: str
    agents: tuple[str, ...] = ()
    weight: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "detail": self.detail, "agents": list(self.agents)}
        if self.weight is not None:
            data["weight"] = round(self.weight, 4)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        weight = data.get("weight")
        return cls(
            str(data["kind"]),
            str(data.get("detail", "")),
            tuple(str(a) for a in data.get("agents", ())),
            float(weight) if weight is not None else None,
        )


@dataclass(frozen=True)
class Attribution:
    """Who handled one session, how sure we are, and why."""

    session_id: str
    agent_id: str | None
    confidence: float
    method: str
    evidence: tuple[Evidence, ...] = ()
    shares: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "confidence": round(self.confidence, 4),
            "method": self.method,
            "evidence": [item.to_dict() for item in self.evidence],
            "shares": dict(self.shares),
        }

    @classmethod
    def from_dict(cls, session_id: str, data: Mapping[str, Any]) -> Attribution:
        agent = data.get("agent_id")
        return cls(
            session_id=session_id,
            agent_id=str(agent) if agent is not None else None,
            confidence=float(data.get("confidence", 0.0)),
            method=str(data.get("method", "")),
            evidence=tuple(Evidence.from_dict(item) for item in data.get("evidence", ())),
            shares={str(k): float(v) for k, v in dict(data.get("shares", {})).items()},
        )


def rounded_shares(weights: Mapping[str, float], decimals: int = SHARE_DECIMALS) -> dict[str, float]:
    """Fractions summing to exactly 1 at `decimals` places, largest first; agents whose
    share rounds to nothing are dropped. Empty when all weights are zero."""
    total = sum(w for w in weights.values() if w > 0)
    if total <= 0:
        return {}
    unit = 10**decimals
    exact = {agent: w / total * unit for agent, w in weights.items() if w > 0}
    units = {agent: int(value) for agent, value in exact.items()}
    order = sorted(exact, key=lambda a: (-(exact[a] - units[a]), a))
    for agent in order[: unit - sum(units.values())]:
        units[agent] += 1
    ranked = sorted((a for a in units if units[a] > 0), key=lambda a: (-units[a], a))
    return {agent: units[agent] / unit for agent in ranked}


def write_attributions(path: Path, attributions: Iterable[Attribution]) -> None:
    """Write the attribution JSON (session id -> record), sorted by session id."""
    records = {item.session_id: item.to_dict() for item in attributions}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(dict(sorted(records.items())), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def read_attributions(path: Path) -> dict[str, Attribution]:
    """Read an attribution JSON written by `write_attributions`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HrbotError(f"{path}: attribution file not found; run 'hrbot cs attribute' first") from None
    except json.JSONDecodeError as error:
        raise HrbotError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None
    if not isinstance(raw, dict):
        raise HrbotError(f"{path}: expected an object mapping session ids to attributions")
    return {str(sid): Attribution.from_dict(str(sid), record) for sid, record in raw.items()}
