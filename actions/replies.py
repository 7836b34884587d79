"""Natural Chinese formatting for the bot's replies: dates, spans, months, money, days,
percentages, compact aligned lists, masked identifiers and the Chinese names of the contract's
leave and expense type codes.

Every function is pure. "Today" is passed in (the reference date of the conversation, never
read from the clock here), so replies are reproducible and tests can pin the year.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Literal

Number = Decimal | int | float | str
Align = Literal["left", "right"]

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

LEAVE_TYPE_NAMES: Mapping[str, str] = MappingProxyType({
    "annual": "年假",
    "sick": "病假",
    "personal": "事假",
    "compensatory": "调休",
    "marriage": "婚假",
    "maternity": "产假",
    "paternity": "陪产假",
    "bereavement": "丧假",
})
"""The contract's normalised `leave_type` codes (shared/contracts/intents.yml) → Chinese."""

EXPENSE_TYPE_NAMES: Mapping[str, str] = MappingProxyType({
    "taxi": "打车",
    "travel": "差旅",
    "accommodation": "住宿",
    "meal": "餐费",
    "office": "办公用品",
    "training": "培训",
    "other": "其他",
})
"""The contract's normalised `expense_type` codes → Chinese."""

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_SPAN_SEPARATOR = "至"
_MISSING_TIME = "--:--"


# --- dates ---------------------------------------------------------------------------------

def weekday_name(day: date) -> str:
    """周一 … 周日."""
    return WEEKDAY_NAMES[day.weekday()]


def format_date(day: date, *, today: date | None, padded: bool = False) -> str:
    """"11月23日(周一)"; "2025年12月3日(周三)" when the year is not today's (or today is None).
    `padded` writes two-digit days and months ("10月08日(周四)") so dates line up in lists."""
    month, day_of_month = (f"{day.month:02d}", f"{day.day:02d}") if padded else (day.month, day.day)
    year = "" if today is not None and day.year == today.year else f"{day.year}年"
    return f"{year}{month}月{day_of_month}日({weekday_name(day)})"


def format_date_span(start: date, end: date, *, today: date | None) -> str:
    """"11月23日(周一)至11月25日(周三)"; a one-day span is the date alone. Each end shows its
    year when it is not today's, so a span into next year reads "12月30日(周三)至2027年1月2日(周六)"."""
    if end < start:
        raise ValueError(f"a date span must not end ({end.isoformat()}) before it starts "
                         f"({start.isoformat()}); swap the two dates")
    if start == end:
        return format_date(start, today=today)
    return f"{format_date(start, today=today)}{_SPAN_SEPARATOR}{format_date(end, today=today)}"


def format_month(month: str | date, *, today: date | None) -> str:
    """"10月" for a month of today's year, else "2026年10月". `month` is the contract's
    normalised "YYYY-MM" or any date in the month."""
    if isinstance(month, str):
        match = _MONTH.match(month.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"month {month!r} is not in the contract's form YYYY-MM, e.g. '2026-10'")
        year, number = int(match.group(1)), int(match.group(2))
    else:
        year, number = month.year, month.month
    return f"{number}月" if today is not None and year == today.year else f"{year}年{number}月"


def format_time(moment: time | None) -> str:
    """"08:28"; "--:--" for a missing punch."""
    return _MISSING_TIME if moment is None else f"{moment.hour:02d}:{moment.minute:02d}"


def format_time_range(start: time | None, end: time | None) -> str:
    """"08:28–18:17" (en dash); a missing end shows as "--:--"."""
    return f"{format_time(start)}–{format_time(end)}"


# --- numbers -------------------------------------------------------------------------------

def format_money(amount: Number) -> str:
    """"23,702.87 元", "1,200 元" for whole amounts, "-50 元"; rounded half up to the fen."""
    value = _decimal(amount, "amount").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value == value.to_integral_value():
        return f"{int(value):,} 元"
    return f"{value:,.2f} 元"


def format_days(days: Number, *, half_day_word: bool = True) -> str:
    """"3天", "1.5天", and "半天" for 0.5 (or "0.5天" with `half_day_word=False`, e.g. in a
    column of numbers). Days are the contract's decimals: half day = 0.5, hours / 8."""
    value = _decimal(days, "days")
    if half_day_word and value == Decimal("0.5"):
        return "半天"
    return f"{_plain(value, places=2)}天"


def format_percent(ratio: Number, *, decimals: int = 1) -> str:
    """A ratio as a percentage without trailing zeros: 0.105 → "10.5%", 0.08 → "8%"."""
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, not {decimals}")
    return f"{_plain(_decimal(ratio, 'ratio') * 100, places=decimals)}%"


def _decimal(value: Number, name: str) -> Decimal:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, not a bool")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(f"{name} {value!r} is not a number; pass e.g. 1200.5 or '1,200.50'") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return number


def _plain(value: Decimal, *, places: int) -> str:
    """Rounded half up to `places`, without trailing zeros or exponent: 3.50 → "3.5", 10 → "10"."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        return "0"
    text = f"{rounded:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- lists ---------------------------------------------------------------------------------

def display_width(text: str) -> int:
    """Columns the text takes in a monospaced chat font: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def format_table(
    rows: Sequence[Sequence[str]],
    *,
    bullet: str = "· ",
    gap: str = " ",
    align: Sequence[Align] | None = None,
) -> str:
    """Rows as lines with aligned columns, e.g. "· 10月08日(周四) 08:28–18:17 正常". Columns are
    padded to the widest cell by display width; the last column is not padded, so no line ends
    in spaces. `align` gives "left" (default) or "right" (amounts, counts) per column."""
    if not rows:
        return ""
    columns = len(rows[0])
    for number, row in enumerate(rows, start=1):
        if len(row) != columns:
            raise ValueError(f"row {number} has {len(row)} cells but row 1 has {columns}; "
                             f"give every row the same columns (use '' for an empty cell)")
    alignment = list(align) if align is not None else ["left"] * columns
    if len(alignment) != columns:
        raise ValueError(f"align names {len(alignment)} columns but the rows have {columns}")
    widths = [max(display_width(row[column]) for row in rows) for column in range(columns)]
    lines = []
    for row in rows:
        cells = []
        for column, cell in enumerate(row):
            padding = " " * (widths[column] - display_width(cell))
            last = column == columns - 1
            if alignment[column] == "right":
                cells.append(padding + cell)
            else:
                cells.append(cell if last else cell + padding)
        lines.append(bullet + gap.join(cells))
    return "\n".join(lines)


# --- masking -------------------------------------------------------------------------------

def mask_phone(phone: str) -> str:
    """"132****4755": the first 3 and last 4 digits of a mobile number (a leading +86/86 is
    dropped). Anything too short to mask that way is masked entirely."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return _mask_middle(digits, keep_start=3, keep_end=4)


def mask_id_card(number: str) -> str:
    """"330106********4700": the 6-digit region code and the last 4 characters of a resident ID
    card number (18 characters, or the old 15); the birth date and sequence are hidden."""
    cleaned = re.sub(r"[\s-]", "", number).upper()
    return _mask_middle(cleaned, keep_start=6, keep_end=4)


def mask_bank_account(account: str) -> str:
    """"**** 5661": only the last 4 digits of a bank card or account number."""
    digits = re.sub(r"[\s-]", "", account)
    if len(digits) <= 4:
        return "****"
    return f"**** {digits[-4:]}"


def _mask_middle(text: str, *, keep_start: int, keep_end: int) -> str:
    hidden = len(text) - keep_start - keep_end
    if hidden < 4:
        return "*" * max(len(text), 4)
    return f"{text[:keep_start]}{'*' * hidden}{text[-keep_end:]}"


# --- type codes ----------------------------------------------------------------------------

def leave_type_name(code: str) -> str:
    """annual → 年假, sick → 病假, … (the contract's normalised leave_type codes)."""
    return _name_of(code, LEAVE_TYPE_NAMES, "leave type")


def expense_type_name(code: str) -> str:
    """taxi → 打车, travel → 差旅, … (the contract's normalised expense_type codes)."""
    return _name_of(code, EXPENSE_TYPE_NAMES, "expense type")


def _name_of(code: str, names: Mapping[str, str], kind: str) -> str:
    try:
        return names[code.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown {kind} code {code!r}; expected one of {', '.join(names)}") from None
