"""Leave and expense types from Chinese keywords and synonyms."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from hrbot.nlu.normalise._spans import Candidate
from hrbot.nlu.normalise._text import fold_width

LEAVE_TYPES: Final = (
    "annual",
    "sick",
    "personal",
    "compensatory",
    "marriage",
    "maternity",
    "paternity",
    "bereavement",
)
EXPENSE_TYPES: Final = (
    "taxi",
    "travel",
    "accommodation",
    "meal",
    "office",
    "training",
    "other",
)

# A strong keyword names the type itself; a weak one only hints at it and counts only when
# no strong keyword is present. Traditional-character forms and unambiguous typos included.
LEAVE_STRONG: Final = MappingProxyType(
    {
        "annual": ("年假", "年休假", "年休", "带薪年假", "年假期", "年叚", "公休假", "annual leave"),
        "sick": ("病假", "病休", "sick leave"),
        "personal": ("事假", "私假", "personal leave"),
        "compensatory": ("调休", "調休", "倒休", "补休", "補休", "换休", "串休", "掉休", "存休"),
        "marriage": ("婚假", "婚休", "marriage leave"),
        "maternity": ("产假", "產假", "生育假", "孕产假", "maternity leave"),
        "paternity": ("陪产假", "陪產假", "护理假", "護理假", "陪护假", "看护假", "paternity leave"),
        "bereavement": ("丧假", "喪假", "丧葬假", "bereavement leave"),
    }
)
LEAVE_WEAK: Final = MappingProxyType(
    {
        "annual": ("休假",),
        "sick": ("生病", "看病", "发烧", "感冒", "住院", "不舒服"),
        "personal": ("私事", "有事"),
        "marriage": ("结婚", "結婚", "婚礼", "领证"),
        "paternity": ("陪产",),
        "bereavement": ("奔丧", "丧事", "葬礼", "去世", "过世"),
    }
)
# Typos that are ordinary text inside a longer phrase (合并假期, 今年价格): they count only
# when they are the whole text.
LEAVE_EXACT: Final = MappingProxyType({"年价": "annual", "并假": "sick"})
EXPENSE_STRONG: Final = MappingProxyType(
    {
        "taxi": (
            "打车",
            "出租车",
            "的士",
            "滴滴",
            "网约车",
            "计程车",
            "专车",
            "taxi",
            "车费",
            "市内交通",
            "曹操出行",
        ),
        "travel": (
            "差旅费",
            "机票",
            "飞机票",
            "火车票",
            "火车费",
            "高铁",
            "动车",
            "航班",
            "船票",
            "长途交通",
        ),
        "accommodation": ("住宿", "酒店", "宾馆", "旅馆", "民宿", "房费", "招待所", "住店", "hotel"),
        "meal": (
            "餐费",
            "吃饭",
            "招待",
            "餐饮",
            "饭钱",
            "饭费",
            "伙食",
            "工作餐",
            "午餐",
            "晚餐",
            "早餐",
            "午饭",
            "晚饭",
            "早饭",
            "聚餐",
            "请客",
            "餐补",
            "外卖",
        ),
        "office": ("办公用品", "文具", "打印", "复印", "墨盒", "硒鼓", "办公耗材", "耗材", "打印纸"),
        "training": ("培训费", "课程费", "考试费", "报名费", "学费", "认证费"),
        "other": ("快递费", "邮寄费", "邮费", "停车费", "油费", "通讯费", "话费", "印刷费"),
    }
)
EXPENSE_WEAK: Final = MappingProxyType(
    {
        "taxi": ("打的",),
        "travel": ("差旅", "出差", "路费"),
        "training": ("培训", "课程", "考试", "进修"),
        "other": ("其他", "其它", "杂费", "快递", "停车"),
    }
)


# "话费" is not a fee in 说话费劲, nor "车费" in 开车费油.
_FEE_GUARD: Final = "(?![劲力心神时事油电])"


@dataclass(frozen=True, slots=True)
class _Table:
    pattern: re.Pattern[str]
    lookup: Mapping[str, tuple[str, bool]]
    canonical: frozenset[str]
    exact: Mapping[str, str]


def _table(
    strong: Mapping[str, tuple[str, ...]],
    weak: Mapping[str, tuple[str, ...]],
    canonical: tuple[str, ...],
    exact: Mapping[str, str] = MappingProxyType({}),
) -> _Table:
    lookup = {word.lower(): (value, False) for value, words in weak.items() for word in words}
    lookup |= {word.lower(): (value, True) for value, words in strong.items() for word in words}
    ordered = sorted(lookup, key=len, reverse=True)
    alternatives = (re.escape(word) + (_FEE_GUARD if word.endswith("费") else "") for word in ordered)
    pattern = re.compile("|".join(alternatives), re.IGNORECASE)
    return _Table(pattern, MappingProxyType(lookup), frozenset(canonical), exact)


_LEAVE: Final = _table(LEAVE_STRONG, LEAVE_WEAK, LEAVE_TYPES, LEAVE_EXACT)
_EXPENSE: Final = _table(EXPENSE_STRONG, EXPENSE_WEAK, EXPENSE_TYPES)


def _resolve(table: _Table, text: str) -> str | None:
    if not isinstance(text, str):
        return None
    folded = fold_width(text).strip().lower()
    if folded in table.canonical:
        return folded
    if folded in table.exact:
        return table.exact[folded]
    strong: set[str] = set()
    weak: set[str] = set()
    for m in table.pattern.finditer(folded):
        value, is_strong = table.lookup[m[0].lower()]
        (strong if is_strong else weak).add(value)
    hits = strong or weak
    return next(iter(hits)) if len(hits) == 1 else None


def _scan(table: _Table, text: str) -> list[Candidate[str]]:
    found: list[Candidate[str]] = []
    for m in table.pattern.finditer(text):
        value, is_strong = table.lookup[m[0].lower()]
        if is_strong:
            found.append(Candidate(m.start(), m.end(), value))
    return found


def resolve_leave_type(text: str) -> str | None:
    """ "年假" -> "annual", "调休" -> "compensatory"; None when absent or ambiguous."""
    return _resolve(_LEAVE, text)


def resolve_expense_type(text: str) -> str | None:
    """ "打车" -> "taxi", "酒店" -> "accommodation"; None when absent or ambiguous."""
    return _resolve(_EXPENSE, text)


def scan_leave_types(text: str) -> list[Candidate[str]]:
    """Spans of strong leave-type keywords in (width-folded) *text*."""
    return _scan(_LEAVE, text)


def scan_expense_types(text: str) -> list[Candidate[str]]:
    """Spans of strong expense-type keywords in (width-folded) *text*."""
    return _scan(_EXPENSE, text)
