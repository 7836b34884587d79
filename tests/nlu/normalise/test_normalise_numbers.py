"""parse_number: Arabic, Chinese (via cn2an) and mixed numerals."""

from __future__ import annotations

import cn2an
import pytest

from hrbot.nlu.normalise import parse_number
from hrbot.nlu.normalise.numbers import _small_chinese

NUMBER_CASES: list[tuple[str, int | float | None]] = [
    ("0", 0),
    ("85", 85),
    ("12.5", 12.5),
    ("3.0", 3),
    ("1,200", 1200),
    ("1,200.50", 1200.5),
    ("-3", -3),
    ("3千", 3000),
    ("1.2万", 12000),
    ("3k", 3000),
    ("2w", 20000),
    ("3千5", 3500),
    ("两百五", 250),
    ("三千五", 3500),
    ("一万二", 12000),
    ("两千零五十", 2050),
    ("一百零五", 105),
    ("十一", 11),
    ("二十", 20),
    ("廿三", 23),
    ("卅一", 31),
    ("俩", 2),
    ("仨", 3),
    ("二点五", 2.5),
    ("壹佰", 100),
    ("二〇二六", 2026),
    ("半", 0.5),
    ("１２", 12),
    ("十几", None),
    ("几百", None),
    ("两三", None),
    ("七八千", None),
    ("一点", None),
    ("1,20", None),
    ("1e5", None),
    (".5", None),
    ("abc", None),
    ("", None),
    ("一下", None),
]


@pytest.mark.parametrize(("text", "expected"), NUMBER_CASES)
def test_parse_number_table(text: str, expected: int | float | None) -> None:
    result = parse_number(text)
    assert result == expected
    assert type(result) is type(expected)


def test_parse_number_huge_digit_string_returns_none() -> None:
    assert parse_number("9" * 20_000) is None


def test_numbers_fast_path_agrees_with_cn2an_on_canonical_forms() -> None:
    for n in range(10_000):
        text = cn2an.an2cn(n)
        fast = _small_chinese(text)
        assert fast is None or fast == n, text


@pytest.mark.parametrize(
    "text",
    [
        "两百五",
        "三千五",
        "一万二",
        "两万五千",
        "一万零五百",
        "一千零五十",
        "三百零五",
        "九千九百九十九",
    ],
)
def test_numbers_fast_path_agrees_with_cn2an_on_colloquial_forms(text: str) -> None:
    assert _small_chinese(text) == cn2an.cn2an(text, "smart")
