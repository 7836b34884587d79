"""The company calendar: which days are working days (handbook 3.5).

A day is a working day when it is a make-up working day (调休上班日), or a weekday that is not a
public holiday. Leave is counted in working days; notice periods and correction windows are
measured in working days. Only the holidays listed in company.json are known (the demo lists
2026): later years count weekends only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

ONE_DAY = timedelta(days=1)
MAX_SPAN_DAYS = 3660
DAY_KIND_NAMES = {
    "workday": "工作日",
    "weekend": "周末",
    "holiday": "法定节假日",
    "makeup_workday": "调休上班日",
}


def each_day(start: date, end: date) -> Iterator[date]:
    """Every date from ``start`` to ``end`` inclusive."""
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays and make-up working days; everything else follows the Monday-Friday week."""

    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    work_start: str = "09:00"
    work_end: str = "18:00"
    late_after: str = "09:05"

    @classmethod
    def from_json(cls, calendar: dict[str, Any]) -> WorkCalendar:
        hours = calendar.get("work_hours") or {}
        return cls(
            holidays=frozenset(date.fromisoformat(day) for day in calendar.get("holidays", [])),
            makeup_workdays=frozenset(date.fromisoformat(day) for day in calendar.get("makeup_workdays", [])),
            work_start=str(hours.get("start", "09:00")),
            work_end=str(hours.get("end", "18:00")),
            late_after=str(hours.get("late_after", "09:05")),
        )

    def day_kind(self, day: date) -> str:
        """``workday``, ``weekend``, ``holiday`` or ``makeup_workday``."""
        if day in self.makeup_workdays:
            return "makeup_workday"
        if day in self.holidays:
            return "holiday"
        return "weekend" if day.weekday() >= 5 else "workday"

    def is_working_day(self, day: date) -> bool:
        return self.day_kind(day) in ("workday", "makeup_workday")

    def working_days(self, start: date, end: date) -> list[date]:
        """The working days from ``start`` to ``end``, both included."""
        if (end - start).days > MAX_SPAN_DAYS:
            raise ValueError(f"span {start}..{end} is longer than {MAX_SPAN_DAYS} days")
        return [day for day in each_day(start, end) if self.is_working_day(day)]

    def nth_working_day_from(self, start: date, count: int) -> date:
        """The ``count``-th working day counting ``start`` itself (count >= 1)."""
        return self._walk(start, count, include_start=True)

    def nth_working_day_after(self, day: date, count: int) -> date:
        """The ``count``-th working day strictly after ``day`` (count >= 1)."""
        return self._walk(day, count, include_start=False)

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        current = day - ONE_DAY
        for _ in range(MAX_SPAN_DAYS):
            if self.is_working_day(current):
                return current
            current -= ONE_DAY
        raise ValueError(f"no working day within {MAX_SPAN_DAYS} days before {day}")

    def has_working_day_between(self, first: date, before: date) -> bool:
        """Whether some working day ``d`` has ``first <= d < before``."""
        return any(self.is_working_day(day) for day in each_day(first, before - ONE_DAY))

    def holidays_in(self, start: date, end: date) -> list[date]:
        return sorted(day for day in self.holidays if start <= day <= end)

    def makeup_workdays_in(self, start: date, end: date) -> list[date]:
        return sorted(day for day in self.makeup_workdays if start <= day <= end)

    def _walk(self, day: date, count: int, *, include_start: bool) -> date:
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        found = 0
        current = day if include_start else day + ONE_DAY
        for _ in range(MAX_SPAN_DAYS):
            if self.is_working_day(current):
                found += 1
                if found == count:
                    return current
            current += ONE_DAY
        raise ValueError(f"no {count} working days within {MAX_SPAN_DAYS} days of {day}")


def iso_dates(days: Iterable[date]) -> list[str]:
    return [day.isoformat() for day in days]
