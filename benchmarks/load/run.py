"""Load benchmark: the HR bot served by 1, 2 and 4 `hrbot run` processes sharing PostgreSQL and
Redis (without and with RabbitMQ), and by one process on SQLite; throughput, latency and memory
at a fixed concurrency, and where one process's CPU time goes (py-spy).

    python benchmarks/load/run.py                  # everything (about 5 minutes here)
    python benchmarks/load/run.py --quick          # fewer messages; writes results/quick/
    python benchmarks/load/run.py --only sqlite-1 postgresql-1 --no-profile

Needs PostgreSQL, Redis and RabbitMQ (URLs as the store tests take them:
$HRBOT_TEST_POSTGRES_URL, $HRBOT_TEST_REDIS_URL, $HRBOT_TEST_RABBITMQ_URL) and, for the
profile, py-spy. Writes results.json, summary.md and throughput_latency.png to results/ (or
--out) and prints the summary. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "dialogue"))  # the dialogue benchmark's shared pieces

from common import (  # noqa: E402
    REPO,
    SEED,
    Progress,
    contract_examples,
    git_revision,
    load_average,
    machine_info,
    percentile,
)
from load_client import memory_mb, run_phase, schedules  # noqa: E402
from load_cluster import Services, Setup, StubActionServer, queue_depth, start, stop  # noqa: E402
from load_profile import analyse  # noqa: E402
from load_report import write_chart, write_summary  # noqa: E402

RESULTS = HERE / "results"
SETUPS = (
    Setup("sqlite", 1),
    Setup("postgresql", 1), Setup("postgresql", 2), Setup("postgresql", 4),
    Setup("postgresql", 1, broker=True), Setup("postgresql", 2, broker=True),
    Setup("postgresql", 4, broker=True),
)
PROFILED = Setup("postgresql", 1, broker=True)
CDF_LEVELS = (1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 100)
# Intents whose rules involve a form, a handoff or the fallback are left out: the stub action
# server cannot fill a form, and a handoff silences the conversation.
EXCLUDED_INTENTS = frozenset({"human_handoff", "nlu_fallback"})


def question_intents(project_dir: Path) -> set[str]:
    """Intents a rule answers with a response or a custom action, no form involved."""
    from hrbot.shared.core.domain import load_domain
    from hrbot.shared.core.stories import ActionStep, UserStep, read_stories

    forms = set(load_domain(project_dir / "domain.yml").form_names)
    actions: dict[str, set[str]] = {}
    for rule in read_stories([project_dir / "data"]).rules:
        steps = rule.steps
        if rule.condition or not steps or not isinstance(steps[0], UserStep) or not steps[0].intent:
            continue
        actions.setdefault(steps[0].intent, set()).update(s.name for s in steps if isinstance(s, ActionStep))
    return {intent for intent, names in actions.items()
            if intent not in EXCLUDED_INTENTS and not names & forms}


def prepare_project(folder: Path, progress: Progress) -> Path:
    """A copy of the HR project with a freshly trained model (the jieba cache in `folder`)."""
    from hrbot.model.training import train_project

    target = folder / "hr"
    target.mkdir(parents=True)
    for name in ("config.yml", "domain.yml", "data", "domain"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copyfile(source, target / name)
    started = time.perf_counter()
    train_project(target, cache_dir=folder / "cache")
    progress(f"trained the HR model in {time.perf_counter() - started:.1f} s")
    return target


def measure(setup: Setup, project: Path, pool: tuple[str, ...], services: Services, stub: StubActionServer,
            args: argparse.Namespace, progress: Progress, profile_to: Path | None = None) -> dict[str, Any]:
    """Start the configuration, warm it up, run the measured load, stop it; its figures."""
    running = start(setup, project, services, f"{stub.url}/webhook", profile_to)
    figures: dict[str, Any] = {"label": setup.label, "processes": setup.processes, "store": setup.store,
                               "broker": setup.broker, "ready_s": running.ready_s}
    try:
        pids = running.pids
        figures["memory_after_start_mb"] = [memory_mb(pid) for pid in pids]
        warm = schedules(pool, f"warm-{setup.key}", args.warmup, args.concurrency, 4, SEED)
        asyncio.run(run_phase(running.urls, warm, pids, stub.process.pid))
        figures["load_average_before"] = load_average()
        plan = schedules(pool, f"load-{setup.key}", args.messages, args.concurrency, args.senders, SEED + 1)
        phase = asyncio.run(run_phase(running.urls, plan, pids, stub.process.pid))
        figures.update(phase.summary())
        figures["latency_cdf_ms"] = {str(level): round(1000 * percentile(phase.latencies, level), 3)
                                     for level in CDF_LEVELS}
        figures["memory_after_load_mb"] = [memory_mb(pid) for pid in pids]
        figures["load_average_after"] = load_average()
        if setup.broker:
            figures["rabbitmq_queue_depth"] = queue_depth(services, running.names["queue"])
    finally:
        figures["server_log_problems"] = stop(running, services)
    progress(f"  {setup.label}: {figures['messages_per_s']} msg/s, p50 {figures['p50_ms']} ms, "
             f"p99 {figures['p99_ms']} ms, errors {figures['errors']}, hrbot CPU "
             f"{figures['hrbot_cpu_ms_per_message']} ms/msg, RSS "
             f"{[m['VmRSS'] for m in figures['memory_after_load_mb']]} MB")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", help="configurations: " + ", ".join(s.key for s in SETUPS))
    parser.add_argument("--quick", action="store_true", help="fewer messages; writes results/quick/")
    parser.add_argument("--messages", type=int, default=None, help="measured messages per configuration")
    parser.add_argument("--concurrency", type=int, default=16, help="clients, one request in flight each")
    parser.add_argument("--senders", type=int, default=8, help="users per client")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profile")
    parser.add_argument("--profile-only", action="store_true", help="only the py-spy profile")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    args.messages = args.messages or (600 if args.quick else 3000)
    args.warmup = 160 if args.quick else 400
    out = args.out or (RESULTS / "quick" if args.quick else RESULTS)
    out.mkdir(parents=True, exist_ok=True)
    setups = [] if args.profile_only else [s for s in SETUPS if not args.only or s.key in args.only]
    if not setups and not args.profile_only:
        parser.error("no configuration matches --only")
    progress = Progress()
    services = Services()
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "git_revision": git_revision(),
        "machine": _with_store_packages(machine_info()),
        "load_average_start": load_average(),
        "settings": {"messages": args.messages, "warmup": args.warmup, "concurrency": args.concurrency,
                     "senders_per_client": args.senders},
    }
    work = Path(tempfile.mkdtemp(prefix="hrbot-load-bench-"))
    stub = None
    try:
        project = prepare_project(work, progress)
        intents = sorted(question_intents(project))
        pool = _texts_of(project, set(intents))
        results["messages"] = {"distinct_texts": len(pool), "intents": intents}
        progress(f"{len(pool)} distinct texts from {len(intents)} intents")
        stub = StubActionServer()
        results["configurations"] = {}
        for setup in setups:
            progress(f"measuring {setup.label}")
            results["configurations"][setup.key] = measure(setup, project, pool, services, stub, args,
                                                           progress)
        if not args.no_profile:
            progress(f"profiling one process ({PROFILED.label}) with py-spy")
            raw = work / "profile.raw.txt"
            figures = measure(PROFILED, project, pool, services, stub, args, progress, profile_to=raw)
            results["profile"] = {"setup": PROFILED.label,
                                  "messages_per_s_while_profiled": figures["messages_per_s"],
                                  **analyse(raw, figures["messages"] + args.warmup)}
    finally:
        if stub is not None:
            stub.stop()
        shutil.rmtree(work, ignore_errors=True)
    results["load_average_end"] = load_average()
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    if results["configurations"]:
        write_chart(results, out / "throughput_latency.png")
    summary = write_summary(results, out / "summary.md")
    print(summary)
    return 0


def _with_store_packages(info: dict[str, Any]) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    for name in ("psycopg2-binary", "redis", "aio-pika", "aiormq", "py-spy"):
        try:
            info["packages"][name] = version(name)
        except PackageNotFoundError:
            info["packages"][name] = None
    return info


def _texts_of(project: Path, intents: set[str]) -> tuple[str, ...]:
    """The NLU examples (and contract examples) of `intents`, as users write them."""
    from hrbot.shared.nlu.rasa_yaml import load_nlu_data

    data = load_nlu_data([project / "data"])
    texts = {example.text for example in data.examples if example.intent in intents}
    texts |= {text for _, text in contract_examples(intents)}
    return tuple(sorted(texts))


if __name__ == "__main__":
    sys.exit(main())
