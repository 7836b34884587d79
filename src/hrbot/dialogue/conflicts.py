"""Story structure conflicts, as `rasa data validate stories` reports them.

Two stories conflict when the same history — the last `max_history` states — leads to
different next actions. Memoization then forgets that history and the learned policy has to
guess, so such stories are almost always a mistake. Each conflict is one `Problem` at the first
story's step, naming every story involved with file:line, the shared history in short, and
the fix. Conflicts at the very start of stories are not reported (Rasa neither).

With `include_rules` (the default) the rules are checked too, as RulePolicy checks them before
training: rules that contradict each other or a story, and rules with more than one user turn.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from hrbot.dialogue.states import (
    ACTION_NAME,
    ACTION_TEXT,
    INTENT,
    PREVIOUS_ACTION,
    TEXT,
    USER,
    DomainStates,
    State,
    describe_state,
    slice_states,
    state_key,
)
from hrbot.dialogue.story_graph import TrainingTracker, generate_trackers
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import ACTION_LISTEN_NAME, ActionExecuted
from hrbot.shared.core.stories import StoryData
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.training_data import SourceRef
from hrbot.shared.problems import Location, Problem

DEFAULT_MAX_HISTORY = 5


@dataclass(frozen=True)
class _Occurrence:
    story: str
    action: str
    where: SourceRef | None
    history: tuple[State, ...]


def previous_event(state: State) -> tuple[str | None, str | None]:
    """What happened just before a state: ("intent", name), ("action", name), ... (Rasa)."""
    previous = state.get(PREVIOUS_ACTION, {})
    user = state.get(USER, {})
    if previous.get(ACTION_NAME) and previous[ACTION_NAME] != ACTION_LISTEN_NAME:
        return "action", str(previous[ACTION_NAME])
    if previous.get(ACTION_TEXT):
        return "bot utterance", str(previous[ACTION_TEXT])
    if user.get(INTENT):
        return "intent", str(user[INTENT])
    if user.get(TEXT):
        return "user utterance", str(user[TEXT])
    return None, None


def _occurrences(trackers: tuple[TrainingTracker, ...], domain: Domain, max_history: int
                 ) -> dict[str, list[_Occurrence]]:
    domain_states = DomainStates(domain)
    found: dict[str, list[_Occurrence]] = defaultdict(list)
    for tracker in trackers:
        events = tracker.applied_events()
        sources = tracker.applied_sources()
        states = domain_states.states_for_events(events)
        count = 0
        for event, where in zip(events, sources, strict=True):
            if not isinstance(event, ActionExecuted):
                continue
            count += 1
            history = slice_states(states[:count], max_history)
            action = event.name or event.action_text or ""
            found[state_key(history)].append(
                _Occurrence(tracker.name, action, where or tracker.source, tuple(history))
            )
    return found


def _describe(history: tuple[State, ...]) -> str:
    return " → ".join(describe_state(state) for state in history[-3:])


def _conflict(occurrences: list[_Occurrence]) -> Problem | None:
    by_action: dict[str, list[_Occurrence]] = {}
    for occurrence in occurrences:
        by_action.setdefault(occurrence.action, []).append(occurrence)
    if len(by_action) < 2:
        return None
    history = occurrences[0].history
    kind, name = previous_event(history[-1])
    if kind is None:
        return None
    parts = []
    for action, where in by_action.items():
        stories = ", ".join(sorted({
            f"'{o.story}'" + (f" ({o.where})" if o.where else "") for o in where
        }))
        parts.append(f"'{action}' in {stories}")
    first = next(iter(by_action.values()))[0]
    location = Location(first.where.file, first.where.line) if first.where else None
    return Problem(
        f"story structure conflict after {kind} '{name}': " + "; ".join(parts)
        + f" (same history: {_describe(history)})",
        location,
        None,
        "make the stories continue the same way, or tell the situations apart earlier "
        "(a slot, an entity or another intent); otherwise MemoizationPolicy forgets this history "
        "and the learned policy has to guess",
    )


def with_source_lines(problems: Iterable[Problem], story_data: StoryData) -> list[Problem]:
    """The problems with the offending line of the story file filled in."""
    done: list[Problem] = []
    for problem in problems:
        location = problem.location
        if problem.source_line is None and location is not None and location.line is not None:
            line = story_data.source_line(SourceRef(location.file, location.line))
            problem = dataclasses.replace(problem, source_line=line)
        done.append(problem)
    return done


def find_story_conflicts(
    story_data: StoryData,
    domain: Domain,
    max_history: int = DEFAULT_MAX_HISTORY,
    *,
    include_rules: bool = True,
) -> list[Problem]:
    """Every story structure conflict (and, with `include_rules`, every rule problem
    RulePolicy would raise at training), each naming all places involved with file:line."""
    trackers = generate_trackers(story_data, domain, augmentation_factor=0)
    problems: list[Problem] = []
    for occurrences in _occurrences(trackers.stories, domain, max_history).values():
        problem = _conflict(occurrences)
        if problem is not None:
            problems.append(problem)
    problems.sort(key=lambda p: (p.location.file, p.location.line or 0) if p.location else ("", 0))
    if include_rules and story_data.rules:
        from hrbot.dialogue.policies.rule import RulePolicy

        try:
            RulePolicy().train(trackers.all, domain, lambda message: None)
        except InvalidProjectError as error:
            problems.extend(error.problems)
    return with_source_lines(problems, story_data)


__all__ = ["find_story_conflicts", "previous_event", "with_source_lines"]
