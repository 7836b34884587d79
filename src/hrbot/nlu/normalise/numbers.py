"""Arabic, Chinese and mixed numerals to int/float."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Final

from hrbot.nlu.normalise._text import fold_width

CN_DIGITS: Final = "〇零一二两三四五六七八九"
CN_NUMERAL_CHARS: Final = CN_DIGITS + "十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟廿卅俩仨"

_DIGIT_VALUES: Final = MappingProxyType(
    {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2, "俩": 2, "仨": 3}
)
_MULTIPLIERS: Final = MappingProxyType(
    {
        "k": 1000,
        "K": 1000,
        "w": 10_000,
        "W": 10_000,
        "十": 10,
        "百": 100,
        "千": 1000,
        "万": 10_000,
        "百万": 1_000_000,
        "千万": 10_000_000,
        "亿": 100_000_000,
    }
)
_ARABIC_RE: Final = re.compile(
    r"(?P<sign>[-+])?(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,15})(?P<frac>\.[0-9]{1,8})?"
    r"(?:\s?(?P<mult>[kKwW]|[百千]?万|[十百千]|亿))?"
)
_BELOW_10K_RE: Final = re.compile(
    r"(?:(?P<k>[一二两三四五六七八九])千)?(?:(?P<h>[一二两三四五六七八九])百)?(?P<z>[零〇])?"
    r"(?:(?P<t>[一二三四五六七八九])?(?P<ten>十))?(?P<o>[一二两三四五六七八九])?"
)
_ADJACENT_DIGITS_RE: Final = re.compile(
    r"[一二两三四五六七八九壹贰叁肆伍陆柒捌玖][一二两三四五六七八九壹贰叁肆伍陆柒捌玖]"
)
_ALLOWED: Final = frozenset(CN_NUMERAL_CHARS + "0123456789.点负")
_UNITS: Final = frozenset("十百千万亿拾佰仟廿卅")
_ZEROS: Final = frozenset("〇零")
_MAX_CHARS: Final = 32


def as_number(value: Decimal) -> int | float:
    """Whole values as int, others as float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def parse_number(text: str) -> int | float | None:
    """Parse 1,200.50 / 3千 / 1.2万 / 3k / 两百五 / 一万二 / 二点五; None if not a number."""
    if not isinstance(text, str):
        return None
    return parse_folded(fold_width(text).strip())


def parse_folded(s: str) -> int | float | None:
    """parse_number for text that is already width-folded and stripped."""
    if not s or len(s) > _MAX_CHARS:
        return None
    if s.isdigit() and s.isascii():
        return int(s)
    if s == "半":
        return 0.5
    match = _ARABIC_RE.fullmatch(s)
    if match is not None:
        return _from_arabic(match)
    return _from_chinese(s)


def _from_arabic(match: re.Match[str]) -> int | float | None:
    digits = match["int"].replace(",", "") + (match["frac"] or "")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    if match["mult"]:
        value *= _MULTIPLIERS[match["mult"]]
    if match["sign"] == "-":
        value = -value
    return as_number(value)


def _from_chinese(s: str) -> int | float | None:
    s = s.replace("卅", "三十")
    if any(ch not in _ALLOWED for ch in s) or "负" in s[1:]:
        return None
    if s[0] in ".点" or s[-1] in ".点负":
        return None
    small = _small_chinese(s)
    if small is not None:
        return small
    integral = re.split(r"[.点]", s.removeprefix("负"), maxsplit=1)[0]
    if any(ch in _UNITS for ch in integral):
        if _ADJACENT_DIGITS_RE.search(integral):
            return None  # 二三十, 七八千, 十一二: approximate ranges, not numbers
    elif len(integral) in (2, 3) and not _ZEROS.intersection(integral):
        return None  # 两三, 三四五: approximate ranges
    return _cn2an(s.replace("俩", "两").replace("仨", "三"))


def _small_chinese(s: str) -> int | None:
    """Fast path for plain integers below 10^8 (cn2an is slow); None means "ask cn2an"."""
    high, wan, low = s.partition("万")
    if not wan:
        return _below_10k(s)
    upper = _below_10k(high)
    if upper is None or upper == 0:
        return None
    if not low:
        return upper * 10_000
    if len(low) == 1:  # 一万二 = 12000
        digit = _DIGIT_VALUES.get(low)
        return None if digit is None or digit == 0 else upper * 10_000 + digit * 1000
    lower = _below_10k(low[1:]) if low[0] in _ZEROS else _below_10k(low)
    if lower is None or (low[0] not in _ZEROS and lower < 1000):
        return None
    return upper * 10_000 + lower


def _below_10k(s: str) -> int | None:
    if len(s) == 1:
        return _DIGIT_VALUES.get(s)
    m = _BELOW_10K_RE.fullmatch(s)
    if m is None:
        return None
    k, h, zero, t, ten, o = (m[name] for name in ("k", "h", "z", "t", "ten", "o"))
    if zero and (not (k or h) or not (ten or o) or (h and ten)):
        return None  # misplaced 零
    if ten and not t and (k or h):
        return None  # "一百十" is rare; leave it to cn2an
    if k and not h and ten and not zero:
        return None  # "一千五十" should read 一千零五十
    value = sum(_DIGIT_VALUES[d] * f for d, f in ((k, 1000), (h, 100), (t, 10)) if d)
    if ten and not t:
        value += 10
    if o:
        digit = _DIGIT_VALUES[o]
        if not zero and not ten and (h or k):  # 两百五 = 250, 三千五 = 3500
            digit *= 10 if h else 100
        value += digit
    return value


def _cn2an(s: str) -> int | float | None:
    import cn2an  # deferred: importing cn2an costs ~0.3 s

    try:
        result = cn2an.cn2an(s, "smart")
    except Exception:  # cn2an raises ValueError and, on odd input, other errors
        return None
    if isinstance(result, bool) or not isinstance(result, int | float):
        return None
    try:
        return as_number(Decimal(repr(result)).quantize(Decimal("1e-8")))
    except (InvalidOperation, ValueError):
        return None


def parse_int(text: str) -> int | None:
    """Non-negative integer from folded text ("12", "十二", "廿三"), else None."""
    if text.isdigit() and text.isascii():
        return int(text)
    value = parse_folded(text)
    if isinstance(value, int) and value >= 0:
        return value
    return None
