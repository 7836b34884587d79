"""The load benchmark's summary (markdown tables) and chart, from results.json's contents."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _services(figures: dict[str, Any]) -> str:
    """PostgreSQL / Redis / RabbitMQ CPU per message ("–" for a service not in use)."""
    cpu = figures["services_cpu_ms_per_message"]
    used = {"postgresql": figures["store"] != "sqlite", "redis": figures["store"] != "sqlite",
            "rabbitmq": figures["broker"]}
    return " / ".join(_fmt(cpu[name], 2) if in_use else "–" for name, in_use in used.items())


def throughput_table(configurations: dict[str, Any]) -> list[str]:
    lines = [
        "| configuration | msgs/s | p50 ms | p90 ms | p99 ms | max ms | errors | hrbot CPU ms/msg "
        "| PostgreSQL / Redis / RabbitMQ CPU ms/msg | all CPU ms/msg | busy cores (other jobs) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for figures in configurations.values():
        lines.append(
            f"| {figures['label']} | {_fmt(figures['messages_per_s'])} | {_fmt(figures['p50_ms'])} "
            f"| {_fmt(figures['p90_ms'])} | {_fmt(figures['p99_ms'])} | {_fmt(figures['max_ms'])} "
            f"| {figures['errors']} | {_fmt(figures['hrbot_cpu_ms_per_message'], 2)} | {_services(figures)} "
            f"| {_fmt(figures.get('all_cpu_ms_per_message'), 2)} "
            f"| {_fmt(figures.get('machine_busy_cores'), 2)} "
            f"({_fmt(figures.get('other_jobs_busy_cores'), 2)}) |"
        )
    return lines


def memory_table(configurations: dict[str, Any]) -> list[str]:
    lines = [
        "| configuration | ready s (each process) | RSS after start MB | RSS after load MB | peak RSS MB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for figures in configurations.values():
        start = ", ".join(_fmt(m["VmRSS"]) for m in figures["memory_after_start_mb"])
        after = ", ".join(_fmt(m["VmRSS"]) for m in figures["memory_after_load_mb"])
        peak = ", ".join(_fmt(m["VmHWM"]) for m in figures["memory_after_load_mb"])
        ready = ", ".join(_fmt(s, 2) for s in figures["ready_s"])
        lines.append(f"| {figures['label']} | {ready} | {start} | {after} | {peak} |")
    return lines


def profile_table(profile: dict[str, Any]) -> list[str]:
    lines = ["| part of the work | share of samples |", "| --- | ---: |"]
    lines += [f"| {row['part']} | {row['percent']:.1f} % |" for row in profile["parts"]]
    lines += ["", "| function (own time) | share |", "| --- | ---: |"]
    lines += [f"| `{row['function']}` | {row['percent']:.1f} % |" for row in profile["own_time"][:15]]
    return lines


def write_summary(results: dict[str, Any], path: Path) -> str:
    settings = results["settings"]
    lines = [
        f"Measured {results['started_at']} at git `{results['git_revision']}`; "
        f"{settings['messages']} messages per configuration after {settings['warmup']} warm-up messages, "
        f"{settings['concurrency']} clients with one request in flight each; load average "
        f"{results['load_average_start']} at the start, {results['load_average_end']} at the end.",
        "",
        *throughput_table(results["configurations"]),
        "",
        *memory_table(results["configurations"]),
    ]
    if "profile" in results:
        profile = results["profile"]
        lines += ["", f"Profile of one process ({profile['setup']}), {profile['samples']} samples "
                      f"({profile['samples_per_message']} per message at 200 Hz):", "",
                  *profile_table(profile)]
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def _tick(figures: dict[str, Any]) -> str:
    stores = "SQLite" if figures["store"] == "sqlite" else "PG + Redis"
    broker = "\n+ RabbitMQ" if figures["broker"] else ""
    count = figures["processes"]
    return f"{stores}{broker}\n{count} process{'es' if count > 1 else ''}"


def write_chart(results: dict[str, Any], path: Path) -> None:
    """Throughput and p50/p99 latency per configuration, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    configurations = list(results["configurations"].values())
    labels = [_tick(c) for c in configurations]
    colours = ["#8c8c8c" if c["store"] == "sqlite" else ("#d9822b" if c["broker"] else "#2b7bd9")
               for c in configurations]
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    positions = range(len(configurations))
    left.bar(positions, [c["messages_per_s"] or 0 for c in configurations], color=colours)
    left.set_xticks(list(positions), labels, fontsize=7)
    left.set_ylabel("messages per second")
    left.set_title(f"Throughput, {results['settings']['concurrency']} clients")
    width = 0.4
    right.bar([p - width / 2 for p in positions], [c["p50_ms"] for c in configurations], width,
              label="p50", color=colours, alpha=0.6)
    right.bar([p + width / 2 for p in positions], [c["p99_ms"] for c in configurations], width,
              label="p99", color=colours)
    right.set_xticks(list(positions), labels, fontsize=7)
    right.set_ylabel("round-trip latency, ms")
    right.set_title("Latency p50 (light) and p99 (dark)")
    cores = results["machine"].get("cpu_count")
    figure.suptitle(f"hrbot under load on {cores} cores (grey: SQLite; blue: PostgreSQL + Redis; "
                    "orange: + RabbitMQ)", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


if __name__ == "__main__":  # python load_report.py RESULTS_FOLDER: redraw from its results.json
    import json
    import sys

    folder = Path(sys.argv[1])
    loaded = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    write_chart(loaded, folder / "throughput_latency.png")
    print(write_summary(loaded, folder / "summary.md"))
