"""Stories, rules and test stories as data: the step types, `Story`, `Rule` and `StoryData`,
as written in the files (before any augmentation).

Reading them is `story_reader` (one document) and `stories.read_stories` (files and folders);
checking them against a domain is `story_check`. Import everything from
`hrbot.shared.core.stories`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hrbot.shared.nlu.training_data import SourceRef
from hrbot.shared.problems import Location, Problem


class AnyValue(enum.Enum):
    """A slot written by name only (`- slot_was_set: [leave_type]`): set, to any value."""

    ANY_VALUE = "any value"

    def __repr__(self) -> str:
        return "ANY_VALUE"


ANY_VALUE = AnyValue.ANY_VALUE


@dataclass(frozen=True)
class StoryEntity:
    """An entity of a user step. `value` is None when only the name was written;
    `start`/`end` are set when it was annotated in the user's text."""

    entity: str
    value: Any = None
    role: str | None = None
    group: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class UserStep:
    """`- intent: name` (with `entities:`), or `- user: text` (end-to-end / test stories)."""

    intent: str | None
    entities: tuple[StoryEntity, ...] = ()
    text: str | None = None
    source: SourceRef | None = None


@dataclass(frozen=True)
class ActionStep:
    name: str
    source: SourceRef | None = None


@dataclass(frozen=True)
class BotStep:
    """`- bot: text`: what the bot says, end to end (no response name)."""

    text: str
    source: SourceRef | None = None


@dataclass(frozen=True)
class SlotWasSetStep:
    """`- slot_was_set:`; a value is `ANY_VALUE` when only the slot's name was written."""

    slots: tuple[tuple[str, Any], ...]
    source: SourceRef | None = None


@dataclass(frozen=True)
class ActiveLoopStep:
    """`- active_loop: form_name`, or `- active_loop: null` when the loop ends."""

    name: str | None
    source: SourceRef | None = None


@dataclass(frozen=True)
class CheckpointStep:
    name: str
    slots: tuple[tuple[str, Any], ...] = ()
    source: SourceRef | None = None


@dataclass(frozen=True)
class OrStep:
    """`- or:` two or more user steps (or slot_was_set steps), any of which continues the story."""

    alternatives: tuple[UserStep | SlotWasSetStep, ...]
    source: SourceRef | None = None


Step = UserStep | ActionStep | BotStep | SlotWasSetStep | ActiveLoopStep | CheckpointStep | OrStep


@dataclass(frozen=True)
class Story:
    name: str
    steps: tuple[Step, ...]
    source: SourceRef | None = None
    is_rule: bool = False


@dataclass(frozen=True)
class Rule:
    name: str
    condition: tuple[SlotWasSetStep | ActiveLoopStep, ...]
    steps: tuple[Step, ...]
    conversation_start: bool = False
    wait_for_user_input: bool = True
    source: SourceRef | None = None

    @property
    def is_rule(self) -> bool:
        return True


@dataclass(frozen=True)
class StoryData:
    """Everything read from story and rule files; `is_test` for test stories."""

    stories: tuple[Story, ...] = ()
    rules: tuple[Rule, ...] = ()
    is_test: bool = False
    source_lines: Mapping[str, tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def source_line(self, source: SourceRef | None) -> str | None:
        if source is None:
            return None
        lines = self.source_lines.get(source.file, ())
        return lines[source.line - 1] if 1 <= source.line <= len(lines) else None

    def all_steps(self) -> Iterator[tuple[Story | Rule, Step]]:
        """Every step of every story and rule (conditions and `or` alternatives included)."""
        for story in self.stories:
            yield from _flatten(story, story.steps)
        for rule in self.rules:
            yield from _flatten(rule, rule.condition)
            yield from _flatten(rule, rule.steps)


def _flatten(owner: Story | Rule, steps: Iterable[Step]) -> Iterator[tuple[Story | Rule, Step]]:
    for step in steps:
        yield owner, step
        if isinstance(step, OrStep):
            for alternative in step.alternatives:
                yield owner, alternative


def _problem_at(data: StoryData, source: SourceRef | None, message: str, hint: str) -> Problem:
    """A problem at `source`, quoting its line (used by the project reader and the domain check)."""
    location = None if source is None else Location(source.file, source.line)
    return Problem(message, location, data.source_line(source), hint)
