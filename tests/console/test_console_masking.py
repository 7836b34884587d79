"""Masking personal figures for designers: salary amounts, ID numbers, bank accounts and phones
wherever they appear, and nothing else."""

from __future__ import annotations

import pytest

from hrbot.console.masking import mask_phone, mask_text, mask_value


@pytest.mark.parametrize("text, masked", [
    ("10月实发 12,345.67 元。", "10月实发 ***元。"),
    ("底薪8500块,奖金1.2万元", "底薪***块,奖金***元"),
    ("报销三千五百元", "报销***元"),
    ("预支¥3,000和RMB 200", "预支¥***和RMB***"),
    ("身份证330106199001011234号", "身份证3301**********1234号"),
    ("身份证33010619850703435X", "身份证3301**********435X"),
    ("卡号6222292184111995661", "卡号***************5661"),
    ("卡号 6222 2921 8411 1995 661", "卡号 ***************5661"),
    ("手机13231514755", "手机132****4755"),
    ("电话 +86 132-3151-4755 找我", "电话 132****4755 找我"),
])
def test_personal_figures_are_masked_wherever_they_appear(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", [
    "我想请3天年假", "工号E1008", "2026-11-21 忘打卡了", "上个月工资多少", "第2.5条", "报销单号R20261121001",
])
def test_ordinary_words_numbers_and_dates_stay_as_they_are(text: str) -> None:
    assert mask_text(text) == text


def test_money_entities_are_masked_whatever_their_form_and_other_values_only_in_their_text() -> None:
    assert mask_value(85, entity="amount") == "***"
    assert mask_value("1,200.50", entity="amount") == "***"
    assert mask_value({"from": "2026-11-23", "to": "2026-11-25"}, entity="date") == {
        "from": "2026-11-23", "to": "2026-11-25"}
    assert mask_value(3, entity="duration") == 3
    assert mask_value(["手机13231514755"]) == ["手机132****4755"]


def test_a_profile_phone_keeps_its_first_three_and_last_four_digits() -> None:
    assert mask_phone("13231514755") == "132****4755"
    assert mask_phone("010-12345678") == "***"
    assert mask_phone(None) is None
