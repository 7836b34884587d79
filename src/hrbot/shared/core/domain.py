"""The Rasa 3.x domain: intents, entities, slots, responses, forms, actions, session config.

`load_domain(path)` reads one `domain.yml` or a folder of domain files (merged), and raises
one `InvalidProjectError` carrying every problem found, each with file:line, the offending
line and how to fix it. Where Rasa is lenient (intents and entities as plain names or as
`{name: {...}}` mappings, actions as names or `{name: {send_domain: true}}`) so is this reader.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.problems import Location, Problem
from hrbot.shared.yaml_reader import LocatedDict, LocatedList, YamlDocument, line_of, read_yaml_file

YAML_SUFFIXES = (".yml", ".yaml")
SLOT_TYPES = ("text", "bool", "categorical", "float", "list", "any")
MAPPING_TYPES = ("from_entity", "from_text", "from_intent", "from_trigger_intent", "custom")
DEFAULT_ACTION_NAMES = (
    "action_listen",
    "action_restart",
    "action_session_start",
    "action_default_fallback",
    "action_deactivate_loop",
    "action_revert_fallback_events",
    "action_default_ask_affirmation",
    "action_default_ask_rephrase",
    "action_two_stage_fallback",
    "action_unlikely_intent",
    "action_back",
    "action_extract_slots",
    "action_human_handoff",  # hrbot: hand the conversation to a human HR agent
)
# intents every Rasa domain has, declared or not
DEFAULT_INTENT_NAMES = ("restart", "back", "out_of_scope", "session_start", "nlu_fallback")
DOMAIN_KEYS = (
    "version", "config", "session_config", "intents", "entities", "slots", "responses",
    "actions", "forms", "e2e_actions",
)
_OTHER_DATA_KEYS = ("nlu", "stories", "rules")
_INTENT_KEYS = ("use_entities", "ignore_entities", "is_retrieval_intent")
_ENTITY_KEYS = ("roles", "groups", "influence_conversation")
_SLOT_KEYS = ("type", "values", "min_value", "max_value", "initial_value", "influence_conversation",
              "mappings")
_MAPPING_KEYS = ("type", "entity", "role", "group", "intent", "not_intent", "value", "action",
                 "conditions")
_CONTENT_KEYS = ("text", "image", "custom", "buttons", "attachment", "quick_replies", "elements")
_FORM_KEYS = ("required_slots", "ignored_intents")
DEFAULT_SESSION_EXPIRATION_MINUTES = 60


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Intent:
    """An intent; `use_entities` is True (all entities) or the explicit tuple of names."""

    name: str
    use_entities: bool | tuple[str, ...] = True
    ignore_entities: tuple[str, ...] = ()
    is_retrieval_intent: bool = False
    source: Location | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> str | dict[str, Any]:
        if self.use_entities is True and not self.ignore_entities and not self.is_retrieval_intent:
            return self.name
        properties: dict[str, Any] = {
            "use_entities": (
                self.use_entities if isinstance(self.use_entities, bool) else list(self.use_entities)
            ),
            "ignore_entities": list(self.ignore_entities),
        }
        if self.is_retrieval_intent:
            properties["is_retrieval_intent"] = True
        return {self.name: properties}


@dataclass(frozen=True)
class Entity:
    name: str
    roles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    influence_conversation: bool = True
    source: Location | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> str | dict[str, Any]:
        properties: dict[str, Any] = {}
        if self.roles:
            properties["roles"] = list(self.roles)
        if self.groups:
            properties["groups"] = list(self.groups)
        if not self.influence_conversation:
            properties["influence_conversation"] = False
        return {self.name: properties} if properties else self.name


@dataclass(frozen=True)
class MappingCondition:
    """A slot mapping applies only while this loop is active (and this slot is requested)."""

    active_loop: str | None = None
    requested_slot: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"active_loop": self.active_loop}
        if self.requested_slot is not None:
            data["requested_slot"] = self.requested_slot
        return data


@dataclass(frozen=True)
class SlotMapping:
    """One way to fill a slot: `type` is one of MAPPING_TYPES; unused fields stay None/()."""

    type: str
    entity: str | None = None
    role: str | None = None
    group: str | None = None
    intent: tuple[str, ...] = ()
    not_intent: tuple[str, ...] = ()
    value: Any = None
    action: str | None = None
    conditions: tuple[MappingCondition, ...] = ()
    source: Location | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type}
        for key in ("entity", "role", "group", "action"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.type == "from_intent":
            data["value"] = self.value
        if self.intent:
            data["intent"] = list(self.intent)
        if self.not_intent:
            data["not_intent"] = list(self.not_intent)
        if self.conditions:
            data["conditions"] = [condition.to_dict() for condition in self.conditions]
        return data


@dataclass(frozen=True)
class Slot:
    name: str
    type: str
    mappings: tuple[SlotMapping, ...] = ()
    initial_value: Any = None
    influence_conversation: bool = True
    values: tuple[str, ...] = ()
    min_value: float = 0.0
    max_value: float = 1.0
    source: Location | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "initial_value": self.initial_value,
            "influence_conversation": self.influence_conversation,
            "mappings": [mapping.to_dict() for mapping in self.mappings],
        }
        if self.type == "categorical":
            data["values"] = list(self.values)
        if self.type == "float":
            data["min_value"] = self.min_value
            data["max_value"] = self.max_value
        return data


@dataclass(frozen=True)
class Button:
    title: str
    payload: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class ResponseCondition:
    """`{type: slot, name, value}`: the variation is used only when the slot has this value."""

    name: str
    value: Any
    type: str = "slot"
    source: Location | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "value": self.value}


@dataclass(frozen=True)
class ResponseVariation:
    """One variation of a response; `{slot}` templates in `text` are kept as written."""

    text: str | None = None
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    custom: Any = None
    channel: str | None = None
    condition: tuple[ResponseCondition, ...] = ()
    quick_replies: Any = None
    attachment: Any = None
    elements: Any = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key in ("text", "image", "custom", "channel", "quick_replies", "attachment", "elements"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.buttons:
            data["buttons"] = [button.to_dict() for button in self.buttons]
        if self.condition:
            data["condition"] = [condition.to_dict() for condition in self.condition]
        data.update(self.extra)
        return data


@dataclass(frozen=True)
class Form:
    name: str
    required_slots: tuple[str, ...] = ()
    ignored_intents: tuple[str, ...] = ()
    source: Location | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"required_slots": list(self.required_slots)}
        if self.ignored_intents:
            data["ignored_intents"] = list(self.ignored_intents)
        return data


@dataclass(frozen=True)
class SessionConfig:
    session_expiration_time: float = DEFAULT_SESSION_EXPIRATION_MINUTES  # minutes; 0 = no sessions
    carry_over_slots_to_new_session: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_expiration_time": self.session_expiration_time,
            "carry_over_slots_to_new_session": self.carry_over_slots_to_new_session,
        }


@dataclass(frozen=True)
class Domain:
    intents: tuple[Intent, ...] = ()
    entities: tuple[Entity, ...] = ()
    slots: tuple[Slot, ...] = ()
    responses: Mapping[str, tuple[ResponseVariation, ...]] = field(default_factory=dict)
    forms: tuple[Form, ...] = ()
    actions: tuple[str, ...] = ()
    session_config: SessionConfig = SessionConfig()
    store_entities_as_slots: bool = True
    e2e_actions: tuple[str, ...] = ()
    actions_that_send_domain: tuple[str, ...] = ()
    version: str | None = None

    @property
    def intent_names(self) -> tuple[str, ...]:
        return tuple(intent.name for intent in self.intents)

    @property
    def entity_names(self) -> tuple[str, ...]:
        return tuple(entity.name for entity in self.entities)

    @property
    def slot_names(self) -> tuple[str, ...]:
        return tuple(slot.name for slot in self.slots)

    @property
    def form_names(self) -> tuple[str, ...]:
        return tuple(form.name for form in self.forms)

    @property
    def action_names(self) -> tuple[str, ...]:
        """Default actions, then responses (utter_*), custom actions and forms, each once."""
        names = dict.fromkeys(DEFAULT_ACTION_NAMES)
        names.update(dict.fromkeys(self.responses))
        names.update(dict.fromkeys(self.actions))
        names.update(dict.fromkeys(self.form_names))
        return tuple(names)

    def slot(self, name: str) -> Slot | None:
        return next((slot for slot in self.slots if slot.name == name), None)

    def form(self, name: str) -> Form | None:
        return next((form for form in self.forms if form.name == name), None)

    def intent(self, name: str) -> Intent | None:
        return next((intent for intent in self.intents if intent.name == name), None)

    def response_variations(self, name: str) -> tuple[ResponseVariation, ...]:
        return self.responses.get(name, ())

    def to_dict(self) -> dict[str, Any]:
        """The domain in Rasa's JSON shape (the `domain` field of an action-server request)."""
        send_domain = set(self.actions_that_send_domain)
        return {
            "version": self.version or "3.1",
            "config": {"store_entities_as_slots": self.store_entities_as_slots},
            "session_config": self.session_config.to_dict(),
            "intents": [intent.to_dict() for intent in sorted(self.intents, key=lambda i: i.name)],
            "entities": [entity.to_dict() for entity in self.entities],
            "slots": {slot.name: slot.to_dict() for slot in self.slots},
            "responses": {
                name: [variation.to_dict() for variation in variations]
                for name, variations in self.responses.items()
            },
            "actions": [
                {name: {"send_domain": True}} if name in send_domain else name for name in self.actions
            ],
            "forms": {form.name: form.to_dict() for form in self.forms},
            "e2e_actions": list(self.e2e_actions),
        }


# --------------------------------------------------------------------------- reading one file


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


# --------------------------------------------------------------------------- merging and loading


class _Merger:
    """Merges parts; the same name with different content in two places is a problem."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.intents: dict[str, Intent] = {}
        self.entities: dict[str, Entity] = {}
        self.slots: dict[str, Slot] = {}
        self.forms: dict[str, Form] = {}
        self.responses: dict[str, tuple[tuple[ResponseVariation, ...], Location]] = {}
        self.actions: dict[str, bool] = {}
        self.e2e_actions: dict[str, None] = {}
        self.version: str | None = None
        self.config: tuple[bool, Location] | None = None
        self.session: tuple[SessionConfig, Location] | None = None

    def conflict(self, what: str, name: str, here: Location | None, there: Location | None) -> None:
        self.problems.append(Problem(
            f"{what} '{name}' is defined differently here and at {there}", here, None,
            "keep one definition, or make both identical",
        ))

    def add_named(self, target: dict[str, Any], what: str, items: list[Any]) -> None:
        for item in items:
            previous = target.setdefault(item.name, item)
            if previous is not item and previous != item:
                self.conflict(what, item.name, item.source, previous.source)

    def add(self, part: _Part) -> None:
        self.version = self.version or part.version
        for attribute in ("config", "session"):
            new = getattr(part, attribute)
            old = getattr(self, attribute)
            if new is not None and old is not None and new[0] != old[0]:
                label = "config" if attribute == "config" else "session_config"
                self.conflict("section", label, new[1], old[1])
            elif new is not None and old is None:
                setattr(self, attribute, new)
        self.add_named(self.intents, "intent", part.intents)
        self.add_named(self.entities, "entity", part.entities)
        self.add_named(self.slots, "slot", part.slots)
        self.add_named(self.forms, "form", part.forms)
        for name, variations, where in part.responses:
            previous = self.responses.setdefault(name, (variations, where))
            if previous[1] is not where and previous[0] != variations:
                self.conflict("response", name, where, previous[1])
        for action, send_domain in part.actions:
            self.actions[action] = self.actions.get(action, False) or send_domain
        self.e2e_actions.update(dict.fromkeys(part.e2e_actions))

    def build(self) -> Domain:
        return Domain(
            intents=tuple(self.intents.values()) + tuple(
                Intent(name) for name in DEFAULT_INTENT_NAMES if name not in self.intents
            ),
            entities=tuple(self.entities.values()),
            slots=tuple(self.slots.values()),
            responses={name: variations for name, (variations, _) in self.responses.items()},
            forms=tuple(self.forms.values()),
            actions=tuple(self.actions),
            session_config=self.session[0] if self.session else SessionConfig(),
            store_entities_as_slots=self.config[0] if self.config else True,
            e2e_actions=tuple(self.e2e_actions),
            actions_that_send_domain=tuple(name for name, send in self.actions.items() if send),
            version=self.version,
        )


def _is_domain_document(document: YamlDocument) -> bool:
    """In a folder, files holding only NLU data, stories or rules are not domain files."""
    data = document.data
    if not isinstance(data, dict):
        return data is not None
    return any(key in DOMAIN_KEYS and key != "version" for key in data) or not any(
        key in _OTHER_DATA_KEYS for key in data
    )


def domain_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
    return [path]


def load_domain(path: Path) -> Domain:
    """Read a domain file or a folder of domain files; raise every problem at once."""
    path = Path(path)
    if not path.exists():
        raise InvalidProjectError([Problem(
            f"domain path '{path}' does not exist", Location(str(path)), None,
            "pass domain.yml or a folder of domain files",
        )])
    problems: list[Problem] = []
    references: list[_Reference] = []
    merger = _Merger()
    for file in domain_files(path):
        try:
            document = read_yaml_file(file)
        except InvalidProjectError as error:
            problems.extend(error.problems)
            continue
        if path.is_dir() and not _is_domain_document(document):
            continue
        reader = _FileReader(document)
        part = reader.read()
        problems.extend(reader.problems)
        references.extend(reader.references)
        merger.add(part)
    problems.extend(merger.problems)
    domain = merger.build()
    declared = {"entity": set(domain.entity_names), "slot": set(domain.slot_names)}
    problems.extend(ref.problem for ref in references if ref.name not in declared[ref.kind])
    if problems:
        raise InvalidProjectError(problems)
    return domain


__all__ = [
    "DEFAULT_ACTION_NAMES",
    "DEFAULT_INTENT_NAMES",
    "MAPPING_TYPES",
    "SLOT_TYPES",
    "Button",
    "Domain",
    "Entity",
    "Form",
    "Intent",
    "MappingCondition",
    "ResponseCondition",
    "ResponseVariation",
    "SessionConfig",
    "Slot",
    "SlotMapping",
    "domain_files",
    "load_domain",
]
