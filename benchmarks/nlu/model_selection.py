"""Model selection for LinearIntentClassifier and its featurizers (same harness as run.py).

    python benchmarks/nlu/model_selection.py [--datasets DIR] [--only NAME ...] [--out DIR]
                                             [--budget-minutes 25]

One factor at a time from a reference, hrbot's default before commit 0014b8d (svm, C=0.5,
char 1-4 + word 1-2 n-grams, no class weights): svm C in 0.1/0.3/0.5/1/2; logreg C in
0.5/1/2/5 (the component fits LogisticRegression with 20 x C); char n-grams up to 3/4/5;
without the word n-gram featurizer; class_weight "balanced". Then the combination of the
per-factor winners, and the reference once more (to see how much train times move between
identical runs on a busy machine). Finally the reference, the best variants and the
neighbours of the current config.yml choice are scored again on held-out data that played no
part in choosing (dev.yml, and HR folds cut with another seed). Each variant sets the
classifier options and the n-gram featurizers itself, whatever config.yml currently has.

Datasets: SMP2017, SMP2019 and SMP2020 (scored on intent-only labels, as published), CAIS
(train.yml -> test.yml) with benchmarks/nlu/config.yml, and the HR data (5-fold CV) with
config.yml. The pipelines are the real ones, entity extractors included (the intent classifier
reads their entities through EntityFeaturizer). What comes before the first component a
variant changes (tokenizer, regexes, CRF, rule extractors) does not depend on the variant, so
it is trained and run once per split and its output reused; each variant then trains and runs
the rest exactly as NLUPipeline does (a self-check compares this with a whole pipeline on one
HR fold). Train time per variant is the training time of that variable part (EntityFeaturizer,
n-gram featurizers, classifier); the fixed part's time is reported separately.
Writes model_selection.json and model_selection.md to --out and prints the table.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import harness as h

STUDY = ["smp2017_ecdt_task1", "smp2019_ecdt", "smp2020_ecdt", "cais", h.HR]
# the components the variants change, and everything after them, are trained per variant
VARIABLE = {"EntityFeaturizer", "NgramFeaturizer", "LinearIntentClassifier"}
# FallbackClassifier does not change the classifier's own top intent, which is what is scored
NOT_SCORED = {"FallbackClassifier"}
Items = list[dict[str, Any]]


def classifier(items: Items, **options: Any) -> Items:
    changed = copy.deepcopy(items)
    for item in changed:
        if item["name"] == "LinearIntentClassifier":
            item.update(options)
    return changed


Variant = tuple[str, dict[str, Any], Callable[[Items], Items], list[str] | None]
# logistic regression trains 20-30x slower than the SVM (lbfgs at C=10..100): it runs on the
# two smallest public datasets only, to keep the study within its time budget
LOGREG_DATASETS = ["smp2017_ecdt_task1", "smp2019_ecdt"]


def with_ngrams(items: Items, high: int, word: bool) -> Items:
    """The n-gram featurizers replaced by char 1-`high` (and word 1-2), where they were."""
    position = next(i for i, item in enumerate(items)
                    if item["name"] in ("NgramFeaturizer", "LinearIntentClassifier"))
    kept = [copy.deepcopy(item) for item in items if item["name"] != "NgramFeaturizer"]
    featurizers: Items = [{"name": "NgramFeaturizer", "analyzer": "char", "min_ngram": 1,
                           "max_ngram": high}]
    if word:
        featurizers.append({"name": "NgramFeaturizer", "analyzer": "word", "min_ngram": 1,
                            "max_ngram": 2})
    return kept[:position] + featurizers + kept[position:]


def variants_from(choice: dict[str, Any]) -> Callable[[Items], Items]:
    """A pipeline transformation from a description (model, C, char_max, word, class_weight)."""

    def transform(items: Items) -> Items:
        changed = classifier(items, model=choice["model"], C=choice["C"],
                             class_weight=choice["class_weight"])
        return with_ngrams(changed, choice["char_max"], choice["word"])

    return transform


DEFAULT = {"model": "svm", "C": 0.5, "char_max": 4, "word": True, "class_weight": None}
REFERENCE_LABEL = "reference: default before 0014b8d (svm C=0.5, char 1-4, word 1-2)"


def configured_choice(config: Path) -> dict[str, Any]:
    """What a config.yml actually uses, in the terms of DEFAULT."""
    from hrbot.nlu.components.intent_classifier import LinearIntentClassifier

    items = h.read_pipeline_items(config)
    options = {**LinearIntentClassifier.defaults,
               **next((i for i in items if i["name"] == "LinearIntentClassifier"), {})}
    chars = [i for i in items if i["name"] == "NgramFeaturizer" and i.get("analyzer") == "char"]
    return {"model": options["model"], "C": options["C"],
            "char_max": chars[0].get("max_ngram") if chars else None,
            "word": any(i["name"] == "NgramFeaturizer" and i.get("analyzer", "word") == "word"
                        for i in items),
            "class_weight": options["class_weight"]}


def one_factor_variants() -> list[Variant]:
    rows: list[Variant] = []

    def add(name: str, only: list[str] | None = None, **change: Any) -> None:
        choice = {**DEFAULT, **change}
        rows.append((name, choice, variants_from(choice), only))

    add(REFERENCE_LABEL)
    for c in (0.1, 0.3, 1, 2):
        add(f"svm C={c}", C=c)
    for high in (3, 5):
        add(f"char 1-{high}", char_max=high)
    add("no word n-grams", word=False)
    add("class_weight=balanced", class_weight="balanced")
    return rows


def logreg_variants() -> list[Variant]:
    rows: list[Variant] = []
    for c in (0.5, 1, 2, 5):
        choice = {**DEFAULT, "model": "logreg", "C": c}
        rows.append((f"logreg C={c} (sklearn C={20 * c:g})", choice, variants_from(choice),
                     LOGREG_DATASETS))
    return rows


# ---------------------------------------------------------------------------- evaluation


def _clone(doc: Any) -> Any:
    """A copy that later components can add features and an intent to."""
    from hrbot.nlu.doc import NLUDoc

    return NLUDoc(doc.text, tokens=doc.tokens, features=dict(doc.features),
                  pattern_matches=doc.pattern_matches, entities=list(doc.entities),
                  extras=dict(doc.extras))


def _finish(component: Any) -> None:
    """NLUPipeline.train calls this after each component (newer hrbot versions have it)."""
    finish = getattr(component, "finish_training", None)
    if finish is not None:
        finish()


def _split_steps(resolved: Any) -> tuple[list[Any], list[Any], int]:
    """(fixed steps, variable steps, index of the last entity consumer) of a pipeline."""
    steps = list(resolved.steps)
    first = next(i for i, step in enumerate(steps) if step.spec.name in VARIABLE)
    last_consumer = max(
        (i for i, step in enumerate(steps)
         if getattr(step.spec.component_class(), "consumes_entities", False)),
        default=-1,
    )
    variable = [step for step in steps[first:] if step.spec.name not in NOT_SCORED]
    return steps[:first], variable, last_consumer


class PreparedSplit:
    """One train/test split with the variant-independent first part of the pipeline trained,
    and the train and test docs as that part leaves them (as NLUPipeline.train/parse would)."""

    def __init__(self, items: Items, train: Any, test: Any, cache: Path) -> None:
        from hrbot.nlu.component import ParseContext, TrainContext
        from hrbot.nlu.doc import NLUDoc
        from hrbot.nlu.pipeline import processing_text

        self.items, self.train, self.test = items, train, test
        fixed, _, last_consumer = _split_steps(h.resolve_items(items))
        self.fixed_names = [step.spec.name for step in fixed]
        context = TrainContext(h.REFERENCE_TIME, lambda m: None, h.REPO, cache)
        parse_context = ParseContext(h.REFERENCE_TIME)
        started = time.perf_counter()
        docs = [NLUDoc(processing_text(e.text)) for e in train.examples]
        components = []
        for index, step in enumerate(fixed):
            component = step.spec.component_class()(step.options)
            component.train(train, docs, context)
            if component.prepares_training_docs or index < last_consumer:
                for doc in docs:
                    component.process(doc, parse_context)
            _finish(component)
            components.append(component)
        self.fixed_seconds = time.perf_counter() - started
        self.train_docs = docs
        self.test_docs = []
        for example in test.examples:
            doc = NLUDoc(processing_text(example.text))
            for component in components:
                component.process(doc, parse_context)
            self.test_docs.append(doc)

    def run(self, items: Items, cache: Path) -> tuple[list[Any], float]:
        """Train the variable part of `items` on the prepared docs; (predictions, seconds)."""
        from hrbot.nlu.component import ParseContext, TrainContext
        from hrbot.nlu.evaluation import Prediction

        fixed, variable, last_consumer = _split_steps(h.resolve_items(items))
        if [step.spec.name for step in fixed] != self.fixed_names:
            raise ValueError("a variant changed the fixed part of the pipeline")
        offset = len(fixed)
        context = TrainContext(h.REFERENCE_TIME, lambda m: None, h.REPO, cache)
        parse_context = ParseContext(h.REFERENCE_TIME)
        docs = [_clone(doc) for doc in self.train_docs]
        started = time.perf_counter()
        components = []
        for index, step in enumerate(variable, start=offset):
            component = step.spec.component_class()(step.options)
            component.train(self.train, docs, context)
            if component.prepares_training_docs or index < last_consumer:
                for doc in docs:
                    component.process(doc, parse_context)
            _finish(component)
            components.append(component)
        seconds = time.perf_counter() - started
        predictions = []
        for example, prepared in zip(self.test.examples, self.test_docs, strict=True):
            doc = _clone(prepared)
            for component in components:
                component.process(doc, parse_context)
            predictions.append(Prediction(example, doc.to_parse_result()))
        return predictions, seconds


class Study:
    def __init__(self, datasets_dir: Path, names: list[str], cache: Path,
                 progress: h.Progress) -> None:
        self.progress = progress
        self.cache = cache
        self.splits: dict[str, list[PreparedSplit]] = {}
        self.base_items: dict[str, Items] = {}
        self.collapse: dict[str, dict[str, str]] = {}
        self.fixed_seconds: dict[str, float] = {}
        for name in names:
            if name == h.HR:
                from hrbot.model.training import read_nlu_inputs
                from hrbot.nlu.evaluation import stratified_folds

                inputs = read_nlu_inputs(h.REPO, config_path=h.PROJECT_CONFIG,
                                         data_paths=[h.PROJECT_DATA])
                pairs = stratified_folds(inputs.data, 5)
                self.base_items[name] = h.read_pipeline_items(h.PROJECT_CONFIG)
            else:
                folder = datasets_dir / name
                pairs = [(h.load_split(folder / "train.yml"), h.load_split(folder / "test.yml"))]
                self.base_items[name] = h.read_pipeline_items(h.BENCHMARK_CONFIG)
                if h.DATASETS[name].collapse:
                    self.collapse[name] = h.label_collapse(folder)
            progress(f"{name}: training the variant-independent part of the pipeline on "
                     f"{len(pairs)} split(s)")
            self.splits[name] = [PreparedSplit(self.base_items[name], train, test, cache)
                                 for train, test in pairs]
            self.fixed_seconds[name] = round(sum(s.fixed_seconds for s in self.splits[name]), 2)
            progress(f"{name}: {' + '.join(self.splits[name][0].fixed_names)} took "
                     f"{self.fixed_seconds[name]:.1f}s")

    def add_confirmation(self, datasets_dir: Path, names: list[str], seed: int) -> list[str]:
        """Held-out splits not used for choosing: dev.yml where a dataset has one (trained on
        train.yml), and the HR data cut into 5 folds with another seed."""
        added = []
        for name in names:
            key = f"{name}:confirm"
            if name == h.HR:
                from hrbot.model.training import read_nlu_inputs
                from hrbot.nlu.evaluation import stratified_folds

                inputs = read_nlu_inputs(h.REPO, config_path=h.PROJECT_CONFIG,
                                         data_paths=[h.PROJECT_DATA])
                pairs = stratified_folds(inputs.data, 5, seed=seed)
            else:
                folder = datasets_dir / name
                if not (folder / "dev.yml").is_file():
                    continue
                pairs = [(h.load_split(folder / "train.yml"), h.load_split(folder / "dev.yml"))]
                if name in self.collapse:
                    self.collapse[key] = self.collapse[name]
            self.progress(f"{key}: training the variant-independent part on {len(pairs)} "
                          "split(s)")
            self.base_items[key] = self.base_items[name]
            self.splits[key] = [PreparedSplit(self.base_items[key], train, test, self.cache)
                                for train, test in pairs]
            added.append(key)
        return added

    def self_check(self) -> dict[str, Any] | None:
        """The default variant through PreparedSplit vs a whole NLUPipeline, on one HR fold."""
        if h.HR not in self.splits:
            return None
        split = self.splits[h.HR][0]
        ours, _ = split.run(self.base_items[h.HR], self.cache)
        resolved = h.resolve_items(self.base_items[h.HR])
        pipeline, _, _ = h.train_pipeline(resolved, split.train, h.REPO, self.cache)
        whole = h.predict(pipeline.parse, split.test, lambda m: None)
        same = sum(a.predicted_intent == b.predicted_intent for a, b in zip(ours, whole,
                                                                            strict=True))
        return {"split": "HR fold 1", "examples": len(whole), "same_predicted_intent": same,
                "identical": same == len(whole)}

    def evaluate(self, name: str, transform: Callable[[Items], Items]) -> dict[str, Any]:
        items = transform(self.base_items[name])
        predictions: list[Any] = []
        train_seconds: list[float] = []
        for split in self.splits[name]:
            split_predictions, seconds = split.run(items, self.cache)
            train_seconds.append(seconds)
            predictions.extend(split_predictions)
        full = h.hrbot_intent_scores(predictions)
        result: dict[str, Any] = {
            "accuracy": full["accuracy"], "macro_f1": full["macro_f1"],
            "train_s": round(sum(train_seconds), 3),
        }
        if name in self.collapse:
            gold = [p.gold_intent for p in predictions]
            predicted = [p.predicted_intent for p in predictions]
            collapsed = h.collapsed_scores(gold, predicted, self.collapse[name])
            result.update({"full_label_accuracy": full["accuracy"],
                           "full_label_macro_f1": full["macro_f1"],
                           "accuracy": collapsed["accuracy"], "macro_f1": collapsed["macro_f1"]})
        return result


def summarise(
    per_dataset: dict[str, dict[str, Any]], names: list[str],
    default: dict[str, dict[str, Any]] | None,
) -> dict[str, Any]:
    """Means over the datasets the variant ran on, and paired differences to the default
    on those same datasets."""
    ran = [n for n in names if n in per_dataset]
    if not ran:
        return {"complete": False, "datasets": []}
    rows = [per_dataset[n] for n in ran]
    summary: dict[str, Any] = {
        "complete": len(ran) == len(names),
        "datasets": ran,
        "mean_accuracy": round(statistics.mean(r["accuracy"] for r in rows), 4),
        "mean_macro_f1": round(statistics.mean(r["macro_f1"] for r in rows), 4),
        "total_train_s": round(sum(r["train_s"] for r in rows), 2),
    }
    if default is not None and all(n in default for n in ran):
        summary["delta_accuracy"] = round(statistics.mean(
            per_dataset[n]["accuracy"] - default[n]["accuracy"] for n in ran), 4)
        summary["delta_macro_f1"] = round(statistics.mean(
            per_dataset[n]["macro_f1"] - default[n]["macro_f1"] for n in ran), 4)
        summary["time_vs_default"] = round(
            sum(per_dataset[n]["train_s"] for n in ran)
            / max(sum(default[n]["train_s"] for n in ran), 1e-9), 2)
    return summary


def run_variant(
    study: Study, names: list[str], label: str, choice: dict[str, Any],
    transform: Callable[[Items], Items], deadline: float,
    default: dict[str, dict[str, Any]] | None, only: list[str] | None = None,
) -> dict[str, Any]:
    per_dataset: dict[str, dict[str, Any]] = {}
    for name in names:
        if only is not None and name not in only:
            continue
        if time.monotonic() > deadline:
            study.progress(f"{label} / {name}: skipped, over the time budget")
            continue
        per_dataset[name] = study.evaluate(name, transform)
        r = per_dataset[name]
        study.progress(f"{label} / {name}: acc {r['accuracy']:.4f}, macro-F1 "
                       f"{r['macro_f1']:.4f}, train {r['train_s']:.2f}s")
    return {"variant": label, "choice": choice, "datasets": per_dataset,
            "summary": summarise(per_dataset, names, default if default else per_dataset)}


def best_combination(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per factor, the level with the best mean accuracy (ties: faster) among the
    one-factor variants."""
    complete = [r for r in rows if r["summary"]["complete"]]

    def key(row: dict[str, Any]) -> tuple[float, float]:
        return (row["summary"]["mean_accuracy"], -row["summary"]["total_train_s"])

    def best_of(predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        return max((r for r in complete if predicate(r["choice"])), key=key)["choice"]

    default_like = {k: v for k, v in DEFAULT.items() if k not in ("model", "C")}
    model_choice = best_of(lambda c: c["model"] == "svm"
                           and all(c[k] == v for k, v in default_like.items()))
    char_choice = best_of(lambda c: c["model"] == "svm" and c["C"] == DEFAULT["C"]
                          and c["word"] and c["class_weight"] is None)
    word_choice = best_of(lambda c: c["model"] == "svm" and c["C"] == DEFAULT["C"]
                          and c["char_max"] == DEFAULT["char_max"] and c["class_weight"] is None)
    weight_choice = best_of(lambda c: c["model"] == "svm" and c["C"] == DEFAULT["C"]
                            and c["char_max"] == DEFAULT["char_max"] and c["word"])
    return {"model": model_choice["model"], "C": model_choice["C"],
            "char_max": char_choice["char_max"], "word": word_choice["word"],
            "class_weight": weight_choice["class_weight"]}


def confirm(
    study: Study, datasets_dir: Path, names: list[str], rows: list[dict[str, Any]],
    deadline: float, seed: int = 7, candidates: int = 5,
) -> dict[str, Any]:
    """The default and the best few variants again, on data the choice did not see."""
    scored = [r for r in rows if "delta_accuracy" in r["summary"] and r["summary"]["complete"]
              and not r.get("timing_check_only") and r["choice"] != DEFAULT]
    best = sorted(scored, key=lambda r: -r["summary"]["delta_accuracy"])[:candidates]
    if not best or time.monotonic() > deadline:
        return {"rows": [], "names": [], "description": "skipped (time budget)"}
    keys = study.add_confirmation(datasets_dir, names, seed)
    default: dict[str, dict[str, Any]] = {}
    result_rows = []
    current = configured_choice(h.PROJECT_CONFIG)
    neighbours = [
        (f"current config.yml with {change}", {**current, **values})
        for change, values in (
            ("word 1-2", {"word": True}), (f"char 1-{current['char_max'] + 1}",
                                           {"char_max": (current["char_max"] or 3) + 1}),
            ("C=1" if current["C"] != 1 else "C=2", {"C": 1 if current["C"] != 1 else 2}),
            ("class_weight=None" if current["class_weight"] else "class_weight=balanced",
             {"class_weight": None if current["class_weight"] else "balanced"}),
        )
    ]
    candidates_list = [(REFERENCE_LABEL, DEFAULT),
                       ("current config.yml: " + describe(current), current),
                       *((r["variant"], r["choice"]) for r in best), *neighbours]
    unique: list[tuple[str, dict[str, Any]]] = []
    for label, choice in candidates_list:
        if all(choice != other for _, other in unique):
            unique.append((label, choice))
    for label, choice in unique:
        row = run_variant(study, keys, label, choice, variants_from(choice), deadline,
                          default or None)
        if not default:
            default = row["datasets"]
            row["summary"] = summarise(default, keys, default)
        result_rows.append(row)
    # candidates that were not among the variants yet are scored on the test sets too, so
    # that every candidate has both a test-set and a held-out result
    reference = next(r for r in rows if r["choice"] == DEFAULT)["datasets"]
    for label, choice in unique:
        if all(choice != r["choice"] for r in rows):
            row = run_variant(study, names, label, choice, variants_from(choice), deadline,
                              reference)
            row["added_for_confirmation"] = True
            rows.insert(len([r for r in rows if not r.get("timing_check_only")]), row)
    return {
        "rows": result_rows,
        "names": keys,
        "description": "; ".join(
            part for part in (
                "trained on train.yml, scored on dev.yml: " + ", ".join(
                    h.DATASETS[k.split(":")[0]].short for k in keys if not k.startswith(h.HR))
                if any(not k.startswith(h.HR) for k in keys) else "",
                f"HR 5-fold CV with fold seed {seed} instead of 2026"
                if any(k.startswith(h.HR) for k in keys) else "",
            ) if part
        ),
    }


def describe(choice: dict[str, Any]) -> str:
    model = (f"{choice['model']} C={choice['C']}" if choice["model"] == "svm"
             else f"logreg C={choice['C']} (sklearn C={20 * choice['C']:g})")
    return (f"{model}, char 1-{choice['char_max']}"
            f"{', word 1-2' if choice['word'] else ', no word n-grams'}"
            f"{', balanced' if choice['class_weight'] == 'balanced' else ''}")


# ---------------------------------------------------------------------------- report


CURRENT: dict[str, Any] = {}


def table(rows: list[dict[str, Any]], names: list[str]) -> str:
    def label(name: str) -> str:
        base, _, suffix = name.partition(":")
        text = "HR CV" if base == h.HR else h.DATASETS[base].short
        if suffix:
            text += " (seed 7)" if base == h.HR else " dev"
        return text

    short = {n: label(n) for n in names}
    header = ("| variant | " + " | ".join(f"{short[n]} acc / F1 / train s" for n in names)
              + " | mean acc | Δ acc vs reference | Δ macro-F1 vs reference | train s (sum) "
              "| time vs reference |")
    lines = [header, "| --- | " + " | ".join("---:" for _ in names)
             + " | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        cells = []
        for n in names:
            r = row["datasets"].get(n)
            cells.append("–" if r is None else
                         f"{h.pct(r['accuracy'])} / {h.pct(r['macro_f1'])} / {r['train_s']:.1f}")
        s = row["summary"]
        if s.get("datasets"):
            partial = "" if s["complete"] else f" ({len(s['datasets'])} sets)"
            delta = s.get("delta_accuracy")
            delta_f1 = s.get("delta_macro_f1")
            tail = (f"{h.pct(s['mean_accuracy'], 2)}{partial} | "
                    f"{'–' if delta is None else f'{100 * delta:+.2f}'} | "
                    f"{'–' if delta_f1 is None else f'{100 * delta_f1:+.2f}'} | "
                    f"{s['total_train_s']:.1f} | {s.get('time_vs_default', 1.0):.2f}×")
        else:
            tail = "– | – | – | – | –"
        name = row["variant"]
        if row["choice"] == CURRENT.get("choice") and "current config.yml" not in name:
            name += " (= current config.yml)"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {tail} |")
    return "\n".join(lines)


def recommendation(rows: list[dict[str, Any]], tolerance: float = 0.002) -> dict[str, Any]:
    """Best paired accuracy gain over the default (on the datasets each variant ran on);
    variants within `tolerance` of the best count as tied and the fastest of them wins."""
    scored = [r for r in rows if "delta_accuracy" in r["summary"]]
    if not scored:
        return {"variant": None, "reason": "no variant completed"}
    best = max(r["summary"]["delta_accuracy"] for r in scored)
    close = [r for r in scored if r["summary"]["delta_accuracy"] >= best - tolerance]
    chosen = min(close, key=lambda r: r["summary"]["time_vs_default"])
    top = max(scored, key=lambda r: r["summary"]["delta_accuracy"])
    return {
        "variant": chosen["variant"],
        "choice": chosen["choice"],
        "best_accuracy_variant": top["variant"],
        "rule": f"largest mean accuracy gain over the default on the same datasets; variants "
                f"within {100 * tolerance:.1f} points of the best count as tied, and the "
                "fastest of those (train time relative to the default) is chosen",
        "tied": [r["variant"] for r in close],
    }


def final_recommendation(
    rows: list[dict[str, Any]], confirmation_rows: list[dict[str, Any]], tolerance: float = 0.002,
) -> dict[str, Any]:
    """Accuracy first, on both kinds of evidence: the mean of the gain over the reference on
    the test sets and on the held-out data; within `tolerance` of the best, the fastest."""
    candidates = []
    for held in confirmation_rows:
        test = next((r for r in rows if r["choice"] == held["choice"]
                     and not r.get("timing_check_only")), None)
        if test is None or "delta_accuracy" not in test["summary"] or not test["summary"][
                "complete"] or "delta_accuracy" not in held["summary"]:
            continue
        candidates.append({
            "variant": held["variant"], "choice": held["choice"],
            "delta_test": test["summary"]["delta_accuracy"],
            "delta_held_out": held["summary"]["delta_accuracy"],
            "delta_macro_f1_test": test["summary"]["delta_macro_f1"],
            "delta_macro_f1_held_out": held["summary"]["delta_macro_f1"],
            "score": round((test["summary"]["delta_accuracy"]
                            + held["summary"]["delta_accuracy"]) / 2, 4),
            "time_vs_reference": round((test["summary"]["time_vs_default"]
                                        + held["summary"]["time_vs_default"]) / 2, 2),
        })
    if not candidates:
        return {"variant": None}
    best = max(c["score"] for c in candidates)
    tied = [c for c in candidates if c["score"] >= best - tolerance]
    chosen = min(tied, key=lambda c: c["time_vs_reference"])
    return {
        **chosen,
        "rule": "mean of the accuracy gain over the reference on the test sets and on the "
                f"held-out data; candidates within {100 * tolerance:.1f} points of the best "
                "count as tied and the fastest of those is chosen",
        "tied": [c["variant"] for c in tied],
        "candidates": candidates,
    }


def final_table(final: dict[str, Any]) -> str:
    lines = ["| candidate | Δ acc, test sets | Δ acc, held-out | mean Δ acc | Δ macro-F1 test / "
             "held-out | train time vs reference |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for c in sorted(final.get("candidates", []), key=lambda c: -c["score"]):
        name = f"**{c['variant']}**" if c["variant"] == final.get("variant") else c["variant"]
        lines.append(
            f"| {name} | {100 * c['delta_test']:+.2f} | {100 * c['delta_held_out']:+.2f} | "
            f"{100 * c['score']:+.2f} | {100 * c['delta_macro_f1_test']:+.2f} / "
            f"{100 * c['delta_macro_f1_held_out']:+.2f} | {c['time_vs_reference']:.2f}× |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=h.DEFAULT_DATASETS)
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help=f"a subset of: {', '.join(STUDY)}")
    parser.add_argument("--out", type=Path, default=h.HERE / "results")
    parser.add_argument("--budget-minutes", type=float, default=25.0,
                        help="stop starting new trainings after this long (default 25)")
    args = parser.parse_args(argv)
    CURRENT["choice"] = configured_choice(h.PROJECT_CONFIG)
    names = [n for n in h.resolve_names(args.only or STUDY) if n in STUDY]
    progress = h.Progress()
    deadline = time.monotonic() + 60 * args.budget_minutes
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    load_start = h.load_average()
    work = Path(tempfile.mkdtemp(prefix="hrbot-model-selection-"))
    rows: list[dict[str, Any]] = []
    confirmation: dict[str, Any] = {"rows": [], "names": [], "description": ""}
    revision_start = h.git_revision()
    check: dict[str, Any] | None = None
    study_fixed: dict[str, float] = {}
    try:
        h.preload_training_libraries()
        for config in {h.BENCHMARK_CONFIG, h.PROJECT_CONFIG}:
            h.warm_jieba_cache(config, h.REPO, work)
        for config in (h.BENCHMARK_CONFIG, h.PROJECT_CONFIG):
            progress(f"{config.relative_to(h.REPO)} currently uses "
                     f"{describe(configured_choice(config))}")
        study = Study(args.datasets, names, work, progress)
        study_fixed = study.fixed_seconds
        progress(f"model selection on {', '.join(names)}; budget {args.budget_minutes:g} min")
        check = study.self_check()
        if check is not None:
            progress(f"self-check: {check['same_predicted_intent']}/{check['examples']} "
                     "predicted intents identical to a whole NLUPipeline")
        progress("warm-up training (untimed)")
        study.evaluate(names[0], variants_from(DEFAULT))
        default: dict[str, dict[str, Any]] = {}
        for label, choice, transform, only in one_factor_variants():
            row = run_variant(study, names, label, choice, transform, deadline,
                              default or None, only)
            if not default:
                default = row["datasets"]
                row["summary"] = summarise(default, names, default)
            rows.append(row)
        try:
            combined: dict[str, Any] | None = best_combination(rows)
        except ValueError:  # some factor has no complete variant (time budget)
            combined = None
        if combined is not None and all(combined != row["choice"] for row in rows):
            rows.append(run_variant(study, names, f"combined winners: {describe(combined)}",
                                    combined, variants_from(combined), deadline, default))
        for label, choice, transform, only in logreg_variants():
            rows.append(run_variant(study, names, label, choice, transform, deadline, default,
                                    only))
        repeat = run_variant(study, names, "reference again (timing noise check)", DEFAULT,
                             variants_from(DEFAULT), deadline, default)
        repeat["timing_check_only"] = True
        rows.append(repeat)
        confirmation = confirm(study, args.datasets, names, rows, deadline)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    advice = recommendation([r for r in rows if not r.get("timing_check_only")])
    if confirmation["rows"]:
        advice["confirmation"] = recommendation(confirmation["rows"])
        advice["final"] = final_recommendation(rows, confirmation["rows"])
    document = {
        "meta": {
            "started_at": started_at,
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "datasets": names,
            "scoring": "intent accuracy / macro-F1 over the classifier's top intent; SMP2019 "
                       "and SMP2020 on intent-only labels (label_collapse.json); HR pooled over "
                       "5 CV folds; train_s = training of tokenizer + featurizers + classifier "
                       "(summed over the 5 folds for HR)",
            "git_revision": revision_start,
            "git_revision_end": h.git_revision(),
            "uncommitted_changes": h.git_dirty(),
            "machine": h.machine_info(),
            "load_average": {"start": load_start, "end": h.load_average()},
            "budget_minutes": args.budget_minutes,
            "fixed_part_train_s": study_fixed,
            "reference": DEFAULT,
            "configured": {"benchmarks/nlu/config.yml": configured_choice(h.BENCHMARK_CONFIG),
                           "config.yml": configured_choice(h.PROJECT_CONFIG)},
            "self_check": check,
        },
        "variants": rows,
        "confirmation": confirmation,
        "recommendation": advice,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "model_selection.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    markdown = (table(rows, names) + "\n\nChosen on the test sets: **" + str(advice["variant"])
                + "** (" + advice.get("rule", "") + ").\n")
    if confirmation["rows"]:
        markdown += ("\nConfirmation on held-out data (" + confirmation["description"] + "):\n\n"
                     + table(confirmation["rows"], confirmation["names"])
                     + "\n\nBest on the held-out data: **"
                     + str(advice["confirmation"]["variant"]) + "**.\n"
                     + "\nBoth kinds of evidence together (" + advice["final"].get("rule", "")
                     + "):\n\n" + final_table(advice["final"])
                     + "\n\nRecommended: **" + str(advice["final"].get("variant")) + "**.\n")
    (args.out / "model_selection.md").write_text(markdown, encoding="utf-8")
    progress(f"done: {args.out / 'model_selection.json'}")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
