"""Times of day, durations and head counts in a booking message ("周一下午3点到4点半,6个人").

The NLU extracts the date ("YYYY-MM-DD") but not times of day, so the meeting booking form reads
these from the message text here. Every function is pure.

Hours without 上午/下午 follow office habit: 1-6 点 are afternoon (13-18 点), 7-12 点 as said; an
end without a period inherits the start's ("下午两点到三点" is 14:00-15:00).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}
_NUM = r"(?:\d{1,2}|[一二三四五六七八九]?十[一二三四五六七八九]?|[零〇一二两三四五六七八九])"
_PERIOD = r"(?:上午|早上|早晨|中午|下午|晚上|傍晚)"
_MINUTE = (r"(?:[:：]\s*\d{2}|\s*(?:点|時)\s*"
           r"(?:半|一刻|三刻|\d{1,2}\s*分?|[零一二三四五]?十[一二三四五六七八九]?\s*分?)?)")
_POINT = rf"(?P<@period>{_PERIOD})?\s*(?<![\d\-/.])(?P<@hour>{_NUM})(?P<@minute>{_MINUTE})"
_LOOSE = rf"(?P<@period>{_PERIOD})?\s*(?<![\d\-/.])(?P<@hour>{_NUM})(?P<@minute>{_MINUTE})?"
_SEPARATOR = r"\s*(?:到|至|-|~|～|—|–)\s*"
_RANGE = re.compile(_LOOSE.replace("@", "a") + _SEPARATOR
                    + _POINT.replace("@", "b").replace(r"(?<![\d\-/.])", ""))
_SINGLE = re.compile(_POINT.replace("@", "a") + r"(?![\d分钟个])")
_HOURS = re.compile(rf"(?P<n>{_NUM}|\d+\.\d+)?\s*个?\s*(?P<half>半)?\s*个?\s*(?:小时|钟头)")
_MINUTES = re.compile(rf"(?P<n>{_NUM}|\d{{2,3}})\s*分钟")
_PEOPLE = re.compile(r"(?P<n>\d{1,3}|[零〇一二两三四五六七八九十百]{1,4})\s*(?:个)?\s*(?:人|位)")
_BOOKING_WORDS = re.compile(r"订|预定|约个|约一?间|预约|帮我定|定个|定一?间|占个|借个|book", re.IGNORECASE)
_QUERY_WORDS = re.compile(r"什么会|哪些会|几个会|有会吗|订了|约了|预订的|订的|查")


@dataclass(frozen=True)
class TimeRange:
    """A time of day said in the message, and its end when a range was said."""

    start: time
    end: time | None = None

    @property
    def minutes(self) -> float | None:
        """The range's length in minutes; None without an end (or an end before the start)."""
        if self.end is None:
            return None
        length = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return float(length) if length > 0 else None


def chinese_number(text: str) -> int | None:
    """"6" → 6, "十" → 10, "十二" → 12, "二十五" → 25, "两" → 2, "一百" → 100; None otherwise."""
    if text.isdigit():
        return int(text)
    if text in _DIGITS:
        return _DIGITS[text]
    if text.endswith("百") and text[:-1] in _DIGITS:
        return _DIGITS[text[:-1]] * 100
    if "十" in text and text.count("十") == 1:
        tens, _, ones = text.partition("十")
        if (tens and tens not in _DIGITS) or (ones and ones not in _DIGITS):
            return None
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    return None


def _minute(text: str | None) -> int | None:
    cleaned = re.sub(r"[\s:：点時分]", "", text or "")
    if not cleaned:
        return 0
    named = {"半": 30, "一刻": 15, "三刻": 45}
    if cleaned in named:
        return named[cleaned]
    value = chinese_number(cleaned)
    return value if value is not None and 0 <= value < 60 else None


def _hour(number: int, period: str | None) -> int | None:
    if not 0 <= number <= 24:
        return None
    if period in ("下午", "晚上", "傍晚") and number < 12:
        return number + 12
    if period == "中午" and number <= 2:
        return number + 12
    if period is None and 1 <= number <= 6:
        return number + 12
    return number % 24


def _point(match: re.Match[str], prefix: str, period: str | None) -> time | None:
    number = chinese_number(match.group(f"{prefix}hour"))
    minute = _minute(match.group(f"{prefix}minute"))
    if number is None or minute is None:
        return None
    hour = _hour(number, match.group(f"{prefix}period") or period)
    return time(hour, minute) if hour is not None else None


def time_range_in(text: str) -> TimeRange | None:
    """The time of day in the text: "下午3点" → 15:00, "15:00", "10点半" → 10:30, "两点到三点" →
    14:00-15:00, "3-4点" → 15:00-16:00; None when the text says no clock time (e.g. only "下午")."""
    ranged = _RANGE.search(text)
    if ranged is not None:
        start = _point(ranged, "a", None)
        end = _point(ranged, "b", ranged.group("aperiod"))
        if start is not None and end is not None:
            return TimeRange(start, end)
    single = _SINGLE.search(text)
    if single is None:
        return None
    start = _point(single, "a", None)
    return TimeRange(start) if start is not None else None


def duration_in(text: str) -> float | None:
    """Minutes the text says a meeting lasts: "一个小时" → 60, "半小时" → 30, "一个半小时" → 90,
    "1.5小时" → 90, "两个小时" → 120, "45分钟" → 45; None when it says none."""
    hours = _HOURS.search(text)
    if hours is not None and (hours.group("n") or hours.group("half")):
        raw = hours.group("n")
        whole = 0.0 if raw is None else float(raw) if "." in raw else float(chinese_number(raw) or 0)
        total = (whole + (0.5 if hours.group("half") else 0.0)) * 60
        return total if total > 0 else None
    minutes = _MINUTES.search(text)
    if minutes is not None:
        value = chinese_number(minutes.group("n"))
        return float(value) if value else None
    return None


def size_in(text: str) -> int | None:
    """How many people the text says: "6个人" → 6, "6人" → 6, "十个人" → 10, "12位" → 12."""
    match = _PEOPLE.search(text)
    if match is None:
        return None
    value = chinese_number(match.group("n"))
    return value if value else None


def wants_booking(text: str) -> bool:
    """Whether a meeting_booking message asks to book a room ("帮我订明天下午的会议室") rather than
    to list meetings ("今天有什么会", "我明天订了哪些会")."""
    return bool(_BOOKING_WORDS.search(text)) and not _QUERY_WORDS.search(text)
