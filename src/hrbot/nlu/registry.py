"""The component registry: names in config.yml resolve to component classes here.

Rasa's component names are aliases: they resolve to hrbot components (sometimes two, or none
when hrbot does the work elsewhere), with a one-line notice saying what was substituted.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hrbot.nlu.component import Component

TOKENIZER = "tokenizer"
FEATURIZER = "featurizer"
INTENT_CLASSIFIER = "intent_classifier"
ENTITY_EXTRACTOR = "entity_extractor"
PROCESSOR = "processor"


@dataclass(frozen=True)
class ComponentSpec:
    """A registered component: its name, where its class lives, and what it needs."""

    name: str
    target: str
    kind: str
    requires: tuple[str, ...] = ()
    description: str = ""
    rasa_name: bool = False
    """True when Rasa has a component of this name: its other options are ignored, not errors."""

    def component_class(self) -> type[Component]:
        module_name, _, class_name = self.target.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        if not (isinstance(cls, type) and issubclass(cls, Component)):
            raise TypeError(f"{self.target} is not an NLU component")
        return cls


@dataclass(frozen=True)
class AliasStep:
    """One hrbot component an alias expands to, with options to pass on or fix."""

    component: str
    keep_options: tuple[str, ...] | None = None
    fixed_options: Mapping[str, Any] = field(default_factory=dict)
    switch: str | None = None
    """An option of the aliased component that turns this step off when false
    (DIETClassifier's `entity_recognition: false` means no entity tagger)."""


@dataclass(frozen=True)
class Alias:
    """A foreign (Rasa) component name and what hrbot runs in its place."""

    name: str
    steps: tuple[AliasStep, ...]
    notice: str | None = None


@dataclass(frozen=True)
class ComponentRegistry:
    """All components known by name, and aliases for Rasa's names."""

    specs: Mapping[str, ComponentSpec]
    aliases: Mapping[str, Alias] = field(default_factory=dict)

    def known_names(self) -> list[str]:
        return sorted({*self.specs, *self.aliases})

    def get(self, name: str) -> ComponentSpec | None:
        return self.specs.get(name)

    def alias(self, name: str) -> Alias | None:
        return self.aliases.get(name)


def make_registry(specs: Iterable[ComponentSpec], aliases: Iterable[Alias]) -> ComponentRegistry:
    spec_map = {spec.name: spec for spec in specs}
    alias_map = {alias.name: alias for alias in aliases}
    for alias in alias_map.values():
        for step in alias.steps:
            if step.component not in spec_map:
                raise ValueError(f"alias {alias.name} points to unknown {step.component}")
    return ComponentRegistry(spec_map, alias_map)
