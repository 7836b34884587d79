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
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrbot.shared.core.domain import DEFAULT_ACTION_NAMES
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.annotations import parse_annotated_text
from hrbot.shared.nlu.rasa_yaml import find_data_files
from hrbot.shared.nlu.training_data import SourceRef
from hrbot.shared.problems import Location, Problem
from hrbot.shared.yaml_reader import (
    LocatedDict,
    YamlDocument,
    block_start_line,
    line_of,
    read_yaml_file,
)


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


# ----------------------------------------------------------------------------- reading steps

_KINDS = ("intent", "user", "action", "bot", "slot_was_set", "active_loop", "checkpoint", "or")
_EXTRA_KEYS = ("entities", "metadata")
_ALLOWED_IN = {
    "story": ("user", "action", "bot", "slot_was_set", "active_loop", "checkpoint", "or"),
    "rule": ("user", "action", "slot_was_set", "active_loop", "or"),
    "condition": ("slot_was_set", "active_loop"),
    "or": ("user", "slot_was_set"),
}
_SHOWN = {"user": "intent", "slot_was_set": "slot_was_set"}
_STORY_KEYS = ("story", "steps", "metadata")
_RULE_KEYS = ("rule", "steps", "condition", "conversation_start", "wait_for_user_input", "metadata")


def _allowed_keys(context: str) -> str:
    keys: list[str] = []
    for kind in _ALLOWED_IN[context]:
        keys.extend(["intent", "user", "entities"] if kind == "user" else [kind])
    return ", ".join(keys)


@dataclass
class _Reader:
    document: YamlDocument
    problems: list[Problem] = field(default_factory=list)

    def ref(self, line: int) -> SourceRef:
        return SourceRef(self.document.path, line)

    def add(self, line: int, message: str, hint: str | None = None) -> None:
        self.problems.append(self.document.problem(line, message, hint))

    def steps(self, raw: Any, line: int, context: str) -> list[Step]:
        if not isinstance(raw, list):
            self.add(line, f"'{'condition' if context == 'condition' else 'steps'}' must be a list "
                     "of steps", "start each step with '- ', e.g. '- intent: greet'")
            return []
        steps: list[Step] = []
        for index, item in enumerate(raw):
            step = self.step(item, line_of(raw, index, line), context)
            if step is not None:
                steps.append(step)
        return steps

    def step(self, item: Any, line: int, context: str) -> Step | None:
        allowed = _allowed_keys(context)
        if not isinstance(item, LocatedDict):
            self.add(line, "a step must be a mapping such as '- intent: greet' or '- action: utter_greet'",
                     f"allowed keys here: {allowed}")
            return None
        kinds = [key for key in _KINDS if key in item]
        if "checkpoint" in kinds and "slot_was_set" in kinds:
            kinds.remove("slot_was_set")
        if "intent" in kinds and "user" in kinds:
            kinds.remove("user")
        unknown = [key for key in item if key not in _KINDS and key not in _EXTRA_KEYS]
        if not kinds:
            found = ", ".join(f"'{key}'" for key in item) or "nothing"
            self.add(line, f"step has no known key (found {found})", f"use one of: {allowed}")
            return None
        for key in unknown:
            self.add(line_of(item, key, line), f"unknown key '{key}' in a step",
                     f"allowed keys here: {allowed}")
        if len(kinds) > 1:
            self.add(line, f"step has both '{kinds[0]}' and '{kinds[1]}'; a step does one thing",
                     f"split it into separate steps, e.g. '- {kinds[0]}: ...' then '- {kinds[1]}: ...'")
            return None
        kind = "user" if kinds[0] in ("intent", "user") else kinds[0]
        if kind not in _ALLOWED_IN[context]:
            where = {"story": "stories", "rule": "rules", "condition": "a rule's condition",
                     "or": "an 'or'"}[context]
            self.add(line, f"'{_SHOWN.get(kind, kind)}' steps are not allowed in {where}",
                     f"allowed keys here: {allowed}")
            return None
        if "entities" in item and kind != "user":
            self.add(line_of(item, "entities", line), "'entities' belongs to a user step",
                     "put 'entities:' under the '- intent: ...' step it belongs to")
        readers: dict[str, Callable[[LocatedDict, int], Step | None]] = {
            "user": self._user, "action": self._action, "bot": self._bot,
            "slot_was_set": self._slot_was_set, "active_loop": self._active_loop,
            "checkpoint": self._checkpoint, "or": self._or,
        }
        return readers[kind](item, line)

    def _name(self, item: LocatedDict, key: str, line: int, what: str) -> str | None:
        value = item[key]
        if not isinstance(value, str) or not value.strip():
            self.add(line_of(item, key, line), f"{what} must be a non-empty name, not {value!r}",
                     f"write '- {key}: name'")
            return None
        return value.strip()

    def _user(self, item: LocatedDict, line: int) -> UserStep | None:
        intent: str | None = None
        ok = True
        if "intent" in item:
            intent = self._name(item, "intent", line, "intent")
            ok = intent is not None
            if intent is not None and intent.startswith("/"):
                intent = intent[1:]
        if "user" not in item:
            entities = self._entities(item, line)
            return UserStep(intent, entities, None, self.ref(line)) if ok and entities is not None else None
        raw = item["user"]
        text_line = block_start_line(item, "user")
        if not isinstance(raw, str) or not raw.strip():
            self.add(text_line, f"'user' must be the user's message, not {raw!r}",
                     "write '- user: 我想请[3天](duration)[年假](leave_type)'")
            return None
        if "entities" in item:
            self.add(line_of(item, "entities", line), "'entities' cannot be combined with 'user' text",
                     "annotate the entities in the text instead: [年假](leave_type)")
            ok = False
        parsed = parse_annotated_text(raw.strip())
        for error in parsed.errors:
            self.add(text_line, error)
        if parsed.errors or not ok:
            return None
        entities = tuple(
            StoryEntity(a.entity, a.value, a.role, a.group, a.start, a.end) for a in parsed.entities
        )
        return UserStep(intent, entities, parsed.text, self.ref(line))

    def _entities(self, item: LocatedDict, line: int) -> tuple[StoryEntity, ...] | None:
        raw = item.get("entities")
        if raw is None:
            return ()
        at = line_of(item, "entities", line)
        hint = "write entities as a list: '- leave_type: 年假' (name and value) or '- leave_type' (name)"
        if not isinstance(raw, list):
            self.add(at, "'entities' must be a list", hint)
            return None
        entities: list[StoryEntity] = []
        ok = True
        for index, entry in enumerate(raw):
            entry_line = line_of(raw, index, at)
            if isinstance(entry, str) and entry.strip():
                entities.append(StoryEntity(entry.strip()))
                continue
            if isinstance(entry, dict):
                names = [key for key in entry if key not in ("role", "group")]
                extras = {key: entry[key] for key in ("role", "group") if key in entry}
                bad_extra = [key for key, value in extras.items() if not isinstance(value, str)]
                if len(names) == 1 and isinstance(names[0], str) and not bad_extra:
                    entities.append(StoryEntity(names[0], entry[names[0]], extras.get("role"),
                                                extras.get("group")))
                    continue
                if bad_extra:
                    self.add(entry_line, f"entity {bad_extra[0]} must be a name", hint)
                else:
                    self.add(entry_line, f"an entity item must name exactly one entity, found {len(names)}",
                             hint + "; one entity per '- ' item (plus optional role/group)")
            else:
                self.add(entry_line, f"entity {entry!r} is not a name or a 'name: value' pair", hint)
            ok = False
        return tuple(entities) if ok else None

    def _slots(
        self, item: LocatedDict, line: int, *, names_only_ok: bool
    ) -> tuple[tuple[str, Any], ...] | None:
        raw = item["slot_was_set"]
        at = line_of(item, "slot_was_set", line)
        hint = "write a list of slots: '- leave_type: 年假' (name and value)"
        if names_only_ok:
            hint += " or '- leave_type' (set to any value)"
        if not isinstance(raw, list) or not raw:
            self.add(at, "'slot_was_set' must be a non-empty list", hint)
            return None
        slots: list[tuple[str, Any]] = []
        ok = True
        for index, entry in enumerate(raw):
            entry_line = line_of(raw, index, at)
            if isinstance(entry, str) and entry.strip() and names_only_ok:
                slots.append((entry.strip(), ANY_VALUE))
            elif isinstance(entry, dict) and entry and all(isinstance(key, str) for key in entry):
                slots.extend(entry.items())
            else:
                self.add(entry_line, f"slot {entry!r} is not a 'name: value' pair", hint)
                ok = False
        return tuple(slots) if ok else None

    def _slot_was_set(self, item: LocatedDict, line: int) -> SlotWasSetStep | None:
        slots = self._slots(item, line, names_only_ok=True)
        return None if slots is None else SlotWasSetStep(slots, self.ref(line))

    def _action(self, item: LocatedDict, line: int) -> ActionStep | None:
        name = self._name(item, "action", line, "action")
        return None if name is None else ActionStep(name, self.ref(line))

    def _bot(self, item: LocatedDict, line: int) -> BotStep | None:
        text = item["bot"]
        if not isinstance(text, str) or not text.strip():
            self.add(line, f"'bot' must be the bot's message, not {text!r}", "write '- bot: 好的'")
            return None
        return BotStep(text.strip(), self.ref(line))

    def _active_loop(self, item: LocatedDict, line: int) -> ActiveLoopStep | None:
        name = item["active_loop"]
        if name is None:
            return ActiveLoopStep(None, self.ref(line))
        name = self._name(item, "active_loop", line, "active_loop")
        return None if name is None else ActiveLoopStep(name, self.ref(line))

    def _checkpoint(self, item: LocatedDict, line: int) -> CheckpointStep | None:
        name = self._name(item, "checkpoint", line, "checkpoint")
        slots: tuple[tuple[str, Any], ...] | None = ()
        if "slot_was_set" in item:
            slots = self._slots(item, line, names_only_ok=False)
        if name is None or slots is None:
            return None
        return CheckpointStep(name, slots, self.ref(line))

    def _or(self, item: LocatedDict, line: int) -> OrStep | None:
        raw = item["or"]
        at = line_of(item, "or", line)
        hint = "list two or more alternatives under 'or:', e.g. '- intent: affirm' and '- intent: thanks'"
        if not isinstance(raw, list) or len(raw) < 2:
            count = len(raw) if isinstance(raw, list) else 0
            self.add(at, f"'or' needs at least two alternatives, found {count}",
                     hint + "; with one alternative write the step without 'or'")
            return None
        alternatives = self.steps(raw, at, "or")
        if len(alternatives) != len(raw):
            return None
        return OrStep(
            tuple(a for a in alternatives if isinstance(a, (UserStep, SlotWasSetStep))), self.ref(line)
        )

    # ------------------------------------------------------------------------- items

    def _item_name(self, item: LocatedDict, key: str, line: int) -> str | None:
        name = item.get(key)
        if not isinstance(name, str) or not name.strip():
            self.add(line, f"{key} has no name", f"write '- {key}: a descriptive name'")
            return None
        return name.strip()

    def _unknown_item_keys(self, item: LocatedDict, allowed: tuple[str, ...], what: str) -> None:
        for key in item:
            if key not in allowed:
                self.add(line_of(item, key, item.line), f"unknown key '{key}' in a {what}",
                         f"allowed keys are {', '.join(allowed)}")

    def story(self, item: LocatedDict, line: int) -> Story | None:
        self._unknown_item_keys(item, _STORY_KEYS, "story")
        name = self._item_name(item, "story", line)
        label = f"story '{name}'" if name else "story"
        raw = item.get("steps")
        if raw is None or raw == []:
            self.add(line, f"{label} has no steps", "add steps under 'steps:', or remove the story")
            return None
        steps = self.steps(raw, line_of(item, "steps", line), "story")
        if name is None:
            return None
        return Story(name, tuple(steps), self.ref(line))

    def rule(self, item: LocatedDict, line: int) -> Rule | None:
        self._unknown_item_keys(item, _RULE_KEYS, "rule")
        name = self._item_name(item, "rule", line)
        label = f"rule '{name}'" if name else "rule"
        flags: dict[str, bool] = {}
        for key, default in (("conversation_start", False), ("wait_for_user_input", True)):
            value = item.get(key, default)
            if not isinstance(value, bool):
                self.add(line_of(item, key, line), f"'{key}' must be true or false, not {value!r}",
                         f"write '{key}: {str(not default).lower()}'")
                value = default
            flags[key] = value
        condition: list[Step] = []
        if item.get("condition") is not None:
            condition = self.steps(item["condition"], line_of(item, "condition", line), "condition")
        raw = item.get("steps")
        if raw is None or raw == []:
            what = "no 'steps:'" if "steps" not in item else "no steps"
            self.add(line, f"{label} has {what}",
                     "add 'steps:' with what the user does and what the bot answers")
            return None
        steps = self.steps(raw, line_of(item, "steps", line), "rule")
        if name is None:
            return None
        return Rule(
            name,
            tuple(s for s in condition if isinstance(s, (SlotWasSetStep, ActiveLoopStep))),
            tuple(steps),
            flags["conversation_start"],
            flags["wait_for_user_input"],
            self.ref(line),
        )

    def section(self, key: str) -> list[Any]:
        root = self.document.data
        raw = root.get(key)
        if raw is None:
            return []
        at = line_of(root, key)
        title = "rule" if key == "rules" else "story"
        if not isinstance(raw, list):
            self.add(at, f"'{key}' must be a list", f"start each item with '- {title}: a name'")
            return []
        found: list[Any] = []
        for index, item in enumerate(raw):
            item_line = line_of(raw, index, at)
            if not isinstance(item, LocatedDict) or title not in item:
                self.add(item_line, f"every item under '{key}' must start with '{title}:'",
                         f"write '- {title}: a name' followed by 'steps:'")
                continue
            found.append(self.rule(item, item_line) if title == "rule" else self.story(item, item_line))
        return [value for value in found if value is not None]


def is_story_document(document: YamlDocument) -> bool:
    return isinstance(document.data, dict) and ("stories" in document.data or "rules" in document.data)


def read_story_sections(document: YamlDocument) -> tuple[list[Story], list[Rule], list[Problem]]:
    """Read the `stories:` and `rules:` of one document, with every problem found in it."""
    if not is_story_document(document):
        return [], [], []
    reader = _Reader(document)
    stories = [s for s in reader.section("stories") if isinstance(s, Story)]
    rules = [r for r in reader.section("rules") if isinstance(r, Rule)]
    return stories, rules, reader.problems


# ----------------------------------------------------------------------------- whole project


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
    carry the message (`user:` with inline `[text](entity)` annotations) and its `intent:`."""
    return read_stories(paths, test=True)


def _problem_at(data: StoryData, source: SourceRef | None, message: str, hint: str) -> Problem:
    location = None if source is None else Location(source.file, source.line)
    return Problem(message, location, data.source_line(source), hint)


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


# ----------------------------------------------------------------------------- domain check

DEFAULT_ACTIONS = frozenset(DEFAULT_ACTION_NAMES)
DEFAULT_SLOTS = frozenset({"requested_slot", "session_started_metadata"})
DEFAULT_LOOPS = frozenset({"action_two_stage_fallback"})


def check_against_domain(
    story_data: StoryData,
    intents: Iterable[str],
    entities: Iterable[str],
    actions: Iterable[str],
    slots: Iterable[str],
    forms: Iterable[str],
    *,
    responses: Iterable[str] = (),
) -> list[Problem]:
    """Intents, entities, actions, responses, slots and forms used in stories and rules that
    the domain does not declare. Forms count as actions; Rasa's default actions and slots
    are always known. Names a user step carries only in its text are not checked."""
    known = {
        "intent": frozenset(intents),
        "entity": frozenset(entities),
        "action": frozenset(actions) | frozenset(forms) | frozenset(responses) | DEFAULT_ACTIONS,
        "slot": frozenset(slots) | DEFAULT_SLOTS,
        "form": frozenset(forms) | DEFAULT_LOOPS,
    }
    fixes = {
        "intent": "add it under 'intents:' in domain.yml (and give it NLU examples), or fix the name",
        "entity": "add it under 'entities:' in domain.yml, or fix the name",
        "action": "list it under 'actions:' in domain.yml and implement it in the action server, "
                  "or fix the name",
        "response": "add it under 'responses:' in domain.yml, or fix the name",
        "slot": "add it under 'slots:' in domain.yml, or fix the name",
        "form": "add it under 'forms:' in domain.yml, or fix the name",
    }
    problems: list[Problem] = []

    def check(kind: str, name: str, source: SourceRef | None, pool: str | None = None) -> None:
        names = known[pool or kind]
        if name in names:
            return
        close = difflib.get_close_matches(name, sorted(names), n=1)
        hint = f"did you mean '{close[0]}'? otherwise {fixes[kind]}" if close else fixes[kind]
        where = f" in {source}" if source else ""
        message = (f"response '{name}'{where} has no response in the domain" if kind == "response"
                   else f"{kind} '{name}'{where} is not in the domain")
        problems.append(_problem_at(story_data, source, message, hint))

    for _, step in story_data.all_steps():
        if isinstance(step, UserStep):
            # a retrieval intent `faq/language` is declared as `faq`
            if step.intent is not None and step.intent.split("/")[0] not in known["intent"]:
                check("intent", step.intent, step.source)
            for entity in step.entities:
                check("entity", entity.entity, step.source)
        elif isinstance(step, ActionStep):
            kind = "response" if step.name.startswith("utter_") else "action"
            check(kind, step.name, step.source, "action")
        elif isinstance(step, (SlotWasSetStep, CheckpointStep)):
            for slot, _ in step.slots:
                check("slot", slot, step.source)
        elif isinstance(step, ActiveLoopStep) and step.name is not None:
            check("form", step.name, step.source)
    return problems


__all__ = [
    "ANY_VALUE",
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
