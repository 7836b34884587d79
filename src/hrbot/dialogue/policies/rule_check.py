"""RulePolicy's training check (Rasa 3.x's `_analyze_rules`): run the learned rules on every
rule and story, action by action, and report every place where they predict something other
than what the rule or story does — naming both places with file:line.

The first pass runs the rules on the rules themselves to learn which rule stands behind each
prediction; the second runs them on rules and stories, collects contradictions, and notes the
rules stories also contain. A rule that only predicts `action_listen` where a story goes on
with another action is dropped rather than reported (Rasa does the same: the story wins).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from hrbot.dialogue.policies.rule_view import (
    DEFAULT_RULES,
    LOOP_RULES,
    RuleDecision,
    RuleView,
    default_sources,
    loop_sources,
)
from hrbot.dialogue.states import (
    PREVIOUS_ACTION,
    RULE_SNIPPET_ACTION_NAME,
    ConversationReplay,
    DomainStates,
    State,
    describe_state,
)
from hrbot.dialogue.story_graph import TrainingTracker
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import ACTION_LISTEN_NAME, ActionExecuted, ActionExecutionRejected
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.training_data import SourceRef
from hrbot.shared.problems import Location, Problem


class RulePredictor(Protocol):
    """The parts of RulePolicy the check uses."""

    rules: dict[str, str]

    @property
    def fallback_action(self) -> str: ...

    @property
    def fallback_enabled(self) -> bool: ...

    def decide(self, view: RuleView) -> RuleDecision: ...

    def domain_states(self, domain: Domain) -> DomainStates: ...


@dataclass(frozen=True)
class _Step:
    """One predicted action of a training conversation."""

    tracker: TrainingTracker
    gold: str
    predicted: str | None
    source: str | None
    where: SourceRef | None
    state: State


def _predictions(policy: RulePredictor, tracker: TrainingTracker, domain: Domain) -> Iterator[_Step]:
    """Run the rules on one conversation (lazily: the policy may drop rules between steps)."""
    replay = ConversationReplay(policy.domain_states(domain))
    before: list[State] = []
    unpredictable = True
    for event, where in zip(tracker.applied_events(), tracker.applied_sources(), strict=True):
        if not isinstance(event, ActionExecuted):
            replay.apply(event)
            continue
        if event.name == RULE_SNIPPET_ACTION_NAME:
            unpredictable = True
            continue
        if not unpredictable:
            gold = event.name or event.action_text or ""
            current = replay.state()
            predicted, source = _predict(policy, RuleView.of_replay(replay, [*before, current]), tracker)
            if replay.loop_name and predicted == replay.loop_name and gold != predicted:
                replay.apply(ActionExecutionRejected(timestamp=None, name=predicted))
                predicted, source = _predict(policy, RuleView.of_replay(replay, [*before, current]), tracker)
            yield _Step(tracker, gold, predicted, source, where or tracker.source, current)
        unpredictable = False
        before.append(replay.state())
        replay.apply(event)


def _predict(
    policy: RulePredictor, view: RuleView, tracker: TrainingTracker
) -> tuple[str | None, str | None]:
    decision = policy.decide(view)
    if decision.action is not None:
        return decision.action, decision.source
    if not tracker.is_rule:
        return None, decision.source
    return (policy.fallback_action if policy.fallback_enabled else ACTION_LISTEN_NAME), decision.source


def _label(name: str, where: SourceRef | None) -> str:
    if name.startswith(LOOP_RULES):
        return f"the active loop '{name[len(LOOP_RULES):].split(' - ')[0]}' (an active loop runs first)"
    if name.startswith(DEFAULT_RULES):
        return f"Rasa's default rule for intent '{name[len(DEFAULT_RULES):]}'"
    return f"rule '{name}'" + (f" ({where})" if where else "")


def analyse_rules(
    policy: RulePredictor,
    rule_trackers: Sequence[TrainingTracker],
    all_trackers: Sequence[TrainingTracker],
    domain: Domain,
) -> set[str]:
    """Raise `InvalidProjectError` listing every contradiction; otherwise return the rule
    sources that no story contains (their turns are hidden from ML policies)."""
    behind: dict[str | None, list[tuple[str, str, SourceRef | None]]] = defaultdict(list)
    for tracker in rule_trackers:
        for step in _predictions(policy, tracker, domain):
            name, gold = step.tracker.name, step.gold
            if step.source is not None and step.source.startswith((DEFAULT_RULES, LOOP_RULES)):
                name, gold = step.source, step.predicted or gold
            behind[step.source].append((name, gold, step.where))

    used_in_stories: set[str] = set()
    problems: dict[str, Problem] = {}
    for tracker in all_trackers:
        for step in _predictions(policy, tracker, domain):
            if not tracker.is_rule and step.predicted == step.gold and step.source is not None:
                used_in_stories.add(step.source)
            if step.predicted is None or step.source is None or step.predicted == step.gold:
                continue
            if (not tracker.is_rule and step.source.count(PREVIOUS_ACTION) == 1
                    and step.predicted == ACTION_LISTEN_NAME):
                policy.rules.pop(step.source, None)  # the story goes on where the rule would listen
                continue
            problem = _contradiction(policy, step, behind.get(step.source, []))
            problems.setdefault(problem.message, problem)
    if problems:
        raise InvalidProjectError(list(problems.values()))
    every = {source for source in behind if source is not None} | default_sources() | loop_sources(domain)
    return every - used_in_stories


def _contradiction(
    policy: RulePredictor, step: _Step, behind: list[tuple[str, str, SourceRef | None]]
) -> Problem:
    kind = "rule" if step.tracker.is_rule else "story"
    others: dict[str, str] = {}
    for name, action, where in behind:
        if action != step.gold and name != step.tracker.name:
            others.setdefault(_label(name, where), action)
    here = f"{kind} '{step.tracker.name}'" + (f" ({step.where})" if step.where else "")
    situation = describe_state(step.state)
    if others:
        listed = "; ".join(f"{label}, which runs '{action}'" for label, action in others.items())
        message = f"{here} runs '{step.gold}' after [{situation}], contradicting {listed}"
    elif step.predicted == policy.fallback_action:
        message = (f"{here} runs '{step.gold}' after [{situation}], but no rule predicts it there "
                   "(another rule with the same history predicts something else)")
    else:
        message = f"{here} runs '{step.gold}' after [{situation}], but the rules predict '{step.predicted}'"
    location = Location(step.where.file, step.where.line) if step.where else None
    return Problem(
        message,
        location,
        None,
        "make them agree: change one of them, or add a condition (a slot or an active_loop) "
        "that tells the two situations apart",
    )


__all__ = ["analyse_rules"]
