"""A character-level CRF entity tagger.

Tagging characters rather than words means an entity is never lost because word
segmentation disagrees with its annotation (jieba cuts "3天年假" into 3 / 天年 / 假). Word
segmentation still informs the tagger: each character knows its position in its word
(B/M/E/S) and the word itself, as well as which regexes and lookup tables cover it.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

from hrbot.nlu.component import Component, ParseContext, TrainContext
from hrbot.nlu.doc import NLUDoc
from hrbot.nlu.text import lower_same_length
from hrbot.shared.nlu.parse_result import ExtractedEntity
from hrbot.shared.nlu.training_data import TrainingData, TrainingExample

OUTSIDE = "O"
_CHINESE_NUMERALS = frozenset("零〇一二两三四五六七八九十百千万亿半俩仨壹贰叁肆伍陆柒捌玖拾佰仟")


def char_class(char: str) -> str:
    if char.isdigit():
        return "digit"
    if char in _CHINESE_NUMERALS:
        return "cnum"
    if char.isascii() and char.isalpha():
        return "latin"
    if char.isspace():
        return "space"
    category = unicodedata.category(char)
    if category.startswith("P") or category.startswith("S"):
        return "punct"
    if "\u4e00" <= char <= "\u9fff":
        return "han"
    return "other"


def char_features(doc: NLUDoc) -> list[list[str]]:
    """CRF features for every character of the message."""
    text = lower_same_length(doc.text)
    length = len(text)
    word_position = ["S"] * length
    word_of = [""] * length
    for token in doc.tokens:
        size = token.end - token.start
        word = token.text.lower() if size <= 6 else "<long>"
        for offset, position in enumerate(range(token.start, min(token.end, length))):
            word_of[position] = word
            if size == 1:
                word_position[position] = "S"
            elif offset == 0:
                word_position[position] = "B"
            elif offset == size - 1:
                word_position[position] = "E"
            else:
                word_position[position] = "M"
    patterns: list[list[str]] = [[] for _ in range(length)]
    for match in doc.pattern_matches:
        for position in range(match.start, min(match.end, length)):
            prefix = "B" if position == match.start else "I"
            patterns[position].append(f"pat={prefix}:{match.name}")
    padded = "\x02\x02" + text + "\x03\x03"
    classes = [char_class(c) for c in text]
    features: list[list[str]] = []
    for i in range(length):
        p = i + 2
        c = padded[p]
        item = [
            "bias",
            f"c={c}",
            f"c-1={padded[p - 1]}",
            f"c+1={padded[p + 1]}",
            f"c-2={padded[p - 2]}",
            f"c+2={padded[p + 2]}",
            f"c-1c={padded[p - 1]}{c}",
            f"cc+1={c}{padded[p + 1]}",
            f"c-1cc+1={padded[p - 1]}{c}{padded[p + 1]}",
            f"cls={classes[i]}",
            f"cls-1={classes[i - 1] if i > 0 else 'BOS'}",
            f"cls+1={classes[i + 1] if i + 1 < length else 'EOS'}",
            f"wpos={word_position[i]}",
            f"w={word_of[i]}",
            f"wpos_cls={word_position[i]}:{classes[i]}",
        ]
        item.extend(patterns[i])
        features.append(item)
    return features


def _tag_name(entity: str, role: str | None) -> str:
    return f"{entity}@{role}" if role else entity


def bio_tags(example: TrainingExample) -> list[str]:
    """B-/I- tags per character (overlapping annotations: the earlier, longer one wins).

    BIO rather than Rasa's BILOU: with many entity types the CRF's cost grows with the square
    of the number of labels, and on the benchmarks BIO is as accurate at half the labels.
    """
    tags = [OUTSIDE] * len(example.text)
    for annotation in sorted(example.entities, key=lambda a: (a.start, -a.end)):
        span = range(annotation.start, annotation.end)
        if not span or any(tags[i] != OUTSIDE for i in span):
            continue
        name = _tag_name(annotation.entity, annotation.role)
        tags[annotation.start] = f"B-{name}"
        for i in range(annotation.start + 1, annotation.end):
            tags[i] = f"I-{name}"
    return tags


def decode_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) spans from BIO (or BILOU) tags, tolerant of invalid sequences."""
    spans: list[tuple[int, int, str]] = []
    start: int | None = None
    label = ""
    for i, tag in enumerate(tags):
        prefix, _, name = tag.partition("-")
        if tag == OUTSIDE:
            if start is not None:
                spans.append((start, i, label))
            start = None
            continue
        if prefix in ("B", "U") or start is None or name != label:
            if start is not None:
                spans.append((start, i, label))
            start, label = i, name
        if prefix in ("L", "U"):
            spans.append((start, i + 1, label))
            start = None
    if start is not None:
        spans.append((start, len(tags), label))
    return spans


SMALL_DATA_EXAMPLES = 1500


def iterations_for(examples: int, configured: Any) -> int:
    """Training iterations: as configured, else 100 for small data sets (a few hundred
    examples need them to learn rare entity words) and 40 for large ones, where more
    iterations cost seconds and gain nothing measurable."""
    if configured is not None:
        return int(configured)
    return 100 if examples <= SMALL_DATA_EXAMPLES else 40


class CRFEntityExtractor(Component):
    """Entities learned from annotated examples by a linear-chain CRF over characters."""

    name = "CRFEntityExtractor"
    defaults: ClassVar[Mapping[str, Any]] = {
        "max_iterations": None,  # None: by data size (see `iterations_for`)
        "L1_c": 0.1,
        "L2_c": 0.01,
        "min_feature_frequency": 1,
    }

    def __init__(self, options: Mapping[str, Any] | None = None, model: bytes = b"") -> None:
        super().__init__(options)
        self._model = model
        self._tagger: Any = None
        # features of the training texts, reused if the pipeline tags them after training;
        # they depend on the text only (earlier components are deterministic)
        self._training_features: dict[str, list[list[str]]] = {}
        if model:
            self._open(model)

    def _open(self, model: bytes) -> None:
        import pycrfsuite

        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(model)

    def train(self, data: TrainingData, docs: Sequence[NLUDoc], context: TrainContext) -> None:
        import pycrfsuite

        if not any(example.entities for example in data.examples):
            context.progress(f"{self.name}: no annotated entities, nothing to learn")
            return
        trainer = pycrfsuite.Trainer(verbose=False)
        self._training_features = {}
        for example, doc in zip(data.examples, docs, strict=True):
            if example.text:
                features = char_features(doc)
                self._training_features[doc.text] = features
                trainer.append(features, bio_tags(example))
        trainer.set_params(
            {
                "c1": float(self.options["L1_c"]),
                "c2": float(self.options["L2_c"]),
                "max_iterations": iterations_for(len(data.examples), self.options["max_iterations"]),
                "feature.minfreq": float(self.options["min_feature_frequency"]),
                "feature.possible_transitions": True,
            }
        )
        context.progress(f"{self.name}: training on {len(data.examples)} examples")
        handle, path = tempfile.mkstemp(suffix=".crfsuite")
        os.close(handle)
        try:
            trainer.train(path)
            self._model = Path(path).read_bytes()
        finally:
            os.unlink(path)
        self._open(self._model)

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        cached = self._training_features.get(doc.text) if self._training_features else None
        if self._tagger is None or not doc.text:
            return
        tags = self._tagger.tag(cached if cached is not None else char_features(doc))
        for start, end, label in decode_spans(tags):
            confidences = [self._tagger.marginal(tags[i], i) for i in range(start, end)]
            entity, _, role = label.partition("@")
            surface = doc.text[start:end]
            stripped = surface.strip()
            if not stripped:
                continue
            start += len(surface) - len(surface.lstrip())
            end = start + len(stripped)
            doc.entities.append(
                ExtractedEntity(
                    entity=entity,
                    start=start,
                    end=end,
                    value=stripped,
                    extractor=self.name,
                    confidence=min(confidences) if confidences else None,
                    role=role or None,
                )
            )

    def finish_training(self) -> None:
        self._training_features = {}

    def persist(self, directory: Path) -> None:
        if self._model:
            (directory / "model.crfsuite").write_bytes(self._model)

    @classmethod
    def load(cls, options: Mapping[str, Any], directory: Path) -> Self:
        path = directory / "model.crfsuite"
        return cls(options, path.read_bytes() if path.exists() else b"")
