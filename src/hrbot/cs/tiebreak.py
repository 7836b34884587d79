"""Tie-breakers: who handled an unsigned session when several agents could have.

Every tie-breaker turns the candidates (with their presence weights) into probabilities.
They are registered by name in one place; the benchmark compares them on constructed data
with known answers, and the engine's default is the one that measured best (see
benchmarks/README.md):

    style        learned: each agent's habits (naive Bayes + EM, `hrbot.cs.style`)
    split        rule: probability in proportion to presence; credit shared out equally
    first_login  rule: the agent who logged in first (the one "on duty")
    last_login   rule: the agent who logged in last (the one brought in for the rush)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hrbot.cs.records import Session
from hrbot.cs.style import FEATURES, SessionFeatures, StyleModel, learn_style
from hrbot.shared.errors import HrbotError

Labelled = tuple[SessionFeatures, Mapping[str, float]]


@dataclass(frozen=True)
class Candidate:
    """An agent who may have handled a session, how strongly presence points to them, and
    why (`source`: login, login_left_before_answer, login_after_start, login_nearby,
    signed_nearby or roster)."""

    employee_id: str
    weight: float
    source: str
    login: datetime | None = None


@dataclass(frozen=True)
class OpenCase:
    """A session presence alone cannot settle."""

    session: Session
    features: SessionFeatures
    candidates: tuple[Candidate, ...]

    def prior(self) -> dict[str, float]:
        return {c.employee_id: c.weight for c in self.candidates}


class TieBreaker(Protocol):
    name: str

    def prepare(
        self,
        anchors: Sequence[Labelled],
        open_cases: Sequence[OpenCase],
        known_unsigned: Sequence[tuple[SessionFeatures, str]] = (),
    ) -> None:
        """Learn from the settled sessions (and the open ones, unlabelled), if it learns;
        `known_unsigned` are settled sessions without a signature, like the open ones."""

    def decide(self, case: OpenCase) -> tuple[dict[str, float], list[str]]:
        """Agent -> probability over the case's candidates, and reasons in words."""


def _normalised(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {a: w / total for a, w in weights.items()} if total > 0 else {}


class SplitTieBreaker:
    name = "split"

    def prepare(
        self,
        anchors: Sequence[Labelled],
        open_cases: Sequence[OpenCase],
        known_unsigned: Sequence[tuple[SessionFeatures, str]] = (),
    ) -> None:
        return None

    def decide(self, case: OpenCase) -> tuple[dict[str, float], list[str]]:
        return _normalised(case.prior()), ["no signature: credit shared by presence"]


class LoginOrderTieBreaker:
    """All to the first (or last) to log in; candidates without a login record rank last."""

    def __init__(self, *, latest: bool) -> None:
        self.latest = latest
        self.name = "last_login" if latest else "first_login"

    def prepare(
        self,
        anchors: Sequence[Labelled],
        open_cases: Sequence[OpenCase],
        known_unsigned: Sequence[tuple[SessionFeatures, str]] = (),
    ) -> None:
        return None

    def decide(self, case: OpenCase) -> tuple[dict[str, float], list[str]]:
        logged = [c for c in case.candidates if c.login is not None]
        pool = logged or list(case.candidates)

        def key(c: Candidate) -> tuple[float, str]:
            stamp = c.login.timestamp() if c.login is not None else 0.0
            return (-stamp if self.latest else stamp, c.employee_id)

        chosen = min(pool, key=key)
        which = "last" if self.latest else "first"
        return {chosen.employee_id: 1.0}, [f"rule: the agent who logged in {which} ({chosen.employee_id})"]


class StyleTieBreaker:
    name = "style"

    def __init__(
        self,
        *,
        features: Sequence[str] = FEATURES,
        iterations: int = 3,
        prior_strength: float = 5.0,
        calibrated: bool = True,
    ) -> None:
        self.features = tuple(features)
        self.iterations = iterations
        self.prior_strength = prior_strength
        self.calibrated = calibrated
        self.model: StyleModel | None = None

    def prepare(
        self,
        anchors: Sequence[Labelled],
        open_cases: Sequence[OpenCase],
        known_unsigned: Sequence[tuple[SessionFeatures, str]] = (),
    ) -> None:
        self.model = learn_style(
            anchors,
            [(c.features, c.prior()) for c in open_cases],
            known_unsigned=known_unsigned,
            features=self.features,
            prior_strength=self.prior_strength,
            iterations=self.iterations,
            calibrated=self.calibrated,
        )

    def decide(self, case: OpenCase) -> tuple[dict[str, float], list[str]]:
        if self.model is None:
            raise RuntimeError("StyleTieBreaker.decide called before prepare")
        posterior = self.model.posterior(case.features, case.prior())
        reasons = self.model.reasons(case.features, sorted(posterior))
        seen = ", ".join(f"{a}: {self.model.sessions_seen(a):.0f}" for a in sorted(posterior))
        if not self.model.informative:
            return posterior, [
                f"habits learned from sessions ({seen}) do not tell agents apart "
                "(calibrated weights 0): presence alone decides"
            ]
        weights = ", ".join(f"{f} {w:g}" for f, w in self.model.scales.items())
        return posterior, [f"habits learned from sessions ({seen}); calibrated weights {weights}", *reasons]


TIE_BREAKERS: dict[str, Callable[[], TieBreaker]] = {
    "style": StyleTieBreaker,
    "split": SplitTieBreaker,
    "first_login": lambda: LoginOrderTieBreaker(latest=False),
    "last_login": lambda: LoginOrderTieBreaker(latest=True),
}
DEFAULT_TIE_BREAKER = "style"


def make_tie_breaker(name: str) -> TieBreaker:
    """A fresh tie-breaker by registered name; an unknown name lists the known ones."""
    try:
        factory = TIE_BREAKERS[name]
    except KeyError:
        raise HrbotError(
            f"unknown attribution method '{name}': choose one of {', '.join(sorted(TIE_BREAKERS))}"
        ) from None
    return factory()
