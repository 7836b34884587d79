"""The component registry: every built-in resolves to a component class, every alias to
registered components."""

from __future__ import annotations

import importlib

import pytest

from hrbot.nlu.builtins import BUILTIN_ALIASES, BUILTIN_SPECS, builtin_registry
from hrbot.nlu.component import Component
from hrbot.nlu.registry import Alias, AliasStep, ComponentSpec, make_registry

SPACY_MODULE = "hrbot.nlu.components.spacy_components"


@pytest.mark.parametrize("spec", BUILTIN_SPECS, ids=lambda spec: spec.name)
def test_registry_every_builtin_target_is_a_component(spec: ComponentSpec) -> None:
    module_name, _, class_name = spec.target.partition(":")
    if module_name == SPACY_MODULE:  # needs the optional 'spacy' package to run, not to import
        module = importlib.import_module(module_name)
        assert hasattr(module, class_name)
        return

    cls = spec.component_class()

    assert issubclass(cls, Component)
    assert cls.name == spec.name
    assert isinstance(dict(cls.defaults), dict)


def test_registry_builtin_names_are_unique() -> None:
    names = [spec.name for spec in BUILTIN_SPECS] + [alias.name for alias in BUILTIN_ALIASES]

    assert len(names) == len(set(names))


@pytest.mark.parametrize("alias", BUILTIN_ALIASES, ids=lambda alias: alias.name)
def test_registry_every_alias_points_at_registered_components(alias: Alias) -> None:
    registry = builtin_registry()

    for step in alias.steps:
        assert registry.get(step.component) is not None
    if not alias.steps:
        assert alias.notice, "an alias that runs nothing must say so"


def test_registry_kept_alias_options_exist_on_the_target() -> None:
    registry = builtin_registry()

    for alias in BUILTIN_ALIASES:
        for step in alias.steps:
            spec = registry.get(step.component)
            assert spec is not None
            if spec.target.startswith(SPACY_MODULE):
                continue
            allowed = set(spec.component_class().defaults)
            assert set(step.keep_options or ()) <= allowed, alias.name
            assert set(step.fixed_options) <= allowed, alias.name


def test_registry_known_names_include_components_and_aliases() -> None:
    names = builtin_registry().known_names()

    assert names == sorted(names)
    assert {"JiebaTokenizer", "LinearIntentClassifier", "DIETClassifier",
            "CountVectorsFeaturizer"} <= set(names)


def test_registry_alias_to_an_unknown_component_is_refused() -> None:
    specs = [ComponentSpec("A", "x:A", "tokenizer")]

    with pytest.raises(ValueError, match="Bad points to unknown Missing"):
        make_registry(specs, [Alias("Bad", (AliasStep("Missing"),))])


def test_registry_target_that_is_not_a_component_is_refused() -> None:
    spec = ComponentSpec("Path", "pathlib:Path", "tokenizer")

    with pytest.raises(TypeError, match="not an NLU component"):
        spec.component_class()
