"""Each analytics figure as CSV, one row per day and channel (the unrecognised messages: one row
per message), so it can be charted or joined elsewhere. Rates are given with their numerator
and denominator; UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Callable, Iterable
from datetime import date

from hrbot.console.analytics import AnalyticsView, ratio
from hrbot.console.transcript import reason_label

HEADERS = {
    "containment": ["date", "channel", "conversations", "contained", "containment_rate"],
    "fallback": ["date", "channel", "messages", "fallbacks", "fallback_rate"],
    "handoffs": ["date", "channel", "reason", "reason_label", "handoffs"],
    "intents": ["date", "channel", "intent", "messages"],
    "unrecognised": ["text", "count", "last_seen"],
    "handoff_wait": ["date", "channel", "answered_or_handed_back", "median_wait_seconds", "still_waiting"],
}


def spreadsheet_safe(value: str) -> str:
    """An employee's text that a spreadsheet will not run as a formula (=, +, -, @ first)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def metric_csv(view: AnalyticsView, metric: str, *, text: Callable[[str], str],
               clock: Callable[[float], str]) -> str:
    """The CSV of `metric` (a key of HEADERS); `text` masks message texts as the viewer must
    see them, `clock` formats a time."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADERS[metric])
    t = view.tallies

    def keys(*groups: Iterable[tuple[date, str]]) -> list[tuple[date, str]]:
        found: set[tuple[date, str]] = set()
        for group in groups:
            found.update(group)
        return sorted(key for key in found if view.where.channel is None or key[1] == view.where.channel)

    if metric == "containment":
        for day, channel in keys(t.sessions):
            sessions, contained = t.sessions[(day, channel)], t.contained[(day, channel)]
            rate = _rate(ratio(contained, sessions))
            writer.writerow([day.isoformat(), channel, sessions, contained, rate])
    elif metric == "fallback":
        for day, channel in keys(t.messages):
            messages, fallbacks = t.messages[(day, channel)], t.fallbacks[(day, channel)]
            rate = _rate(ratio(fallbacks, messages))
            writer.writerow([day.isoformat(), channel, messages, fallbacks, rate])
    elif metric == "handoffs":
        for (day, channel, reason), count in sorted(t.handoffs.items()):
            if view.where.channel is None or channel == view.where.channel:
                writer.writerow([day.isoformat(), channel, reason, reason_label(reason), count])
    elif metric == "intents":
        for (day, channel, intent), count in sorted(t.intents.items()):
            if view.where.channel is None or channel == view.where.channel:
                writer.writerow([day.isoformat(), channel, intent, count])
    elif metric == "unrecognised":
        for entry in view.unrecognised(top=10_000):
            writer.writerow([spreadsheet_safe(text(entry.text)), entry.count, clock(entry.last_at)])
    elif metric == "handoff_wait":
        for day, channel in keys(t.waits, t.waiting):
            waits = t.waits.get((day, channel), [])
            median = f"{statistics.median(waits):.0f}" if waits else ""
            writer.writerow([day.isoformat(), channel, len(waits), median, t.waiting[(day, channel)]])
    return out.getvalue()
