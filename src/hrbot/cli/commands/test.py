"""`hrbot test nlu`: score a model on test data, or cross-validate the training data."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from hrbot.cli.commands.common import (
    add_model_option,
    add_reference_time_option,
    model_path,
    reference_time,
)
from hrbot.cli.terminal import Terminal


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("test", help="evaluate the model")
    parser.add_argument("part", nargs="?", choices=["nlu"], default="nlu")
    parser.add_argument("--nlu", "-u", type=Path, default=Path("data"),
                        help="NLU test data: a file or folder (with --cross-validation: the "
                             "training data to split)")
    parser.add_argument("--out", type=Path, default=Path("results"), help="report folder")
    parser.add_argument("--config", "-c", type=Path, default=Path("config.yml"))
    parser.add_argument("--cross-validation", action="store_true",
                        help="train and test on --folds splits of the data instead of a model")
    parser.add_argument("--folds", "-f", type=int, default=5)
    add_model_option(parser)
    add_reference_time_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.nlu.evaluation import predict, write_reports
    from hrbot.shared.nlu.rasa_yaml import load_nlu_data

    moment = reference_time(args.reference_time)
    if args.cross_validation:
        predictions = _cross_validate(args, terminal, moment)
    else:
        from hrbot.model.loading import load_model

        model = load_model(model_path(args.model, terminal))
        data = load_nlu_data([args.nlu], allow_conflicts=True)
        terminal.info(f"testing {model.path.name} on {len(data.examples)} examples")
        predictions = predict(model.nlu.parse, data, moment, terminal.progress)
    report = write_reports(predictions, args.out)
    summary = {
        "accuracy": round(report["accuracy"], 4),
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "weighted_f1": round(report["weighted avg"]["f1-score"], 4),
        "examples": len(predictions),
    }
    terminal.info(f"reports written to {args.out}/")
    terminal.print(json.dumps(summary))
    return 0


def _cross_validate(args: argparse.Namespace, terminal: Terminal, moment: Any) -> list[Any]:
    from hrbot.model.training import read_nlu_inputs
    from hrbot.nlu.component import TrainContext
    from hrbot.nlu.evaluation import predict, stratified_folds
    from hrbot.nlu.pipeline import NLUPipeline
    from hrbot.shared.errors import HrbotError
    from hrbot.shared.project import default_cache_dir

    if args.folds < 2:
        raise HrbotError("--folds must be at least 2")
    inputs = read_nlu_inputs(Path.cwd(), config_path=args.config, data_paths=[args.nlu])
    predictions = []
    for fold, (train, test) in enumerate(stratified_folds(inputs.data, args.folds), start=1):
        terminal.info(f"fold {fold}/{args.folds}: training on {len(train.examples)}, "
                      f"testing on {len(test.examples)}")
        pipeline = NLUPipeline.from_config(inputs.pipeline)
        pipeline.train(train, TrainContext(moment, lambda m: None, Path.cwd(), default_cache_dir()))
        predictions.extend(predict(pipeline.parse, test, moment))
    return predictions
