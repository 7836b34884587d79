"""Rasa's MemoizationPolicy and AugmentedMemoizationPolicy.

MemoizationPolicy remembers, for every action of every story, the last `max_history` states
before it. When the live conversation's last `max_history` states are exactly a remembered
history, it predicts that story's action with confidence 1 (or the NLU confidence of the latest
message with `use_nlu_confidence_as_score`). Histories that led to different actions in
different stories are forgotten. It learns from the stories as written — not from rules, and
not from augmented conversations — and sees live conversations without the turns of rules no
story contains (`hide_rule_turn`), as Rasa's ML policies do.

AugmentedMemoizationPolicy additionally, when nothing matches, forgets the conversation from
the start one action at a time (slots set in the forgotten part are forgotten too) and looks
the shorter history up again, so a story still applies when earlier turns differ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from hrbot.dialogue.policies.base import DEFAULT_MAX_HISTORY, Policy, PolicyScores, Progress, examples
from hrbot.dialogue.states import DomainStates, RuleOnlyData, State, slice_states, state_key
from hrbot.dialogue.story_graph import TrainingTracker
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import ACTION_LISTEN_NAME, ActionExecuted, Event
from hrbot.shared.core.tracker import DialogueStateTracker

MEMOIZATION_PRIORITY = 3


def build_lookup(pairs: Sequence[tuple[str | None, str]]) -> dict[str, str]:
    """Feature key -> action; keys seen with two different actions are dropped (Rasa)."""
    lookup: dict[str, str] = {}
    ambiguous: set[str] = set()
    for key, action in pairs:
        if not key or key in ambiguous:
            continue
        if key in lookup:
            if lookup[key] != action:
                ambiguous.add(key)
                del lookup[key]
        else:
            lookup[key] = action
    return lookup


class MemoizationPolicy(Policy):
    """Predicts the next action of a story whose last `max_history` states match exactly."""

    name: ClassVar[str] = "MemoizationPolicy"
    default_priority: ClassVar[int] = MEMOIZATION_PRIORITY
    defaults: ClassVar[Mapping[str, Any]] = {
        "priority": MEMOIZATION_PRIORITY,
        "max_history": DEFAULT_MAX_HISTORY,
        "use_nlu_confidence_as_score": False,
    }

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.lookup: dict[str, str] = {}

    @property
    def max_history(self) -> int | None:
        value = self.options.get("max_history")
        return None if value is None else int(value)

    def train(self, trackers: Sequence[TrainingTracker], domain: Domain, progress: Progress) -> None:
        stories = [t for t in trackers if not t.is_rule and not t.is_augmented]
        found = examples(stories, self.domain_states(domain))
        self.lookup = build_lookup(
            [(state_key(example.history(self.max_history)), example.action) for example in found]
        )
        progress(f"{self.name}: memorised {len(self.lookup)} histories from {len(stories)} stories")

    def _score(self, tracker: DialogueStateTracker) -> float:
        if self.options.get("use_nlu_confidence_as_score"):
            confidence = tracker.latest_message.get("intent", {}).get("confidence", 1.0)
            return float(confidence if confidence is not None else 1.0)
        return 1.0

    def recall_states(self, states: Sequence[State]) -> str | None:
        return self.lookup.get(state_key(slice_states(states, self.max_history)))

    def recall(self, events: list[Event], states: list[State], domain_states: DomainStates,
               rule_only_data: RuleOnlyData | None) -> str | None:
        return self.recall_states(states)

    def scores(
        self, tracker: DialogueStateTracker, domain: Domain, *, rule_only_data: RuleOnlyData | None = None
    ) -> PolicyScores:
        if not self.lookup:  # nothing memorised (a project with rules only): nothing to recall
            return PolicyScores()
        domain_states = self.domain_states(domain)
        events = tracker.applied_events()
        states = domain_states.states_for_events(
            events, ignore_rule_only_turns=True, rule_only_data=rule_only_data
        )
        action = self.recall(events, states, domain_states, rule_only_data)
        if action is None:
            return PolicyScores()
        return PolicyScores({action: self._score(tracker)})

    def _state(self) -> dict[str, Any]:
        return {"lookup": self.lookup}

    def _restore(self, state: Mapping[str, Any], directory: Path) -> None:
        self.lookup = dict(state.get("lookup", {}))


def _max_history_start(events: Sequence[Event], max_history: int | None) -> int:
    """Where to cut so that at most `max_history` actions remain, cutting at an
    `action_listen` so that the last user message stays whole (Rasa's
    `_trim_tracker_by_max_history`); 0 when nothing is cut."""
    if not max_history:
        return 0
    actions = 0
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, ActionExecuted):
            actions += 1
            if actions > max_history and event.name == ACTION_LISTEN_NAME:
                return index
    return 0


def _strip_to_action(events: Sequence[Event], again: bool) -> list[Event] | None:
    """The events from the first (or, with `again`, the second) action on; None if none."""
    positions = [i for i, event in enumerate(events) if isinstance(event, ActionExecuted)][:2]
    wanted = positions[1] if again and len(positions) > 1 else (None if again else
                                                                 (positions[0] if positions else None))
    if wanted is None:
        return None
    rest = list(events[wanted:])
    return rest or None


class AugmentedMemoizationPolicy(MemoizationPolicy):
    """Memoization that, when the full history is unknown, forgets it step by step."""

    name: ClassVar[str] = "AugmentedMemoizationPolicy"

    def recall(self, events: list[Event], states: list[State], domain_states: DomainStates,
               rule_only_data: RuleOnlyData | None) -> str | None:
        action = self.recall_states(states)
        if action is not None:
            return action
        old_states = slice_states(states, self.max_history)
        truncated = _strip_to_action(events[_max_history_start(events, self.max_history):], again=False)
        while truncated is not None:
            shorter = slice_states(domain_states.states_for_events(
                truncated, ignore_rule_only_turns=True, rule_only_data=rule_only_data
            ), self.max_history)
            if shorter != old_states:
                action = self.recall_states(shorter)
                if action is not None:
                    return action
                old_states = shorter
            truncated = _strip_to_action(truncated, again=True)
        return None


__all__ = ["AugmentedMemoizationPolicy", "MemoizationPolicy", "build_lookup"]
