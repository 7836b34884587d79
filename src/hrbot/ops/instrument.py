"""Attaching a `TurnObserver` (the metrics) to a running `MessageProcessor`.

The processor already reports what metrics need: `handle_message` returns the turn's
`TurnResult`, and every fallback, handoff and failed action goes through its `review` sink. So
instead of counters spread through the dialogue code, `observe_processor` wraps those two points
of one processor instance: the observer sees each message (with its time and outcome) and each
review entry, and the log lines of a turn carry its `sender_id` and `channel`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from hrbot.dialogue.messages import UserMessage
from hrbot.dialogue.processor import MessageProcessor, ReviewEntry, TurnResult
from hrbot.ops.log_context import log_fields
from hrbot.ops.metrics import TurnObserver

logger = logging.getLogger(__name__)


def observe_processor(
    processor: MessageProcessor, observer: TurnObserver, *, timer: Callable[[], float] = time.perf_counter
) -> None:
    """Report every message `processor` handles and every review entry it writes to
    `observer`. Call once per processor (a second call reports everything twice)."""
    handle = processor.handle_message
    review = processor.review

    async def handle_message(message: UserMessage) -> TurnResult:
        started = timer()
        result: TurnResult | None = None
        with log_fields(sender_id=message.sender_id, channel=message.input_channel):
            try:
                result = await handle(message)
                return result
            finally:
                _safely(lambda: observer.observe_turn(message.input_channel, result, timer() - started))

    async def observed_review(entry: ReviewEntry) -> None:
        _safely(lambda: observer.observe_review(entry))
        await review(entry)

    processor.handle_message = handle_message  # type: ignore[method-assign]
    processor.review = observed_review


def _safely(report: Callable[[], None]) -> None:
    """Metrics must never fail a conversation."""
    try:
        report()
    except Exception:
        logger.exception("could not update the metrics")
