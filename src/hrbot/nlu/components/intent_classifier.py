"""A linear intent classifier over all sparse sentence features, with calibrated confidences.

Training uses scikit-learn (a linear SVM by default, logistic regression on request). The
learned weights are stored as plain arrays so that parsing needs only numpy: a message's
scores are the sum of the weight rows of its active features. Confidences are a softmax of
the scores with a temperature fitted on out-of-fold scores to minimise log loss, so that
0.8 means right about 80 % of the time on held-out data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from hrbot.nlu.component import Component, ParseContext, TrainContext
from hrbot.nlu.doc import NLUDoc
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.parse_result import (
    INTENT_RANKING_LENGTH,
    NLU_FALLBACK_INTENT,
    IntentPrediction,
)
from hrbot.shared.nlu.training_data import TrainingData
from hrbot.shared.problems import Problem

FloatArray = npt.NDArray[np.float32]
_MODELS = ("svm", "logreg")


def feature_layout(docs: Sequence[NLUDoc]) -> list[tuple[str, int]]:
    """(featurizer key, size) for every featurizer that produced sentence features."""
    sizes: dict[str, int] = {}
    for doc in docs:
        for key, features in doc.features.items():
            sizes[key] = features.size
    return sorted(sizes.items())


def feature_matrix(docs: Sequence[NLUDoc], layout: Sequence[tuple[str, int]]) -> Any:
    """A scipy CSR matrix with one row per doc, featurizers side by side."""
    from scipy import sparse

    offsets = np.cumsum([0] + [size for _, size in layout])
    rows, cols, vals = [], [], []
    for row, doc in enumerate(docs):
        for (key, _), offset in zip(layout, offsets, strict=False):
            features = doc.features.get(key)
            if features is None:
                continue
            rows.append(np.full(len(features.indices), row, dtype=np.int32))
            cols.append(features.indices.astype(np.int64) + offset)
            vals.append(features.values)
    if not rows:
        return sparse.csr_matrix((len(docs), int(offsets[-1])), dtype=np.float32)
    return sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(docs), int(offsets[-1])),
        dtype=np.float32,
    )


def softmax(scores: FloatArray, temperature: float) -> FloatArray:
    scaled = scores * temperature
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    result: FloatArray = exp / exp.sum(axis=-1, keepdims=True)
    return result


def fit_temperature(scores: FloatArray, labels: npt.NDArray[np.int64]) -> float:
    """The softmax temperature that minimises the log loss of held-out scores."""
    from scipy.optimize import minimize_scalar

    def loss(log_t: float) -> float:
        probabilities = softmax(scores, float(np.exp(log_t)))
        picked = probabilities[np.arange(len(labels)), labels]
        return float(-np.log(np.clip(picked, 1e-12, 1.0)).mean())

    result = minimize_scalar(loss, bounds=(-3.0, 5.0), method="bounded")
    return float(np.exp(result.x))


class LinearIntentClassifier(Component):
    """Intent classification with a linear model over n-gram and pattern features."""

    name = "LinearIntentClassifier"
    defaults: ClassVar[Mapping[str, Any]] = {
        "model": "svm",
        "C": 2.0,
        "class_weight": None,
        "calibration_folds": 2,
        "ranking_length": INTENT_RANKING_LENGTH,
        "random_seed": 2026,
        "label": "intent",
    }

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        if self.options["model"] not in _MODELS:
            raise InvalidProjectError(
                [Problem(f"{self.name}: model '{self.options['model']}' is not known", None, None,
                         f"use one of {', '.join(_MODELS)}")]
            )
        self.classes: list[str] = []
        self.layout: list[tuple[str, int]] = []
        self.weights: FloatArray = np.zeros((0, 0), dtype=np.float32)
        self.bias: FloatArray = np.zeros(0, dtype=np.float32)
        self.temperature = 1.0

    def _estimator(self) -> Any:
        seed = int(self.options["random_seed"])
        weight = self.options["class_weight"]
        if self.options["model"] == "logreg":
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(
                C=float(self.options["C"]) * 20, max_iter=2000, class_weight=weight,
                random_state=seed,
            )
        from sklearn.svm import LinearSVC

        return LinearSVC(C=float(self.options["C"]), class_weight=weight, random_state=seed)

    def _decision(self, estimator: Any, matrix: Any) -> FloatArray:
        scores = np.asarray(estimator.decision_function(matrix), dtype=np.float32)
        if scores.ndim == 1:  # two classes: sklearn returns the score of the second
            scores = np.stack([-scores / 2, scores / 2], axis=1)
        return scores

    def train(self, data: TrainingData, docs: Sequence[NLUDoc], context: TrainContext) -> None:
        full = self.options["label"] == "full"
        labels_text = [
            example.intent if full else example.intent.split("/", 1)[0]
            for example in data.examples
        ]
        self.classes = sorted(set(labels_text))
        self.layout = feature_layout(docs)
        if not self.layout:
            raise InvalidProjectError(
                [Problem(f"{self.name} has no features to learn from", None, None,
                         "put a featurizer (e.g. CountVectorsFeaturizer) before the classifier")]
            )
        width = sum(size for _, size in self.layout)
        if len(self.classes) < 2:
            self.weights = np.zeros((width, len(self.classes)), dtype=np.float32)
            self.bias = np.zeros(len(self.classes), dtype=np.float32)
            return
        index = {name: i for i, name in enumerate(self.classes)}
        labels = np.array([index[name] for name in labels_text], dtype=np.int64)
        matrix = feature_matrix(docs, self.layout)
        context.progress(
            f"{self.name}: {self.options['model']} on {matrix.shape[0]} examples, "
            f"{len(self.classes)} intents, {width} features"
        )
        self.temperature, estimator = self._fit_and_calibrate(matrix, labels)
        coefficients = np.asarray(estimator.coef_, dtype=np.float32)
        intercepts = np.asarray(estimator.intercept_, dtype=np.float32)
        if coefficients.shape[0] == 1:
            coefficients = np.vstack([-coefficients / 2, coefficients / 2])
            intercepts = np.array([-intercepts[0] / 2, intercepts[0] / 2], dtype=np.float32)
        # stored in half precision (see persist): round now so that a freshly trained model
        # scores exactly as the same model loaded from its archive
        self.weights = np.ascontiguousarray(coefficients.T.astype(np.float16).astype(np.float32))
        self.bias = intercepts

    def _fit_and_calibrate(self, matrix: Any, labels: npt.NDArray[np.int64]) -> tuple[float, Any]:
        """The final model, and the temperature fitted on out-of-fold scores.

        The fold models and the final one are independent, and liblinear releases the GIL,
        so they are fitted side by side on the available cores.
        """
        from concurrent.futures import ThreadPoolExecutor

        from sklearn.model_selection import StratifiedKFold

        default_temperature = 5.0 if self.options["model"] == "svm" else 1.0
        smallest = int(np.bincount(labels).min())
        folds = min(int(self.options["calibration_folds"]), smallest)
        splits: list[tuple[Any, Any]] = []
        if folds >= 2:
            splitter = StratifiedKFold(
                folds, shuffle=True, random_state=int(self.options["random_seed"]))
            splits = list(splitter.split(np.zeros(len(labels)), labels))
        with ThreadPoolExecutor(max_workers=max(1, min(len(splits) + 1, os.cpu_count() or 1))) as pool:
            final = pool.submit(self._estimator().fit, matrix, labels)
            fold_fits = [
                pool.submit(self._estimator().fit, matrix[train], labels[train])
                for train, _ in splits
                if len(set(labels[train].tolist())) == len(self.classes)
            ]
            estimator = final.result()
            if not splits or len(fold_fits) < len(splits):
                return default_temperature, estimator
            scores = np.zeros((matrix.shape[0], len(self.classes)), dtype=np.float32)
            for (_, test), fit in zip(splits, fold_fits, strict=True):
                scores[test] = self._decision(fit.result(), matrix[test])
        return fit_temperature(scores, labels), estimator

    def scores(self, doc: NLUDoc) -> FloatArray:
        scores = self.bias.copy()
        offset = 0
        for key, size in self.layout:
            features = doc.features.get(key)
            if features is not None and len(features.indices):
                rows = self.weights[features.indices + offset]
                scores += features.values @ rows
            offset += size
        return scores

    def has_evidence(self, doc: NLUDoc) -> bool:
        """Whether any feature the model learned from occurs in the message."""
        return any(
            features is not None and len(features.indices)
            for features in (doc.features.get(key) for key, _ in self.layout)
        )

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        if not self.classes:
            return
        if self.has_evidence(doc):
            probabilities = softmax(self.scores(doc), self.temperature)
        else:  # nothing known in the message: every intent is equally (un)likely
            probabilities = np.full(len(self.classes), 1.0 / len(self.classes), dtype=np.float32)
        length = int(self.options["ranking_length"]) or len(self.classes)  # 0: all, as in Rasa
        order = np.argsort(-probabilities, kind="stable")[:length]
        ranking = [IntentPrediction(self.classes[i], float(probabilities[i])) for i in order]
        doc.intent = ranking[0]
        doc.intent_ranking = ranking

    def persist(self, directory: Path) -> None:
        # half precision halves the archive and its load time; scores move by < 1e-3
        np.save(directory / "weights.npy", self.weights.astype(np.float16))
        np.save(directory / "bias.npy", self.bias)
        meta = {"classes": self.classes, "layout": self.layout, "temperature": self.temperature}
        (directory / "classifier.json").write_text(
            json.dumps(meta, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, options: Mapping[str, Any], directory: Path) -> Self:
        component = cls(options)
        meta = json.loads((directory / "classifier.json").read_text(encoding="utf-8"))
        component.classes = list(meta["classes"])
        component.layout = [(key, int(size)) for key, size in meta["layout"]]
        component.temperature = float(meta["temperature"])
        component.weights = np.load(directory / "weights.npy").astype(np.float32)
        component.bias = np.load(directory / "bias.npy")
        return component


class FallbackClassifier(Component):
    """Replaces an unsure intent with `nlu_fallback`, keeping the ranking (as Rasa does)."""

    name = "FallbackClassifier"
    defaults: ClassVar[Mapping[str, Any]] = {"threshold": 0.3, "ambiguity_threshold": 0.1}

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        if doc.intent is None or doc.intent.name is None:
            return
        threshold = float(self.options["threshold"])
        ranking = doc.intent_ranking
        unsure = doc.intent.confidence < threshold
        if len(ranking) >= 2:
            margin = ranking[0].confidence - ranking[1].confidence
            unsure = unsure or margin < float(self.options["ambiguity_threshold"])
        if unsure:
            fallback = IntentPrediction(NLU_FALLBACK_INTENT, threshold)
            doc.intent = fallback
            doc.intent_ranking = [fallback, *ranking]
