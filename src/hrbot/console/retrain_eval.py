"""How good would the retrained model be? A k-fold cross-validation of the NLU's intents on the
old and on the new training data, as `hrbot test nlu --cross-validation` does it (stratified
folds, the project's pipeline trained on k-1 folds and tested on the remaining one).

    new data   everything under data/ now (data/reviewed.yml included)
    old data   the same without the examples of data/reviewed.yml reviewed after the served
               model was trained (their `reviewed_at`), i.e. the data the served model saw as
               far as the console's annotations go

Accuracy counts the classifier's choice before any fallback (as Rasa's evaluation); macro F1
is the unweighted mean of the intents' F1 scores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hrbot.model.training import NLUTrainingInputs
from hrbot.shared.nlu.training_data import TrainingData, TrainingExample

FOLDS = 3


@dataclass(frozen=True)
class CrossValidation:
    examples: int
    intents: int
    folds: int
    accuracy: float
    macro_f1: float

    def to_dict(self) -> dict[str, Any]:
        return {"examples": self.examples, "intents": self.intents, "folds": self.folds,
                "accuracy": round(self.accuracy, 4), "macro_f1": round(self.macro_f1, 4)}


def _reviewed_at(example: TrainingExample) -> datetime | None:
    metadata = example.metadata
    raw = metadata.get("reviewed_at") if isinstance(metadata, dict) else None
    try:
        return datetime.fromisoformat(str(raw)) if raw is not None else None
    except ValueError:
        return None


def is_new_annotation(example: TrainingExample, reviewed_file: Path, trained_at: datetime | None) -> bool:
    """Whether `example` was written to `reviewed_file` after `trained_at` (every example of
    the file when the served model's training time is unknown)."""
    if example.source is None or Path(example.source.file).resolve() != reviewed_file.resolve():
        return False
    if trained_at is None:
        return True
    reviewed = _reviewed_at(example)
    return reviewed is None or reviewed > trained_at


def old_data(data: TrainingData, reviewed_file: Path, trained_at: datetime | None) -> TrainingData:
    return data.with_examples(e for e in data.examples if not is_new_annotation(e, reviewed_file, trained_at))


def trained_at_of(metadata: dict[str, Any]) -> datetime | None:
    try:
        found = datetime.fromisoformat(str(metadata["trained_at"]))
    except (KeyError, ValueError):
        return None
    return found if found.tzinfo is not None else None


def cross_validate(inputs: NLUTrainingInputs, data: TrainingData, *, folds: int, reference_time: datetime,
                   cache_dir: Path | None, after_fold: Callable[[int], None] = lambda fold: None
                   ) -> CrossValidation:
    """Train the project's pipeline `folds` times and test each on the held-out fold."""
    from hrbot.nlu.component import TrainContext
    from hrbot.nlu.evaluation import intent_report, predict, stratified_folds
    from hrbot.nlu.pipeline import NLUPipeline
    from hrbot.shared.errors import HrbotError

    if len(data.examples) < folds or len(data.intents) < 2:
        raise HrbotError(f"交叉验证至少需要 {folds} 条例句和 2 个意图,训练数据只有 {len(data.examples)} 条、"
                         f"{len(data.intents)} 个意图。")
    predictions = []
    for fold, (train, test) in enumerate(stratified_folds(data, folds), start=1):
        pipeline = NLUPipeline.from_config(inputs.pipeline)
        context = TrainContext(reference_time, lambda message: None, inputs.project_dir, cache_dir)
        pipeline.train(train, context)
        predictions.extend(predict(pipeline.parse, test, reference_time))
        after_fold(fold)
    report = intent_report(predictions)
    return CrossValidation(len(data.examples), len(data.intents), folds, float(report["accuracy"]),
                           float(report["macro avg"]["f1-score"]))
