"""Reading one domain file: every section checked and turned into domain types (`_Part`),
with every problem found and the names it uses that must be declared somewhere (`_Reference`,
checked by `domain.load_domain` once all files are merged).

Where Rasa is lenient (intents and entities as plain names or as `{name: {...}}` mappings,
actions as names or `{name: {send_domain: true}}`) so is this reader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hrbot.shared.core.domain_types import (
    DEFAULT_SESSION_EXPIRATION_MINUTES,
    MAPPING_TYPES,
    SLOT_TYPES,
    Button,
    Entity,
    Form,
    Intent,
    MappingCondition,
    ResponseCondition,
    ResponseVariation,
    SessionConfig,
    Slot,
    SlotMapping,
)
from hrbot.shared.problems import Location, Problem
from hrbot.shared.yaml_reader import LocatedDict, LocatedList, YamlDocument, line_of

DOMAIN_KEYS = (
    "version", "config", "session_config", "intents", "entities", "slots", "responses",
    "actions", "forms", "e2e_actions",
)
_INTENT_KEYS = ("use_entities", "ignore_entities", "is_retrieval_intent")
_ENTITY_KEYS = ("roles", "groups", "influence_conversation")
_SLOT_KEYS = ("type", "values", "min_value", "max_value", "initial_value", "influence_conversation",
              "mappings")
_MAPPING_KEYS = ("type", "entity", "role", "group", "intent", "not_intent", "value", "action",
                 "conditions")
_CONTENT_KEYS = ("text", "image", "custom", "buttons", "attachment", "quick_replies", "elements")
_FORM_KEYS = ("required_slots", "ignored_intents")


def _plain(value: Any) -> Any:
    """Located containers turned into plain dicts and lists (recursively)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _at(container: Any, key: str, default: int) -> int:
    """The line of `key` if the mapping has it, else `default` (e.g. the line of its owner)."""
    if isinstance(container, LocatedDict) and key in container:
        return container.line_of(key)
    return default


@dataclass
class _Reference:
    """A name used somewhere that must be declared elsewhere (checked after merging)."""

    kind: str  # "entity" or "slot"
    name: str
    problem: Problem


@dataclass
class _Part:
    """What one file declares, in file order."""

    version: str | None = None
    config: tuple[bool, Location] | None = None
    session: tuple[SessionConfig, Location] | None = None
    intents: list[Intent] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    responses: list[tuple[str, tuple[ResponseVariation, ...], Location]] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    actions: list[tuple[str, bool]] = field(default_factory=list)
    e2e_actions: list[str] = field(default_factory=list)


class _FileReader:
    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.problems: list[Problem] = []
        self.references: list[_Reference] = []
        self.part = _Part()

    # helpers -------------------------------------------------------------
    def where(self, line: int) -> Location:
        return Location(self.document.path, line or None)

    def report(self, line: int, message: str, hint: str | None = None) -> None:
        self.problems.append(self.document.problem(line, message, hint))

    def refer(self, kind: str, name: str, line: int, message: str, hint: str) -> None:
        self.references.append(_Reference(kind, name, self.document.problem(line, message, hint)))

    def names(self, value: Any, line: int, what: str) -> tuple[str, ...]:
        """A string or a list of strings (Rasa accepts both for intents, ignored_intents...)."""
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(
            isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in value
        ):
            return tuple(str(item) for item in value)
        self.report(line, f"{what} must be a name or a list of names", f"write '{what}: [name1, name2]'")
        return ()

    def check_keys(self, mapping: dict[Any, Any], allowed: tuple[str, ...], what: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.report(line_of(mapping, key), f"unknown key '{key}' in {what}",
                            f"allowed keys are {', '.join(allowed)}")

    def section(self, root: LocatedDict, key: str, kind: type) -> Any:
        value = root.get(key)
        if value is None:
            return None
        if not isinstance(value, kind):
            shape = "a list" if kind is list else "a mapping"
            example = "'- name' items" if kind is list else "'name:' keys"
            self.report(line_of(root, key), f"'{key}' must be {shape}", f"write {example} under '{key}:'")
            return None
        return value

    # sections ------------------------------------------------------------
    def read(self) -> _Part:
        root = self.document.data
        if root is None:
            return self.part
        if not isinstance(root, LocatedDict):
            self.report(1, "a domain file must be a mapping of sections", "start with 'version: \"3.1\"'")
            return self.part
        for key in root:
            if key not in DOMAIN_KEYS:
                self.report(line_of(root, key), f"unknown top-level key '{key}' in the domain",
                            f"allowed keys are {', '.join(DOMAIN_KEYS)}; check the spelling or remove it")
        version = root.get("version")
        if version is not None:
            self.part.version = str(version)
        self.read_config(root)
        self.read_session_config(root)
        handlers: list[tuple[str, type, Callable[[Any], None]]] = [
            ("intents", list, self.read_intents),
            ("entities", list, self.read_entities),
            ("slots", dict, self.read_slots),
            ("responses", dict, self.read_responses),
            ("forms", dict, self.read_forms),
            ("actions", list, self.read_actions),
            ("e2e_actions", list, self.read_e2e_actions),
        ]
        for key, kind, handler in handlers:
            value = self.section(root, key, kind)
            if value is not None:
                handler(value)
        return self.part

    def read_config(self, root: LocatedDict) -> None:
        config = self.section(root, "config", dict)
        if config is None:
            return
        self.check_keys(config, ("store_entities_as_slots",), "config")
        store = config.get("store_entities_as_slots", True)
        if not isinstance(store, bool):
            self.report(line_of(config, "store_entities_as_slots"),
                        "store_entities_as_slots must be true or false")
            return
        self.part.config = (store, self.where(line_of(root, "config")))

    def read_session_config(self, root: LocatedDict) -> None:
        config = self.section(root, "session_config", dict)
        if config is None:
            return
        self.check_keys(config, ("session_expiration_time", "carry_over_slots_to_new_session"),
                        "session_config")
        minutes = config.get("session_expiration_time")
        if minutes is None:
            minutes = DEFAULT_SESSION_EXPIRATION_MINUTES
        carry = config.get("carry_over_slots_to_new_session", True)
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or minutes < 0:
            self.report(line_of(config, "session_expiration_time"),
                        "session_expiration_time must be a number of minutes (0 or more)",
                        "write e.g. 'session_expiration_time: 60'")
            return
        if not isinstance(carry, bool):
            self.report(line_of(config, "carry_over_slots_to_new_session"),
                        "carry_over_slots_to_new_session must be true or false")
            return
        self.part.session = (SessionConfig(minutes, carry), self.where(line_of(root, "session_config")))

    def named_items(self, items: LocatedList, what: str) -> list[tuple[str, Any, int]]:
        """(name, properties or None, line) of `- name` / `- name: {...}` list items."""
        found: list[tuple[str, Any, int]] = []
        for index, item in enumerate(items):
            line = line_of(items, index)
            if isinstance(item, str) and item.strip():
                found.append((item, None, line))
            elif isinstance(item, dict) and item and all(isinstance(key, str) for key in item):
                for name, properties in item.items():
                    if properties is not None and not isinstance(properties, dict):
                        self.report(line_of(item, name), f"properties of {what} '{name}' must be a mapping",
                                    f"write '- {name}' alone or '- {name}: {{...}}'")
                        properties = None
                    found.append((name, properties, line_of(item, name)))
            else:
                self.report(line, f"{what} must be a name or '- name: {{...}}'", f"write '- my_{what}'")
        return found

    def read_intents(self, items: LocatedList) -> None:
        seen: dict[str, int] = {}
        for name, properties, line in self.named_items(items, "intent"):
            if name in seen:
                self.report(line, f"intent '{name}' is listed twice (first at line {seen[name]})",
                            "remove one of the two entries")
                continue
            seen[name] = line
            props = properties or {}
            self.check_keys(props, _INTENT_KEYS, f"intent '{name}'")
            use = props.get("use_entities", True)
            use_entities: bool | tuple[str, ...] = (
                True if use is True else self.names(use or None, _at(props, "use_entities", line),
                                                    "use_entities")
            )
            ignore = self.names(props.get("ignore_entities"), _at(props, "ignore_entities", line),
                                "ignore_entities")
            retrieval = bool(props.get("is_retrieval_intent", False))
            self.part.intents.append(Intent(name, use_entities, ignore, retrieval, self.where(line)))

    def read_entities(self, items: LocatedList) -> None:
        for name, properties, line in self.named_items(items, "entity"):
            props = properties or {}
            self.check_keys(props, _ENTITY_KEYS, f"entity '{name}'")
            influence = props.get("influence_conversation", True)
            if not isinstance(influence, bool):
                self.report(_at(props, "influence_conversation", line),
                            "influence_conversation must be true or false")
                influence = True
            self.part.entities.append(Entity(
                name,
                self.names(props.get("roles"), _at(props, "roles", line), "roles"),
                self.names(props.get("groups"), _at(props, "groups", line), "groups"),
                influence,
                self.where(line),
            ))

    def read_slots(self, slots: LocatedDict) -> None:
        for name, spec in slots.items():
            line = line_of(slots, name)
            if not isinstance(spec, LocatedDict):
                self.report(line, f"slot '{name}' must be a mapping with a 'type'",
                            "write 'type: text' (and 'mappings:') under the slot name")
                continue
            slot = self.read_slot(str(name), spec, line)
            if slot is not None:
                self.part.slots.append(slot)

    def read_slot(self, name: str, spec: LocatedDict, line: int) -> Slot | None:
        self.check_keys(spec, _SLOT_KEYS, f"slot '{name}'")
        slot_type = spec.get("type")
        if slot_type is None:
            self.report(line, f"slot '{name}' has no type",
                        f"add 'type:' with one of {', '.join(SLOT_TYPES)}")
            return None
        if slot_type not in SLOT_TYPES:
            self.report(line_of(spec, "type"), f"slot '{name}' has unknown type '{slot_type}'",
                        f"use one of {', '.join(SLOT_TYPES)}")
            return None
        values: tuple[str, ...] = ()
        if slot_type == "categorical":
            raw_values = spec.get("values")
            if not isinstance(raw_values, list) or not raw_values:
                self.report(_at(spec, "values", line), f"categorical slot '{name}' has no values",
                            "list the allowed values under 'values:'")
                return None
            values = tuple(str(value) for value in raw_values)
        influence = spec.get("influence_conversation", slot_type != "any")
        if not isinstance(influence, bool):
            self.report(line_of(spec, "influence_conversation"),
                        "influence_conversation must be true or false")
            influence = slot_type != "any"
        if slot_type == "any" and influence:
            self.report(line_of(spec, "influence_conversation"),
                        f"slot '{name}' of type any cannot influence the conversation",
                        "set 'influence_conversation: false' or use another type")
        min_value, max_value = spec.get("min_value", 0.0), spec.get("max_value", 1.0)
        if slot_type == "float":
            numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool)
                          for v in (min_value, max_value))
            if not numbers or min_value >= max_value:
                self.report(_at(spec, "min_value", line), f"float slot '{name}' has an invalid range",
                            "give numbers with min_value < max_value")
                min_value, max_value = 0.0, 1.0
        mappings = self.read_mappings(name, spec, line)
        return Slot(name, slot_type, mappings, _plain(spec.get("initial_value")), influence, values,
                    min_value, max_value, self.where(line))

    def read_mappings(self, slot: str, spec: LocatedDict, line: int) -> tuple[SlotMapping, ...]:
        raw = spec.get("mappings")
        if raw is None:
            return ()
        if not isinstance(raw, LocatedList):
            self.report(line_of(spec, "mappings"), f"mappings of slot '{slot}' must be a list",
                        "write '- type: from_entity' items under 'mappings:'")
            return ()
        mappings: list[SlotMapping] = []
        for index, item in enumerate(raw):
            item_line = line_of(raw, index)
            if not isinstance(item, LocatedDict):
                self.report(item_line, "a slot mapping must be a mapping with a 'type'",
                            "write '- type: from_text'")
                continue
            mapping = self.read_mapping(slot, item, item_line)
            if mapping is not None:
                mappings.append(mapping)
        return tuple(mappings)

    def read_mapping(self, slot: str, item: LocatedDict, line: int) -> SlotMapping | None:
        self.check_keys(item, _MAPPING_KEYS, f"a mapping of slot '{slot}'")
        kind = item.get("type")
        if kind not in MAPPING_TYPES:
            self.report(_at(item, "type", line), f"slot '{slot}' has a mapping of unknown type '{kind}'",
                        f"use one of {', '.join(MAPPING_TYPES)}")
            return None
        entity = item.get("entity")
        if kind == "from_entity":
            if not isinstance(entity, str):
                self.report(line, f"from_entity mapping of slot '{slot}' names no entity",
                            "add 'entity: <entity name>'")
                return None
            self.refer("entity", entity, line_of(item, "entity"),
                       f"slot '{slot}' is filled from entity '{entity}', which the domain does not declare",
                       f"add '- {entity}' under 'entities:' or fix the name")
        if kind == "from_intent" and "value" not in item:
            self.report(line, f"from_intent mapping of slot '{slot}' has no value",
                        "add 'value: <value to set>'")
            return None
        conditions: list[MappingCondition] = []
        raw_conditions = item.get("conditions") or []
        if not isinstance(raw_conditions, list):
            self.report(line_of(item, "conditions"), "conditions must be a list",
                        "write '- active_loop: my_form' items under 'conditions:'")
            raw_conditions = []
        for index, condition in enumerate(raw_conditions):
            if not isinstance(condition, dict) or not set(condition) <= {"active_loop", "requested_slot"}:
                self.report(line_of(raw_conditions, index), "a mapping condition has only "
                            "'active_loop' and 'requested_slot'", "write '- active_loop: my_form'")
                continue
            requested = condition.get("requested_slot")
            if requested is not None:
                self.refer("slot", str(requested), line_of(condition, "requested_slot"),
                           f"mapping condition requests slot '{requested}', which is not declared",
                           f"add slot '{requested}' under 'slots:' or fix the name")
            conditions.append(MappingCondition(condition.get("active_loop"), requested))
        return SlotMapping(
            kind,
            entity if kind == "from_entity" else None,
            item.get("role"),
            item.get("group"),
            self.names(item.get("intent"), _at(item, "intent", line), "intent"),
            self.names(item.get("not_intent"), _at(item, "not_intent", line), "not_intent"),
            _plain(item.get("value")),
            item.get("action"),
            tuple(conditions),
            self.where(line),
        )

    def read_responses(self, responses: LocatedDict) -> None:
        for name, variations in responses.items():
            line = line_of(responses, name)
            if not isinstance(variations, LocatedList) or not variations:
                self.report(line, f"response '{name}' must be a list of variations",
                            "write '- text: ...' items under the response name")
                continue
            read: list[ResponseVariation] = []
            for index, variation in enumerate(variations):
                item_line = line_of(variations, index)
                if not isinstance(variation, LocatedDict):
                    self.report(item_line, f"a variation of response '{name}' must be a mapping",
                                "write '- text: ...'")
                    continue
                parsed = self.read_variation(str(name), variation, item_line)
                if parsed is not None:
                    read.append(parsed)
            self.part.responses.append((str(name), tuple(read), self.where(line)))

    def read_variation(self, name: str, item: LocatedDict, line: int) -> ResponseVariation | None:
        if not any(item.get(key) is not None for key in _CONTENT_KEYS):
            self.report(line, f"a variation of response '{name}' has nothing to send",
                        "give it 'text:', 'image:', 'custom:' or 'buttons:'")
            return None
        buttons: list[Button] = []
        raw_buttons = item.get("buttons") or []
        for index, button in enumerate(raw_buttons if isinstance(raw_buttons, list) else [None]):
            if not isinstance(button, dict) or not isinstance(button.get("title"), str):
                self.report(line_of(raw_buttons, index, line_of(item, "buttons")),
                            "a button needs a 'title'", "write '- title: ...' and 'payload: /intent'")
                continue
            payload = button.get("payload")
            buttons.append(Button(button["title"], None if payload is None else str(payload)))
        conditions: list[ResponseCondition] = []
        raw_conditions = item.get("condition") or []
        for index, condition in enumerate(raw_conditions if isinstance(raw_conditions, list) else [None]):
            cond_line = line_of(raw_conditions, index, line_of(item, "condition"))
            if not isinstance(condition, dict) or condition.get("type") != "slot" or "name" not in condition:
                self.report(cond_line, "a response condition must be '{type: slot, name: ..., value: ...}'",
                            "write '- type: slot' with 'name:' and 'value:'")
                continue
            slot = str(condition["name"])
            self.refer("slot", slot, _at(condition, "name", cond_line),
                       f"response '{name}' has a condition on slot '{slot}', which is not declared",
                       f"add slot '{slot}' under 'slots:' or fix the name")
            conditions.append(ResponseCondition(slot, _plain(condition.get("value")), "slot",
                                                self.where(cond_line)))
        known = {*_CONTENT_KEYS, "channel", "condition"}
        return ResponseVariation(
            text=None if item.get("text") is None else str(item["text"]),
            buttons=tuple(buttons),
            image=item.get("image"),
            custom=_plain(item.get("custom")),
            channel=item.get("channel"),
            condition=tuple(conditions),
            quick_replies=_plain(item.get("quick_replies")),
            attachment=_plain(item.get("attachment")),
            elements=_plain(item.get("elements")),
            extra={key: _plain(value) for key, value in item.items() if key not in known},
        )

    def read_forms(self, forms: LocatedDict) -> None:
        for name, spec in forms.items():
            line = line_of(forms, name)
            if spec is None:
                self.part.forms.append(Form(str(name), source=self.where(line)))
                continue
            if not isinstance(spec, LocatedDict):
                self.report(line, f"form '{name}' must be a mapping", "write 'required_slots:' under it")
                continue
            self.check_keys(spec, _FORM_KEYS, f"form '{name}'")
            required = spec.get("required_slots")
            if not isinstance(required, list) or not all(isinstance(slot, str) for slot in required):
                self.report(_at(spec, "required_slots", line),
                            f"required_slots of form '{name}' must be a list of slot names (Rasa 3 format)",
                            "list slot names ('- slot_name'); "
                            "move Rasa 2 mappings into the slots' 'mappings:'")
                continue
            for index, slot in enumerate(required):
                self.refer("slot", slot, line_of(required, index),
                           f"form '{name}' requires slot '{slot}', which the domain does not declare",
                           f"add slot '{slot}' under 'slots:' or remove it from the form")
            ignored = self.names(spec.get("ignored_intents"), _at(spec, "ignored_intents", line),
                                 "ignored_intents")
            self.part.forms.append(Form(str(name), tuple(required), ignored, self.where(line)))

    def read_actions(self, items: LocatedList) -> None:
        for name, properties, _line in self.named_items(items, "action"):
            self.part.actions.append((name, bool((properties or {}).get("send_domain", False))))

    def read_e2e_actions(self, items: LocatedList) -> None:
        for index, text in enumerate(items):
            if isinstance(text, str):
                self.part.e2e_actions.append(text)
            else:
                self.report(line_of(items, index), "e2e_actions must be a list of bot texts")
