"""Policy names in config.yml and the hrbot policies they run.

hrbot's own names: RulePolicy, MemoizationPolicy, AugmentedMemoizationPolicy, LinearTEDPolicy.
Rasa's `TEDPolicy` runs LinearTEDPolicy (its `max_history` and `priority` are kept, its neural
network options are accepted and ignored with a notice); `UnexpecTEDIntentPolicy` is skipped
with a notice. A config without `policies` gets Rasa's defaults. Rasa 2's removed policies and
unknown names are errors that say what to use instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hrbot.dialogue.policies.base import Policy
from hrbot.dialogue.policies.learned import MODELS, LinearTEDPolicy
from hrbot.dialogue.policies.memoization import AugmentedMemoizationPolicy, MemoizationPolicy
from hrbot.dialogue.policies.rule import RulePolicy
from hrbot.shared.errors import UnknownComponentError
from hrbot.shared.problems import Location, Problem
from hrbot.shared.yaml_reader import line_of

POLICY_CLASSES: dict[str, type[Policy]] = {
    cls.name: cls
    for cls in (RulePolicy, MemoizationPolicy, AugmentedMemoizationPolicy, LinearTEDPolicy)
}
RASA_ALIASES: dict[str, str] = {"TEDPolicy": LinearTEDPolicy.name}
SKIPPED = {
    "UnexpecTEDIntentPolicy": "UnexpecTEDIntentPolicy is skipped: hrbot has no action_unlikely_intent "
                              "detection; the other policies decide alone",
}
REMOVED_IN_RASA_3 = {
    "FormPolicy": "forms are run by RulePolicy in Rasa 3: remove FormPolicy and add RulePolicy",
    "MappingPolicy": "intent-to-action mappings are rules in Rasa 3: write a rule and use RulePolicy",
    "FallbackPolicy": "use RulePolicy's core_fallback_threshold and core_fallback_action_name",
    "TwoStageFallbackPolicy": "use RulePolicy with a rule for nlu_fallback -> action_two_stage_fallback",
    "SklearnPolicy": "use TEDPolicy (hrbot runs LinearTEDPolicy)",
    "KerasPolicy": "use TEDPolicy (hrbot runs LinearTEDPolicy)",
}
DEFAULT_POLICIES: tuple[dict[str, Any], ...] = (
    {"name": "RulePolicy"},
    {"name": "MemoizationPolicy"},
    {"name": "TEDPolicy", "max_history": 5},
)
IGNORED_RASA_OPTIONS = {
    "MemoizationPolicy": ("enable_feature_string_compression",),
    "AugmentedMemoizationPolicy": ("enable_feature_string_compression",),
}
_RASA_MODULE_PREFIX = "rasa."


@dataclass(frozen=True)
class PolicyChoice:
    """One configured policy: the class to run and its options."""

    policy_class: type[Policy]
    options: Mapping[str, Any]

    def build(self) -> Policy:
        return self.policy_class(self.options)


def known_policy_names() -> list[str]:
    return sorted({*POLICY_CLASSES, *RASA_ALIASES, *SKIPPED})


def _problem(message: str, source: str, line: int, hint: str) -> Problem:
    return Problem(message, Location(source, line or None), None, hint)


def _check_option(name: str, key: str, value: Any) -> str | None:
    """What is wrong with an option value, or None."""
    def number(low: float, high: float) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high

    checks: dict[str, tuple[bool, str]] = {
        "priority": (isinstance(value, int) and not isinstance(value, bool), "a whole number"),
        "max_history": (value is None or (isinstance(value, int) and not isinstance(value, bool)
                                          and value >= 1), "a whole number of 1 or more"),
        "core_fallback_threshold": (number(0.0, 1.0), "a number between 0 and 1"),
        "core_fallback_action_name": (isinstance(value, str) and bool(value), "an action name"),
        "model": (value in MODELS, f"one of {', '.join(MODELS)}"),
        "C": (number(1e-9, float("inf")), "a positive number"),
        "hidden_units": (isinstance(value, int) and not isinstance(value, bool) and value >= 1,
                         "a whole number of 1 or more"),
        "random_seed": (isinstance(value, int) and not isinstance(value, bool), "a whole number"),
    }
    ok, expected = checks.get(key, (isinstance(value, bool), "true or false"))
    return None if ok else f"{name}: '{key}' must be {expected}, not {value!r}"


def resolve_policies(
    items: Sequence[Mapping[str, Any]] | None, *, source: str = "config.yml"
) -> tuple[list[PolicyChoice], list[str]]:
    """The policies to run for config.yml's `policies` (None: Rasa's defaults), and notices
    about substitutions and ignored options. Raises `UnknownComponentError` (an
    InvalidProjectError) listing every problem."""
    notices: list[str] = []
    if items is None:
        items = DEFAULT_POLICIES
        notices.append("config has no 'policies': using Rasa's defaults RulePolicy, MemoizationPolicy "
                       "and TEDPolicy (hrbot runs LinearTEDPolicy)")
    choices: list[PolicyChoice] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        line = line_of(item, "name", 0) if item else 0
        raw_name = str(item.get("name", ""))
        name = raw_name.rsplit(".", 1)[-1] if raw_name.startswith(_RASA_MODULE_PREFIX) else raw_name
        if name in SKIPPED:
            notices.append(SKIPPED[name])
            continue
        if name in REMOVED_IN_RASA_3:
            problems.append(_problem(f"policy '{raw_name}' no longer exists in Rasa 3", source, line,
                                     REMOVED_IN_RASA_3[name]))
            continue
        target = RASA_ALIASES.get(name, name)
        policy_class = POLICY_CLASSES.get(target)
        if policy_class is None:
            problems.append(_problem(
                f"unknown policy '{raw_name}' (policy {index + 1} in 'policies')", source, line,
                f"use one of {', '.join(known_policy_names())}",
            ))
            continue
        options: dict[str, Any] = {}
        ignored: list[str] = []
        for key, value in item.items():
            if key == "name":
                continue
            if key in policy_class.defaults and not (name in RASA_ALIASES and key not in
                                                     ("priority", "max_history")):
                problem = _check_option(name, str(key), value)
                if problem:
                    problems.append(_problem(problem, source, line_of(item, key, line),
                                             "fix the value or remove the option to use the default"))
                else:
                    options[str(key)] = value
            else:
                ignored.append(str(key))
        if name in RASA_ALIASES:
            notices.append(f"{name} runs hrbot's {target}" + (
                f"; options {', '.join(ignored)} are accepted and ignored" if ignored else ""))
        elif ignored:
            quiet = IGNORED_RASA_OPTIONS.get(name, ())
            loud = [key for key in ignored if key not in quiet]
            if loud:
                notices.append(f"{name}: unknown options {', '.join(loud)} are ignored "
                               f"(known: {', '.join(sorted(policy_class.defaults))})")
        if target == LinearTEDPolicy.name and options.get("max_history", 0) is None:
            options["max_history"] = LinearTEDPolicy.defaults["max_history"]
            notices.append(f"{name}: max_history null (whole dialogue) is not supported; using "
                           f"{options['max_history']}")
        choices.append(PolicyChoice(policy_class, options))
    if problems:
        raise UnknownComponentError(problems)
    return choices, notices


__all__ = [
    "DEFAULT_POLICIES",
    "POLICY_CLASSES",
    "PolicyChoice",
    "known_policy_names",
    "resolve_policies",
]
