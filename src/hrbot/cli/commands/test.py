"""`hrbot test [core|nlu]`: run the test stories (default), or score the NLU on test data or by
cross-validation."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from hrbot.cli.commands.common import (
    add_model_option,
    add_reference_time_option,
    model_path,
    reference_clock,
    reference_time,
)
from hrbot.cli.terminal import Terminal


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("test", help="run the test stories, or evaluate the NLU")
    parser.add_argument("part", nargs="?", choices=["core", "nlu"], default="core",
                        help="'core' (default): test stories; 'nlu': intent and entity scores")
    parser.add_argument("--stories", "-s", type=Path, default=Path("tests"),
                        help="test stories: a file or folder (default: tests/)")
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
    if args.part == "core":
        return _test_stories(args, terminal)
    return _test_nlu(args, terminal)


def _test_stories(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.model.loading import load_model
    from hrbot.shared.core.stories import read_test_stories
    from hrbot.shared.errors import HrbotError
    from hrbot.testing.story_test import failure_report, run_test_stories

    clock = reference_clock(args.reference_time)
    model = load_model(model_path(args.model, terminal))
    if model.dialogue is None:
        raise HrbotError(
            f"model {model.path.name} has no dialogue part: add domain.yml and stories or rules, "
            "then 'hrbot train' (or test the NLU with 'hrbot test nlu')"
        )
    if not args.stories.exists():
        raise HrbotError(f"test stories '{args.stories}' do not exist: pass --stories PATH")
    data = read_test_stories([args.stories])
    if not data.stories:
        raise HrbotError(f"no test stories found in '{args.stories}' (files with 'stories:')")
    dialogue = model.dialogue
    results = run_test_stories(
        data, dialogue.domain, dialogue.policies,
        lambda text: model.nlu.parse(text, clock()), terminal.progress,
    )
    failed = [result for result in results if result.failed]
    for result in failed:
        terminal.print(failure_report(result, data))
        terminal.print("")
    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        "passed": len(results) - len(failed),
        "failed": len(failed),
        "stories": [result.to_dict() for result in results],
    }
    (args.out / "story_report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    terminal.info(f"{len(results) - len(failed)} of {len(results)} test stories passed; "
                  f"details in {args.out}/story_report.json")
    return 1 if failed else 0


def _test_nlu(args: argparse.Namespace, terminal: Terminal) -> int:
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
