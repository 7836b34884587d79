"""The Rasa 3.x domain: intents, entities, slots, responses, forms, actions, session config.

`load_domain(path)` reads one `domain.yml` or a folder of domain files (merged), and raises
one `InvalidProjectError` carrying every problem found, each with file:line, the offending
line and how to fix it. Where Rasa is lenient (intents and entities as plain names or as
`{name: {...}}` mappings, actions as names or `{name: {send_domain: true}}`) so is this reader.

The domain's data types live in `domain_types`, the reading of one file in `domain_reader`;
this module finds the files, merges what they declare and checks the names they refer to.
Import from here: every domain name is re-exported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hrbot.shared.core.domain_reader import DOMAIN_KEYS, _FileReader, _Part, _Reference
from hrbot.shared.core.domain_types import (
    DEFAULT_ACTION_NAMES,
    DEFAULT_INTENT_NAMES,
    DEFAULT_SESSION_EXPIRATION_MINUTES,
    MAPPING_TYPES,
    SLOT_TYPES,
    Button,
    Domain,
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
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.problems import Location, Problem
from hrbot.shared.yaml_reader import YamlDocument, read_yaml_file

YAML_SUFFIXES = (".yml", ".yaml")
_OTHER_DATA_KEYS = ("nlu", "stories", "rules")


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
    "DEFAULT_SESSION_EXPIRATION_MINUTES",
    "DOMAIN_KEYS",
    "MAPPING_TYPES",
    "SLOT_TYPES",
    "YAML_SUFFIXES",
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
