"""Prometheus metrics of one running bot, in a registry of its own.

    hrbot_messages_received_total{channel}        user messages handed to the processor
    hrbot_bot_messages_sent_total{channel}        messages the bot answered with
    hrbot_message_failures_total{channel}         messages whose handling raised (store down, ...)
    hrbot_message_handling_seconds{channel}       histogram: lock wait + NLU + actions + storing
    hrbot_fallbacks_total{stage}                  stage "nlu" (nlu_fallback) or "core"
                                                  (action_default_fallback / two-stage fallback)
    hrbot_handoffs_total{reason}                  conversations handed to a human, by reason
    hrbot_action_errors_total{action}             actions that failed (action server down, ...)
    process_*                                     CPU, memory, open files of this process

Each `BotMetrics` owns its `CollectorRegistry` (never prometheus_client's global one), so several
apps in one process (tests) do not clash. Several bot processes each serve their own `/metrics`;
Prometheus scrapes every process and sums.

Everything is derived from what the processor already produces: a turn's `TurnResult` and the
review entries it writes for fallbacks, handoffs and failed actions. `observe_turn` and
`observe_review` are the whole interface (see `TurnObserver`)."""

from __future__ import annotations

from typing import Protocol

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.process_collector import ProcessCollector

from hrbot.dialogue.processor import FALLBACK_ACTIONS, ReviewEntry, TurnResult

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
"""Seconds. A turn without custom actions takes milliseconds; one that calls the HR systems
through the action server takes up to their time-out (10 s by default)."""

NLU_FALLBACK_REASON = "nlu_fallback"
ACTION_FAILED_REASON = "action_failed"
UNKNOWN_LABEL = "unknown"
MAX_LABEL_CHARS = 64  # labels come from code and the domain; a long one is cut, never unbounded


class TurnObserver(Protocol):
    """What is told about every handled message and every review entry."""

    def observe_turn(self, channel: str, result: TurnResult | None, seconds: float) -> None:
        """A message of `channel` was handled in `seconds` (`result` None: handling raised)."""
        ...

    def observe_review(self, entry: ReviewEntry) -> None:
        """The processor recorded a fallback, handoff or failed action."""
        ...


def _label(value: object) -> str:
    text = str(value) if value not in (None, "") else UNKNOWN_LABEL
    return text[:MAX_LABEL_CHARS]


class BotMetrics:
    """The bot's counters and histograms; `render()` is the `/metrics` body."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, *, process_metrics: bool = True) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.messages_received = Counter(
            "hrbot_messages_received", "User messages handed to the dialogue processor",
            ["channel"], registry=registry)
        self.bot_messages_sent = Counter(
            "hrbot_bot_messages_sent", "Messages the bot answered with", ["channel"], registry=registry)
        self.message_failures = Counter(
            "hrbot_message_failures", "User messages whose handling failed with an error",
            ["channel"], registry=registry)
        self.handling_seconds = Histogram(
            "hrbot_message_handling_seconds", "Time to handle one user message, lock wait included",
            ["channel"], buckets=LATENCY_BUCKETS, registry=registry)
        self.fallbacks = Counter(
            "hrbot_fallbacks", "Fallbacks: stage nlu (nlu_fallback intent) or core (fallback action)",
            ["stage"], registry=registry)
        self.handoffs = Counter(
            "hrbot_handoffs", "Conversations handed to a human HR agent", ["reason"], registry=registry)
        self.action_errors = Counter(
            "hrbot_action_errors", "Actions that failed (action server or HR systems unavailable, ...)",
            ["action"], registry=registry)
        for stage in ("nlu", "core"):  # both series exist from the start, so rates work at once
            self.fallbacks.labels(stage=stage)
        if process_metrics:
            ProcessCollector(registry=registry)

    def observe_turn(self, channel: str, result: TurnResult | None, seconds: float) -> None:
        label = _label(channel)
        self.messages_received.labels(channel=label).inc()
        self.handling_seconds.labels(channel=label).observe(max(seconds, 0.0))
        if result is None:
            self.message_failures.labels(channel=label).inc()
            return
        if result.messages:
            self.bot_messages_sent.labels(channel=label).inc(len(result.messages))

    def observe_review(self, entry: ReviewEntry) -> None:
        if entry.kind == "handoff":
            self.handoffs.labels(reason=_label(entry.reason)).inc()
        elif entry.reason == ACTION_FAILED_REASON:
            self.action_errors.labels(action=_label(entry.details.get("action"))).inc()
        elif entry.reason == NLU_FALLBACK_REASON:
            self.fallbacks.labels(stage="nlu").inc()
        elif entry.reason in FALLBACK_ACTIONS:
            self.fallbacks.labels(stage="core").inc()

    def render(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)
