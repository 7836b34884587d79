"""Chinese date expressions to ISO dates or {"from", "to"} spans.

Span convention: the contract's `date` is a calendar day, so a time of day is not part of a
date found in a sentence: find_values reports "明天" in "帮我订明天下午3点的会议室" (as the
training data annotates it). A text that is a date followed by a time of day (上午, 下午, 晚上,
凌晨 ..., a clock time like 3点, 9点半, 10:30, or both) still resolves to that date:
resolve_date("下周一早上9点") is "2026-11-23" on 2026-11-21; the time itself is dropped.
Time words are not absorbed where they begin another expression or word: "明天上午半天"
keeps "上午半天" as a duration, "明天晚上班" (come in late) keeps only "明天".
今早 / 今晚 / 明早 / 明晚 / 昨晚 are single-day words.

Month.day ranges with a separator ("12.24-12.25", "12/8-12/10", "11/3至11/5") are one
span; inside a sentence they count only with a month on both ends and the same separator.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from types import MappingProxyType
from typing import Final, Literal, NamedTuple

from hrbot.nlu.normalise._calendar import (
    add_days,
    add_months,
    as_date,
    make_date,
    month_end,
    shift_month,
    week_monday,
)
from hrbot.nlu.normalise._patterns import (
    CONNECTOR,
    DATE_START,
    DAY_NUM,
    MONTH_NUM,
    NUM_BOUNDARY,
    REL_PREFIX,
    REL_YEAR,
    WEEK_START,
    WEEK_WORD,
    WEEKDAY_CHAR,
    WEEKDAY_END,
    WEEKDAY_INDEX,
    YEAR_NUM,
    prefix_offset,
    year_of,
)
from hrbot.nlu.normalise._spans import Candidate, select_longest, whole_value
from hrbot.nlu.normalise._text import core_text
from hrbot.nlu.normalise.numbers import parse_int

DateValue = str | dict[str, str]
_Kind = Literal["fixed", "weekday", "day", "monthday", "period"]


class _Point(NamedTuple):
    """A recognised date or period; kind/weekday/month/day let a span's end inherit context."""

    start: int
    end: int
    first: dt.date
    last: dt.date
    confident: bool = True
    kind: _Kind = "fixed"
    weekday: int = -1
    month: int = 0
    day: int = 0


# (gate, pattern, builder): the pattern only runs when one of the gate characters occurs.
_Builder = Callable[["re.Match[str]", dt.date], "_Point | None"]
_Rule = tuple[frozenset[str], "re.Pattern[str]", _Builder]

_NO_DAY_SUFFIX: Final = r"(?![0-9.:点天个小时周年月号日万千百十元块次人岁期届分])"
_DAY_SUFFIX_STOP: Final = r"(?![楼线床房位车门机院区栋座室])"
_ANCHOR_DAYS: Final = MappingProxyType({"底": -1, "末": -1, "初": 1, "中": 15})

_NUM_START: Final = DATE_START + NUM_BOUNDARY
_ISO_RE: Final = re.compile(
    r"(?<![0-9.\-/])(?P<y>(?:19|20)[0-9]{2})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)"
    r"(?P<d>[0-9]{1,2})(?:[号日])?(?![0-9]|[-/.][0-9])"
)
_CN_DATE_RE: Final = re.compile(
    _NUM_START + rf"(?:(?P<y>{YEAR_NUM})年|(?P<ry>{REL_YEAR}))?(?P<m>{MONTH_NUM})月份?"
    rf"(?P<d>{DAY_NUM})(?:(?P<suf>[号日])|{_NO_DAY_SUFFIX})"
)
_SLASH_RE: Final = re.compile(
    r"(?<![0-9/.\-])(?P<m>[0-9]{1,2})(?P<sep>[/.\-])(?P<d>[0-9]{1,2})"
    r"(?![0-9]|[/.\-][0-9]|\s?[天个小时号日周月年%])"
)
_DAY_ONLY_RE: Final = re.compile(
    DATE_START
    + rf"(?<![0-9.〇零一二两三四五六七八九十百千万亿廿卅几第月])(?P<d>{DAY_NUM})(?P<suf>[号日])"
    + _DAY_SUFFIX_STOP
)
_REL_MONTH_DAY_RE: Final = re.compile(
    rf"(?P<pre>{REL_PREFIX})月份?(?P<d>{DAY_NUM})[号日]{_DAY_SUFFIX_STOP}",
)
_REL_MONTH_ANCHOR_RE: Final = re.compile(rf"(?P<pre>{REL_PREFIX})?月(?P<a>[底末初中])(?!旬)")
_MONTH_ANCHOR_RE: Final = re.compile(
    _NUM_START + rf"(?:(?P<y>{YEAR_NUM})年|(?P<ry>{REL_YEAR}))?(?P<m>{MONTH_NUM})月份?"
    r"(?P<a>[底末初中])(?!旬)"
)
_YEAR_ANCHOR_RE: Final = re.compile(
    r"(?<![0-9])(?:(?P<y>[0-9]{4})|(?P<ry>[今本去明]))?年(?P<a>[底末初])",
)
_REL_DAY_RE: Final = re.compile(
    r"大前天|大后天|前天|后天|今天|今日|明天|明日|昨天|昨日|今儿个?|明儿个?|昨儿个?"
    # 今早 / 明晚 ...: not the 明 of 说明, 证明, 聪明 ... nor the 今 of 至今, 如今
    r"|(?<![如至迄古当])今[早晚晨夜]"
    r"|(?<![说证声表聪光文发透鲜分申阐查标注精简失黎清神英高照])明[早晚晨]"
    r"|昨[晚夜]"
)
_REL_DAY_OFFSETS: Final = MappingProxyType(
    {
        "大前天": -3,
        "前天": -2,
        "昨天": -1,
        "昨日": -1,
        "昨儿": -1,
        "昨儿个": -1,
        "今天": 0,
        "今日": 0,
        "今儿": 0,
        "今儿个": 0,
        "明天": 1,
        "明日": 1,
        "明儿": 1,
        "明儿个": 1,
        "后天": 2,
        "大后天": 3,
        "今早": 0,
        "今晚": 0,
        "今晨": 0,
        "今夜": 0,
        "明早": 1,
        "明晚": 1,
        "明晨": 1,
        "昨晚": -1,
        "昨夜": -1,
    }
)
_YEAR_WORD_OFFSETS: Final = MappingProxyType({"去": -1, "明": 1})
_COUNT_RE: Final = re.compile(
    DATE_START
    + NUM_BOUNDARY
    + r"(?P<n>[0-9]{1,3}|[一二两三四五六七八九十俩仨]{1,3})"
    + r"(?P<u>天|日|个?(?:周|星期|礼拜)|个月)(?:之|以)?(?P<dir>后|前)"
)
_WEEKDAY_RE: Final = re.compile(
    WEEK_START + rf"(?<![0-9一二两三四五六七八九十几半每个])(?P<pre>{REL_PREFIX})?{WEEK_WORD}"
    rf"(?P<d>{WEEKDAY_CHAR}){WEEKDAY_END}"
)
_WEEK_RE: Final = re.compile(
    WEEK_START + rf"(?<![0-9一二两三四五六七八九十几半每])(?P<pre>{REL_PREFIX}){WEEK_WORD}"
    rf"(?!末|{WEEKDAY_CHAR}{WEEKDAY_END})"
)
_WEEKEND_RE: Final = re.compile(
    WEEK_START + rf"(?<![0-9一二两三四五六七八九十几半每])(?P<pre>{REL_PREFIX})?周末"
)
_DAY_RANGE_RE: Final = re.compile(
    DATE_START
    + NUM_BOUNDARY
    + rf"(?:(?:(?P<y>{YEAR_NUM})年|(?P<ry>{REL_YEAR}))?(?P<m>{MONTH_NUM})月份?"
    + rf"|(?P<pre>{REL_PREFIX})月份?)?"
    + rf"(?P<d1>{DAY_NUM})[号日]?{CONNECTOR}(?P<d2>{DAY_NUM})(?P<suf>[号日]){_DAY_SUFFIX_STOP}"
)
_WEEKDAY_RANGE_RE: Final = re.compile(
    WEEK_START + rf"(?<![0-9一二两三四五六七八九十几半每个])(?P<pre>{REL_PREFIX})?{WEEK_WORD}"
    rf"(?P<d1>{WEEKDAY_CHAR}){CONNECTOR}(?P<d2>[一二三四五六日天七]){WEEKDAY_END}"
)
_CONNECTOR_RE: Final = re.compile(CONNECTOR)
_SPAN_OPENERS: Final = frozenset("从自")

_CN_CLOCK_NUM: Final = r"[零一二两三四五六七八九十]{1,3}"
_CLOCK: Final = (
    rf"(?:[0-9]{{1,2}}|{_CN_CLOCK_NUM})"
    rf"(?:点(?:钟|半|整|[一三]刻|过?(?:[0-9]{{1,2}}|{_CN_CLOCK_NUM})分|[0-9]{{1,2}})?|:[0-5][0-9])"
    # not "3点5元", "一点儿", "一点都不", "3点多钟头"...
    r"(?![0-9.:点元块角毛天个小时分万千百%儿都也]|多?钟头)"
)
_PART_OF_DAY: Final = (
    r"(?:上午|下午|中午|早上|早晨|清晨|清早|一早|晚上|傍晚|凌晨|夜里|夜间|晚间|半夜|白天)"
    r"(?!半天|[茶班])"  # 上午半天 is a duration, 下午茶 a snack, 晚上班 "go to work late"
)
# A clock time may be a range of hours of the same day: 下午2点到4点, 16:00-17:00.
_CLOCK_SPAN: Final = rf"{_CLOCK}(?:{CONNECTOR}(?:{_PART_OF_DAY}\s?)?{_CLOCK})?"
_TIME_OF_DAY_RE: Final = re.compile(rf"\s?(?:{_PART_OF_DAY}(?:\s?{_CLOCK_SPAN})?|{_CLOCK_SPAN})")
_TIME_GATE: Final = frozenset("上下中早晚清一凌夜半白0123456789零二两三四五六七八九十")
_MD_RANGE_RE: Final = re.compile(
    r"(?<![0-9A-Za-z/.\-:¥$])(?P<m1>[0-9]{1,2})(?P<sep>[/.\-])(?P<d1>[0-9]{1,2})"
    rf"(?P<conn>{CONNECTOR})(?:(?P<m2>[0-9]{{1,2}})(?P=sep))?(?P<d2>[0-9]{{1,2}})"
    r"(?:[号日](?![楼线床房位车门机院区栋座室])"
    r"|(?![0-9]|[/.\-:][0-9]|\s?[天个小时号日周月年%倍万千百kKwW元块点]))"
)


def _single(
    m: re.Match[str],
    when: dt.date | None,
    *,
    confident: bool = True,
    kind: _Kind = "fixed",
    weekday: int = -1,
    month: int = 0,
    day: int = 0,
) -> _Point | None:
    if when is None:
        return None
    return _Point(m.start(), m.end(), when, when, confident, kind, weekday, month, day)


def _period(m: re.Match[str], first: dt.date | None, last: dt.date | None) -> _Point | None:
    if first is None or last is None or last < first:
        return None
    return _Point(m.start(), m.end(), first, last, kind="period")


def _iso(m: re.Match[str], ref: dt.date) -> _Point | None:
    return _single(m, make_date(int(m["y"]), int(m["m"]), int(m["d"])))


def _cn_date(m: re.Match[str], ref: dt.date) -> _Point | None:
    year = year_of(m["y"], m["ry"], ref.year)
    month, day = parse_int(m["m"]), parse_int(m["d"])
    if year is None or month is None or day is None:
        return None
    explicit_year = bool(m["y"] or m["ry"])
    confident = bool(m["suf"]) or m["d"].isascii()
    return _single(
        m,
        make_date(year, month, day),
        confident=confident,
        kind="fixed" if explicit_year else "monthday",
        month=month,
        day=day,
    )


def _slash(m: re.Match[str], ref: dt.date) -> _Point | None:
    month, day = int(m["m"]), int(m["d"])
    return _single(
        m,
        make_date(ref.year, month, day),
        confident=m["sep"] == "/",
        kind="monthday",
        month=month,
        day=day,
    )


def _day_only(m: re.Match[str], ref: dt.date) -> _Point | None:
    day = parse_int(m["d"])
    if day is None:
        return None
    when = make_date(ref.year, ref.month, day)
    return _single(m, when, confident=m["suf"] == "号", kind="day", day=day)


def _rel_month_day(m: re.Match[str], ref: dt.date) -> _Point | None:
    year, month = shift_month(ref.year, ref.month, prefix_offset(m["pre"]))
    day = parse_int(m["d"])
    return None if day is None else _single(m, make_date(year, month, day))


def _anchor(m: re.Match[str], year: int, month: int) -> _Point | None:
    day = _ANCHOR_DAYS[m["a"]]
    return _single(m, month_end(year, month) if day < 0 else make_date(year, month, day))


def _rel_month_anchor(m: re.Match[str], ref: dt.date) -> _Point | None:
    return _anchor(m, *shift_month(ref.year, ref.month, prefix_offset(m["pre"])))


def _month_anchor(m: re.Match[str], ref: dt.date) -> _Point | None:
    year, month = year_of(m["y"], m["ry"], ref.year), parse_int(m["m"])
    return None if year is None or month is None else _anchor(m, year, month)


def _year_anchor(m: re.Match[str], ref: dt.date) -> _Point | None:
    year = int(m["y"]) if m["y"] else ref.year + _YEAR_WORD_OFFSETS.get(m["ry"] or "", 0)
    return _single(m, make_date(year, 1, 1) if m["a"] == "初" else make_date(year, 12, 31))


def _rel_day(m: re.Match[str], ref: dt.date) -> _Point | None:
    return _single(m, add_days(ref, _REL_DAY_OFFSETS[m[0]]))


def _count(m: re.Match[str], ref: dt.date) -> _Point | None:
    n = parse_int(m["n"])
    if n is None:
        return None
    sign = 1 if m["dir"] == "后" else -1
    unit = m["u"]
    if unit == "个月":
        return _single(m, add_months(ref, sign * n))
    return _single(m, add_days(ref, sign * n * (1 if unit in ("天", "日") else 7)))


def _weekday(m: re.Match[str], ref: dt.date) -> _Point | None:
    monday = week_monday(ref, prefix_offset(m["pre"]))
    index = WEEKDAY_INDEX[m["d"]]
    day = None if monday is None else add_days(monday, index)
    return _single(m, day, kind="fixed" if m["pre"] else "weekday", weekday=index)


def _week(m: re.Match[str], ref: dt.date) -> _Point | None:
    monday = week_monday(ref, prefix_offset(m["pre"]))
    return None if monday is None else _period(m, monday, add_days(monday, 6))


def _weekend(m: re.Match[str], ref: dt.date) -> _Point | None:
    monday = week_monday(ref, prefix_offset(m["pre"]))
    return None if monday is None else _period(m, add_days(monday, 5), add_days(monday, 6))


def _day_range(m: re.Match[str], ref: dt.date) -> _Point | None:
    if m["m"]:
        year, month = year_of(m["y"], m["ry"], ref.year), parse_int(m["m"])
    elif m["pre"]:
        year, month = shift_month(ref.year, ref.month, prefix_offset(m["pre"]))
    else:
        year, month = ref.year, ref.month
    d1, d2 = parse_int(m["d1"]), parse_int(m["d2"])
    if year is None or month is None or d1 is None or d2 is None:
        return None
    point = _period(m, make_date(year, month, d1), make_date(year, month, d2))
    if point is None or m["suf"] == "号" or m["m"] or m["pre"]:
        return point
    return point._replace(confident=False)


def _weekday_range(m: re.Match[str], ref: dt.date) -> _Point | None:
    monday = week_monday(ref, prefix_offset(m["pre"]))
    if monday is None:
        return None
    first = add_days(monday, WEEKDAY_INDEX[m["d1"]])
    return _period(m, first, add_days(monday, WEEKDAY_INDEX[m["d2"]]))


def _md_range(m: re.Match[str], ref: dt.date) -> _Point | None:
    """12.24-12.25, 12/8-12/10, 11/3至11/5, 12/8-10; an end month before the start's is next year."""
    if m["sep"] == "-" and m["conn"].strip() == "-":
        return None  # "12-8-12-10" is unreadable
    month1 = int(m["m1"])
    first = make_date(ref.year, month1, int(m["d1"]))
    if first is None:
        return None
    month2 = int(m["m2"]) if m["m2"] else month1
    last = make_date(first.year, month2, int(m["d2"]))
    if last is not None and last < first and month2 < month1:
        last = make_date(first.year + 1, month2, int(m["d2"]))  # 12.30-1.2
    point = _period(m, first, last)
    # Inside a sentence only with a month on both ends ("1.5-2" is a number range).
    return None if point is None else point._replace(confident=bool(m["m2"]))


_MONTH: Final = frozenset("月")
_DAY: Final = frozenset("号日")
_WEEK: Final = frozenset("周期拜")
_SEPARATORS: Final = frozenset("-/.")
_RULES: Final[tuple[_Rule, ...]] = (
    (_SEPARATORS, _ISO_RE, _iso),
    (_SEPARATORS, _MD_RANGE_RE, _md_range),
    (_MONTH, _CN_DATE_RE, _cn_date),
    (_SEPARATORS, _SLASH_RE, _slash),
    (_DAY, _DAY_ONLY_RE, _day_only),
    (_MONTH, _REL_MONTH_DAY_RE, _rel_month_day),
    (_MONTH, _REL_MONTH_ANCHOR_RE, _rel_month_anchor),
    (_MONTH, _MONTH_ANCHOR_RE, _month_anchor),
    (frozenset("年"), _YEAR_ANCHOR_RE, _year_anchor),
    (frozenset("天日儿早晚晨夜"), _REL_DAY_RE, _rel_day),
    (frozenset("后前"), _COUNT_RE, _count),
    (_WEEK, _WEEKDAY_RE, _weekday),
    (_WEEK, _WEEK_RE, _week),
    (frozenset("末"), _WEEKEND_RE, _weekend),
    (_DAY, _DAY_RANGE_RE, _day_range),
    (_WEEK, _WEEKDAY_RANGE_RE, _weekday_range),
)


def _inherit(first: _Point, second: _Point) -> dt.date | None:
    """Resolve a span's second end in the context of its first end."""
    anchor = first.first
    if second.kind == "weekday":
        monday = week_monday(anchor)
        day = None if monday is None else add_days(monday, second.weekday)
        return add_days(day, 7) if day is not None and day < anchor else day
    if second.kind == "day":
        day = make_date(anchor.year, anchor.month, second.day)
        if day is not None and day < anchor:
            year, month = shift_month(anchor.year, anchor.month, 1)
            day = make_date(year, month, second.day)
        return day
    if second.kind == "monthday":
        day = make_date(anchor.year, second.month, second.day)
        if day is not None and day < anchor:
            day = make_date(anchor.year + 1, second.month, second.day)
        return day
    return second.first


def _combine(text: str, points: list[_Point]) -> list[_Point]:
    """Join "A 到 B" pairs of single dates into periods."""
    out: list[_Point] = []
    i = 0
    while i < len(points):
        first = points[i]
        second = points[i + 1] if i + 1 < len(points) else None
        if (
            second is not None
            and first.kind != "period"
            and second.kind != "period"
            and _CONNECTOR_RE.fullmatch(text, first.end, second.start)
        ):
            last = _inherit(first, second)
            if last is not None and last >= first.first:
                start = first.start
                if start > 0 and text[start - 1] in _SPAN_OPENERS:
                    start -= 1
                confident = first.confident and second.confident
                out.append(_Point(start, second.end, first.first, last, confident, kind="period"))
                i += 2
                continue
        out.append(first)
        i += 1
    return out


def _with_time_of_day(text: str, point: _Point) -> _Point:
    """Extend a single day over a following time of day: 明天|下午3点 -> 明天下午3点."""
    if point.kind == "period" or point.end >= len(text):
        return point
    if text[point.end] not in _TIME_GATE and not text[point.end].isspace():
        return point
    m = _TIME_OF_DAY_RE.match(text, point.end)
    return point if m is None else point._replace(end=m.end())


def _value(point: _Point) -> DateValue:
    if point.kind == "period":
        return {"from": point.first.isoformat(), "to": point.last.isoformat()}
    return point.first.isoformat()


def scan_dates(text: str, reference: dt.date, *, lenient: bool) -> list[Candidate[DateValue]]:
    """All date expressions in (width-folded) *text*; confident ones only unless *lenient*."""
    ref = as_date(reference)
    points: list[_Point] = []
    chars = frozenset(text)
    for gate, pattern, build in _RULES:
        if chars.isdisjoint(gate):
            continue
        for match in pattern.finditer(text):
            point = build(match, ref)
            if point is not None and (lenient or point.confident):
                points.append(_with_time_of_day(text, point) if lenient else point)
    if not points:
        return []
    combined = _combine(text, select_longest(points, len(text)))
    return [Candidate(p.start, p.end, _value(p), p.confident) for p in combined]


def resolve_date(text: str, reference: dt.date) -> DateValue | None:
    """ISO date (明天 -> "2026-11-22") or span (下周一到周三 -> {"from", "to"}); else None."""
    core = core_text(text)
    if core is None:
        return None
    return whole_value(scan_dates(core, reference, lenient=True), len(core))
