"""Featurizers: sparse sentence features from word and character n-grams and from patterns."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np

from hrbot.nlu.component import Component, ParseContext, TrainContext
from hrbot.nlu.doc import NLUDoc, PatternMatch, SparseFeatures
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.training_data import TrainingData
from hrbot.shared.problems import Problem

_SPACES = re.compile(r"\s+")
_ANALYZERS = ("word", "char", "char_wb")


def _ngrams(items: Sequence[str], low: int, high: int, joiner: str) -> list[str]:
    grams: list[str] = []
    count = len(items)
    for n in range(low, high + 1):
        for start in range(count - n + 1):
            grams.append(joiner.join(items[start : start + n]))
    return grams


class NgramFeaturizer(Component):
    """Bag of word or character n-grams, weighted by (sublinear) tf-idf and L2-normalised.

    The vocabulary is kept in a marisa trie so that a trained model loads in milliseconds.
    """

    name = "NgramFeaturizer"
    defaults: ClassVar[Mapping[str, Any]] = {
        "analyzer": "word",
        "min_ngram": 1,
        "max_ngram": 1,
        "lowercase": True,
        "use_idf": True,
        "sublinear_tf": True,
        "min_df": 1,
        "max_features": None,
    }
    prepares_training_docs = True

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        analyzer = self.options["analyzer"]
        low, high = int(self.options["min_ngram"]), int(self.options["max_ngram"])
        if analyzer not in _ANALYZERS or not 1 <= low <= high:
            raise InvalidProjectError(
                [Problem(f"{self.name}: analyzer '{analyzer}' with n-grams {low}..{high} "
                         "is not valid", None, None,
                         f"use analyzer one of {', '.join(_ANALYZERS)} and "
                         "1 <= min_ngram <= max_ngram")]
            )
        self.key = f"{self.name}:{analyzer}:{low}-{high}"
        self._low, self._high = low, high
        self._vocabulary: Any = None
        self._idf: np.ndarray[Any, np.dtype[np.float32]] | None = None

    def grams(self, doc: NLUDoc) -> list[str]:
        analyzer = self.options["analyzer"]
        lower = bool(self.options["lowercase"])
        if analyzer == "word":
            words = [t.text.lower() if lower else t.text for t in doc.tokens]
            return _ngrams(words, self._low, self._high, " ")
        text = _SPACES.sub(" ", doc.text.lower() if lower else doc.text).strip()
        if analyzer == "char":
            return _ngrams(list(text), self._low, self._high, "")
        grams: list[str] = []
        for word in text.split(" "):
            grams.extend(_ngrams(list(f" {word} "), self._low, self._high, ""))
        return grams

    def train(self, data: TrainingData, docs: Sequence[NLUDoc], context: TrainContext) -> None:
        import marisa_trie

        document_frequency: Counter[str] = Counter()
        for doc in docs:
            document_frequency.update(set(self.grams(doc)))
        min_df = int(self.options["min_df"])
        terms = [term for term, df in document_frequency.items() if df >= min_df]
        max_features = self.options["max_features"]
        if max_features:
            terms = sorted(terms, key=lambda t: (-document_frequency[t], t))[: int(max_features)]
        self._vocabulary = marisa_trie.Trie(terms)
        idf = np.ones(len(self._vocabulary), dtype=np.float64)
        if self.options["use_idf"]:
            total = len(docs)
            for term in terms:
                idf[self._vocabulary[term]] = math.log((1 + total) / (1 + document_frequency[term])) + 1
        self._idf = idf.astype(np.float32)
        context.progress(f"{self.key}: vocabulary of {len(terms)} n-grams")

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        if self._vocabulary is None or self._idf is None:
            raise RuntimeError(f"{self.name} used before training or loading")
        vocabulary = self._vocabulary
        counts: Counter[int] = Counter()
        for gram in self.grams(doc):
            index = vocabulary.get(gram)
            if index is not None:
                counts[index] += 1
        indices = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
        values: np.ndarray[Any, np.dtype[np.float32]] = np.fromiter(
            counts.values(), dtype=np.float32, count=len(counts))
        if self.options["sublinear_tf"]:
            values = (1.0 + np.log(values)).astype(np.float32)
        values = (values * self._idf[indices]).astype(np.float32)
        norm = float(np.sqrt(np.dot(values, values)))
        if norm > 0:
            values = values / norm
        doc.features[self.key] = SparseFeatures(indices, values.astype(np.float32), len(self._idf))

    def persist(self, directory: Path) -> None:
        if self._vocabulary is not None and self._idf is not None:
            self._vocabulary.save(str(directory / "vocabulary.marisa"))
            np.save(directory / "idf.npy", self._idf)

    @classmethod
    def load(cls, options: Mapping[str, Any], directory: Path) -> Self:
        import marisa_trie

        component = cls(options)
        component._vocabulary = marisa_trie.Trie()
        component._vocabulary.load(str(directory / "vocabulary.marisa"))
        component._idf = np.load(directory / "idf.npy")
        return component


_ASCII_WORD_CHAR = "[0-9A-Za-z_]"


def _is_ascii_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def lookup_pattern(elements: Sequence[str]) -> str:
    """One regex matching any element, longest first; ASCII words need word boundaries.

    The boundaries are ASCII ones: "annual leave" matches in "我的annual leave还剩几天" (re's
    `\b` would not, as it counts Chinese characters as word characters) but not in
    "annual leaves".
    """
    parts = []
    unique = {e.strip() for e in elements if e.strip()}
    for element in sorted(unique, key=lambda e: (-len(e), e)):
        pattern = re.escape(element)
        if _is_ascii_word_char(element[0]):
            pattern = f"(?<!{_ASCII_WORD_CHAR}){pattern}"
        if _is_ascii_word_char(element[-1]):
            pattern = f"{pattern}(?!{_ASCII_WORD_CHAR})"
        parts.append(pattern)
    return "|".join(parts) if parts else r"(?!x)x"


class RegexFeaturizer(Component):
    """Marks which regexes and lookup tables match; the matches also feed entity taggers."""

    name = "RegexFeaturizer"
    defaults: ClassVar[Mapping[str, Any]] = {
        "case_sensitive": False,
        "use_lookup_tables": True,
        "use_regexes": True,
        "use_word_boundaries": True,
    }
    prepares_training_docs = True
    key = "RegexFeaturizer"

    def __init__(
        self, options: Mapping[str, Any] | None = None,
        patterns: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(options)
        self._set_patterns(patterns)

    def _set_patterns(self, patterns: Sequence[tuple[str, str]]) -> None:
        flags = 0 if self.options["case_sensitive"] else re.IGNORECASE
        self.patterns: list[tuple[str, str]] = list(patterns)
        self._compiled = [(name, re.compile(pattern, flags)) for name, pattern in self.patterns]

    def train(self, data: TrainingData, docs: Sequence[NLUDoc], context: TrainContext) -> None:
        patterns: list[tuple[str, str]] = []
        if self.options["use_regexes"]:
            patterns.extend((r.name, r.pattern) for r in data.regexes)
        if self.options["use_lookup_tables"]:
            patterns.extend((t.name, lookup_pattern(t.elements)) for t in data.lookups)
        self._set_patterns(patterns)

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        matched: list[int] = []
        for index, (name, pattern) in enumerate(self._compiled):
            found = False
            for match in pattern.finditer(doc.text):
                if match.end() > match.start():
                    doc.pattern_matches.append(PatternMatch(name, match.start(), match.end()))
                    found = True
            if found:
                matched.append(index)
        if self._compiled:
            doc.features[self.key] = SparseFeatures(
                np.array(matched, dtype=np.int32),
                np.ones(len(matched), dtype=np.float32),
                len(self._compiled),
            )

    def persist(self, directory: Path) -> None:
        (directory / "patterns.json").write_text(
            json.dumps(self.patterns, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, options: Mapping[str, Any], directory: Path) -> Self:
        patterns = json.loads((directory / "patterns.json").read_text(encoding="utf-8"))
        return cls(options, [(name, pattern) for name, pattern in patterns])
