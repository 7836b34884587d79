"""What every dialogue policy is: a name, a priority, training on training conversations,
a prediction for a live conversation, and persistence without pickle (JSON and numpy .npz).

A policy scores the actions it thinks could come next (`scores`), and `predict` turns that
into one `PolicyPrediction` (the best action the domain knows). The ensemble reads the scores
so that it can set an action the conversation just rejected to 0 in every policy, as Rasa.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Self

from hrbot.dialogue.prediction import PolicyPrediction
from hrbot.dialogue.states import DomainStates, RuleOnlyData, State
from hrbot.dialogue.story_graph import TrainingTracker
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import ActionExecuted, Event
from hrbot.shared.core.tracker import DialogueStateTracker
from hrbot.shared.errors import ModelError

Progress = Callable[[str], None]
POLICY_FILE = "policy.json"
DEFAULT_MAX_HISTORY = 5


@dataclass(frozen=True)
class PolicyScores:
    """A policy's confidences for next actions (missing actions score 0), the events to apply
    before the action, and whether the turn is a rule-only turn ML policies should not see."""

    confidences: Mapping[str, float] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    hide_rule_turn: bool = False

    def best(self, known: frozenset[str] | None = None, exclude: frozenset[str] = frozenset()
             ) -> tuple[str | None, float]:
        """The action with the highest confidence (first one on ties) among `known` actions
        and not in `exclude`; (None, 0.0) when there is none."""
        best_action: str | None = None
        best_confidence = 0.0
        for action, confidence in self.confidences.items():
            if action in exclude or (known is not None and action not in known):
                continue
            if best_action is None or confidence > best_confidence:
                best_action, best_confidence = action, confidence
        if best_confidence <= 0.0:
            return None, 0.0
        return best_action, best_confidence


class Policy(ABC):
    """A dialogue policy. Subclasses set `name`, `default_priority` and `defaults`."""

    name: ClassVar[str]
    default_priority: ClassVar[int]
    defaults: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        merged = {**self.defaults, **{k: v for k, v in (options or {}).items() if k in self.defaults}}
        self.options: dict[str, Any] = merged
        self.priority = int(merged.get("priority", self.default_priority))
        self._domain_states: tuple[Domain, DomainStates] | None = None

    def config_dict(self) -> dict[str, Any]:
        """Name and every option (defaults filled in): what identifies the trained policy."""
        return {"name": self.name, **{key: self.options[key] for key in sorted(self.options)}}

    def domain_states(self, domain: Domain) -> DomainStates:
        """The state featurisation of `domain`, built once per domain object."""
        if self._domain_states is None or self._domain_states[0] is not domain:
            self._domain_states = (domain, DomainStates(domain))
        return self._domain_states[1]

    @abstractmethod
    def train(self, trackers: Sequence[TrainingTracker], domain: Domain, progress: Progress) -> None:
        """Learn from the training conversations (each policy picks the ones it uses)."""

    @abstractmethod
    def scores(
        self, tracker: DialogueStateTracker, domain: Domain, *, rule_only_data: RuleOnlyData | None = None
    ) -> PolicyScores:
        """Confidences for the next action of a live conversation."""

    def predict(
        self, tracker: DialogueStateTracker, domain: Domain, *, rule_only_data: RuleOnlyData | None = None
    ) -> PolicyPrediction:
        """The single best next action this policy proposes (an action the domain knows)."""
        scores = self.scores(tracker, domain, rule_only_data=rule_only_data)
        action, confidence = scores.best(frozenset(domain.action_names))
        if action is None:
            return PolicyPrediction(None, 0.0, self.name, self.priority, scores.events)
        return PolicyPrediction(action, confidence, self.name, self.priority, scores.events,
                                scores.hide_rule_turn)

    # persistence ---------------------------------------------------------------------------

    @abstractmethod
    def _state(self) -> dict[str, Any]:
        """What training learned, as JSON."""

    @abstractmethod
    def _restore(self, state: Mapping[str, Any], directory: Path) -> None:
        """Set what training learned from `_state()` (and files in `directory`)."""

    def persist(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        data = {"name": self.name, "options": self.options, "state": self._state()}
        (directory / POLICY_FILE).write_text(json.dumps(data, ensure_ascii=False, sort_keys=True),
                                             encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Self:
        path = directory / POLICY_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ModelError(f"cannot read the trained policy at {path} ({error}); train the model again") \
                from None
        if data.get("name") != cls.name:
            raise ModelError(
                f"{path} holds policy '{data.get('name')}', not '{cls.name}'; train the model again"
            )
        policy = cls(data.get("options") or {})
        policy._restore(data.get("state") or {}, directory)
        return policy


class Example(NamedTuple):
    """One training example: the action a conversation took after its first `seen` states."""

    states: list[State]
    seen: int
    action: str
    tracker: TrainingTracker

    def history(self, max_history: int | None = None) -> list[State]:
        """The states before the action, the last `max_history` of them (all for None)."""
        start = 0 if not max_history else max(0, self.seen - max_history)
        return self.states[start:self.seen]


def examples(
    trackers: Sequence[TrainingTracker],
    domain_states: DomainStates,
    *,
    omit_unset_slots: bool = False,
) -> list[Example]:
    """An example for every action of every tracker (Rasa's featurizer examples)."""
    found: list[Example] = []
    for tracker in trackers:
        events = tracker.applied_events()
        states = domain_states.states_for_events(events, omit_unset_slots=omit_unset_slots)
        count = 0
        for event in events:
            if isinstance(event, ActionExecuted):
                count += 1
                found.append(Example(states, count, event.name or event.action_text or "", tracker))
    return found


__all__ = ["DEFAULT_MAX_HISTORY", "Example", "Policy", "PolicyScores", "Progress", "examples"]
