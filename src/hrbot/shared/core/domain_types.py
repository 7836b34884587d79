"""The Rasa 3.x domain as data: intents, entities, slots and their mappings, responses, forms,
actions and the session config, each a frozen dataclass with `to_dict()` in Rasa's shape.

Reading domain files into these types is `domain_reader` (one file) and `domain.load_domain`
(files and folders, merged); import everything from `hrbot.shared.core.domain`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hrbot.shared.problems import Location

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
DEFAULT_SESSION_EXPIRATION_MINUTES = 60


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
