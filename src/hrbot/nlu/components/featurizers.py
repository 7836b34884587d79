"""Featurizers: sparse sentence features from word and character n-grams and from patterns."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np

from hrbot.nlu.component import Component, ParseContext, TrainContext
from hrbot.nlu.components.patterns import PatternComponent
from hrbot.nlu.components.vocabulary import TfidfVocabulary
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
        self.vocabulary: TfidfVocabulary | None = None

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
        max_features = self.options["max_features"]
        self.vocabulary = TfidfVocabulary.fit(
            [self.grams(doc) for doc in docs],
            min_df=int(self.options["min_df"]),
            max_features=int(max_features) if max_features else None,
            use_idf=bool(self.options["use_idf"]),
        )
        context.progress(f"{self.key}: vocabulary of {len(self.vocabulary)} n-grams")

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        if self.vocabulary is None:
            raise RuntimeError(f"{self.name} used before training or loading")
        doc.features[self.key] = self.vocabulary.vector(
            self.grams(doc), sublinear_tf=bool(self.options["sublinear_tf"]))

    def persist(self, directory: Path) -> None:
        if self.vocabulary is not None:
            self.vocabulary.save(directory)

    @classmethod
    def load(cls, options: Mapping[str, Any], directory: Path) -> Self:
        component = cls(options)
        component.vocabulary = TfidfVocabulary.load(directory)
        return component


class RegexFeaturizer(PatternComponent):
    """Marks which regexes and lookup tables match; the matches also feed entity taggers."""

    name = "RegexFeaturizer"
    prepares_training_docs = True
    key = "RegexFeaturizer"

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        matched: set[int] = set()
        for index, name, match in self.patterns.matches(doc.text):
            doc.pattern_matches.append(PatternMatch(name, match.start(), match.end()))
            matched.add(index)
        if len(self.patterns):
            indices = np.array(sorted(matched), dtype=np.int32)
            doc.features[self.key] = SparseFeatures(
                indices, np.ones(len(indices), dtype=np.float32), len(self.patterns)
            )
