"""Load a model and parse sentences in a fresh process; print latency and peak RSS as JSON.

Used by run.py: `python probe_model.py MODEL TEXTS.json [--warmup N] [--limit N]`. Kept to
what serving needs (no scikit-learn, no YAML reading) so that the RSS is that of a parser.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REFERENCE_TIME = datetime(2026, 11, 22, 10, 0, tzinfo=timezone(timedelta(hours=8)))


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model", type=Path)
    parser.add_argument("texts", type=Path)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()

    started = time.perf_counter()
    from hrbot.model.loading import load_model

    model = load_model(args.model)
    load_seconds = time.perf_counter() - started
    texts: list[str] = json.loads(args.texts.read_text(encoding="utf-8"))
    parse = model.nlu.parse
    for index in range(args.warmup):
        parse(texts[index % len(texts)], REFERENCE_TIME)
    timed = texts[: args.limit] if args.limit else texts
    latencies = []
    for text in timed:
        begin = time.perf_counter()
        parse(text, REFERENCE_TIME)
        latencies.append(time.perf_counter() - begin)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    high_water = 0.0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                high_water = int(line.split()[1]) / 1024
    print(json.dumps({
        "load_in_process_s": round(load_seconds, 4),
        "parses": len(latencies),
        "p50_ms": round(1000 * percentile(latencies, 50), 4),
        "p90_ms": round(1000 * percentile(latencies, 90), 4),
        "p99_ms": round(1000 * percentile(latencies, 99), 4),
        "max_ms": round(1000 * max(latencies), 4),
        "mean_ms": round(1000 * sum(latencies) / len(latencies), 4),
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),  # ru_maxrss is KiB on Linux
        "vm_hwm_mb": round(high_water, 1),  # peak RSS of this process image, cross-check
    }))


if __name__ == "__main__":
    main()
