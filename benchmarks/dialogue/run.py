"""Dialogue benchmark: train and load times of the HR bot and the fixture Rasa projects, then
REST latency, throughput and memory of one real `hrbot run` process with the default SQLite
tracker store, and where the time of a turn goes.

    python benchmarks/dialogue/run.py                 # everything (about 3-4 minutes here)
    python benchmarks/dialogue/run.py --quick         # smaller runs; writes results/quick/
    python benchmarks/dialogue/run.py --only hr moodbot

Writes results.json, summary.md, latency_cdf.png and turn_breakdown.png to results/ (or
--out), prints the summary and reports progress on stderr. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import (
    RESULTS,
    Progress,
    git_revision,
    load_average,
    machine_info,
    message_pool,
    percentile,
    projects,
)
from loadgen import LoadPlan, run_load
from profile_turn import profile_turns
from report import write_charts, write_summary
from training_bench import training_benchmark

FULL_PLANS = {
    "hr": LoadPlan(warmup=300, sequential=2000, sequential_senders=200, concurrent=4000,
                   concurrency=(8, 32), senders_per_client=25),
    "moodbot": LoadPlan(warmup=200, sequential=1000, sequential_senders=100, concurrent=2000,
                        concurrency=(8, 32), senders_per_client=10),
}
QUICK_PLANS = {
    "hr": LoadPlan(warmup=100, sequential=1000, sequential_senders=100, concurrent=1000,
                   concurrency=(8,), senders_per_client=10),
    "moodbot": LoadPlan(warmup=100, sequential=300, sequential_senders=30, concurrent=400,
                        concurrency=(8,), senders_per_client=5),
}


def _cdf_points(latencies: list[float]) -> list[float]:
    """Latency in ms at percentiles 0.5, 1, ..., 99.5, 99.9 and 100 (for the chart)."""
    levels = [q / 2 for q in range(1, 200)] + [99.9, 100.0]
    return [round(1000 * percentile(latencies, q), 3) for q in levels]


def _source_fingerprint() -> str:
    from hrbot.model.training import code_fingerprint

    return code_fingerprint()[:12]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", help="project names: hr, moodbot, formbot, checkpoints")
    parser.add_argument("--quick", action="store_true", help="one training run, fewer messages")
    parser.add_argument("--out", type=Path, default=None, help="results folder (default results/)")
    args = parser.parse_args(argv)
    out = args.out or (RESULTS / "quick" if args.quick else RESULTS)
    out.mkdir(parents=True, exist_ok=True)
    selected = [p for p in projects() if not args.only or p.name in args.only]
    if not selected:
        parser.error("no project matches --only; use hr, moodbot, formbot or checkpoints")
    progress = Progress()
    started = time.perf_counter()
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "git_revision": git_revision(),
        "source_fingerprint": _source_fingerprint(),
        "machine": machine_info(),
        "load_average_start": load_average(),
        "quick": args.quick,
    }
    plans = QUICK_PLANS if args.quick else FULL_PLANS
    work = Path(tempfile.mkdtemp(prefix="hrbot-dialogue-bench-"))
    try:
        results["training"] = training_benchmark(selected, 1 if args.quick else 3, progress, work)
        results["serving"] = {}
        latencies: dict[str, dict[str, list[float]]] = {}
        for project in (p for p in selected if p.served):
            pool = message_pool(project)
            progress(f"serving {project.name}: {len(pool.texts)} distinct messages from intents "
                     f"{', '.join(pool.intents)} (left out: {', '.join(pool.excluded) or 'none'})")
            archive = Path(results["training"][project.name]["archive"])
            figures = run_load(project, archive, pool.texts, plans[project.name], progress)
            latencies[project.name] = figures.pop("latencies_s")
            figures["cdf_ms"] = {phase: _cdf_points(v) for phase, v in latencies[project.name].items()}
            plan = plans[project.name]
            figures["plan"] = plan.__dict__ | {"concurrency": list(plan.concurrency)}
            figures["messages"] = {"distinct_texts": len(pool.texts), "intents": list(pool.intents),
                                   "excluded_intents": list(pool.excluded),
                                   "contract_examples": pool.from_contract}
            results["serving"][project.name] = figures
        hr = next((p for p in selected if p.name == "hr"), None)
        if hr is not None:
            progress("profiling HR turns in-process")
            results["profile"] = profile_turns(
                Path(results["training"]["hr"]["archive"]), message_pool(hr).texts,
                turns=500 if args.quick else 1000, growth_turns=120, warmup=200, progress=progress,
                profile_out=out / "profile.txt",
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["load_average_end"] = load_average()
    results["source_fingerprint_end"] = _source_fingerprint()
    results["run_s"] = round(time.perf_counter() - started, 1)
    for figures in results["training"].values():
        figures.pop("archive", None)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    write_charts(results, out)
    summary = write_summary(results, out)
    print(summary)
    progress(f"done in {results['run_s']} s; results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
