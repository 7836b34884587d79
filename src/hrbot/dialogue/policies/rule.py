"""Rasa 3.x's RulePolicy: rules, Rasa's default rules, active loops, and the core fallback.

Prediction, in Rasa's order:
1. Default rules: right after the user said `restart`, `session_start` or `back`, run
   `action_restart`, `action_session_start` or `action_back`.
2. An active loop that was not rejected runs again (the happy path); right after it ran and is
   still active, `action_listen`.
3. Learned rules (the longest that matches). Inside an active loop a general rule that would
   end with `action_listen` returns to the loop instead, unless a story or rule shows
   otherwise; when the loop comes back after an interruption the prediction carries
   `LoopInterrupted(True)` so that the form does not validate the user's last answer.
4. Nothing matched: the core fallback action at `core_fallback_threshold` (when
   `enable_fallback_prediction`), so that any other policy must be more confident to win.

Training learns the rules from rule conversations (initial slot values are no condition), the
loop unhappy-path conditions from rules and stories, the slots and loops only rules use, and —
with `check_for_contradictions` — runs the rules on every rule and story to find
contradictions (reported with both places) and the rules no story contains: turns predicted by
those are hidden from the ML policies (`hide_rule_turn`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from hrbot.dialogue.policies.base import Policy, PolicyScores, Progress, examples
from hrbot.dialogue.policies.memoization import build_lookup
from hrbot.dialogue.policies.rule_check import analyse_rules
from hrbot.dialogue.policies.rule_matching import (
    DO_NOT_PREDICT_LOOP_ACTION,
    LOOP_WAS_INTERRUPTED,
    RuleIndex,
    longest,
    loop_unhappy_lookup,
    rule_feature_key,
    slots_and_loops,
)
from hrbot.dialogue.policies.rule_view import (
    DEFAULT_ACTION_MAPPINGS,
    DEFAULT_RULES,
    LOOP_RULES,
    LOOP_RULES_SEPARATOR,
    RuleDecision,
    RuleView,
)
from hrbot.dialogue.states import RULE_SNIPPET_ACTION_NAME, RuleOnlyData, active_loop_of, state_key
from hrbot.dialogue.story_graph import TrainingTracker
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import ACTION_LISTEN_NAME, Event, LoopInterrupted, UserUttered
from hrbot.shared.core.tracker import DialogueStateTracker
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.problems import Location, Problem

RULE_POLICY_PRIORITY = 6
DEFAULT_CORE_FALLBACK_THRESHOLD = 0.3
DEFAULT_FALLBACK_ACTION = "action_default_fallback"
MAX_USER_TURNS_IN_RULE = 1


class RulePolicy(Policy):
    """Rules, loops, Rasa's default rules and the core fallback (see the module docstring)."""

    name: ClassVar[str] = "RulePolicy"
    default_priority: ClassVar[int] = RULE_POLICY_PRIORITY
    defaults: ClassVar[Mapping[str, Any]] = {
        "priority": RULE_POLICY_PRIORITY,
        "core_fallback_threshold": DEFAULT_CORE_FALLBACK_THRESHOLD,
        "core_fallback_action_name": DEFAULT_FALLBACK_ACTION,
        "enable_fallback_prediction": True,
        "restrict_rules": True,
        "check_for_contradictions": True,
        "use_nlu_confidence_as_score": False,
    }

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.rules: dict[str, str] = {}
        self.unhappy: dict[str, str] = {}
        self.rules_not_in_stories: set[str] = set()
        self.rule_only_data = RuleOnlyData()
        self.index = RuleIndex()

    @property
    def fallback_threshold(self) -> float:
        return float(self.options["core_fallback_threshold"])

    @property
    def fallback_action(self) -> str:
        return str(self.options["core_fallback_action_name"])

    @property
    def fallback_enabled(self) -> bool:
        return bool(self.options["enable_fallback_prediction"])

    # prediction ----------------------------------------------------------------------------

    def decide(self, view: RuleView) -> RuleDecision:
        """Default rules, then the loop's happy path, then learned rules."""
        if view.latest_action_name == ACTION_LISTEN_NAME and view.has_message:
            default = DEFAULT_ACTION_MAPPINGS.get(view.latest_intent or "")
            if default is not None:
                return RuleDecision(default, DEFAULT_RULES + (view.latest_intent or ""))
        loop = view.loop_name
        if loop is not None and not view.loop_rejected and view.latest_action_name is not None:
            if view.latest_action_name != loop:
                return RuleDecision(loop, LOOP_RULES + loop)
            source = LOOP_RULES + loop + LOOP_RULES_SEPARATOR + ACTION_LISTEN_NAME
            return RuleDecision(ACTION_LISTEN_NAME, source)
        return self._from_rules(view)

    def _from_rules(self, view: RuleView) -> RuleDecision:
        states = view.states
        keys = self.index.possible_keys(self.rules, states)
        predicted: str | None = None
        best = ""
        if keys:
            best = longest(keys, self.rules)
            predicted = self.rules[best]
        returning = False
        loop = view.loop_name
        if loop:
            unhappy_keys = self.index.possible_keys(self.unhappy, states)
            conditions = {self.unhappy[key] for key in unhappy_keys}
            general_listen = (
                predicted == ACTION_LISTEN_NAME and active_loop_of(self.index.last_state(best)) is None
            )
            if general_listen:
                if DO_NOT_PREDICT_LOOP_ACTION not in conditions:
                    return RuleDecision(loop, LOOP_RULES + loop, returning)
                predicted = None
            if LOOP_WAS_INTERRUPTED in conditions:
                returning = True
        return RuleDecision(predicted, best or rule_feature_key(states) or state_key(states), returning)

    def view(self, tracker: DialogueStateTracker, domain: Domain) -> RuleView:
        states = self.domain_states(domain).past_states(tracker)
        active = tracker.active_loop
        message = tracker.latest_user_event
        confidence = tracker.latest_message.get("intent", {}).get("confidence", 1.0)
        return RuleView(
            states,
            tracker.latest_action_name,
            tracker.active_loop_name,
            bool(active is not None and active.rejected),
            tracker.latest_intent_name,
            message is not None,
            float(confidence if confidence is not None else 1.0),
        )

    def scores(
        self, tracker: DialogueStateTracker, domain: Domain, *, rule_only_data: RuleOnlyData | None = None
    ) -> PolicyScores:
        view = self.view(tracker, domain)
        decision = self.decide(view)
        hide = decision.source in self.rules_not_in_stories
        events: tuple[Event, ...] = ()
        if decision.returning_from_unhappy_path:
            events = (LoopInterrupted(timestamp=None, is_interrupted=True),)
        if decision.action is None:
            fallback = {self.fallback_action: self.fallback_threshold} if self.fallback_enabled else {}
            return PolicyScores(fallback, events, hide)
        score = view.intent_confidence if self.options["use_nlu_confidence_as_score"] else 1.0
        return PolicyScores({decision.action: score}, events, hide)

    # training ------------------------------------------------------------------------------

    def train(self, trackers: Sequence[TrainingTracker], domain: Domain, progress: Progress) -> None:
        originals = [t for t in trackers if not t.is_augmented]
        rule_trackers = [t for t in originals if t.is_rule]
        story_trackers = [t for t in originals if not t.is_rule]
        if self.options["restrict_rules"]:
            _check_rule_restriction(rule_trackers)
        domain_states = self.domain_states(domain)
        rule_examples = examples(rule_trackers, domain_states, omit_unset_slots=True)
        story_examples = examples(story_trackers, domain_states)
        learned = build_lookup([(rule_feature_key(e.history()), e.action) for e in rule_examples])
        self.rules = {key: action for key, action in learned.items() if action != RULE_SNIPPET_ACTION_NAME}
        self.unhappy = loop_unhappy_lookup([(e.history(), e.action) for e in rule_examples + story_examples])
        rule_slots, rule_loops = slots_and_loops(s for e in rule_examples for s in e.history())
        story_slots, story_loops = slots_and_loops(s for e in story_examples for s in e.history())
        self.rule_only_data = RuleOnlyData(frozenset(rule_slots - story_slots),
                                           frozenset(rule_loops - story_loops))
        self.rules_not_in_stories = set()
        if self.options["check_for_contradictions"]:
            self.rules_not_in_stories = analyse_rules(self, rule_trackers, originals, domain)
        progress(f"{self.name}: learned {len(self.rules)} rule states from {len(rule_trackers)} rules")

    # persistence ---------------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        return {
            "rules": self.rules,
            "rules_for_loop_unhappy_path": self.unhappy,
            "rules_not_in_stories": sorted(self.rules_not_in_stories),
            **self.rule_only_data.to_dict(),
        }

    def _restore(self, state: Mapping[str, Any], directory: Path) -> None:
        self.rules = dict(state.get("rules", {}))
        self.unhappy = dict(state.get("rules_for_loop_unhappy_path", {}))
        self.rules_not_in_stories = set(state.get("rules_not_in_stories", ()))
        self.rule_only_data = RuleOnlyData.from_dict(state)


def _check_rule_restriction(rule_trackers: Sequence[TrainingTracker]) -> None:
    """Rasa's `restrict_rules`: a rule has at most one user turn."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for tracker in rule_trackers:
        turns = sum(isinstance(event, UserUttered) for event in tracker.events)
        if turns > MAX_USER_TURNS_IN_RULE and tracker.name not in seen:
            seen.add(tracker.name)
            where = tracker.source
            problems.append(Problem(
                f"rule '{tracker.name}' has {turns} user turns; a rule may have only one "
                "(rules are not meant to hard-code a state machine)",
                Location(where.file, where.line) if where else None,
                None,
                "write this conversation as a story, or split it into rules with one user turn each "
                "(or set 'restrict_rules: false' for RulePolicy in config.yml)",
            ))
    if problems:
        raise InvalidProjectError(problems)


__all__ = ["DEFAULT_CORE_FALLBACK_THRESHOLD", "DEFAULT_FALLBACK_ACTION", "RulePolicy"]
