"""The learned tie-breaker: each agent's habits, learned from the sessions we are sure of.

When two agents were logged in and nobody signed, the session itself still carries traces of
its author: the greeting they open with (and, tellingly, whether they usually sign at all),
how fast they answer, how many messages they tend to write. A naive Bayes model learns these
per agent from the sessions settled by a signature or by a single login, then weighs them for
the open ones. Expectation-maximisation then adds the open sessions themselves, with soft
labels, so an agent who rarely signs is not under-represented among the unsigned greetings.

Each agent's distribution is shrunk towards the team's (`prior_strength` pseudo-sessions), so
an agent with little history, or a habit nobody has, moves the odds only a little. Naive Bayes
is overconfident, most of all where agents do not really differ (the demo data), so the
strength of the evidence is then calibrated: each unsigned session settled by a single login
is set, leave-one-out, against every other agent, and the weight of each feature's
log-likelihood that predicts those known answers best is kept (a small logistic regression on
the naive Bayes terms). A feature that carries no signal gets weight 0; where none does, the
tie-breaker reduces to presence alone, with honest 50/50 confidence. Outcomes the
pool rewards (rating, resolution) are deliberately not features: using them would hand the
ambiguous good sessions to the agents who already score well.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from hrbot.cs.nicknames import SignatureReading, normalise
from hrbot.cs.records import Session

FEATURES = ("template", "response", "messages")


@dataclass(frozen=True)
class Binning:
    """Quantile bins of a number, so the model needs no assumption about its distribution."""

    edges: tuple[float, ...]

    @classmethod
    def of(cls, values: Iterable[float | None], bins: int) -> Binning:
        known = sorted(v for v in values if v is not None)
        if not known:
            return cls(())
        edges = {known[min(len(known) - 1, (len(known) * k) // bins)] for k in range(1, bins)}
        return cls(tuple(sorted(edges)))

    def label(self, value: float | None) -> str:
        return "none" if value is None else str(bisect.bisect_right(self.edges, value))


@dataclass(frozen=True)
class SessionFeatures:
    """What the style model sees of a session."""

    template: str
    response: str
    messages: str

    def value(self, feature: str) -> str:
        return str(getattr(self, feature))


def message_template(message: str, reading: SignatureReading) -> str:
    """The first agent message with punctuation dropped and any nickname replaced by '#', so
    '您好,我是客服小禾' and '您好,我是客服小乐' share a template."""
    text, _ = normalise(message)
    for match in (*reading.signatures, *reading.mentions):
        text = text.replace(match.alias, "#")
    return text[:40] or "(empty)"


class FeatureExtractor:
    """Turns sessions into `SessionFeatures`; the bins come from all sessions in the data."""

    def __init__(self, sessions: Sequence[Session]) -> None:
        self._response = Binning.of((s.first_response_seconds for s in sessions), bins=8)
        self._messages = Binning.of(
            (None if s.messages is None else float(s.messages) for s in sessions), bins=6
        )

    def features(self, session: Session, reading: SignatureReading) -> SessionFeatures:
        return SessionFeatures(
            template=message_template(session.first_agent_message, reading),
            response=self._response.label(session.first_response_seconds),
            messages=self._messages.label(None if session.messages is None else float(session.messages)),
        )


class StyleModel:
    """Per-agent categorical distributions of each feature, shrunk towards the team's."""

    def __init__(self, *, features: Sequence[str] = FEATURES, prior_strength: float = 5.0) -> None:
        unknown = [f for f in features if f not in FEATURES]
        if unknown:
            raise ValueError(f"unknown style feature(s) {unknown}; choose from {list(FEATURES)}")
        self.features = tuple(features)
        self.prior_strength = prior_strength
        self._counts: dict[str, dict[str, dict[str, float]]] = {
            f: defaultdict(lambda: defaultdict(float)) for f in self.features
        }
        self._agent_totals: dict[str, float] = defaultdict(float)
        self._team: dict[str, dict[str, float]] = {f: defaultdict(float) for f in self.features}
        self._team_total = 0.0
        self.scales = dict.fromkeys(self.features, 1.0)
        self._logs: dict[tuple[str, str, str, bool], float] = {}  # filled once fitting is done

    def fit(self, examples: Iterable[tuple[SessionFeatures, Mapping[str, float]]]) -> StyleModel:
        """Count features; each example carries agent -> weight (1.0 when known, fractions
        when only probable)."""
        self._logs.clear()
        for features, labels in examples:
            for agent, weight in labels.items():
                if weight <= 0:
                    continue
                self._agent_totals[agent] += weight
                self._team_total += weight
                for feature in self.features:
                    value = features.value(feature)
                    self._counts[feature][agent][value] += weight
                    self._team[feature][value] += weight
        return self

    # how much each feature's log-likelihood counts; set by `calibrate`
    scales: dict[str, float]

    def sessions_seen(self, agent: str) -> float:
        return self._agent_totals.get(agent, 0.0)

    def _team_probability(self, feature: str, value: str) -> float:
        counts = self._team[feature]
        return (counts.get(value, 0.0) + 1.0) / (self._team_total + len(counts) + 1.0)

    def probability(self, feature: str, value: str, agent: str, *, leave_out: bool = False) -> float:
        """P(feature = value | agent), shrunk towards the team's distribution. With
        `leave_out`, one session of `agent` with this value is taken out of the counts first
        (to score the model on a session it was trained on)."""
        out = 1.0 if leave_out else 0.0
        counts = self._team[feature]
        team = (counts.get(value, 0.0) - out + 1.0) / (self._team_total - out + len(counts) + 1.0)
        seen = self._counts[feature].get(agent, {}).get(value, 0.0) - out
        total = self._agent_totals.get(agent, 0.0) - out
        return (max(seen, 0.0) + self.prior_strength * team) / (max(total, 0.0) + self.prior_strength)

    def log_likelihood(self, features: SessionFeatures, agent: str, *, leave_out: bool = False) -> float:
        """The calibrated log-likelihood: each feature's term times its scale."""
        return sum(
            self.scales[f] * self.feature_log_likelihood(f, features, agent, leave_out=leave_out)
            for f in self.features
            if self.scales[f]
        )

    def feature_log_likelihood(
        self, feature: str, features: SessionFeatures, agent: str, *, leave_out: bool = False
    ) -> float:
        key = (feature, features.value(feature), agent, leave_out)
        cached = self._logs.get(key)
        if cached is None:
            cached = self._logs[key] = math.log(self.probability(feature, key[1], agent, leave_out=leave_out))
        return cached

    @property
    def informative(self) -> bool:
        return any(self.scales.values())

    def calibrate(
        self,
        known: Sequence[tuple[SessionFeatures, str]],
        grid: Sequence[float] = (0.0, 0.05, 0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1.0),
        *,
        limit: int = 2000,
        rivals: int = 8,
    ) -> dict[str, float]:
        """Choose each feature's scale by the log-loss of telling each known session's agent
        from other agents, leaving that session out of the counts (coordinate descent over
        `grid`, smaller scales preferred on ties). At most `limit` known sessions, evenly
        spaced, each against `rivals` other agents in rotation, keep this fast on a large
        team. Returns the scales."""
        import numpy as np

        agents = [a for a, n in self._agent_totals.items() if n >= 1.0]
        usable = [(f, a) for f, a in known if self._agent_totals.get(a, 0.0) >= 2.0]
        step = max(1, len(usable) // limit) if limit else 1
        memo: dict[tuple[str, str, str, bool], float] = {}

        def term(feature: str, value: str, agent: str, leave_out: bool) -> float:
            key = (feature, value, agent, leave_out)
            if key not in memo:
                memo[key] = math.log(self.probability(feature, value, agent, leave_out=leave_out))
            return memo[key]

        rows: list[list[float]] = []
        for position, (features, agent) in enumerate(usable[::step]):
            values = [features.value(f) for f in self.features]
            own = [term(f, v, agent, True) for f, v in zip(self.features, values, strict=True)]
            rotated = [agents[(position + k) % len(agents)] for k in range(len(agents))]
            for other in [a for a in rotated if a != agent][:rivals]:
                rows.append(
                    [o - term(f, v, other, False) for o, f, v in zip(own, self.features, values, strict=True)]
                )
        scales = np.zeros(len(self.features))
        if rows:
            margins = np.asarray(rows)

            def loss(candidate: np.ndarray) -> float:
                return float(np.logaddexp(0.0, -(margins @ candidate)).mean())

            best = loss(scales)
            for _ in range(3):
                changed = False
                for position in range(len(scales)):
                    for value in grid:
                        trial = scales.copy()
                        trial[position] = value
                        trial_loss = loss(trial)
                        if trial_loss < best - 1e-9:
                            best, scales, changed = trial_loss, trial, True
                if not changed:
                    break
        self.scales = {f: float(v) for f, v in zip(self.features, scales, strict=True)}
        return self.scales

    def posterior(self, features: SessionFeatures, prior: Mapping[str, float]) -> dict[str, float]:
        """P(agent | features) over the candidates in `prior` (agent -> prior weight)."""
        scores = {
            agent: math.log(weight) + self.log_likelihood(features, agent)
            for agent, weight in prior.items()
            if weight > 0
        }
        if not scores:
            return {}
        top = max(scores.values())
        exp = {agent: math.exp(score - top) for agent, score in scores.items()}
        total = sum(exp.values())
        return {agent: value / total for agent, value in exp.items()}

    def reasons(self, features: SessionFeatures, agents: Sequence[str]) -> list[str]:
        """Per feature, which candidate it favours and by how much (for the evidence)."""
        lines = []
        for feature in self.features:
            if not self.scales[feature]:
                continue
            value = features.value(feature)
            probs = {a: self.probability(feature, value, a) for a in agents}
            best = max(probs, key=lambda a: (probs[a], a))
            low = min(probs.values())
            ratio = (probs[best] / low) ** self.scales[feature] if low > 0 else 1.0
            if ratio >= 1.1:
                lines.append(f"{feature}={value} favours {best} ({ratio:.2f}x after calibration)")
        return lines


def learn_style(
    anchors: Sequence[tuple[SessionFeatures, Mapping[str, float]]],
    open_items: Sequence[tuple[SessionFeatures, Mapping[str, float]]],
    *,
    known_unsigned: Sequence[tuple[SessionFeatures, str]] = (),
    features: Sequence[str] = FEATURES,
    prior_strength: float = 5.0,
    iterations: int = 3,
    calibrated: bool = True,
) -> StyleModel:
    """Fit on the settled sessions, then refit `iterations` times adding the open ones with
    the model's own soft labels (EM); `open_items` carry candidate -> prior weight. With
    `calibrated`, the feature weights are fitted on `known_unsigned` (features, agent) after
    the first fit, so the soft labels are calibrated too, and again after the last."""

    def fit(
        examples: Sequence[tuple[SessionFeatures, Mapping[str, float]]],
        scales: dict[str, float] | None,
        last: bool,
    ) -> StyleModel:
        model = StyleModel(features=features, prior_strength=prior_strength).fit(examples)
        if calibrated and (scales is None or last):
            model.calibrate(known_unsigned)
        elif scales is not None:
            model.scales = dict(scales)
        return model

    model = fit(anchors, None, iterations == 0)
    for round_ in range(iterations):
        soft = [(f, model.posterior(f, prior)) for f, prior in open_items]
        model = fit([*anchors, *soft], model.scales, round_ == iterations - 1)
    return model
