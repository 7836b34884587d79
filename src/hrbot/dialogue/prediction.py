"""What a policy proposes for the next action, and how the ensemble chooses among proposals."""

from __future__ import annotations

from dataclasses import dataclass

from hrbot.shared.core.events import Event


@dataclass(frozen=True)
class PolicyPrediction:
    """One policy's proposal for the next action.

    `action` is None when the policy has nothing to say (confidence 0). `events` are applied to
    the tracker before the action runs (Rasa's `optional_events`, e.g. a rule policy marking a
    loop as interrupted). `priority` breaks confidence ties as in Rasa (rule 6, memoization 3,
    learned 1)."""

    action: str | None
    confidence: float
    policy: str
    priority: int
    events: tuple[Event, ...] = ()
    hide_rule_turn: bool = False

    @classmethod
    def abstain(cls, policy: str, priority: int) -> PolicyPrediction:
        return cls(None, 0.0, policy, priority)
