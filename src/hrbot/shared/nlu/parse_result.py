"""The result of parsing one message, in Rasa 3.x's JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NLU_FALLBACK_INTENT = "nlu_fallback"
INTENT_RANKING_LENGTH = 10


@dataclass(frozen=True)
class IntentPrediction:
    name: str | None
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": round(float(self.confidence), 6)}


@dataclass(frozen=True)
class ExtractedEntity:
    """An entity found in a message; `value` is normalised where hrbot knows how."""

    entity: str
    start: int
    end: int
    value: Any
    extractor: str
    confidence: float | None = None
    role: str | None = None
    group: str | None = None
    processors: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "extractor": self.extractor,
        }
        if self.confidence is not None:
            confidence = round(float(self.confidence), 6)
            data["confidence"] = confidence
            data["confidence_entity"] = confidence
        if self.role is not None:
            data["role"] = self.role
        if self.group is not None:
            data["group"] = self.group
        if self.processors:
            data["processors"] = list(self.processors)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExtractedEntity:
        confidence = data.get("confidence", data.get("confidence_entity"))
        return cls(
            entity=str(data["entity"]),
            start=int(data.get("start", 0)),
            end=int(data.get("end", 0)),
            value=data.get("value"),
            extractor=str(data.get("extractor", "")),
            confidence=None if confidence is None else float(confidence),
            role=data.get("role"),
            group=data.get("group"),
            processors=tuple(data.get("processors", ())),
        )


@dataclass(frozen=True)
class ParseResult:
    """What the NLU pipeline understood of one message."""

    text: str
    intent: IntentPrediction
    intent_ranking: tuple[IntentPrediction, ...] = ()
    entities: tuple[ExtractedEntity, ...] = ()
    extras: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "intent": self.intent.to_dict(),
            "entities": [entity.to_dict() for entity in self.entities],
            "intent_ranking": [item.to_dict() for item in self.intent_ranking],
        }
        data.update(self.extras)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParseResult:
        intent = data.get("intent") or {}
        return cls(
            text=str(data.get("text", "")),
            intent=IntentPrediction(intent.get("name"), float(intent.get("confidence", 0.0))),
            intent_ranking=tuple(
                IntentPrediction(item.get("name"), float(item.get("confidence", 0.0)))
                for item in data.get("intent_ranking", ())
            ),
            entities=tuple(ExtractedEntity.from_dict(e) for e in data.get("entities", ())),
            extras={
                k: v
                for k, v in data.items()
                if k not in ("text", "intent", "intent_ranking", "entities")
            },
        )
