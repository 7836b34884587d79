"""Reading the `stories:` and `rules:` sections of one YAML document into story types, with
every problem found, each with file:line, the offending line and how to fix it.

Steps are checked against what their place allows (a rule's condition holds only
`slot_was_set` and `active_loop`, an `or` only user and slot steps, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hrbot.shared.core.story_types import (
    ANY_VALUE,
    ActionStep,
    ActiveLoopStep,
    BotStep,
    CheckpointStep,
    OrStep,
    Rule,
    SlotWasSetStep,
    Step,
    Story,
    StoryEntity,
    UserStep,
)
from hrbot.shared.nlu.annotations import parse_annotated_text
from hrbot.shared.nlu.training_data import SourceRef
from hrbot.shared.problems import Problem
from hrbot.shared.yaml_reader import LocatedDict, YamlDocument, block_start_line, line_of

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
