"""`hrbot data validate`: every problem in config, NLU data, dictionaries and domain at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrbot.model.dialogue_inputs import read_dialogue_inputs
from hrbot.model.training import read_nlu_inputs
from hrbot.nlu.components.jieba_dictionary import read_dictionary_file
from hrbot.nlu.components.tokenizers import user_dictionary_files
from hrbot.shared.domain_names import read_declared_names
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.training_data import TrainingData
from hrbot.shared.problems import Location, Problem

MIN_EXAMPLES_PER_INTENT = 5


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    summary: str = ""


def validate_project(
    project_dir: Path,
    *,
    config_path: Path | None = None,
    data_paths: list[Path] | None = None,
    domain_path: Path | None = None,
) -> ValidationReport:
    report = ValidationReport()
    try:
        inputs = read_nlu_inputs(project_dir, config_path=config_path, data_paths=data_paths)
    except InvalidProjectError as error:
        report.problems.extend(error.problems)
        return report
    report.notices.extend(inputs.pipeline.notices)
    for step in inputs.pipeline.steps:
        if step.options.get("dictionary_path"):
            try:
                for file in user_dictionary_files(step.options["dictionary_path"], project_dir):
                    read_dictionary_file(file)
            except InvalidProjectError as error:
                report.problems.extend(error.problems)
    data = inputs.data
    report.problems.extend(_check_domain(data, domain_path or project_dir / "domain.yml"))
    dialogue_summary = _check_dialogue(project_dir, data_paths or [project_dir / "data"], domain_path,
                                       inputs.config.policies, report)
    for intent, count in sorted(data.intent_counts().items()):
        if count < MIN_EXAMPLES_PER_INTENT:
            first = next(e for e in data.examples if e.intent == intent)
            location = Location(first.source.file, first.source.line) if first.source else None
            report.warnings.append(
                Problem(f"intent '{intent}' has only {count} examples", location, None,
                        f"add at least {MIN_EXAMPLES_PER_INTENT} varied examples")
            )
    report.summary = (
        f"{len(data.examples)} examples, {len(data.intents)} intents, "
        f"{len(data.entity_types)} entity types, {len(data.synonyms)} synonyms, "
        f"{len(data.lookups)} lookup tables, {len(data.regexes)} regexes{dialogue_summary}"
    )
    return report


def _check_dialogue(
    project_dir: Path,
    data_paths: list[Path],
    domain_path: Path | None,
    policies: list[dict[str, Any]] | None,
    report: ValidationReport,
) -> str:
    """Domain problems, stories and rules checked against the domain, and story conflicts
    (same history, different next action) with file:line; returns a summary fragment."""
    try:
        inputs = read_dialogue_inputs(project_dir, data_paths, policies, domain_path)
    except InvalidProjectError as error:
        report.problems.extend(error.problems)
        return ""
    if inputs is None:
        return ""
    from hrbot.dialogue.conflicts import find_story_conflicts

    report.problems.extend(find_story_conflicts(inputs.stories, inputs.domain, _max_history(policies)))
    return f", {len(inputs.stories.stories)} stories, {len(inputs.stories.rules)} rules"


def _max_history(policies: list[dict[str, Any]] | None) -> int:
    """The memoization policy's max_history, as Rasa's validator uses it (default 5)."""
    for policy in policies or []:
        if "Memoization" in str(policy.get("name", "")) and isinstance(policy.get("max_history"), int):
            return int(policy["max_history"])
    return 5


def _check_domain(data: TrainingData, domain_path: Path) -> list[Problem]:
    try:
        declared = read_declared_names(domain_path)
    except InvalidProjectError as error:
        return list(error.problems)
    if declared is None:
        return []
    problems: list[Problem] = []
    reported: set[tuple[str, str]] = set()
    for example in data.examples:
        location = (
            Location(example.source.file, example.source.line) if example.source else None
        )
        intent = example.intent.split("/", 1)[0]
        if declared.intents and intent not in declared.intents and ("intent", intent) not in reported:
            reported.add(("intent", intent))
            problems.append(
                Problem(f"intent '{intent}' is not declared in the domain", location, None,
                        f"add '- {intent}' under 'intents:' in {declared.files[0]}")
            )
        for annotation in example.entities:
            name = annotation.entity
            if name not in declared.entities and ("entity", name) not in reported:
                reported.add(("entity", name))
                problems.append(
                    Problem(f"entity '{name}' is annotated but not declared in the domain",
                            location, example.text,
                            f"add '- {name}' under 'entities:' in {declared.files[0]} "
                            "or fix the annotation")
                )
    return problems
