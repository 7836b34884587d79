"""Running test stories (`hrbot test`), as Rasa's `rasa test core` does.

Each test story is replayed step by step on the *expected* history: a user step's text goes
through NLU and its intent and entities are compared with the annotation; before every action
step the policies predict the next action, which is compared with the story's. The expected
event is then added whatever was predicted, so one mistake does not hide the rest. Actions are
not executed: slots and loops come from the story's `slot_was_set` and `active_loop` steps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from hrbot.dialogue.prediction import PolicyPrediction
from hrbot.dialogue.story_graph import filled_placeholder, user_event
from hrbot.dialogue.trackers import new_tracker
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import (
    ACTION_LISTEN_NAME,
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    SlotSet,
)
from hrbot.shared.core.stories import (
    ANY_VALUE,
    ActionStep,
    ActiveLoopStep,
    BotStep,
    CheckpointStep,
    OrStep,
    SlotWasSetStep,
    Story,
    StoryData,
    UserStep,
)
from hrbot.shared.core.tracker import DialogueStateTracker
from hrbot.shared.nlu.parse_result import ParseResult
from hrbot.shared.nlu.training_data import SourceRef


class Predictor(Protocol):
    def predict(self, tracker: DialogueStateTracker, domain: Domain) -> PolicyPrediction: ...


Parser = Callable[[str], ParseResult]


@dataclass(frozen=True)
class StepResult:
    """One line of a test story as run: what was expected and, when different, what came."""

    kind: str  # "intent", "entities", "action", "slot_was_set", "active_loop"
    expected: str
    predicted: str | None = None
    source: SourceRef | None = None
    policy: str | None = None
    confidence: float | None = None

    @property
    def failed(self) -> bool:
        return self.predicted is not None and self.predicted != self.expected


@dataclass(frozen=True)
class StoryResult:
    name: str
    source: SourceRef | None
    steps: tuple[StepResult, ...]
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None or any(step.failed for step in self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "story": self.name,
            "file": None if self.source is None else self.source.file,
            "line": None if self.source is None else self.source.line,
            "passed": not self.failed,
            "error": self.error,
            "steps": [
                {
                    "kind": step.kind, "expected": step.expected, "predicted": step.predicted,
                    "line": None if step.source is None else step.source.line,
                    "policy": step.policy, "confidence": step.confidence, "failed": step.failed,
                }
                for step in self.steps
            ],
        }


@dataclass
class _Run:
    domain: Domain
    predictor: Predictor
    parse: Parser | None
    tracker: DialogueStateTracker
    steps: list[StepResult] = field(default_factory=list)

    def expect_action(self, name: str, source: SourceRef | None) -> None:
        prediction = self.predictor.predict(self.tracker, self.domain)
        predicted = prediction.action or ACTION_LISTEN_NAME
        active_loop = self.tracker.active_loop_name
        if predicted != name and active_loop == predicted and predicted in self.domain.form_names:
            # as Rasa's test: the form may have rejected this message (a digression the story
            # handles next); emulate the rejection and predict again
            self.tracker.update(ActionExecutionRejected(timestamp=None, name=active_loop))
            prediction = self.predictor.predict(self.tracker, self.domain)
            predicted = prediction.action or ACTION_LISTEN_NAME
        self.steps.append(StepResult(
            "action", name, predicted, source, prediction.policy, round(prediction.confidence, 4)
        ))
        for event in prediction.events if predicted == name else ():
            self.tracker.update(event)
        self.tracker.update(ActionExecuted(timestamp=None, name=name, policy=prediction.policy))

    def user(self, step: UserStep) -> None:
        if self.tracker.latest_action_name != ACTION_LISTEN_NAME:
            self.expect_action(ACTION_LISTEN_NAME, step.source)
        intent = step.intent
        if step.text is not None and self.parse is not None:
            parsed = self.parse(step.text)
            predicted_intent = parsed.intent.name or "None"
            if intent is not None:
                self.steps.append(StepResult("intent", intent, predicted_intent, step.source))
            else:
                intent = parsed.intent.name
            expected_spans = sorted(_span(e, step.text) for e in step.entities)
            predicted_spans = sorted(
                f"{e.entity}:{step.text[e.start:e.end]}" for e in parsed.entities
            )
            if expected_spans or predicted_spans:
                self.steps.append(StepResult(
                    "entities", ", ".join(expected_spans) or "(none)",
                    ", ".join(predicted_spans) or "(none)", step.source,
                ))
        # the expected turn, whatever was predicted, as the story's own training turn reads it
        self.tracker.update(user_event(dataclasses.replace(step, intent=intent)))


def _span(entity: Any, text: str | None) -> str:
    if text is not None and entity.start is not None and entity.end is not None:
        return f"{entity.entity}:{text[entity.start:entity.end]}"
    return f"{entity.entity}:{entity.value}"


def run_story(story: Story, domain: Domain, predictor: Predictor, parse: Parser | None) -> StoryResult:
    """Replay one test story; see the module docstring."""
    tracker = new_tracker(f"test: {story.name}", domain)
    tracker.update(ActionExecuted(timestamp=None, name=ACTION_LISTEN_NAME))
    run = _Run(domain, predictor, parse, tracker)
    for step in story.steps:
        if isinstance(step, UserStep):
            run.user(step)
        elif isinstance(step, ActionStep):
            run.expect_action(step.name, step.source)
        elif isinstance(step, SlotWasSetStep):
            for name, value in step.slots:
                if value is ANY_VALUE:  # "set to something", as training reads it
                    value = filled_placeholder(domain, name)
                tracker.update(SlotSet(timestamp=None, name=name, value=value))
        elif isinstance(step, ActiveLoopStep):
            tracker.update(ActiveLoop(timestamp=None, name=step.name))
        elif isinstance(step, BotStep):
            return StoryResult(story.name, story.source, tuple(run.steps),
                               "end-to-end 'bot:' steps are not supported in test stories; "
                               "name the response with '- action: utter_...'")
        elif isinstance(step, CheckpointStep | OrStep):
            return StoryResult(story.name, story.source, tuple(run.steps),
                               "test stories are single conversations: remove checkpoints and "
                               "'or' steps (write one test story per path)")
    return StoryResult(story.name, story.source, tuple(run.steps))


def run_test_stories(
    data: StoryData,
    domain: Domain,
    predictor: Predictor,
    parse: Parser | None,
    progress: Callable[[str], None] = lambda message: None,
) -> list[StoryResult]:
    results = []
    for index, story in enumerate(data.stories, start=1):
        progress(f"[{index}/{len(data.stories)}] {story.name}")
        results.append(run_story(story, domain, predictor, parse))
    return results


def failure_report(result: StoryResult, data: StoryData) -> str:
    """A failed story as a readable diff: the story's lines, with `- expected` / `+ predicted`
    under each line whose prediction differed."""
    where = "" if result.source is None else f" ({result.source.file}:{result.source.line})"
    lines = [f"FAILED story '{result.name}'{where}"]
    if result.error:
        lines.append(f"  error: {result.error}")
    for step in result.steps:
        written = data.source_line(step.source)
        shown = written.strip() if written else f"{step.kind}: {step.expected}"
        if step.failed:
            line_no = "" if step.source is None else f"line {step.source.line}: "
            lines.append(f"  {line_no}{shown}")
            lines.append(f"    - expected {step.kind}: {step.expected}")
            policy = f"   ({step.policy}, {step.confidence})" if step.policy else ""
            lines.append(f"    + predicted {step.kind}: {step.predicted}{policy}")
    return "\n".join(lines)
