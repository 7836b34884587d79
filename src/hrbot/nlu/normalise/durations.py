"""Chinese durations to a number of days (half day = 0.5, hours / 8)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from hrbot.nlu.normalise._spans import Candidate, select_longest, whole_value
from hrbot.nlu.normalise._text import core_text
from hrbot.nlu.normalise.numbers import as_number, parse_folded

HOURS_PER_DAY: Final = 8
_HALF: Final = Decimal("0.5")

_COUNT_RE: Final = re.compile(
    r"(?=[0-9〇零一二两三四五六七八九十百千俩仨半])"
    # not inside a longer number; a 半 may follow a weekday (周四半天)
    r"(?:(?<![0-9./〇零一二两三四五六七八九十百千万亿几第半])|(?<=[周期拜][一二三四五六日天七])(?=半))"
    r"(?:(?P<n>[0-9]{1,4}(?:\.[0-9]{1,3})?|[〇零一二两三四五六七八九十百千俩仨]{1,6})"
    r"\s?(?:(?P<ge>个)(?P<h1>半)?)?|(?P<half>半)个?)"
    # 周年 is an anniversary, but 一周年假 is a week of annual leave
    r"(?P<u>整天|天|日|个?工作日|小时|钟头|钟|(?i:hours?|hrs?|h)(?![a-zA-Z])|周(?!年(?![假休]))|星期|礼拜)"
    r"(?P<h2>半)?"
)
_HALF_DAY_RE: Final = re.compile(r"(?P<one>一个?)?(?P<part>上午|下午)(?P<hd>半天)?|[上下]半天")
_COUNT_GATE: Final = re.compile(r"[天日时钟hH周期拜]")
_WHOLE_DAY_RE: Final = re.compile(r"(?<![一两二三四五六七八九十0-9])(?:全天|整天)")


def _count_value(m: re.Match[str]) -> Decimal | None:
    unit = m["u"]
    if m["half"]:
        count = _HALF
    else:
        number = parse_folded(m["n"])
        if number is None or number < 0:
            return None
        count = Decimal(str(number))
        if m["h1"] or m["h2"]:  # 一个半小时 (半 only after 个, never 两半天), 一天半
            count += _HALF
    if unit == "钟" and not m["ge"]:
        return None  # "3点钟" is a time; only "两个钟" is a duration
    if unit in ("小时", "钟头", "钟") or unit[0] in "hH":
        return count / HOURS_PER_DAY
    if unit in ("周", "星期", "礼拜"):
        return count * 7
    return count


def scan_durations(text: str, *, lenient: bool) -> list[Candidate[int | float]]:
    """All durations in (width-folded) *text*; confident ones only unless *lenient*."""
    found: list[Candidate[int | float]] = []
    counts = _COUNT_RE.finditer(text) if _COUNT_GATE.search(text) else ()
    for m in counts:
        value = _count_value(m)
        confident = m["u"] != "日"
        if value is not None and (lenient or confident):
            end = m.end("u") if m["half"] else m.end()  # "半天半" is only "半天"
            found.append(Candidate(m.start(), end, as_number(value), confident))
    halves = _HALF_DAY_RE.finditer(text) if "午" in text or "半天" in text else ()
    for m in halves:
        confident = bool(m["one"] or m["hd"]) or m["part"] is None
        if lenient or confident:
            found.append(Candidate(m.start(), m.end(), 0.5, confident))
    if lenient:
        for m in _WHOLE_DAY_RE.finditer(text):
            found.append(Candidate(m.start(), m.end(), 1, confident=False))
    return select_longest(found, len(text)) if len(found) > 1 else found


def resolve_duration(text: str) -> int | float | None:
    """Days: 三天 -> 3, 半天 -> 0.5, 一天半 -> 1.5, 4个小时 -> 0.5, 一周 -> 7; else None."""
    core = core_text(text)
    if core is None:
        return None
    return whole_value(scan_durations(core, lenient=True), len(core))
