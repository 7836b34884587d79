"""The interface every NLU component implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Self

from hrbot.nlu.doc import NLUDoc
from hrbot.shared.nlu.training_data import TrainingData

ProgressCallback = Callable[[str], None]


@dataclass(frozen=True)
class ParseContext:
    """Per-message inputs other than the text: the reference time for resolving dates."""

    reference_time: datetime


@dataclass(frozen=True)
class TrainContext:
    """What a component may use while training."""

    reference_time: datetime
    progress: ProgressCallback
    project_dir: Path
    cache_dir: Path | None = None


class Component(ABC):
    """One step of the NLU pipeline.

    A component is built from its options, optionally trained on the training data (with
    the docs that earlier components have prepared), and then processes one `NLUDoc` at a
    time. Trained state is written to and read from a directory of its own.
    """

    name: ClassVar[str]
    defaults: ClassVar[Mapping[str, Any]] = {}
    prepares_training_docs: ClassVar[bool] = False
    """True when later components need this one's output on the training examples."""
    consumes_entities: ClassVar[bool] = False
    """True when this component reads `doc.entities`: then every component before it also
    processes the training examples, so that training sees entities as parsing will."""

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options: dict[str, Any] = {**self.defaults, **(options or {})}

    def train(  # noqa: B027 - optional: most rule-based components learn nothing
        self, data: TrainingData, docs: Sequence[NLUDoc], context: TrainContext
    ) -> None:
        """Learn from the training data; `docs[i]` belongs to `data.examples[i]`."""

    def finish_training(self) -> None:  # noqa: B027 - optional: drop training-only state
        """Called once the pipeline no longer needs this component's training state."""

    @abstractmethod
    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        """Add what this component knows about the message to `doc`."""

    def persist(self, directory: Path) -> None:  # noqa: B027 - optional: stateless components
        """Write trained state into `directory` (which exists and is empty)."""

    @classmethod
    def load(cls, options: Mapping[str, Any], directory: Path) -> Self:
        """Rebuild a trained component from `directory`."""
        return cls(options)
