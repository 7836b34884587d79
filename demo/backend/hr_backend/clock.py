"""The backend's "now": a fixed instant in company time, given as input so rule checks reproduce.

Notice periods, claim deadlines and punch-correction windows all depend on today's date. The
backend never reads the wall clock: "now" defaults to the company's reference date
(``company.reference_date`` in company.json) at 10:00 Asia/Shanghai and can be overridden with
``--today`` / ``HR_BACKEND_TODAY``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

COMPANY_TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_TIME_OF_DAY = time(10, 0)


def reference_now(day: date) -> datetime:
    """10:00 company time on ``day``: the default clock of the demo."""
    return datetime.combine(day, DEFAULT_TIME_OF_DAY, tzinfo=COMPANY_TZ)


def parse_now(text: str) -> datetime:
    """Read ``YYYY-MM-DD`` (10:00 that day) or an ISO 8601 date-time (naive = company time).

    Raises ValueError with a message naming the accepted forms.
    """
    value = text.strip()
    try:
        if len(value) == 10:
            return reference_now(date.fromisoformat(value))
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"cannot read {text!r} as today: use YYYY-MM-DD (10:00 that day) or YYYY-MM-DDTHH:MM[+08:00]"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=COMPANY_TZ)
    return moment.astimezone(COMPANY_TZ)


def to_company_time(moment: datetime) -> datetime:
    """``moment`` in company time; a naive value is taken as company time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=COMPANY_TZ)
    return moment.astimezone(COMPANY_TZ)
