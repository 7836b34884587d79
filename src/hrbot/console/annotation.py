"""Turning a reviewed employee message into a Rasa NLU training example.

The example is the message as the annotator saw it (masked for people without the
personal-data permission, so a designer never writes an ID number or a salary into the
training data), made safe for Rasa's line-based format: line breaks and tabs become spaces and
ASCII square brackets become full-width ones (Rasa has no escape for them, and `[...]` would
read as an entity). Both replacements keep every character's position, so entity spans
selected on the page stay valid; leading and trailing spaces are dropped (Rasa strips them) and
the spans moved with them.

Entities are written as `[surface](entity)` without a value: the extractors normalise values,
and a value here would become a synonym.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from hrbot.shared.nlu.annotations import parse_annotated_text

MAX_ENTITIES = 20
_SAME_LENGTH = str.maketrans({"\r": " ", "\n": " ", "\t": " ", "\v": " ", "\f": " ", "[": "［", "]": "］",
                              "\u2028": " ", "\u2029": " "})


class AnnotationError(ValueError):
    """The annotation cannot be written as asked; the message says what to change."""


@dataclass(frozen=True, order=True)
class Span:
    """An entity marked on the message: text[start:end], in characters (code points)."""

    start: int
    end: int
    entity: str


@dataclass(frozen=True)
class Example:
    """A training example: plain text, its intent and its entity spans."""

    text: str
    intent: str
    spans: tuple[Span, ...] = ()

    def annotated(self) -> str:
        """The text with Rasa's inline annotations."""
        parts: list[str] = []
        position = 0
        for span in self.spans:
            parts.append(self.text[position: span.start])
            parts.append(f"[{self.text[span.start: span.end]}]({span.entity})")
            position = span.end
        parts.append(self.text[position:])
        return "".join(parts)


def training_text(shown: str) -> str:
    """`shown` with the characters Rasa's format cannot hold replaced, one for one."""
    return shown.translate(_SAME_LENGTH)


def parse_spans(raw: Any) -> list[Span]:
    """Spans from the page's JSON list of {start, end, entity}."""
    if not isinstance(raw, list):
        raise AnnotationError("实体标注格式不对:应为 [{start, end, entity}, ...] 列表。")
    if len(raw) > MAX_ENTITIES:
        raise AnnotationError(f"一条消息最多标注 {MAX_ENTITIES} 个实体。")
    spans: list[Span] = []
    for item in raw:
        if not isinstance(item, dict):
            raise AnnotationError("实体标注格式不对:每个实体应有 start、end、entity。")
        start, end, entity = item.get("start"), item.get("end"), item.get("entity")
        if not isinstance(start, int) or not isinstance(end, int) or not isinstance(entity, str):
            raise AnnotationError("实体标注格式不对:start、end 应为整数,entity 应为实体名。")
        spans.append(Span(start, end, entity))
    return spans


def build_example(shown: str, intent: str, spans: Iterable[Span], *, intents: Sequence[str],
                  entities: Sequence[str]) -> Example:
    """The example for the message text `shown`, checked: a known intent, known entity types,
    spans inside the text that do not overlap. AnnotationError otherwise."""
    if intent not in intents:
        raise AnnotationError(f"意图 {intent!r} 不在领域文件 (domain.yml) 中,请从列表中选择。")
    text = training_text(shown)
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    if not stripped:
        raise AnnotationError("消息是空的,无法作为训练例句。")
    checked: list[Span] = []
    for span in sorted(set(spans)):
        if span.entity not in entities:
            raise AnnotationError(f"实体类型 {span.entity!r} 不在领域文件 (domain.yml) 中。")
        if not 0 <= span.start < span.end <= len(text):
            raise AnnotationError("实体的位置超出了消息文本,请重新选择文字。")
        surface = text[span.start: span.end]
        start = span.start + (len(surface) - len(surface.lstrip()))
        end = span.end - (len(surface) - len(surface.rstrip()))
        if start >= end:
            raise AnnotationError("选中的文字只有空白,不能标为实体。")
        if checked and start < checked[-1].end:
            raise AnnotationError("实体之间不能重叠,请删除其中一个。")
        checked.append(Span(start - lead, end - lead, span.entity))
    example = Example(stripped, intent, tuple(checked))
    parsed = parse_annotated_text(example.annotated())
    written = tuple((a.entity, a.start, a.end) for a in parsed.entities)
    if parsed.errors or parsed.text != example.text or written != tuple(
            (s.entity, s.start, s.end) for s in example.spans):
        raise AnnotationError("这条消息无法写成 Rasa 的标注格式,请换一种标注方式。")
    return example


def predicted_spans(original: str, shown: str, entities: Iterable[dict[str, Any]]) -> list[Span]:
    """The NLU's entities as spans on `shown` (the possibly masked text): kept where they are
    when nothing was masked, else found again by their surface text (dropped when it was masked
    away or is ambiguous). Overlapping predictions keep the earlier (then longer) one."""
    found: list[Span] = []
    for entity in entities:
        name, start, end = entity.get("entity"), entity.get("start"), entity.get("end")
        if not isinstance(name, str) or not isinstance(start, int) or not isinstance(end, int):
            continue
        if not 0 <= start < end <= len(original):
            continue
        if shown == original:
            found.append(Span(start, end, name))
            continue
        surface = original[start:end]
        if shown.count(surface) == 1:
            at = shown.index(surface)
            found.append(Span(at, at + len(surface), name))
    kept: list[Span] = []
    for span in sorted(set(found), key=lambda s: (s.start, -(s.end - s.start), s.entity)):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept
