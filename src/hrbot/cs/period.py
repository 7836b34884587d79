"""A reporting period: whole local days, both ends included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from hrbot.shared.errors import HrbotError


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise HrbotError(f"--to {self.last} is before --from {self.first}: swap them")

    def contains(self, moment: datetime, zone: tzinfo) -> bool:
        """Whether `moment` falls on one of the period's days in the company's time zone."""
        return self.first <= moment.astimezone(zone).date() <= self.last

    @property
    def label(self) -> str:
        return f"{self.first.isoformat()} 至 {self.last.isoformat()}"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def parse_day(text: str, option: str) -> date:
    """A YYYY-MM-DD date; the error names the option it came from."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise HrbotError(
            f"{option}: '{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-10-01"
        ) from None


def parse_period(first: str, last: str) -> Period:
    return Period(parse_day(first, "--from"), parse_day(last, "--to"))
