"""Performance disputes against handbook 7.3: the filing window and the weekly feedback window.

"员工对绩效结果有异议的,可在结果公布后5个工作日内提出申诉。主管每周四 19:00-21:00 集中回复绩效反馈。"

**When a result is published.** company.json's ``performance_reviews`` carry no publication
date, so the backend assumes one rule for every quarter: a quarter's results are published on
the 15th working day of the second month after the quarter ends (2026Q2: 2026-08-21, 2026Q3:
2026-11-20), counted with the company calendar. A dispute may be filed from that day up to and
including the 5th working day after it (2026Q3: until Friday 2026-11-27).

**When a reply reaches the employee.** Reviewers answer whenever they like; the answer is
delivered in the feedback window, Thursday 19:00-21:00 Asia/Shanghai: the first window that has
not ended when the reply is written (a reply written during a window is delivered in it). A
Thursday that is not a working day (2026-10-01, National Day) has no window; the reply waits for
the next working Thursday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hr_backend.clock import COMPANY_TZ, to_company_time
from hr_backend.data.workcal import WorkCalendar
from hr_backend.errors import Problem

FILING_WORKING_DAYS = 5
PUBLISHED_MONTHS_AFTER_QUARTER = 2
PUBLISHED_ON_WORKING_DAY = 15
PUBLICATION_RULE = (
    f"company.json 没有绩效结果公布日期:按季度结束后第{PUBLISHED_MONTHS_AFTER_QUARTER}个月的"
    f"第{PUBLISHED_ON_WORKING_DAY}个工作日公布推定"
)
FILING_RULE = f"对绩效结果有异议的,可在结果公布后{FILING_WORKING_DAYS}个工作日内提出申诉(手册7.3)"

FEEDBACK_WEEKDAY = 3  # Thursday
FEEDBACK_START = time(19, 0)
FEEDBACK_END = time(21, 0)
FEEDBACK_RULE = "主管每周四 19:00-21:00 集中回复绩效反馈(手册7.3);非工作日的周四顺延到下一个工作日的周四"
MAX_WEEKS_AHEAD = 60

PERIOD = re.compile(r"^(\d{4})Q([1-4])$")


def parse_period(text: str) -> tuple[int, int] | None:
    """(year, quarter) of a review period such as "2026Q3"; None for anything else."""
    match = PERIOD.match(text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def published_on(period: str, calendar: WorkCalendar) -> date:
    """The day the results of ``period`` ("2026Q3") are taken to be published (see the module)."""
    parsed = parse_period(period)
    if parsed is None:
        raise ValueError(f"review period {period!r} is not like 2026Q3")
    year, quarter = parsed
    month = quarter * 3 + PUBLISHED_MONTHS_AFTER_QUARTER
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return calendar.nth_working_day_from(date(year, month, 1), PUBLISHED_ON_WORKING_DAY)


def filing_deadline(published: date, calendar: WorkCalendar) -> date:
    """The last day a dispute of a result published on ``published`` may be filed."""
    return calendar.nth_working_day_after(published, FILING_WORKING_DAYS)


@dataclass(frozen=True)
class FilingWindow:
    """When a period's result was published and until when it may be disputed."""

    period: str
    published_on: date
    deadline: date

    def is_open(self, today: date) -> bool:
        return self.published_on <= today <= self.deadline

    def problem(self, today: date) -> Problem | None:
        """Why a dispute filed ``today`` is refused, or None."""
        if today < self.published_on:
            return Problem(
                "result_not_published",
                f"{self.period}的绩效结果将于{_day(self.published_on)}公布,公布后"
                f"{FILING_WORKING_DAYS}个工作日内可以申诉(手册7.3)",
                "7.3",
            )
        if today > self.deadline:
            return Problem(
                "dispute_window_closed",
                f"{self.period}的绩效结果已于{_day(self.published_on)}公布,申诉须在公布后"
                f"{FILING_WORKING_DAYS}个工作日内提出,已于{_day(self.deadline)}截止(手册7.3)",
                "7.3",
            )
        return None


def filing_window(period: str, calendar: WorkCalendar) -> FilingWindow:
    published = published_on(period, calendar)
    return FilingWindow(period, published, filing_deadline(published, calendar))


def feedback_window_start(moment: datetime, calendar: WorkCalendar) -> datetime:
    """The start of the feedback window in which a reply written at ``moment`` is delivered:
    the first working Thursday's 19:00 whose window (until 21:00) has not ended at ``moment``."""
    local = to_company_time(moment)
    day = local.date()
    for _ in range(MAX_WEEKS_AHEAD * 7):
        if day.weekday() == FEEDBACK_WEEKDAY and calendar.is_working_day(day):
            end = datetime.combine(day, FEEDBACK_END, tzinfo=COMPANY_TZ)
            if local < end:
                return datetime.combine(day, FEEDBACK_START, tzinfo=COMPANY_TZ)
        day += timedelta(days=1)
    raise ValueError(f"no working Thursday within {MAX_WEEKS_AHEAD} weeks of {local.date()}")


def feedback_window_end(start: datetime) -> datetime:
    """21:00 on the day of the window starting at ``start``."""
    local = to_company_time(start)
    return datetime.combine(local.date(), FEEDBACK_END, tzinfo=COMPANY_TZ)


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"
