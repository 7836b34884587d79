"""Small calendar helpers that never raise."""

from __future__ import annotations

import calendar
import datetime as dt


def as_date(value: dt.date) -> dt.date:
    """Drop any time part (a datetime is also a date)."""
    return dt.date(value.year, value.month, value.day)


def make_date(year: int, month: int, day: int) -> dt.date | None:
    """The date, or None when it does not exist."""
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) moved by *delta* months."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_end(year: int, month: int) -> dt.date | None:
    """Last day of the month, or None when out of range."""
    if not 1 <= year <= 9999 or not 1 <= month <= 12:
        return None
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_days(day: dt.date, days: int) -> dt.date | None:
    """*day* plus *days*, or None on overflow."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return None


def add_months(day: dt.date, months: int) -> dt.date | None:
    """Same day-of-month *months* later, clamped to the month's end."""
    year, month = shift_month(day.year, day.month, months)
    last = month_end(year, month)
    if last is None:
        return None
    return last.replace(day=min(day.day, last.day))


def week_monday(day: dt.date, weeks: int = 0) -> dt.date | None:
    """Monday of the week containing *day*, moved by *weeks*."""
    return add_days(day, 7 * weeks - day.weekday())
