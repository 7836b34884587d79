"""Tokens and sentence vectors from a spaCy pipeline (optional: `pip install 'hrbot[spacy]'`).

The pipeline is named as in Rasa's SpacyNLP (`model: zh_core_web_md`); `blank:zh` builds an
empty pipeline for a language, which has tokens but no vectors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from hrbot.nlu.component import Component, ParseContext
from hrbot.nlu.doc import NLUDoc, SparseFeatures, Token
from hrbot.shared.errors import MissingDependencyError


def load_spacy_pipeline(model: str) -> Any:
    try:
        import spacy
    except ImportError:
        raise MissingDependencyError("spacy", "The spaCy components", extra="spacy") from None
    if model.startswith("blank:"):
        return spacy.blank(model.split(":", 1)[1])
    try:
        return spacy.load(model)
    except OSError as error:
        raise MissingDependencyError(model, f"The spaCy pipeline '{model}' ({error})") from None


class _SpacyComponent(Component):
    defaults: ClassVar[Mapping[str, Any]] = {"model": "blank:zh", "case_sensitive": False}

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self._nlp: Any = None

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            self._nlp = load_spacy_pipeline(str(self.options["model"]))
        return self._nlp


class SpacyTokenizer(_SpacyComponent):
    """Tokens as the spaCy pipeline cuts them."""

    name = "SpacyTokenizer"
    prepares_training_docs = True
    defaults: ClassVar[Mapping[str, Any]] = {
        **_SpacyComponent.defaults,
        "intent_tokenization_flag": False,
        "intent_split_symbol": "_",
        "token_pattern": None,
    }

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        parsed = self.nlp.make_doc(doc.text)
        doc.tokens = [
            Token(t.text, t.idx, t.idx + len(t.text)) for t in parsed if t.text.strip()
        ]


class SpacyFeaturizer(_SpacyComponent):
    """The spaCy pipeline's sentence vector as dense features (none if it has no vectors)."""

    name = "SpacyFeaturizer"
    prepares_training_docs = True
    key = "SpacyFeaturizer"
    defaults: ClassVar[Mapping[str, Any]] = {**_SpacyComponent.defaults, "pooling": "mean"}

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        width = int(self.nlp.vocab.vectors_length)
        if width == 0:
            return
        vector = np.asarray(self.nlp(doc.text).vector, dtype=np.float32)
        norm = float(np.linalg.norm(vector))
        if norm > 0:
            vector = vector / norm
        doc.features[self.key] = SparseFeatures(np.arange(width, dtype=np.int32), vector, width)
