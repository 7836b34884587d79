"""The reference time ("now") used to resolve relative dates; always passed in, never read
inside components."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"

Clock = Callable[[], datetime]


def timezone(name: str = DEFAULT_TIMEZONE) -> tzinfo:
    """The time zone of an IANA name; ValueError (saying what to write) if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone '{name}': use an IANA name such as {DEFAULT_TIMEZONE}"
        ) from None


def system_clock(zone: str = DEFAULT_TIMEZONE) -> Clock:
    """A clock that reads the real time in `zone`."""
    tz = timezone(zone)
    return lambda: datetime.now(tz)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always says `moment` (for demos and tests)."""
    return lambda: moment


def parse_reference_time(text: str, zone: str | tzinfo = DEFAULT_TIMEZONE) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is read in `zone` (a time zone
    name or a tzinfo, e.g. the fixed offset of another reference time).

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
        moment = moment.replace(tzinfo=zone if isinstance(zone, tzinfo) else timezone(zone))
    return moment
