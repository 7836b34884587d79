"""A tf-idf vocabulary of n-grams, kept in a marisa trie so that it loads in milliseconds."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hrbot.nlu.doc import SparseFeatures

FloatVector = np.ndarray[Any, np.dtype[np.float32]]


class TfidfVocabulary:
    """Maps n-grams to indices and weights a bag of them by (sublinear) tf-idf, L2-normalised."""

    def __init__(self, trie: Any, idf: FloatVector) -> None:
        self.trie = trie
        self.idf = idf

    @classmethod
    def fit(
        cls,
        documents: Sequence[Iterable[str]],
        *,
        min_df: int = 1,
        max_features: int | None = None,
        use_idf: bool = True,
    ) -> TfidfVocabulary:
        """Learn the n-grams of `documents` (each an iterable of n-grams) and their idf."""
        import marisa_trie

        document_frequency: Counter[str] = Counter()
        for grams in documents:
            document_frequency.update(set(grams))
        terms = [term for term, df in document_frequency.items() if df >= min_df]
        if max_features:
            terms = sorted(terms, key=lambda t: (-document_frequency[t], t))[:max_features]
        trie = marisa_trie.Trie(terms)
        idf = np.ones(len(trie), dtype=np.float64)
        if use_idf:
            total = len(documents)
            for term in terms:
                idf[trie[term]] = math.log((1 + total) / (1 + document_frequency[term])) + 1
        return cls(trie, idf.astype(np.float32))

    def __len__(self) -> int:
        return len(self.idf)

    def __contains__(self, gram: object) -> bool:
        return gram in self.trie

    def __iter__(self) -> Any:
        return iter(self.trie)

    def vector(self, grams: Iterable[str], *, sublinear_tf: bool = True) -> SparseFeatures:
        counts: Counter[int] = Counter()
        trie = self.trie
        for gram in grams:
            index = trie.get(gram)
            if index is not None:
                counts[index] += 1
        indices = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
        values: FloatVector = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        if sublinear_tf:
            values = (1.0 + np.log(values)).astype(np.float32)
        values = (values * self.idf[indices]).astype(np.float32)
        norm = float(np.sqrt(np.dot(values, values)))
        if norm > 0:
            values = (values / norm).astype(np.float32)
        return SparseFeatures(indices, values, len(self.idf))

    def save(self, directory: Path) -> None:
        self.trie.save(str(directory / "vocabulary.marisa"))
        np.save(directory / "idf.npy", self.idf)

    @classmethod
    def load(cls, directory: Path) -> TfidfVocabulary:
        import marisa_trie

        trie = marisa_trie.Trie()
        trie.load(str(directory / "vocabulary.marisa"))
        return cls(trie, np.load(directory / "idf.npy"))
