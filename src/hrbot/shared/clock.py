"""The reference time ("now") used to resolve relative dates; always passed in, never read
inside components."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"

Clock = Callable[[], datetime]


def timezone(name: str = DEFAULT_TIMEZONE) -> tzinfo:
    return ZoneInfo(name)


def system_clock(zone: str = DEFAULT_TIMEZONE) -> Clock:
    """A clock that reads the real time in `zone`."""
    tz = ZoneInfo(zone)
    return lambda: datetime.now(tz)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always says `moment` (for demos and tests)."""
    return lambda: moment


def parse_reference_time(text: str, zone: str = DEFAULT_TIMEZONE) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is read in `zone`.

    Raises ValueError naming the accepted forms.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"reference time '{text}' is not ISO 8601: use e.g. 2026-11-21 or "
            "2026-11-21T10:00:00+08:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment
