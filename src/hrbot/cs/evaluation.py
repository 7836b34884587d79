"""Scoring attributions against known answers (constructed data, or held-out truth).

Two accuracies are reported because they answer different questions: *accuracy* is how
often `agent_id` names the true agent (is the engine's guess right?), *credit* is the share
of the session's credit that reached the true agent (is the pool fair?). They differ only
where the engine split a session's credit.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from hrbot.cs.attribution import Attribution


@dataclass
class Score:
    sessions: int = 0
    correct: int = 0
    credit: float = 0.0
    confidence: float = 0.0

    def add(self, attribution: Attribution | None, true_agent: str) -> None:
        self.sessions += 1
        if attribution is None:
            return
        self.correct += attribution.agent_id == true_agent
        shares = attribution.shares or ({attribution.agent_id: 1.0} if attribution.agent_id else {})
        self.credit += shares.get(true_agent, 0.0)
        self.confidence += attribution.confidence

    @property
    def accuracy(self) -> float:
        return self.correct / self.sessions if self.sessions else float("nan")

    @property
    def credit_accuracy(self) -> float:
        return self.credit / self.sessions if self.sessions else float("nan")

    @property
    def mean_confidence(self) -> float:
        return self.confidence / self.sessions if self.sessions else float("nan")

    def to_dict(self) -> dict[str, float | int]:
        return {
            "sessions": self.sessions,
            "accuracy": round(self.accuracy, 4),
            "credit_accuracy": round(self.credit_accuracy, 4),
            "mean_confidence": round(self.mean_confidence, 4),
        }


def score(
    attributions: Mapping[str, Attribution],
    truth: Mapping[str, str],
    group: Callable[[str], Iterable[str]] | None = None,
) -> dict[str, Score]:
    """Scores over all sessions ('all') and, with `group`, per group name of each session."""
    scores: dict[str, Score] = defaultdict(Score)
    for session_id, agent in truth.items():
        attribution = attributions.get(session_id)
        scores["all"].add(attribution, agent)
        for name in group(session_id) if group else ():
            scores[name].add(attribution, agent)
    return dict(scores)


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    sessions: int
    mean_confidence: float
    accuracy: float


def calibration(
    attributions: Mapping[str, Attribution],
    truth: Mapping[str, str],
    edges: tuple[float, ...] = (0.0, 0.5, 0.7, 0.9, 0.95, 1.0001),
) -> list[CalibrationBin]:
    """Confidence against accuracy in bins: a well-calibrated engine has them close."""
    bins = []
    for low, high in itertools.pairwise(edges):
        rows = [
            (a.confidence, a.agent_id == truth[sid])
            for sid, a in attributions.items()
            if sid in truth and low <= a.confidence < high
        ]
        if rows:
            bins.append(
                CalibrationBin(
                    low,
                    min(high, 1.0),
                    len(rows),
                    sum(c for c, _ in rows) / len(rows),
                    sum(ok for _, ok in rows) / len(rows),
                )
            )
    return bins


def volume_error(attributions: Mapping[str, Attribution], truth: Mapping[str, str]) -> float:
    """How far the credited session counts are from the true ones, summed over agents, as a
    fraction of the sessions: the error that reaches the pool. Splitting uncertain sessions
    by probability keeps this low even where single guesses are often wrong."""
    credited: dict[str, float] = defaultdict(float)
    actual: dict[str, float] = defaultdict(float)
    for session_id, agent in truth.items():
        actual[agent] += 1
        attribution = attributions.get(session_id)
        if attribution is None:
            continue
        shares = attribution.shares or ({attribution.agent_id: 1.0} if attribution.agent_id else {})
        for other, share in shares.items():
            credited[other] += share
    agents = set(credited) | set(actual)
    return sum(abs(credited[a] - actual[a]) for a in agents) / max(1, len(truth))
