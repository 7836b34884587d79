"""What "today" is and which month, date or span a question is about.

"Now" is $HRBOT_REFERENCE_TIME when set (ISO 8601, read in Asia/Shanghai without an offset, as
hrbot reads it for resolving relative dates), else the current time in Asia/Shanghai, so the
actions and the NLU agree on what "上个月" and "明天" mean. A month or date comes from the
latest message's entities first (normalised per the intents contract: month "YYYY-MM", date
"YYYY-MM-DD" or {"from", "to"}), then from the slot of the same name.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

REFERENCE_TIME_ENV = "HRBOT_REFERENCE_TIME"
SHANGHAI = ZoneInfo("Asia/Shanghai")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

Clock = Callable[[], datetime]

logger = logging.getLogger(__name__)


def reference_now(env: Mapping[str, str] | None = None) -> datetime:
    """$HRBOT_REFERENCE_TIME (an ISO date or date-time; naive means Asia/Shanghai), else now in
    Asia/Shanghai. An unreadable value is logged and the real time used: a wrong demo setting
    must not stop the bot from answering."""
    value = (os.environ if env is None else env).get(REFERENCE_TIME_ENV)
    if value:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            logger.warning("$%s=%r is not ISO 8601 (e.g. 2026-11-21T10:00:00+08:00); using the real time",
                           REFERENCE_TIME_ENV, value)
        else:
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)
    return datetime.now(SHANGHAI)


def local_today(now: datetime) -> date:
    """The calendar day of `now` in Asia/Shanghai."""
    return now.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class DateSpan:
    """One day (start == end) or an inclusive span of days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a date span must not end ({self.end}) before it starts ({self.start})")

    @property
    def single_day(self) -> bool:
        return self.start == self.end

    def days(self) -> Iterator[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)


def month_of(value: Any) -> str | None:
    """A contract month ("2026-10") as is; anything else None."""
    if isinstance(value, str):
        match = _MONTH.match(value.strip())
        if match and 1 <= int(match.group(2)) <= 12:
            return value.strip()
    return None


def span_of(value: Any) -> DateSpan | None:
    """A contract date ("2026-11-23" or {"from": ..., "to": ...}) as a span; anything else None."""
    try:
        if isinstance(value, str):
            day = date.fromisoformat(value.strip())
            return DateSpan(day, day)
        if isinstance(value, Mapping):
            start, end = value.get("from"), value.get("to")
            if isinstance(start, str) and isinstance(end, str):
                first, last = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
                return DateSpan(min(first, last), max(first, last))
    except ValueError:
        return None
    return None


def month_span(month: str) -> DateSpan:
    """The first to the last day of a contract month."""
    year, number = int(month[:4]), int(month[5:7])
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return DateSpan(first, following - timedelta(days=1))


def month_before(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def entity_values(tracker: Any, entity: str) -> list[Any]:
    """The values of `entity` in the latest message, in order."""
    entities = (tracker.latest_message or {}).get("entities") or []
    return [e.get("value") for e in entities if isinstance(e, Mapping) and e.get("entity") == entity]


def message_month(tracker: Any) -> str | None:
    """The month entity of the latest message, if it has a valid one."""
    return next((m for m in map(month_of, entity_values(tracker, "month")) if m), None)


def message_span(tracker: Any) -> DateSpan | None:
    """The date entity of the latest message, if it has a valid one."""
    return next((s for s in map(span_of, entity_values(tracker, "date")) if s), None)


def requested_month(tracker: Any, same_topic: Collection[str] = ()) -> str | None:
    """The month the question is about: the latest message's month entity, else the `month`
    slot — but the slot only when the bot's previous answer was one of `same_topic` (actions),
    if given, so that a month asked about attendance does not carry into a pay question; None
    when neither holds a valid "YYYY-MM"."""
    if same_topic and previous_action(tracker) not in same_topic:
        return message_month(tracker)
    return message_month(tracker) or month_of(tracker.get_slot("month"))


def previous_action(tracker: Any) -> str | None:
    """The last action the bot ran before the latest user message (action_listen aside)."""
    events = list(tracker.events or [])
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    for event in reversed(events[:users[-1]] if users else events):
        if event.get("event") == "action" and event.get("name") != "action_listen":
            return str(event.get("name"))
    return None


def requested_span(tracker: Any) -> DateSpan | None:
    """The day or span the question is about: the latest message's date entity, else the
    `date` slot; None when neither holds a valid contract date."""
    return message_span(tracker) or span_of(tracker.get_slot("date"))


def latest_text(tracker: Any) -> str:
    """The text of the latest message ('' when there is none)."""
    return str((tracker.latest_message or {}).get("text") or "")


def day_of(value: Any) -> date | None:
    """A backend date ("2026-11-10") or date-time ("2026-11-20T18:00:00+08:00", taken in
    Asia/Shanghai) as a date; None for anything else (a missing date)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if "T" in value:
            return local_today(datetime.fromisoformat(value))
        return date.fromisoformat(value)
    except ValueError:
        return None
