"""The working state of one message while the pipeline processes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from hrbot.shared.nlu.parse_result import ExtractedEntity, IntentPrediction, ParseResult


@dataclass(frozen=True)
class Token:
    """A token and its character offsets in the message text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class SparseFeatures:
    """A sparse sentence-level feature vector of one featurizer."""

    indices: npt.NDArray[np.int32]
    values: npt.NDArray[np.float32]
    size: int


@dataclass(frozen=True)
class PatternMatch:
    """A regex or lookup-table match: text[start:end] matched the pattern `name`."""

    name: str
    start: int
    end: int


@dataclass
class NLUDoc:
    """Mutable state that components read and add to, one message at a time."""

    text: str
    tokens: list[Token] = field(default_factory=list)
    features: dict[str, SparseFeatures] = field(default_factory=dict)
    pattern_matches: list[PatternMatch] = field(default_factory=list)
    intent: IntentPrediction | None = None
    intent_ranking: list[IntentPrediction] = field(default_factory=list)
    entities: list[ExtractedEntity] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    def to_parse_result(self) -> ParseResult:
        return ParseResult(
            text=self.text,
            intent=self.intent or IntentPrediction(None, 0.0),
            intent_ranking=tuple(self.intent_ranking),
            entities=tuple(sorted(self.entities, key=lambda e: (e.start, e.end, e.entity))),
            extras=dict(self.extras),
        )
