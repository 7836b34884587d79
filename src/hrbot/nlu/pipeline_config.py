"""Turn config.yml's `pipeline` into registered components, checking it before any training.

Every problem (unknown names, a missing tokenizer, components before what they need, unknown
options) is reported at once with config.yml's line numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hrbot.nlu.registry import (
    FEATURIZER,
    INTENT_CLASSIFIER,
    TOKENIZER,
    ComponentRegistry,
    ComponentSpec,
)
from hrbot.shared.config import ProjectConfig
from hrbot.shared.errors import InvalidProjectError, UnknownComponentError
from hrbot.shared.problems import Location, Problem

_PROVIDES = {TOKENIZER: "tokens", FEATURIZER: "features", INTENT_CLASSIFIER: "intent"}
_REQUIREMENT_HINTS = {
    "tokens": "put a tokenizer (JiebaTokenizer for Chinese) first in the pipeline",
    "features": "put a featurizer (e.g. CountVectorsFeaturizer) before it",
    "intent": "put an intent classifier before it",
}
_GENERIC_OPTIONS = {"name"}

DEFAULT_CHINESE_PIPELINE: tuple[Mapping[str, Any], ...] = (
    {"name": "JiebaTokenizer"},
    {"name": "RegexFeaturizer"},
    {"name": "CRFEntityExtractor"},
    {"name": "RegexEntityExtractor"},
    {"name": "EntitySynonymMapper"},
    {"name": "ChineseValueExtractor", "dimensions": "auto"},
    {"name": "EntityFeaturizer"},
    {"name": "NgramFeaturizer", "analyzer": "char", "min_ngram": 1, "max_ngram": 3},
    {"name": "LinearIntentClassifier"},
    {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
)

DEFAULT_PIPELINE: tuple[Mapping[str, Any], ...] = (
    {"name": "WhitespaceTokenizer"},
    {"name": "RegexFeaturizer"},
    {"name": "NgramFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
    {"name": "NgramFeaturizer", "analyzer": "word", "min_ngram": 1, "max_ngram": 2},
    {"name": "LinearIntentClassifier"},
    {"name": "CRFEntityExtractor"},
    {"name": "EntitySynonymMapper"},
    {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
)


@dataclass(frozen=True)
class PipelineStep:
    """One component to run, with its options and where config.yml asked for it."""

    spec: ComponentSpec
    options: Mapping[str, Any]
    declared_as: str
    line: int | None = None


@dataclass(frozen=True)
class ResolvedPipeline:
    steps: tuple[PipelineStep, ...]
    notices: tuple[str, ...]

    def to_config(self) -> list[dict[str, Any]]:
        return [{"name": step.spec.name, **step.options} for step in self.steps]


def pipeline_items(config: ProjectConfig) -> tuple[list[Mapping[str, Any]], list[str]]:
    """The pipeline to use: the configured one, or a default for the language."""
    if config.pipeline is not None:
        return list(config.pipeline), []
    default = DEFAULT_CHINESE_PIPELINE if config.language.startswith("zh") else DEFAULT_PIPELINE
    notice = f"config.yml has no pipeline: using hrbot's default for language '{config.language}'"
    return [dict(item) for item in default], [notice]


def _allowed_options(spec: ComponentSpec) -> set[str]:
    return set(spec.component_class().defaults)


def resolve_pipeline(
    items: Sequence[Mapping[str, Any]],
    registry: ComponentRegistry,
    *,
    config_path: str = "config.yml",
    lines: Sequence[int] | None = None,
    source_lines: Sequence[str] = (),
) -> ResolvedPipeline:
    """Check the pipeline against the registry and expand Rasa aliases."""
    problems: list[Problem] = []
    notices: list[str] = []
    steps: list[PipelineStep] = []
    spacy_model: str | None = None

    def problem(index: int, message: str, hint: str | None) -> Problem:
        line = lines[index] if lines and index < len(lines) and lines[index] else None
        source = source_lines[line - 1] if line and line <= len(source_lines) else None
        return Problem(message, Location(config_path, line), source, hint)

    for index, item in enumerate(items):
        name = str(item.get("name", ""))
        options = {k: v for k, v in item.items() if k not in _GENERIC_OPTIONS}
        line = lines[index] if lines and index < len(lines) else None
        if name == "SpacyNLP":
            spacy_model = options.get("model") or spacy_model
        spec = registry.get(name)
        if spec is not None:
            allowed = _allowed_options(spec)
            unknown = sorted(set(options) - allowed) if allowed is not None else []
            if unknown and spec.rasa_name:
                notices.append(f"{name}: options not used by hrbot: {', '.join(unknown)}")
                options = {k: v for k, v in options.items() if k not in unknown}
            elif unknown:
                problems.append(
                    problem(index, f"{name} has no option(s) {', '.join(unknown)}",
                            f"known options: {', '.join(sorted(allowed or ())) or 'none'}")
                )
            if spec.name.startswith("Spacy") and spacy_model and "model" not in options:
                options["model"] = spacy_model
            steps.append(PipelineStep(spec, options, name, line))
            continue
        alias = registry.alias(name)
        if alias is None:
            problems.append(
                problem(index, f"unknown component '{name}'",
                        f"use one of: {', '.join(registry.known_names())}")
            )
            continue
        if alias.notice:
            notices.append(alias.notice)
        dropped: set[str] = set(options)
        for alias_step in alias.steps:
            if alias_step.switch is not None:
                dropped.discard(alias_step.switch)
                if options.get(alias_step.switch, True) is False:
                    continue
            target = registry.specs[alias_step.component]
            # without an explicit list, pass on only the options the target has: a Rasa
            # component's own options (DIETClassifier's epochs) are noticed, not passed on
            wanted = (
                _allowed_options(target) if alias_step.keep_options is None
                else set(alias_step.keep_options)
            )
            kept = {k: v for k, v in options.items() if k in wanted}
            dropped -= set(kept)
            steps.append(PipelineStep(target, {**kept, **alias_step.fixed_options}, name, line))
        if dropped and alias.steps:
            notices.append(f"{name}: options not used by hrbot: {', '.join(sorted(dropped))}")

    problems.extend(_check_order(steps, config_path, source_lines))
    if problems:
        error_type = (
            UnknownComponentError
            if any("unknown component" in p.message for p in problems)
            else InvalidProjectError
        )
        raise error_type(problems)
    return ResolvedPipeline(tuple(steps), tuple(notices))


def _check_order(
    steps: Sequence[PipelineStep], config_path: str, source_lines: Sequence[str]
) -> list[Problem]:
    problems: list[Problem] = []
    available: set[str] = set()
    has_tokenizer = any(step.spec.kind == TOKENIZER for step in steps)
    for step in steps:
        for requirement in step.spec.requires:
            if requirement in available:
                continue
            if requirement == "tokens" and not has_tokenizer:
                message = f"the pipeline has no tokenizer, but {step.declared_as} needs tokens"
            else:
                message = f"{step.declared_as} needs {requirement} from an earlier component"
            source = (
                source_lines[step.line - 1]
                if step.line and step.line <= len(source_lines) else None
            )
            problems.append(
                Problem(message, Location(config_path, step.line), source,
                        _REQUIREMENT_HINTS[requirement])
            )
        provided = _PROVIDES.get(step.spec.kind)
        if provided:
            available.add(provided)
    if steps and not has_tokenizer and not any("no tokenizer" in p.message for p in problems):
        problems.append(
            Problem("the pipeline has no tokenizer", Location(config_path), None,
                    _REQUIREMENT_HINTS["tokens"])
        )
    return problems


def resolve_project_pipeline(config: ProjectConfig, registry: ComponentRegistry) -> ResolvedPipeline:
    items, notices = pipeline_items(config)
    lines = (
        [config.line_of_pipeline_item(i) for i in range(len(items))]
        if config.pipeline is not None else None
    )
    source_lines = config.document.lines if config.document else ()
    resolved = resolve_pipeline(
        items, registry, config_path=config.path, lines=lines, source_lines=source_lines
    )
    return ResolvedPipeline(resolved.steps, (*notices, *resolved.notices))
