"""What RulePolicy reads of a conversation and what it decides, shared by prediction and the
training check; and the names Rasa gives to predictions that come from no learned rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hrbot.dialogue.states import ConversationReplay, State
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import ACTION_LISTEN_NAME

DEFAULT_RULES = "predicting default action with intent "
LOOP_RULES = "handling active loops and forms - "
LOOP_RULES_SEPARATOR = " - "
DEFAULT_ACTION_MAPPINGS = {
    "restart": "action_restart",
    "back": "action_back",
    "session_start": "action_session_start",
}


@dataclass(frozen=True)
class RuleView:
    """The conversation as the rule policy reads it (from a live tracker or a training one)."""

    states: Sequence[State]
    latest_action_name: str | None
    loop_name: str | None
    loop_rejected: bool
    latest_intent: str | None
    has_message: bool
    intent_confidence: float = 1.0

    @classmethod
    def of_replay(cls, replay: ConversationReplay, states: Sequence[State]) -> RuleView:
        return cls(states, replay.latest_action_name, replay.loop_name, replay.loop_rejected,
                   replay.latest_intent, replay.latest_message is not None)


@dataclass(frozen=True)
class RuleDecision:
    """The predicted action (None: no rule applies), the rule or default behind it (Rasa's
    "prediction source"), and whether a loop returns after an unhappy path."""

    action: str | None
    source: str | None
    returning_from_unhappy_path: bool = False


def default_sources() -> set[str]:
    return {DEFAULT_RULES + intent for intent in DEFAULT_ACTION_MAPPINGS}


def loop_sources(domain: Domain) -> set[str]:
    sources: set[str] = set()
    for loop in domain.form_names:
        sources.add(LOOP_RULES + loop)
        sources.add(LOOP_RULES + loop + LOOP_RULES_SEPARATOR + ACTION_LISTEN_NAME)
    return sources


__all__ = [
    "DEFAULT_ACTION_MAPPINGS",
    "DEFAULT_RULES",
    "LOOP_RULES",
    "LOOP_RULES_SEPARATOR",
    "RuleDecision",
    "RuleView",
    "default_sources",
    "loop_sources",
]
