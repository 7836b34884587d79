"""Masking personal figures for people who do not need them (conversation designers) and in
every employee profile the inbox shows.

    salary amounts   12,345.67 元 / 8500块 / ¥3,000 / 1.2万元 / 三千五百元   -> ***元, ¥***
    ID numbers       330106198802014700 (18 digits, last may be X; or 15)   -> 3301**********4700
    bank accounts    16-19 digits, optionally grouped by spaces or dashes    -> ***************5661
    phones           13231514755, +86 132-3151-4755                          -> 132****4755

Patterns look at digits, not at words around them, so a figure is masked wherever it appears
(a user's message, the bot's reply, an entity value). Longer numbers are matched first, so an ID
number is never half-masked as a phone. `mask_value` applies the same to any JSON value, and
masks numbers of entities that hold money (`amount`) whatever their form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MONEY_ENTITIES = frozenset({"amount", "salary", "money"})

_NOT_DIGIT_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_DIGIT_AFTER = r"(?![0-9A-Za-z])"
_ID_NUMBER = re.compile(_NOT_DIGIT_BEFORE + r"(\d{6})(\d{8})(\d{3}[\dXx])" + _NOT_DIGIT_AFTER
                        + "|" + _NOT_DIGIT_BEFORE + r"(\d{6})(\d{6})(\d{3})" + _NOT_DIGIT_AFTER)
_BANK_ACCOUNT = re.compile(_NOT_DIGIT_BEFORE + r"\d(?:[ -]?\d){15,18}" + _NOT_DIGIT_AFTER)
_PHONE = re.compile(
    _NOT_DIGIT_BEFORE + r"(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})" + _NOT_DIGIT_AFTER)
_CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_AMOUNT_BEFORE_UNIT = re.compile(
    r"(?:\d[\d,，]*(?:\.\d+)?\s*[万千亿]?|[" + _CN_NUMERAL + r"]+)\s*(?=(?:元|块钱|块|圆))"
)
_AMOUNT_AFTER_SIGN = re.compile(r"(?<=[¥￥])\s*\d[\d,，]*(?:\.\d+)?|(?<=RMB)\s*\d[\d,，]*(?:\.\d+)?")
MASK = "***"


def _id_number(match: re.Match[str]) -> str:
    text = match.group(0)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def _bank_account(match: re.Match[str]) -> str:
    digits = re.sub(r"[ -]", "", match.group(0))
    return "*" * (len(digits) - 4) + digits[-4:]


def _phone(match: re.Match[str]) -> str:
    return f"{match.group(1)}****{match.group(3)}"


def mask_text(text: str) -> str:
    """`text` with salary amounts, ID numbers, bank accounts and phone numbers masked."""
    text = _ID_NUMBER.sub(_id_number, text)
    text = _BANK_ACCOUNT.sub(_bank_account, text)
    text = _PHONE.sub(_phone, text)
    text = _AMOUNT_BEFORE_UNIT.sub(MASK, text)
    return _AMOUNT_AFTER_SIGN.sub(MASK, text)


def mask_phone(phone: str | None) -> str | None:
    """A phone number as profiles show it: 132****4755 (anything else fully hidden)."""
    if not phone:
        return None
    masked = _PHONE.sub(_phone, phone)
    return masked if masked != phone else MASK


def mask_value(value: Any, *, entity: str | None = None) -> Any:
    """A JSON value with every string masked (and, for a money entity, every number)."""
    if isinstance(value, str):
        return MASK if entity in MONEY_ENTITIES and any(c.isdigit() for c in value) else mask_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return MASK if entity in MONEY_ENTITIES else value
    if isinstance(value, Mapping):
        return {key: mask_value(item, entity=entity) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(item, entity=entity) for item in value]
    return value
