"""Chinese money expressions to a CNY amount."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from hrbot.nlu.normalise._spans import Candidate, select_longest, whole_value
from hrbot.nlu.normalise._text import core_text
from hrbot.nlu.normalise.numbers import as_number, parse_folded

# Possible first characters (a fast pre-filter), then "not inside a longer number".
_BOUNDARY: Final = (
    r"(?=[0-9〇零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟廿俩仨])"
    r"(?<![0-9.〇零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟廿几第])"
)
_NUM: Final = (
    r"(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,12})(?:\.[0-9]{1,4})?"
    r"(?:\s?(?:[kKwW](?![a-zA-Z])|[百千]?万|[十百千]|亿))?"
    r"|[〇零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟廿俩仨]{1,12}"
    r"(?:点[〇零一二三四五六七八九]{1,4})?)"
)
_DIGIT: Final = r"[0-9一二两三四五六七八九]"
# "3块5" is 3.5 but "18元两张票" is 18 and two tickets: no measure word after the jiao digit.
_NO_DIGIT: Final = (
    r"(?![0-9〇零一二两三四五六七八九十百千万亿天个号日点.张次件笔份晚位名台趟本条套瓶箱盒包人])"
)
_CURRENCY_CODE: Final = r"(?i:rmb|cny)(?![a-zA-Z])"
_JIAO_FEN: Final = rf"(?:(?P<j>{_DIGIT})(?:(?P<jm>[毛角])(?:(?P<f>{_DIGIT})分?)?|{_NO_DIGIT}))?"

_PREFIXED_RE: Final = re.compile(
    rf"(?:¥|(?<![a-zA-Z]){_CURRENCY_CODE}|人民币)\s?(?P<n>{_NUM})(?:\s?(?:元|块钱?|圆))?"
)
_SUFFIXED_RE: Final = re.compile(
    _BOUNDARY
    + rf"(?P<n>{_NUM})\s?(?P<cur>元(?![旦宵])|块(?!儿)|圆|{_CURRENCY_CODE}|人民币)"
    + _JIAO_FEN
    + r"(?P<qian>钱)?整?"
)
_JIAO_RE: Final = re.compile(
    _BOUNDARY
    + r"(?P<j>[0-9]|[一二两三四五六七八九十]{1,2})(?P<jm>[毛角])(?![巾衣笔病线星形])"
    + rf"(?:(?P<f>{_DIGIT})分?)?(?P<qian>钱)?"
)
_GATE: Final = re.compile(r"[元块圆¥毛角钱币]|(?i:rmb|cny)")
_FEN_RE: Final = re.compile(_BOUNDARY + rf"(?P<f>{_DIGIT})分钱")


def _digit(text: str | None) -> Decimal:
    if not text:
        return Decimal(0)
    value = parse_folded(text)
    return Decimal(0) if value is None else Decimal(str(value))


def _yuan(text: str) -> Decimal | None:
    value = parse_folded(text)
    if value is None or value < 0:
        return None
    return Decimal(str(value))


def _suffixed(m: re.Match[str]) -> Candidate[int | float] | None:
    yuan = _yuan(m["n"])
    if yuan is None:
        return None
    value = yuan + _digit(m["j"]) / 10 + _digit(m["f"]) / 100
    # "一块" alone usually means "together" (一块去), not one yuan.
    confident = not (m["cur"] == "块" and m["n"] == "一" and not m["j"] and not m["qian"])
    return Candidate(m.start(), m.end(), as_number(value), confident)


def scan_amounts(text: str, *, lenient: bool) -> list[Candidate[int | float]]:
    """Amounts with a currency marker in (width-folded) *text*; see resolve_amount for bare ones."""
    found: list[Candidate[int | float]] = []
    if _GATE.search(text) is None:
        return found
    for m in _PREFIXED_RE.finditer(text):
        yuan = _yuan(m["n"])
        if yuan is not None:
            found.append(Candidate(m.start(), m.end(), as_number(yuan)))
    for m in _SUFFIXED_RE.finditer(text):
        cand = _suffixed(m)
        if cand is not None and (lenient or cand.confident):
            found.append(cand)
    for m in _JIAO_RE.finditer(text):
        jiao = _yuan(m["j"])
        if jiao is not None:
            value = jiao / 10 + _digit(m["f"]) / 100
            found.append(Candidate(m.start(), m.end(), as_number(value)))
    for m in _FEN_RE.finditer(text):
        found.append(Candidate(m.start(), m.end(), as_number(_digit(m["f"]) / 100)))
    return select_longest(found, len(text)) if len(found) > 1 else found


def bare_amount(core: str) -> int | float | None:
    """A whole text that is just a number ("1,200.50", "三千五", "3k", "1.2万")."""
    value = parse_folded(core)
    return None if value is None or value < 0 or core == "半" else value


def resolve_amount(text: str) -> int | float | None:
    """CNY: 85元 -> 85, 两百五 -> 250, 一块五 -> 1.5, 1,200.50 -> 1200.5; else None."""
    core = core_text(text)
    if core is None:
        return None
    value = whole_value(scan_amounts(core, lenient=True), len(core))
    return value if value is not None else bare_amount(core)
