"""Customer-service attribution benchmark: accuracy per method and situation on constructed
data with known answers, a check against the demo's own signatures, and the time to
attribute and report a year of sessions.

    python benchmarks/cs/run.py            # everything (about a minute here)
    python benchmarks/cs/run.py --quick    # fewer seeds and days; writes results/quick/

Writes results.json, summary.md and accuracy.png to benchmarks/cs/results/ (or --out),
prints the summary and reports progress on stderr. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from hrbot.cs.attribution import Attribution
from hrbot.cs.engine import AttributionOptions, attribute_sessions
from hrbot.cs.evaluation import Score, calibration, score, volume_error
from hrbot.cs.kpi import compute_kpis
from hrbot.cs.loading import cs_data_from_json, load_cs_data
from hrbot.cs.nicknames import SignatureReader
from hrbot.cs.period import Period
from hrbot.cs.pool import DEFAULT_WEIGHTS, allocate_pool
from hrbot.cs.presence import ShiftIndex
from hrbot.cs.report import build_report, write_report
from hrbot.cs.synthetic import PRESETS, Scenario, generate, year_scenario
from hrbot.cs.tiebreak import LoginOrderTieBreaker, SplitTieBreaker, StyleTieBreaker, TieBreaker

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SITUATIONS = ("signed", "single", "overlap", "shift_change", "missing_login", "sloppy_login")

# name -> (tie-breaker factory, engine options): the candidates for the default, and ablations
METHODS: dict[str, tuple[Callable[[], TieBreaker], AttributionOptions]] = {
    "style": (StyleTieBreaker, AttributionOptions()),
    "style_no_em": (lambda: StyleTieBreaker(iterations=0), AttributionOptions()),
    "style_uncalibrated": (lambda: StyleTieBreaker(calibrated=False), AttributionOptions()),
    "split": (SplitTieBreaker, AttributionOptions(tie_breaker="split")),
    "first_login": (
        lambda: LoginOrderTieBreaker(latest=False),
        AttributionOptions(tie_breaker="first_login"),
    ),
    "last_login": (lambda: LoginOrderTieBreaker(latest=True), AttributionOptions(tie_breaker="last_login")),
    "style_no_implied": (StyleTieBreaker, AttributionOptions(use_implied_presence=False)),
}


def progress(text: str) -> None:
    print(f"  {text}", file=sys.stderr, flush=True)


def _merge(into: dict[str, Score], scores: dict[str, Score]) -> None:
    for name, part in scores.items():
        total = into.setdefault(name, Score())
        total.sessions += part.sessions
        total.correct += part.correct
        total.credit += part.credit
        total.confidence += part.confidence


def accuracy_study(seeds: list[int], days: int) -> dict[str, Any]:
    """Every method on every preset, pooled over seeds."""
    results: dict[str, Any] = {}
    pooled_default: dict[str, Attribution] = {}
    pooled_truth: dict[str, str] = {}
    habitless: dict[str, dict[str, Attribution]] = {"style": {}, "style_uncalibrated": {}}
    habitless_truth: dict[str, str] = {}
    for preset, base in PRESETS.items():
        progress(f"accuracy: {preset} ({len(seeds)} seeds x {days} days)")
        per_method: dict[str, dict[str, Score]] = {m: {} for m in METHODS}
        volume: dict[str, list[float]] = {m: [] for m in METHODS}
        for seed in seeds:
            constructed = generate(replace(base, seed=seed, days=days))
            data = cs_data_from_json(constructed.company)
            for method, (factory, options) in METHODS.items():
                found = attribute_sessions(data, options=options, tie_breaker=factory())
                _merge(
                    per_method[method],
                    score(found, constructed.truth, lambda sid, c=constructed: [c.situation(sid)]),
                )
                volume[method].append(volume_error(found, constructed.truth))
                if method == "style":
                    for sid, item in found.items():
                        pooled_default[f"{preset}:{seed}:{sid}"] = item
                        pooled_truth[f"{preset}:{seed}:{sid}"] = constructed.truth[sid]
                if preset == "demo_like" and method in habitless:
                    for sid, item in found.items():
                        if constructed.situation(sid) == "overlap":
                            habitless[method][f"{seed}:{sid}"] = item
                            habitless_truth[f"{seed}:{sid}"] = constructed.truth[sid]
        results[preset] = {
            method: {
                "situations": {k: v.to_dict() for k, v in sorted(scores.items())},
                "volume_error": round(statistics.mean(volume[method]), 5),
            }
            for method, scores in per_method.items()
        }
    results["_calibration_demo_like_overlaps"] = {
        method: [
            asdict(b) for b in calibration(found, habitless_truth, edges=(0.0, 0.6, 0.7, 0.8, 0.9, 1.0001))
        ]
        for method, found in habitless.items()
    }
    results["_calibration"] = [
        asdict(b)
        for b in calibration(
            pooled_default, pooled_truth, edges=(0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 1.0001)
        )
    ]
    return results


def demo_check(demo_path: Path) -> dict[str, Any]:
    """The demo's own known answers: signed sessions. (1) every signed session goes to its
    signer; (2) the signed sessions of overlaps, with the signature removed, are attributed
    again by each method and scored against the signer."""
    raw = json.loads(demo_path.read_text(encoding="utf-8"))
    data = cs_data_from_json(raw)
    reader = SignatureReader({a.employee_id: a.nicknames for a in data.agents.values()})
    index = ShiftIndex(data.shifts, data.timezone)
    signer = {s.id: reader.read(s.first_agent_message).signers for s in data.sessions}
    found = attribute_sessions(data)
    signed = {sid: who[0] for sid, who in signer.items() if len(who) == 1}
    consistent = sum(found[sid].agent_id == agent for sid, agent in signed.items())
    overlap_signed = {
        s.id: signed[s.id]
        for s in data.sessions
        if s.id in signed and len(index.logged_in(s.account_id, s.start)) > 1
    }
    masked = json.loads(json.dumps(raw))
    for row in masked["cs_sessions"]:
        if row["id"] in overlap_signed:
            row["first_agent_message"] = ""
    masked_data = cs_data_from_json(masked)
    methods = {}
    for method in ("style", "split", "first_login", "last_login"):
        factory, options = METHODS[method]
        again = attribute_sessions(masked_data, options=options, tie_breaker=factory())
        methods[method] = score(again, overlap_signed)["all"].to_dict()
    breaker = StyleTieBreaker()
    attribute_sessions(data, tie_breaker=breaker)
    return {
        "sessions": len(data.sessions),
        "signed": len(signed),
        "signed_attributed_to_signer": consistent,
        "methods_used": {
            m: sum(1 for a in found.values() if a.method == m)
            for m in sorted({a.method for a in found.values()})
        },
        "unsigned_overlap_sessions": sum(1 for a in found.values() if a.method == "style"),
        "masked_overlap_signed": methods,
        "style_weights_learned": breaker.model.scales if breaker.model else {},
    }


def timing(repeats: int) -> dict[str, Any]:
    """Load, attribute and report a year of sessions (demo-sized team, and four times that)."""
    rows = {}
    for label, base in (
        ("year_demo_size", PRESETS["everything"]),
        ("year_4x_accounts", replace(PRESETS["everything"], accounts=12, agents=40)),
    ):
        scenario: Scenario = year_scenario(base)
        constructed = generate(scenario)
        progress(f"timing: {label}, {len(constructed.truth)} sessions")
        loads, attributes, attributes_no_em, reports = [], [], [], []
        for _ in range(repeats):
            started = time.perf_counter()
            data = cs_data_from_json(constructed.company)
            loads.append(time.perf_counter() - started)
            started = time.perf_counter()
            found = attribute_sessions(data)
            attributes.append(time.perf_counter() - started)
            started = time.perf_counter()
            attribute_sessions(data, tie_breaker=StyleTieBreaker(iterations=0))
            attributes_no_em.append(time.perf_counter() - started)
            started = time.perf_counter()
            period = Period(scenario.first_day, scenario.first_day.replace(month=12, day=31))
            report = build_report(
                data, found, period, Decimal("1200000"), DEFAULT_WEIGHTS, tie_breaker="style"
            )
            with tempfile.TemporaryDirectory() as folder:
                write_report(report, found, Path(folder))
            reports.append(time.perf_counter() - started)
        table = compute_kpis(data, found, period)
        allocate_pool(
            table.agents,
            Decimal("1200000"),
            DEFAULT_WEIGHTS,
            team_response=table.team.first_response_seconds,
            team_rating=table.team.rating,
        )
        rows[label] = {
            "sessions": len(constructed.truth),
            "accounts": scenario.accounts,
            "agents": scenario.agents,
            "shifts": len(constructed.company["cs_account_shifts"]),
            "load_seconds": round(statistics.median(loads), 3),
            "attribute_seconds": round(statistics.median(attributes), 3),
            "attribute_seconds_without_em": round(statistics.median(attributes_no_em), 3),
            "report_seconds": round(statistics.median(reports), 3),
            "accuracy": round(score(found, constructed.truth)["all"].accuracy, 4),
            "repeats": repeats,
        }
    return rows


def write_chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    presets = [p for p in PRESETS if "overlap" in results[p]["style"]["situations"]]
    methods = ["style", "split", "first_login", "last_login"]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    width = 0.8 / len(methods)
    for offset, method in enumerate(methods):
        values = [results[p][method]["situations"]["overlap"]["accuracy"] for p in presets]
        ax.bar([i + offset * width for i in range(len(presets))], values, width, label=method)
    ax.set_xticks([i + width * (len(methods) - 1) / 2 for i in range(len(presets))], presets, rotation=15)
    ax.set_ylabel("accuracy on unsigned overlap sessions")
    ax.set_ylim(0, 1)
    ax.axhline(0.5, color="#888", linestyle="--", linewidth=0.8)
    ax.legend(ncol=4, fontsize=8)
    ax.set_title("Who handled an unsigned session when two agents were logged in?")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def summary(payload: dict[str, Any]) -> str:
    acc = payload["accuracy"]
    lines = [
        "# Customer-service attribution benchmark",
        "",
        f"{payload['seeds']} seeds x {payload['days']} days per scenario; accuracy / credit share to the "
        "true agent / mean confidence.",
        "",
        "## Overall accuracy per scenario (all sessions)",
        "",
        "| scenario | " + " | ".join(METHODS) + " |",
        "|---" * (len(METHODS) + 1) + "|",
    ]
    for preset in PRESETS:
        cells = [f"{acc[preset][m]['situations']['all']['accuracy']:.4f}" for m in METHODS]
        lines.append(f"| {preset} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Default engine (style) by situation",
        "",
        "| scenario | " + " | ".join(SITUATIONS) + " | volume error |",
        "|---" * (len(SITUATIONS) + 2) + "|",
    ]
    for preset in PRESETS:
        row = acc[preset]["style"]["situations"]
        cells = [f"{row[s]['accuracy']:.3f} ({row[s]['sessions']})" if s in row else "–" for s in SITUATIONS]
        lines.append(
            f"| {preset} | " + " | ".join(cells) + f" | {acc[preset]['style']['volume_error']:.4f} |"
        )
    lines += [
        "",
        "## Unsigned overlaps: accuracy / credit per method",
        "",
        "| scenario | n | " + " | ".join(METHODS) + " |",
        "|---" * (len(METHODS) + 2) + "|",
    ]
    for preset in PRESETS:
        if "overlap" not in acc[preset]["style"]["situations"]:
            continue
        n = acc[preset]["style"]["situations"]["overlap"]["sessions"]
        cells = [
            f"{acc[preset][m]['situations']['overlap']['accuracy']:.3f} / "
            f"{acc[preset][m]['situations']['overlap']['credit_accuracy']:.3f}"
            for m in METHODS
        ]
        lines.append(f"| {preset} | {n} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Volume error per method (credited minus true sessions per agent, summed, / sessions)",
        "",
        "| scenario | " + " | ".join(METHODS) + " |",
        "|---" * (len(METHODS) + 1) + "|",
    ]
    for preset in PRESETS:
        lines.append(
            f"| {preset} | " + " | ".join(f"{acc[preset][m]['volume_error']:.4f}" for m in METHODS) + " |"
        )
    lines += [
        "",
        "## Missing logins: with and without presence implied by signatures",
        "",
        "| scenario | n | style | style_no_implied |",
        "|---|---|---|---|",
    ]
    for preset in PRESETS:
        row = acc[preset]["style"]["situations"]
        if "missing_login" in row:
            other = acc[preset]["style_no_implied"]["situations"]["missing_login"]
            lines.append(
                f"| {preset} | {row['missing_login']['sessions']} | "
                f"{row['missing_login']['accuracy']:.3f} | {other['accuracy']:.3f} |"
            )
    lines += [
        "",
        "## Calibration of the default engine (all scenarios pooled)",
        "",
        "| confidence | sessions | mean confidence | accuracy |",
        "|---|---|---|---|",
    ]
    for b in acc["_calibration"]:
        lines.append(
            f"| {b['low']:.2f}–{b['high']:.2f} | {b['sessions']} | {b['mean_confidence']:.3f} | "
            f"{b['accuracy']:.3f} |"
        )
    lines += [
        "",
        "## Calibration on unsigned overlaps of habit-less data (demo_like)",
        "",
        "| method | confidence | sessions | mean confidence | accuracy |",
        "|---|---|---|---|---|",
    ]
    for method, bins in acc["_calibration_demo_like_overlaps"].items():
        for b in bins:
            lines.append(
                f"| {method} | {b['low']:.2f}–{b['high']:.2f} | {b['sessions']} | "
                f"{b['mean_confidence']:.3f} | {b['accuracy']:.3f} |"
            )
    demo = payload["demo"]
    lines += [
        "",
        "## Demo data",
        "",
        f"- {demo['sessions']} sessions; {demo['signed']} signed, all {demo['signed_attributed_to_signer']} "
        "attributed to their signer.",
        f"- methods: {demo['methods_used']}",
        f"- style weights learned on the demo: {demo['style_weights_learned']}",
        f"- signed overlap sessions with the signature removed "
        f"(n={demo['masked_overlap_signed']['style']['sessions']}): "
        + ", ".join(f"{m} {v['accuracy']:.3f}" for m, v in demo["masked_overlap_signed"].items()),
    ]
    lines += [
        "",
        "## Time for a year of sessions (median of repeats)",
        "",
        "| data | sessions | accounts | agents | load s | attribute s | attribute s without EM "
        "| KPIs+pool+report s | accuracy |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, row in payload["timing"].items():
        lines.append(
            f"| {label} | {row['sessions']} | {row['accounts']} | {row['agents']} | {row['load_seconds']} "
            f"| {row['attribute_seconds']} | {row['attribute_seconds_without_em']} | {row['report_seconds']} "
            f"| {row['accuracy']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2 seeds x 40 days, 1 timing repeat")
    parser.add_argument(
        "--out", type=Path, default=None, help="results folder (default: results/ or results/quick/)"
    )
    parser.add_argument("--demo", type=Path, default=REPO / "demo" / "company.json")
    args = parser.parse_args()
    seeds, days, repeats = ([1, 2], 40, 1) if args.quick else ([1, 2, 3, 4, 5], 120, 3)
    out = args.out or (HERE / "results" / ("quick" if args.quick else ""))
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    payload: dict[str, Any] = {"seeds": len(seeds), "days": days}
    payload["accuracy"] = accuracy_study(seeds, days)
    progress("demo data check")
    load_cs_data(args.demo)
    payload["demo"] = demo_check(args.demo)
    payload["timing"] = timing(repeats)
    payload["machine"] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor(),
    }
    payload["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    payload["run_seconds"] = round(time.perf_counter() - started, 1)
    (out / "results.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    text = summary(payload)
    (out / "summary.md").write_text(text, encoding="utf-8")
    write_chart(payload["accuracy"], out / "accuracy.png")
    print(text)
    progress(f"done in {payload['run_seconds']} s; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
