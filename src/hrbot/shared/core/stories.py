"""Rasa 3.x stories, rules and test stories, read as written (before any augmentation).

    stories:                            rules:
    - story: 请年假                      - rule: 打招呼
      steps:                              conversation_start: true
      - intent: request_leave             condition:
        entities:                         - active_loop: null
        - leave_type: 年假                steps:
      - action: leave_form                - intent: greet
      - active_loop: leave_form           - action: utter_greet
      - slot_was_set:                     wait_for_user_input: true
        - leave_type: 年假
      - checkpoint: leave_asked

Test stories (`tests/test_*.yml`) use the same format, with the user's message written out
and its entities annotated inline: `- user: 我想请[3天](duration)[年假](leave_type)` plus
`intent: request_leave`.

`read_stories` reads files and folders and raises one `InvalidProjectError` carrying every
problem found, each with file:line, the offending line and how to fix it.
`check_against_domain` lists the names used in stories and rules that the domain lacks.

The step and story types live in `story_types`, the reading of one document in `story_reader`,
the domain check in `story_check`; this module reads whole projects. Import from here: every
story name is re-exported.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from hrbot.shared.core.story_check import (
    DEFAULT_ACTIONS,
    DEFAULT_LOOPS,
    DEFAULT_SLOTS,
    check_against_domain,
)
from hrbot.shared.core.story_reader import is_story_document, read_story_sections
from hrbot.shared.core.story_types import (
    ANY_VALUE,
    ActionStep,
    ActiveLoopStep,
    AnyValue,
    BotStep,
    CheckpointStep,
    OrStep,
    Rule,
    SlotWasSetStep,
    Step,
    Story,
    StoryData,
    StoryEntity,
    UserStep,
    _problem_at,
)
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.rasa_yaml import find_data_files
from hrbot.shared.problems import Problem
from hrbot.shared.yaml_reader import read_yaml_file


def read_stories(paths: Iterable[Path | str], *, test: bool = False) -> StoryData:
    """Read the stories and rules in these files and folders (YAML files with `stories:`
    and/or `rules:`; other sections such as `nlu:` are left to their readers).

    Raises `InvalidProjectError` with every problem of every file. `test=True` marks the
    result as test stories (see `read_test_stories`)."""
    problems: list[Problem] = []
    stories: list[Story] = []
    rules: list[Rule] = []
    lines: dict[str, tuple[str, ...]] = {}
    for file in find_data_files(paths):
        try:
            document = read_yaml_file(file)
        except InvalidProjectError as error:
            problems.extend(error.problems)
            continue
        if not is_story_document(document):
            continue
        lines[document.path] = document.lines
        file_stories, file_rules, file_problems = read_story_sections(document)
        stories.extend(file_stories)
        rules.extend(file_rules)
        problems.extend(file_problems)
    data = StoryData(tuple(stories), tuple(rules), test, lines)
    problems.extend(_duplicate_names(data, "story", data.stories))
    problems.extend(_duplicate_names(data, "rule", data.rules))
    problems.extend(_unreachable_checkpoints(data))
    if problems:
        raise InvalidProjectError(problems)
    return data


def read_test_stories(paths: Iterable[Path | str]) -> StoryData:
    """Read test stories (`tests/test_*.yml`): the same format, where user steps usually
    carry the message (`user:` with inline `[text](entity)` annotations) and its `intent:`.
    In a folder, as in Rasa, only files named `test_*` count; a subfolder that is a project of
    its own (with a domain.yml or config.yml) keeps its test stories to itself."""
    return read_stories([*_test_story_files(paths)], test=True)


def _test_story_files(paths: Iterable[Path | str]) -> Iterable[Path]:
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            yield path
            continue
        for file in find_data_files([path]):
            if file.name.startswith("test_") and not _inside_another_project(file, path):
                yield file


def _inside_another_project(file: Path, root: Path) -> bool:
    folder = file.parent
    while folder != root and root in folder.parents:
        if (folder / "domain.yml").exists() or (folder / "config.yml").exists():
            return True
        folder = folder.parent
    return False


def _duplicate_names(data: StoryData, what: str, items: Iterable[Story | Rule]) -> list[Problem]:
    first: dict[str, Story | Rule] = {}
    problems: list[Problem] = []
    for item in items:
        earlier = first.setdefault(item.name, item)
        if earlier is not item:
            problems.append(_problem_at(
                data, item.source,
                f"{what} '{item.name}' is defined twice: here and at {earlier.source}",
                f"give each {what} its own name",
            ))
    return problems


def _unreachable_checkpoints(data: StoryData) -> list[Problem]:
    """A story that starts at a checkpoint no story reaches can never be used."""
    produced: set[str] = set()
    starts: list[tuple[Story, CheckpointStep]] = []
    for story in data.stories:
        leading = True
        for step in story.steps:
            if isinstance(step, CheckpointStep):
                if leading:
                    starts.append((story, step))
                else:
                    produced.add(step.name)
            else:
                leading = False
    problems: list[Problem] = []
    for story, step in starts:
        if step.name not in produced:
            close = difflib.get_close_matches(step.name, sorted(produced), n=1)
            hint = (f"did you mean '{close[0]}'?" if close else
                    f"end the story that leads here with '- checkpoint: {step.name}', "
                    "or remove the checkpoint")
            problems.append(_problem_at(
                data, step.source,
                f"story '{story.name}' starts at checkpoint '{step.name}', which no story reaches",
                hint,
            ))
    return problems


__all__ = [
    "ANY_VALUE",
    "DEFAULT_ACTIONS",
    "DEFAULT_LOOPS",
    "DEFAULT_SLOTS",
    "ActionStep",
    "ActiveLoopStep",
    "AnyValue",
    "BotStep",
    "CheckpointStep",
    "OrStep",
    "Rule",
    "SlotWasSetStep",
    "Step",
    "Story",
    "StoryData",
    "StoryEntity",
    "UserStep",
    "check_against_domain",
    "is_story_document",
    "read_stories",
    "read_story_sections",
    "read_test_stories",
]
