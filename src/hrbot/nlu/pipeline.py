"""The NLU pipeline: components in order, trained together and run one message at a time."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hrbot.nlu.component import Component, ParseContext, TrainContext
from hrbot.nlu.doc import NLUDoc
from hrbot.nlu.pipeline_config import PipelineStep, ResolvedPipeline
from hrbot.nlu.registry import ComponentRegistry
from hrbot.nlu.text import processing_text
from hrbot.shared.errors import ModelError
from hrbot.shared.nlu.parse_result import ExtractedEntity, ParseResult
from hrbot.shared.nlu.training_data import TrainingData

PIPELINE_FILE = "pipeline.json"


def _deduplicate(entities: Sequence[ExtractedEntity]) -> list[ExtractedEntity]:
    """The same entity at the same place from two extractors is reported once (the first)."""
    seen: set[tuple[str, int, int, str | None, str | None]] = set()
    unique = []
    for entity in entities:
        key = (entity.entity, entity.start, entity.end, entity.role, entity.group)
        if key not in seen:
            seen.add(key)
            unique.append(entity)
    return unique


@dataclass
class NamedComponent:
    step: PipelineStep
    component: Component


class NLUPipeline:
    """Runs components in order. Built untrained from a config, or loaded trained."""

    def __init__(self, components: Sequence[NamedComponent]) -> None:
        self.components = list(components)

    @classmethod
    def from_config(cls, resolved: ResolvedPipeline) -> NLUPipeline:
        return cls(
            [NamedComponent(step, step.spec.component_class()(step.options))
             for step in resolved.steps]
        )

    def train(self, data: TrainingData, context: TrainContext) -> None:
        docs = [NLUDoc(processing_text(example.text)) for example in data.examples]
        parse_context = ParseContext(context.reference_time)
        last_consumer = max(
            (i for i, named in enumerate(self.components) if named.component.consumes_entities),
            default=-1,
        )
        for position, named in enumerate(self.components, start=1):
            name = named.step.spec.name
            started = time.perf_counter()
            context.progress(f"[{position}/{len(self.components)}] training {name}")
            named.component.train(data, docs, context)
            if named.component.prepares_training_docs or position - 1 < last_consumer:
                for doc in docs:
                    named.component.process(doc, parse_context)
            named.component.finish_training()
            elapsed = time.perf_counter() - started
            context.progress(f"[{position}/{len(self.components)}] {name} done in {elapsed:.2f}s")

    def parse(self, text: str, reference_time: datetime) -> ParseResult:
        doc = NLUDoc(processing_text(text))
        context = ParseContext(reference_time)
        for named in self.components:
            named.component.process(doc, context)
        doc.entities = _deduplicate(doc.entities)
        result = doc.to_parse_result()
        if result.text != text:
            result = ParseResult(text, result.intent, result.intent_ranking, result.entities,
                                 result.extras)
        return result

    def persist(self, directory: Path) -> None:
        """Write each component into its own sub-directory plus `pipeline.json`."""
        entries: list[dict[str, Any]] = []
        for position, named in enumerate(self.components):
            folder = f"{position:02d}_{named.step.spec.name}"
            (directory / folder).mkdir(parents=True)
            named.component.persist(directory / folder)
            entries.append(
                {
                    "name": named.step.spec.name,
                    "declared_as": named.step.declared_as,
                    "options": named.component.options,
                    "directory": folder,
                }
            )
        (directory / PIPELINE_FILE).write_text(
            json.dumps(entries, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path, registry: ComponentRegistry) -> NLUPipeline:
        try:
            entries = json.loads((directory / PIPELINE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ModelError(
                f"the model has no readable NLU pipeline ({error}); retrain with 'hrbot train'"
            ) from None
        components = []
        for entry in entries:
            spec = registry.get(entry["name"])
            if spec is None:
                raise ModelError(
                    f"the model uses component '{entry['name']}', which this hrbot does not "
                    "have; retrain with 'hrbot train'"
                )
            component = spec.component_class().load(entry["options"], directory / entry["directory"])
            step = PipelineStep(spec, entry["options"], entry.get("declared_as", spec.name))
            components.append(NamedComponent(step, component))
        return cls(components)

    @property
    def intents(self) -> list[str]:
        for named in self.components:
            classes = getattr(named.component, "classes", None)
            if classes:
                return list(classes)
        return []
