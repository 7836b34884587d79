"""hrbot NLU benchmark: public Chinese NLU datasets and the HR data, against a plain baseline.

    python benchmarks/nlu/run.py [--datasets DIR] [--only NAME ...] [--out DIR] [--quick]

For every dataset in the shared benchmarks folder (default `<repo>/../shared/benchmarks`):
train hrbot on train.yml only (with `train_nlu`, as `hrbot train` does, using the pipeline in
benchmarks/nlu/config.yml), score test.yml (intent accuracy / macro-F1 over the classifier's
own top intent, exact-span entity F1; intent-only accuracy for SMP2019/2020), and time
training, loading (fresh process), parsing and memory. The HR data is cross-validated
(5 folds) with the project's config.yml. A scikit-learn baseline runs on the same splits.
Writes results.json, summary.md and accuracy_vs_train_time.png to --out and prints the
tables. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import harness as h

FULL = {"train_repeats": 3, "repeat_below_s": 30.0, "load_repeats": 5, "serving_repeats": 3,
        "warmup": 200, "parse_limit": None, "cold_build": True}
QUICK = {"train_repeats": 1, "repeat_below_s": 0.0, "load_repeats": 3, "serving_repeats": 1,
         "warmup": 200, "parse_limit": 300, "cold_build": False}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=h.DEFAULT_DATASETS,
                        help="folder with the benchmark datasets (default: <repo>/../shared/"
                             "benchmarks)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help=f"run only these: {', '.join(h.ALL_NAMES)} (prefixes and short "
                             "names such as smp2017 work); other entries of an existing "
                             "results.json are kept")
    parser.add_argument("--out", type=Path, default=None,
                        help="results folder (default benchmarks/nlu/results; with --quick "
                             "benchmarks/nlu/results/quick)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer timing repetitions, latency over at most 300 sentences, "
                             "no cold-build measurement (accuracy is still on the full test sets)")
    parser.add_argument("--config", type=Path, default=h.BENCHMARK_CONFIG,
                        help="pipeline for the public datasets (default benchmarks/nlu/config.yml)")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = h.HERE / "results" / ("quick" if args.quick else "")
    return args


# ---------------------------------------------------------------------------- one dataset


def train_timed(
    settings: dict[str, Any], progress: h.Progress, label: str, **kwargs: Any
) -> tuple[Path, dict[str, Any]]:
    """train_nlu, repeated when quick enough; the first archive is the one evaluated."""
    runs: list[float] = []
    breakdowns: list[dict[str, Any]] = []
    archive: Path | None = None
    for attempt in range(int(settings["train_repeats"])):
        path, seconds, breakdown = h.train_archive(**kwargs)
        archive = archive or path
        runs.append(seconds)
        breakdowns.append(breakdown)
        progress(f"{label}: train_nlu run {attempt + 1} took {seconds:.2f}s")
        if seconds >= float(settings["repeat_below_s"]):
            break
    assert archive is not None
    median_index = sorted(range(len(runs)), key=lambda i: runs[i])[len(runs) // 2]
    components = breakdowns[median_index]["components_s"]
    return archive, {
        "median_s": round(statistics.median(runs), 3),
        "runs_s": [round(r, 3) for r in runs],
        "breakdown_of_median_run": breakdowns[median_index],
        "crf_s": round(h.crf_seconds(components), 3),
        "other_components_s": round(h.other_component_seconds(components), 3),
    }


def timing_and_size(
    archive: Path, texts: list[str], settings: dict[str, Any], progress: h.Progress, label: str
) -> dict[str, Any]:
    progress(f"{label}: load time, {settings['load_repeats']} fresh processes")
    load = h.measure_load(archive, int(settings["load_repeats"]))
    progress(f"{label}: load {load['median_s']:.3f}s (import alone "
             f"{load['import_only_median_s']:.3f}s); parse latency and RSS, "
             f"{settings['serving_repeats']} fresh process(es)")
    serving = h.measure_serving(archive, texts, warmup=int(settings["warmup"]),
                                limit=settings["parse_limit"],
                                repeats=int(settings["serving_repeats"]))
    progress(f"{label}: parse p50 {serving['p50_ms']:.3f} ms, p99 {serving['p99_ms']:.3f} ms, "
             f"peak RSS {serving['max_rss_mb']:.0f} MB")
    return {"load": load, "parse": serving, "archive_bytes": archive.stat().st_size}


def run_dataset(
    name: str, folder: Path, args: argparse.Namespace, settings: dict[str, Any],
    work: Path, cache: Path, progress: h.Progress,
) -> dict[str, Any]:
    spec = h.DATASETS[name]
    load_before = h.load_average()
    train = h.load_split(folder / "train.yml")
    test = h.load_split(folder / "test.yml")
    progress(f"{name}: {len(train.examples)} train / {len(test.examples)} test examples, "
             f"{len(train.intents)} intents, {len(train.entity_types)} entity types")

    progress(f"{name}: training hrbot (train_nlu, {args.config.name})")
    archive, train_time = train_timed(
        settings, progress, name, project_dir=h.REPO, config_path=args.config,
        data_paths=[folder / "train.yml"], models_dir=work / "models" / name, cache_dir=cache,
        echo=None,
    )
    from hrbot.model.loading import load_model

    model = load_model(archive)
    started = time.perf_counter()
    predictions = h.predict(model.nlu.parse, test, lambda m: progress(f"{name}: {m}"))
    in_process_parse = (time.perf_counter() - started) / max(len(predictions), 1)
    gold = [p.gold_intent for p in predictions]
    predicted = [p.predicted_intent for p in predictions]
    hrbot: dict[str, Any] = {
        "intent": h.hrbot_intent_scores(predictions),
        "entities": h.entity_scores(predictions),
        "train": train_time,
        "in_process_mean_parse_ms": round(1000 * in_process_parse, 3),
    }
    progress(f"{name}: hrbot intent acc {hrbot['intent']['accuracy']:.4f}, macro-F1 "
             f"{hrbot['intent']['macro_f1']:.4f}" + (
                 f", entity F1 {hrbot['entities']['f1']:.4f}" if hrbot["entities"] else ""))

    progress(f"{name}: baseline (char 1-4 + jieba word 1-2 tf-idf -> LinearSVC)")
    train_texts = [e.text for e in train.examples]
    train_labels = [e.intent.split("/", 1)[0] for e in train.examples]
    baseline_pred, fit_s, predict_s = h.run_baseline(
        train_texts, train_labels, [e.text for e in test.examples]
    )
    baseline: dict[str, Any] = {
        "intent": h.label_scores(gold, baseline_pred),
        "train_s": round(fit_s, 3),
        "predict_ms_per_example": round(1000 * predict_s / max(len(gold), 1), 4),
    }
    progress(f"{name}: baseline acc {baseline['intent']['accuracy']:.4f}, macro-F1 "
             f"{baseline['intent']['macro_f1']:.4f}, fit {fit_s:.2f}s")

    if spec.collapse:
        intents = h.label_collapse(folder)
        domains = h.domain_collapse(folder)
        hrbot["intent_only"] = h.collapsed_scores(gold, predicted, intents)
        hrbot["domain_only"] = h.collapsed_scores(gold, predicted, domains)
        baseline["intent_only"] = h.collapsed_scores(gold, baseline_pred, intents)
        baseline["domain_only"] = h.collapsed_scores(gold, baseline_pred, domains)
        progress(f"{name}: intent-only acc hrbot {hrbot['intent_only']['accuracy']:.4f}, "
                 f"baseline {baseline['intent_only']['accuracy']:.4f}")

    hrbot.update(timing_and_size(archive, [e.text for e in test.examples], settings, progress,
                                 name))
    return {
        "name": name,
        "short": spec.short,
        "setting": "train.yml -> test.yml",
        "config": _relative(args.config),
        "sizes": {"train": len(train.examples), "test": len(test.examples),
                  "intents": len(train.intents), "entity_types": len(train.entity_types)},
        "hrbot": hrbot,
        "baseline": baseline,
        "published": {
            "intent": _published(spec.published_intent),
            "entity": _published(spec.published_entity),
        },
        "notes": spec.notes,
        "load_average": {"before": load_before, "after": h.load_average()},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _relative(path: Path) -> str:
    return str(path.relative_to(h.REPO)) if path.is_relative_to(h.REPO) else str(path)


def _published(item: h.Published | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {"metric": item.metric, "value": item.value, "model": item.model,
            "comparable": item.comparable, "note": item.note}


# ---------------------------------------------------------------------------- HR data


def run_hr(
    settings: dict[str, Any], work: Path, cache: Path, progress: h.Progress, folds: int = 5,
) -> dict[str, Any]:
    from hrbot.model.training import read_nlu_inputs
    from hrbot.nlu.evaluation import stratified_folds

    load_before = h.load_average()
    inputs = read_nlu_inputs(h.REPO, config_path=h.PROJECT_CONFIG, data_paths=[h.PROJECT_DATA])
    data = inputs.data
    progress(f"hr: {len(data.examples)} examples, {len(data.intents)} intents, "
             f"{len(data.entity_types)} entity types; {folds}-fold cross-validation")
    predictions: list[Any] = []
    baseline_gold: list[str] = []
    baseline_pred: list[str] = []
    fold_rows = []
    for fold, (train, test) in enumerate(stratified_folds(data, folds), start=1):
        pipeline, seconds, breakdown = h.train_pipeline(inputs.pipeline, train, h.REPO, cache)
        fold_predictions = h.predict(pipeline.parse, test, lambda m: None)
        predictions.extend(fold_predictions)
        gold = [p.gold_intent for p in fold_predictions]
        pred, fit_s, _ = h.run_baseline(
            [e.text for e in train.examples], [e.intent.split("/", 1)[0] for e in train.examples],
            [e.text for e in test.examples],
        )
        baseline_gold.extend(gold)
        baseline_pred.extend(pred)
        hr_acc = h.hrbot_intent_scores(fold_predictions)["accuracy"]
        bl_acc = h.label_scores(gold, pred)["accuracy"]
        fold_rows.append({
            "fold": fold, "train": len(train.examples), "test": len(test.examples),
            "hrbot_accuracy": hr_acc, "hrbot_train_s": round(seconds, 3),
            "hrbot_crf_s": round(h.crf_seconds(breakdown["components_s"]), 3),
            "baseline_accuracy": bl_acc, "baseline_train_s": round(fit_s, 3),
        })
        progress(f"hr: fold {fold}/{folds}: hrbot {hr_acc:.4f} ({seconds:.1f}s), "
                 f"baseline {bl_acc:.4f} ({fit_s:.2f}s)")
    from hrbot.nlu.evaluation import intent_report

    report = intent_report(predictions)
    per_intent = sorted(
        ((label, row) for label, row in report.items()
         if isinstance(row, dict) and "confused_with" in row),
        key=lambda item: item[1]["f1-score"],
    )
    hrbot: dict[str, Any] = {
        "intent": h.hrbot_intent_scores(predictions),
        "entities": h.entity_scores(predictions),
        "weakest_intents": [
            {"intent": label, "f1": round(float(row["f1-score"]), 4),
             "support": int(row["support"]), "confused_with": row["confused_with"]}
            for label, row in per_intent[:8]
        ],
        "cv_mean_train_s": round(statistics.mean(r["hrbot_train_s"] for r in fold_rows), 3),
    }
    baseline: dict[str, Any] = {
        "intent": h.label_scores(baseline_gold, baseline_pred),
        "train_s": round(statistics.mean(r["baseline_train_s"] for r in fold_rows), 3),
    }
    progress(f"hr: CV intent acc hrbot {hrbot['intent']['accuracy']:.4f} / baseline "
             f"{baseline['intent']['accuracy']:.4f}; entity F1 {hrbot['entities']['f1']:.4f}")

    progress("hr: training the full HR model with train_nlu (config.yml, data/)")
    archive, train_time = train_timed(
        settings, progress, "hr", project_dir=h.REPO, config_path=h.PROJECT_CONFIG,
        data_paths=[h.PROJECT_DATA], models_dir=work / "models" / "hr", cache_dir=cache,
        echo=None,
    )
    hrbot["train"] = train_time
    if settings["cold_build"]:
        progress("hr: cold first-ever build (fresh process, empty jieba cache)")
        hrbot["cold_build"] = h.cold_train(h.REPO, h.PROJECT_CONFIG, [h.PROJECT_DATA])
        progress(f"hr: cold train_nlu {hrbot['cold_build']['cold_s']:.2f}s, warm in the same "
                 f"process {hrbot['cold_build']['warm_same_process_s']:.2f}s")
    hrbot.update(timing_and_size(archive, [e.text for e in data.examples], settings, progress,
                                 "hr"))
    return {
        "name": h.HR,
        "short": "HR (5-fold CV)",
        "setting": f"{folds}-fold stratified CV of data/ (hrbot.nlu.evaluation.stratified_folds, "
                   "seed 2026); timing on the model trained on all of data/",
        "config": "config.yml",
        "sizes": {"train": len(data.examples), "test": len(data.examples),
                  "intents": len(data.intents), "entity_types": len(data.entity_types)},
        "folds": fold_rows,
        "hrbot": hrbot,
        "baseline": baseline,
        "published": {"intent": None, "entity": None},
        "notes": "",
        "load_average": {"before": load_before, "after": h.load_average()},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# ---------------------------------------------------------------------------- reporting


TARGETS = {
    "hr_cv_accuracy": 0.95,
    "published_within": 0.02,
    "hr_train_s": 5.0,
    "load_s": 0.5,
    "parse_p50_ms": 1.0,
    "rss_mb": 250.0,
}


def comparable_accuracy(entry: dict[str, Any], who: str = "hrbot") -> float:
    block = entry[who].get("intent_only") or entry[who]["intent"]
    return float(block["accuracy"])


def order(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [results[name] for name in h.ALL_NAMES if name in results]


def accuracy_table(entries: list[dict[str, Any]]) -> str:
    lines = [
        "| dataset | train / test / intents | hrbot acc | hrbot macro-F1 | baseline acc | "
        "baseline macro-F1 | hrbot − baseline (acc) | hrbot entity F1 | hrbot, published metric "
        "| published |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for e in entries:
        hr, bl = e["hrbot"]["intent"], e["baseline"]["intent"]
        sizes = e["sizes"]
        size = (f"{sizes['train']:,} (CV) / {sizes['intents']}" if e["name"] == h.HR
                else f"{sizes['train']:,} / {sizes['test']:,} / {sizes['intents']}")
        ent = e["hrbot"]["entities"]
        published = e["published"]["intent"]
        ours = "–"
        pub = "not found"
        if published:
            if "intent-only" in published["metric"]:
                ours = (f"{h.pct(e['hrbot']['intent_only']['accuracy'], 2)} (intent-only; "
                        f"baseline {h.pct(e['baseline']['intent_only']['accuracy'], 2)})")
            elif published["metric"] == "intent acc":
                ours = h.pct(hr["accuracy"], 2)
            pub = f"{published['metric']} {h.pct(published['value'], 2)} ({published['model']})"
            if not published["comparable"]:
                pub += " — not comparable"
        entity_pub = e["published"]["entity"]
        if entity_pub:
            pub += f"; {entity_pub['metric']} {h.pct(entity_pub['value'], 2)}"
            if ent:
                ours += f"; entity F1 {h.pct(ent['f1'], 2)}"
        if e["name"] == h.HR:
            pub = "– (own data)"
        lines.append(
            f"| {e['short']} | {size} | {h.pct(hr['accuracy'])} | {h.pct(hr['macro_f1'])} | "
            f"{h.pct(bl['accuracy'])} | {h.pct(bl['macro_f1'])} | "
            f"{100 * (hr['accuracy'] - bl['accuracy']):+.2f} | "
            f"{h.pct(ent['f1']) if ent else '–'} | {ours} | {pub} |"
        )
    return "\n".join(lines)


def performance_table(entries: list[dict[str, Any]]) -> str:
    lines = [
        "| dataset | hrbot train_nlu s (median; runs) | of which CRF / other components s | "
        "baseline fit s | load s (fresh process, median of runs) | of which import s | "
        "parse p50 / p99 ms | peak RSS MB | archive MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for e in entries:
        hb = e["hrbot"]
        train = hb["train"]
        runs = ", ".join(f"{r:.1f}" for r in train["runs_s"])
        baseline_fit = e["baseline"]["train_s"]
        if e["name"] == h.HR:
            baseline_fit_text = f"{baseline_fit:.2f} (per fold; hrbot {hb['cv_mean_train_s']:.1f})"
        else:
            baseline_fit_text = f"{baseline_fit:.2f}"
        lines.append(
            f"| {e['short']} | {train['median_s']:.1f} ({runs}) | "
            f"{train['crf_s']:.1f} / {train['other_components_s']:.1f} | {baseline_fit_text} | "
            f"{hb['load']['median_s']:.3f} | {hb['load']['import_only_median_s']:.3f} | "
            f"{hb['parse']['p50_ms']:.2f} / {hb['parse']['p99_ms']:.1f} | "
            f"{hb['parse']['max_rss_mb']:.0f} | {hb['archive_bytes'] / 1e6:.1f} |"
        )
    return "\n".join(lines)


def target_rows(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    rows: list[tuple[str, str, bool | None]] = []
    entries = order(results)
    below = [
        f"{e['short']} {h.pct(e['hrbot']['intent']['accuracy'], 2)} vs "
        f"{h.pct(e['baseline']['intent']['accuracy'], 2)}"
        for e in entries if e["hrbot"]["intent"]["accuracy"] <= e["baseline"]["intent"]["accuracy"]
    ]
    above = sum(1 for e in entries
                if e["hrbot"]["intent"]["accuracy"] > e["baseline"]["intent"]["accuracy"])
    rows.append((
        "intent accuracy above the baseline on every dataset",
        f"{above} of {len(entries)} above" + (f"; not above: {'; '.join(below)}" if below else ""),
        not below if entries else None,
    ))
    hr = results.get(h.HR)
    if hr:
        acc = hr["hrbot"]["intent"]["accuracy"]
        rows.append(("HR 5-fold CV intent accuracy ≥ 0.95", f"{acc:.4f}",
                     acc >= TARGETS["hr_cv_accuracy"]))
    for name in ("cais", "smp2019_ecdt", "smp2020_ecdt"):
        e = results.get(name)
        if not e:
            continue
        published = e["published"]["intent"]["value"]
        ours = comparable_accuracy(e)
        gap = ours - published
        rows.append((
            f"{e['short']} intent acc within 2 points of published ({h.pct(published, 2)})",
            f"{h.pct(ours, 2)} ({100 * gap:+.2f} points)",
            gap >= -TARGETS["published_within"],
        ))
    if hr:
        hb = hr["hrbot"]
        rows.append(("HR train ≤ 5 s (train_nlu, warm jieba cache)",
                     f"{hb['train']['median_s']:.2f} s (runs "
                     f"{', '.join(f'{r:.2f}' for r in hb['train']['runs_s'])})",
                     hb["train"]["median_s"] <= TARGETS["hr_train_s"]))
        rows.append(("HR model load ≤ 0.5 s (fresh process incl. imports)",
                     f"{hb['load']['median_s']:.3f} s", hb["load"]["median_s"] <= TARGETS["load_s"]))
        rows.append(("HR parse p50 ≤ 1 ms", f"{hb['parse']['p50_ms']:.3f} ms",
                     hb["parse"]["p50_ms"] <= TARGETS["parse_p50_ms"]))
        rows.append(("HR peak RSS ≤ 250 MB", f"{hb['parse']['max_rss_mb']:.0f} MB",
                     hb["parse"]["max_rss_mb"] <= TARGETS["rss_mb"]))
    others = [e for e in entries if e["name"] != h.HR]
    if others:
        worst_load = max(others, key=lambda e: e["hrbot"]["load"]["median_s"])
        worst_p50 = max(others, key=lambda e: e["hrbot"]["parse"]["p50_ms"])
        worst_rss = max(others, key=lambda e: e["hrbot"]["parse"]["max_rss_mb"])
        rows.append(("(public datasets) load ≤ 0.5 s",
                     f"worst {worst_load['short']} {worst_load['hrbot']['load']['median_s']:.3f} s",
                     worst_load["hrbot"]["load"]["median_s"] <= TARGETS["load_s"]))
        rows.append(("(public datasets) parse p50 ≤ 1 ms",
                     f"worst {worst_p50['short']} {worst_p50['hrbot']['parse']['p50_ms']:.3f} ms",
                     worst_p50["hrbot"]["parse"]["p50_ms"] <= TARGETS["parse_p50_ms"]))
        rows.append(("(public datasets) peak RSS ≤ 250 MB",
                     f"worst {worst_rss['short']} "
                     f"{worst_rss['hrbot']['parse']['max_rss_mb']:.0f} MB",
                     worst_rss["hrbot"]["parse"]["max_rss_mb"] <= TARGETS["rss_mb"]))
    return rows


def targets_table(results: dict[str, Any]) -> str:
    lines = ["| target | measured | met |", "| --- | --- | :---: |"]
    for target, measured, met in target_rows(results):
        mark = "–" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {target} | {measured} | {mark} |")
    return "\n".join(lines)


def summary_markdown(document: dict[str, Any]) -> str:
    entries = order(document["datasets"])
    meta = document["meta"]
    machine = meta["machine"]
    header = (
        f"Run {meta['finished_at']} (git {meta.get('git_revision') or '?'}"
        f"{' + uncommitted changes' if meta.get('uncommitted_changes') else ''}), "
        f"{'QUICK run, ' if meta['quick'] else ''}"
        f"{machine.get('cpu_count')} cores ({machine.get('cpu_model', '?')}), "
        f"{machine.get('memory_gib')} GiB, Python {machine['python']}; load average at start "
        f"{meta['load_average_start']}, at end {meta['load_average_end']}."
    )
    return "\n\n".join([
        header,
        "### Accuracy (percent)\n\n" + accuracy_table(entries),
        "### Speed and size\n\n" + performance_table(entries),
        "### Targets\n\n" + targets_table(document["datasets"]),
    ]) + "\n"


def _seconds(value: float) -> str:
    return f"{value:.2g} s" if value < 10 else f"{value:.0f} s"


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    entries = order(results)
    if not entries:
        return
    columns = 4
    rows = (len(entries) + columns - 1) // columns
    figure, axes_grid = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.6 * rows),
                                     squeeze=False)
    for index, e in enumerate(entries):
        axes = axes_grid[index // columns][index % columns]
        hb, bl = e["hrbot"], e["baseline"]
        if e["name"] == h.HR:
            points = [("hrbot", hb["cv_mean_train_s"], hb["intent"]["accuracy"], "o", "#1f5fa8"),
                      ("baseline", bl["train_s"], bl["intent"]["accuracy"], "s", "#c0392b")]
            title = "HR data, 5-fold CV (mean fold train time)"
        else:
            points = [("hrbot", hb["train"]["median_s"], hb["intent"]["accuracy"], "o", "#1f5fa8"),
                      ("baseline", bl["train_s"], bl["intent"]["accuracy"], "s", "#c0392b")]
            title = f"{e['short']} (train {e['sizes']['train']:,}, test {e['sizes']['test']:,})"
        for label, x, y, marker, color in points:
            axes.scatter([x], [y], marker=marker, s=60, color=color, zorder=3)
            axes.annotate(f"{label}\n{y:.3f} @ {_seconds(x)}", (x, y), textcoords="offset points",
                          xytext=(6, -4 if label == "baseline" else 6), fontsize=7.5)
        axes.set_xscale("log")
        xs = [p[1] for p in points]
        ys = [p[2] for p in points]
        axes.set_xlim(min(xs) / 3, max(xs) * 6)
        low, high = min(ys), max(ys)
        pad = max(0.01, (high - low) * 0.6)
        axes.set_ylim(max(0.0, low - pad), min(1.0, high + pad))
        axes.set_title(title, fontsize=9)
        axes.set_xlabel("train time, s (log)", fontsize=8)
        axes.set_ylabel("intent accuracy", fontsize=8)
        axes.tick_params(labelsize=7)
        axes.grid(True, which="both", alpha=0.25)
    for index in range(len(entries), rows * columns):
        axes_grid[index // columns][index % columns].axis("off")
    figure.suptitle("hrbot vs baseline: intent accuracy against train time (hrbot: train_nlu, "
                    "entity CRF included; baseline: intent only)", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


# ---------------------------------------------------------------------------- main


def write_outputs(document: dict[str, Any], out: Path) -> str:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    summary = summary_markdown(document)
    (out / "summary.md").write_text(summary, encoding="utf-8")
    plot(document["datasets"], out / "accuracy_vs_train_time.png")
    return summary


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    progress = h.Progress()
    names = h.resolve_names(args.only)
    settings = QUICK if args.quick else FULL
    missing = [n for n in names if n != h.HR and not (args.datasets / n / "train.yml").is_file()]
    if missing:
        print(f"datasets not found in {args.datasets}: {', '.join(missing)} (use --datasets DIR)",
              file=sys.stderr)
        return 2
    out: Path = args.out
    previous: dict[str, Any] = {}
    if args.only and (out / "results.json").is_file():
        previous = json.loads((out / "results.json").read_text(encoding="utf-8"))
    datasets: dict[str, Any] = dict(previous.get("datasets", {}))
    document: dict[str, Any] = {
        "meta": {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "quick": args.quick,
            "settings": settings,
            "datasets_dir": str(args.datasets),
            "benchmark_config": str(args.config),
            "reference_time": h.REFERENCE_TIME.isoformat(),
            "git_revision": h.git_revision(),
            "uncommitted_changes": h.git_dirty(),
            "machine": h.machine_info(),
            "load_average_start": h.load_average(),
            "ran": names,
        },
        "datasets": datasets,
    }
    drift = h.config_drift(args.config, h.PROJECT_CONFIG)
    document["meta"]["config_drift"] = drift
    if drift:
        progress("WARNING: the benchmark pipeline no longer matches config.yml (minus the jieba "
                 "user dictionary and ChineseValueExtractor):\n    " + "\n    ".join(drift))
    progress(f"running {', '.join(names)}; results to {out}")
    work = Path(tempfile.mkdtemp(prefix="hrbot-nlu-bench-"))
    cache = work / "cache"
    try:
        h.preload_training_libraries()
        for config in {args.config, h.PROJECT_CONFIG}:
            seconds = h.warm_jieba_cache(config, h.REPO, cache)
            progress(f"jieba dictionary for {_relative(config)} built into the run's cache "
                     f"in {seconds:.2f}s")
        for name in names:
            if name == h.HR:
                datasets[name] = run_hr(settings, work, cache, progress)
            else:
                datasets[name] = run_dataset(name, args.datasets / name, args, settings, work,
                                             cache, progress)
            document["meta"]["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            document["meta"]["git_revision_end"] = h.git_revision()
            document["meta"]["load_average_end"] = h.load_average()
            write_outputs(document, out)
            shutil.rmtree(work / "models" / name, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = write_outputs(document, out)
    progress(f"done: {out / 'results.json'}, {out / 'summary.md'}, "
             f"{out / 'accuracy_vs_train_time.png'}")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
