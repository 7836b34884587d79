"""Regex fragments shared by the date and month normalisers."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

# Not preceded by part of another number (so "112月" never yields "2月").
NUM_BOUNDARY: Final = r"(?<![0-9.〇零一二两三四五六七八九十百千万亿廿卅几第])"
DAY_NUM: Final = r"(?:[0-9]{1,2}|[一二三四五六七八九十廿卅]{1,3})"
MONTH_NUM: Final = r"(?:[0-9]{1,2}|十[一二]?|[一二三四五六七八九])"
YEAR_NUM: Final = r"(?:[0-9]{4}|[0-9]{2}|[〇零一二三四五六七八九]{4})"
REL_YEAR: Final = r"(?:今年|本年|去年|明年|前年|后年)"
# 上上个 / 上个 / 这 / 本 / 下一个 ...: counts of 上 and 下 give the offset.
REL_PREFIX: Final = r"(?:上上个?|上一个?|上个?|这一个?|这个?|本|当|下下个?|下一个?|下个?)"
WEEK_WORD: Final = r"(?:周|星期|礼拜)"
WEEKDAY_CHAR: Final = r"[一二三四五六日天七1-7]"
# After a weekday char: not "三天", "一个", "五号", "一点", "一百", "三半"... but "周四半天",
# "周三半夜"; a digit may follow a Chinese weekday ("周五10点") but not an Arabic one ("周12").
WEEKDAY_END: Final = r"(?![天个号点十百千万]|半(?![天日夜])|(?<=[0-9])[0-9])"
# A month expression must not be followed by a day ("11月3号") or an anchor ("10月底").
MONTH_END: Final = r"(?!份?(?:[0-9]|[一二三四五六七八九十廿卅]{1,3}[号日]|[底末初中]))"
CONNECTOR: Final = r"\s*(?:一直到|直到|到|至|~|-|—|–|―)\s*"

# Leading lookaheads listing every possible first character: a cheap pre-filter that lets
# the regex engine skip most positions before evaluating look-behinds and alternations.
DATE_START: Final = r"(?=[0-9〇零一二两三四五六七八九十廿卅俩仨今本去明前后上这当下])"
WEEK_START: Final = r"(?=[上这本当下周星礼])"

REL_YEAR_OFFSETS: Final = MappingProxyType(
    {"今年": 0, "本年": 0, "去年": -1, "明年": 1, "前年": -2, "后年": 2}
)
WEEKDAY_INDEX: Final = MappingProxyType(
    {
        **{ch: i for i, ch in enumerate("一二三四五六日")},
        **{str(i + 1): i for i in range(7)},
        "天": 6,
        "七": 6,
    },
)


def prefix_offset(prefix: str | None) -> int:
    """上上个 -> -2, 上个 -> -1, 这/本 -> 0, 下个 -> 1, 下下 -> 2."""
    if not prefix:
        return 0
    return prefix.count("下") - prefix.count("上")


def year_of(year_text: str | None, rel_year: str | None, reference_year: int) -> int | None:
    """Resolve a written year ("2026", "26", "二〇二六") or relative year ("去年")."""
    if rel_year:
        return reference_year + REL_YEAR_OFFSETS[rel_year]
    if not year_text:
        return reference_year
    if year_text.isascii():
        value = int(year_text)
        return 2000 + value if len(year_text) == 2 else value
    digits = "".join(str("〇一二三四五六七八九".find(ch) if ch != "零" else 0) for ch in year_text)
    return int(digits) if "-" not in digits else None
