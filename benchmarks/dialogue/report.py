"""The dialogue benchmark's summary (markdown tables) and charts, from results.json's contents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TARGET_P50_MS = 5.0
TARGET_MESSAGES_PER_S = 500.0
RASA_PARSE_MS = 8.0  # Rasa 3.6's parse alone on this machine, as the issue reports it

PHASE_LABELS = {"sequential": "sequential (1 client)"}


def _phase_label(phase: str) -> str:
    if phase.startswith("concurrent_"):
        return f"{phase.split('_')[1]} concurrent clients"
    return PHASE_LABELS.get(phase, phase)


def _phases(serving: dict[str, Any]) -> list[str]:
    return [key for key in serving if key == "sequential" or key.startswith("concurrent_")]


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def training_table(training: dict[str, Any]) -> list[str]:
    lines = [
        "| project | full train s (median; runs) | of which prepare / NLU / dialogue + archive s "
        "| dialogue retrain, NLU reused s | policies alone s | first run s | load s (of which import) "
        "| archive MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, figures in training.items():
        full = figures["full"]
        runs = ", ".join(f"{r:.2f}" for r in figures["full_runs_s"])
        lines.append(
            f"| {name} | {_fmt(full['total_s'])} ({runs}) | "
            f"{_fmt(full['prepare_s'])} / {_fmt(full['nlu_s'])} / "
            f"{_fmt(full['dialogue_and_archive_s'])} | {_fmt(figures['dialogue_retrain_nlu_reused_s'])} | "
            f"{_fmt(figures['policies_train_s'], 3)} | {_fmt(figures['first_run']['total_s'])} | "
            f"{_fmt(figures['load']['load_s'], 3)} ({_fmt(figures['load']['import_s'], 3)}) | "
            f"{_fmt(figures['archive_mb'])} |"
        )
    return lines


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.0f} %"


def serving_table(serving: dict[str, Any]) -> list[str]:
    lines = [
        "| project | phase | messages | p50 ms | p90 ms | p99 ms | max ms | msgs/s | errors "
        "| server CPU ms/msg (kernel part) | server CPU use | client CPU use |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, figures in serving.items():
        for phase in _phases(figures):
            s = figures[phase]
            lines.append(
                f"| {name} | {_phase_label(phase)} | {s['messages']:,} | {_fmt(s['p50_ms'])} | "
                f"{_fmt(s['p90_ms'])} | {_fmt(s['p99_ms'])} | {_fmt(s['max_ms'], 1)} | "
                f"{_fmt(s['messages_per_s'], 0)} | {s['errors']} | "
                f"{_fmt(s['server_cpu_ms_per_message'])} ({_percent(s.get('server_system_share'))}) | "
                f"{_fmt(s['server_cpu_utilisation'])} | "
                f"{_fmt(s['client_cpu_utilisation'])} |"
            )
    return lines


def memory_table(serving: dict[str, Any]) -> list[str]:
    lines = [
        "| project | server ready s | RSS after start MB | RSS after load MB | peak RSS MB | hrbot.db MB "
        "| empty replies |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, f in serving.items():
        empty = sum(f[phase]["empty_replies"] for phase in _phases(f))
        lines.append(
            f"| {name} | {_fmt(f['ready_s'])} | {_fmt(f['memory_after_start_mb'].get('VmRSS'), 1)} | "
            f"{_fmt(f['memory_after_load_mb'].get('VmRSS'), 1)} | "
            f"{_fmt(f['memory_after_load_mb'].get('VmHWM'), 1)} | {_fmt(f['database_mb'])} | {empty} |"
        )
    return lines


def breakdown_table(profile: dict[str, Any]) -> list[str]:
    b = profile["breakdown"]
    memory = profile.get("breakdown_memory_store") or {"sections": {}}
    lines = ["| part of the turn | SQLite: mean ms | p50 ms | share of the turn "
             "| memory store: mean ms |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, s in sorted(b["sections"].items(), key=lambda item: -item[1]["mean_ms"]):
        other = memory["sections"].get(name, {}).get("mean_ms")
        lines.append(f"| {name} | {s['mean_ms']:.3f} | {s['p50_ms']:.3f} | {100 * s['share']:.1f} % "
                     f"| {_fmt(other, 3)} |")
    lines.append(f"| **whole turn (handle_message)** | **{b['turn_mean_ms']:.3f}** "
                 f"| **{b['turn_p50_ms']:.3f}** | 100 % | **{_fmt(memory.get('turn_mean_ms'), 3)}** |")
    return lines


def growth_table(profile: dict[str, Any]) -> list[str]:
    keys = ["policies predict", "NLU parse", "SQL query (retrieve)", "decode events", "SQL insert (append)"]
    lines = ["| turns of one conversation | turn mean ms | " + " | ".join(keys) + " |",
             "| --- | ---: | " + " | ".join("---:" for _ in keys) + " |"]
    for bucket in profile["growth"]:
        cells = " | ".join(f"{bucket['sections'][k]['mean_ms']:.2f}" for k in keys)
        lines.append(f"| {bucket['range']} | {bucket['turn_mean_ms']:.2f} | {cells} |")
    return lines


SQL_MODES = {"inline": "on the event-loop thread", "thread": "in worker threads"}


def concurrency_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| tracker store | SQL statements run | clients | turns/s | p50 ms | p99 ms | max ms "
             "| CPU ms/turn | SQL statement p50 / p99 / max ms |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        sql = r.get("sql_in_thread")
        cell = f"{sql['p50_ms']:.2f} / {sql['p99_ms']:.2f} / {sql['max_ms']:.1f}" if sql else "–"
        mode = SQL_MODES.get(str(r.get("sql_mode")), "–")
        lines.append(f"| {r['store']} | {mode} | {r['clients']} | {r['turns_per_s']:.0f} | "
                     f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.1f} | "
                     f"{r['cpu_ms_per_turn']:.2f} | {cell} |")
    return lines


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    hr = results.get("serving", {}).get("hr")
    if hr:
        p50 = hr["sequential"]["p50_ms"]
        found.append({"target": f"REST round trip p50 ≤ {TARGET_P50_MS:g} ms (HR bot, sequential)",
                      "measured": f"{p50:.2f} ms", "met": p50 <= TARGET_P50_MS})
        best = max((hr[p] for p in _phases(hr)), key=lambda s: s["messages_per_s"] or 0)
        rate = best["messages_per_s"]
        found.append({"target": f"≥ {TARGET_MESSAGES_PER_S:g} messages/s per process (HR bot)",
                      "measured": f"{rate:.0f} msg/s (best phase)", "met": rate >= TARGET_MESSAGES_PER_S})
        errors = sum(hr[p]["errors"] for p in _phases(hr))
        found.append({"target": "no errors", "measured": str(errors), "met": errors == 0})
    return found


def write_summary(results: dict[str, Any], out: Path) -> str:
    lines = [f"# Dialogue benchmark, {results['started_at']}", ""]
    lines += [f"git `{results['git_revision']}`, hrbot source fingerprint `{results['source_fingerprint']}` "
              f"(at the end: `{results['source_fingerprint_end']}`), run took {results['run_s']} s, "
              f"load average {results['load_average_start']} → {results['load_average_end']}.", ""]
    if results["source_fingerprint"] != results["source_fingerprint_end"]:
        lines += ["**hrbot's source changed while this ran: the figures mix two versions. Run again.**", ""]
    lines += ["## Training and loading", "", *training_table(results["training"]), ""]
    serving = results.get("serving")
    if serving:
        lines += ["## REST channel, one `hrbot run` process, SQLite", "", *serving_table(serving), ""]
        floors = [f"{name} p50 {f['http_floor']['p50_ms']:.2f} ms, p99 {f['http_floor']['p99_ms']:.2f} ms, "
                  f"server CPU {_fmt(f['http_floor'].get('server_cpu_ms_per_request'))} ms/request"
                  for name, f in serving.items()]
        lines += ["HTTP floor, sequential `GET /version` (the HTTP stack and client, no dialogue): "
                  + "; ".join(floors) + ".", ""]
        lines += [*memory_table(serving), ""]
    profile = results.get("profile")
    if profile:
        mode = SQL_MODES.get(str(profile.get("sql_mode")), "?")
        lines += ["## Where a turn's time goes (HR bot, in-process)", "",
                  f"hrbot runs SQLite statements {mode} here.", "", *breakdown_table(profile), ""]
        asgi = profile.get("asgi")
        if asgi:
            lines += [f"Posting the same kind of turns to the webhook through the Starlette app (no socket, "
                      f"no uvicorn): mean {asgi['asgi_mean_ms']:.3f} ms, p50 {asgi['asgi_p50_ms']:.3f} ms "
                      f"per request, against mean {asgi['handle_message_mean_ms']:.3f} ms, p50 "
                      f"{asgi['handle_message_p50_ms']:.3f} ms for `handle_message` alone: the app and "
                      f"route add {asgi['overhead_ms']:.3f} ms (mean), "
                      f"{asgi['overhead_p50_ms']:.3f} ms (p50).", ""]
        lines += ["Growth along one conversation (mean ms per turn):", "", *growth_table(profile), ""]
        if profile.get("concurrent"):
            lines += ["Conversations handled at once, in-process (no HTTP):", "",
                      *concurrency_table(profile["concurrent"]), ""]
    found = targets(results)
    if found:
        lines += ["## Targets", "", "| target | measured | met |", "| --- | --- | :---: |"]
        lines += [f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else '**no**'} |" for t in found]
        lines += ["", f"For comparison: Rasa 3.6 takes about {RASA_PARSE_MS:g} ms per message for the NLU "
                  "parse alone on this machine (from the issue)."]
    text = "\n".join(lines) + "\n"
    (out / "summary.md").write_text(text, encoding="utf-8")
    return text


def write_charts(results: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    serving = results.get("serving") or {}
    if serving:
        fig, ax = plt.subplots(figsize=(8, 4.8))
        styles = {"hr": "-", "moodbot": "--"}
        levels = [q / 2 for q in range(1, 200)] + [99.9, 100.0]
        for name, figures in serving.items():
            for phase, points in figures["cdf_ms"].items():
                ax.plot(points, levels, styles.get(name, ":"), label=f"{name}: {_phase_label(phase)}")
        ax.axvline(TARGET_P50_MS, color="grey", linewidth=0.8)
        ax.text(TARGET_P50_MS, 2, f" p50 target {TARGET_P50_MS:g} ms", color="grey", fontsize=8)
        ax.axhline(50, color="grey", linewidth=0.5, linestyle=":")
        ax.set_xscale("log")
        ax.set_xlabel("REST round trip, ms (log scale)")
        ax.set_ylabel("percent of messages answered within")
        ax.set_title("hrbot run, SQLite, loopback: latency CDF")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        fig.savefig(out / "latency_cdf.png", dpi=120)
        plt.close(fig)
    profile = results.get("profile")
    if profile:
        sections = [name for name in profile["breakdown"]["sections"]]
        turns = profile["breakdown"]["turns"]
        rows = [(f"mixed ({turns:,} turns,\n200 senders)", profile["breakdown"]["sections"])]
        if profile.get("breakdown_memory_store"):
            memory = profile["breakdown_memory_store"]["sections"]
            rows.append(("the same turns,\nmemory tracker store", memory))
        rows += [(f"one conversation,\nturns {b['range']}", b["sections"]) for b in profile["growth"]]
        fig, ax = plt.subplots(figsize=(9, 5.2))
        colours = [plt.get_cmap("tab20")(index) for index in range(20)]
        for index, (_label, values) in enumerate(reversed(rows)):
            left = 0.0
            for colour, name in zip(colours, sections, strict=False):
                width = values[name]["mean_ms"]
                ax.barh(index, width, left=left, color=colour, label=name if index == 0 else None)
                left += width
        ax.set_yticks(range(len(rows)), [label for label, _ in reversed(rows)], fontsize=8)
        ax.set_xlabel("mean ms per turn (processor.handle_message, no HTTP)")
        ax.set_title("Where a turn's time goes (HR bot; SQLite unless noted)")
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
        fig.tight_layout()
        fig.savefig(out / "turn_breakdown.png", dpi=120)
        plt.close(fig)
