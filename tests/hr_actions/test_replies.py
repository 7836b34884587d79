"""Specification of the reply formatting helpers: how the bot writes dates, spans, months,
money, days, percentages, lists, masked identifiers and type codes in Chinese."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from actions.replies import (
    EXPENSE_TYPE_NAMES,
    LEAVE_TYPE_NAMES,
    display_width,
    expense_type_name,
    format_date,
    format_date_span,
    format_days,
    format_money,
    format_month,
    format_percent,
    format_table,
    format_time_range,
    leave_type_name,
    mask_bank_account,
    mask_id_card,
    mask_phone,
    weekday_name,
)

TODAY = date(2026, 11, 21)  # the demo company's reference date, a Saturday


# --- dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 11, 23), "11月23日(周一)"),
    (date(2026, 11, 21), "11月21日(周六)"),
    (date(2026, 1, 1), "1月1日(周四)"),
    (date(2025, 12, 3), "2025年12月3日(周三)"),
    (date(2025, 12, 31), "2025年12月31日(周三)"),
    (date(2027, 1, 1), "2027年1月1日(周五)"),
    (date(2024, 2, 29), "2024年2月29日(周四)"),
])
def test_format_date_writes_month_day_and_weekday_and_the_year_only_when_not_this_year(
    day: date, expected: str
) -> None:
    assert format_date(day, today=TODAY) == expected


def test_format_date_weekdays_stay_right_across_a_year_boundary() -> None:
    days = [date(2026, 12, 28) + timedelta(days=offset) for offset in range(7)]
    written = [format_date(day, today=date(2026, 12, 28)) for day in days]
    assert written == ["12月28日(周一)", "12月29日(周二)", "12月30日(周三)", "12月31日(周四)",
                       "2027年1月1日(周五)", "2027年1月2日(周六)", "2027年1月3日(周日)"]


def test_format_date_without_today_always_shows_the_year() -> None:
    assert format_date(date(2026, 11, 23), today=None) == "2026年11月23日(周一)"


def test_format_date_padded_lines_up_in_lists() -> None:
    assert format_date(date(2026, 10, 8), today=TODAY, padded=True) == "10月08日(周四)"
    assert format_date(date(2026, 3, 5), today=TODAY, padded=True) == "03月05日(周四)"


def test_weekday_name_is_zhou_and_the_day() -> None:
    assert [weekday_name(date(2026, 11, 23 + offset)) for offset in range(7)] == [
        "周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def test_format_date_span_joins_both_ends_with_zhi() -> None:
    span = format_date_span(date(2026, 11, 23), date(2026, 11, 25), today=TODAY)
    assert span == "11月23日(周一)至11月25日(周三)"


def test_format_date_span_of_one_day_is_that_date() -> None:
    assert format_date_span(date(2026, 11, 23), date(2026, 11, 23), today=TODAY) == "11月23日(周一)"


def test_format_date_span_into_next_year_shows_the_year_of_that_end() -> None:
    span = format_date_span(date(2026, 12, 30), date(2027, 1, 2), today=TODAY)
    assert span == "12月30日(周三)至2027年1月2日(周六)"


def test_format_date_span_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match=r"must not end .* before it starts"):
        format_date_span(date(2026, 11, 25), date(2026, 11, 23), today=TODAY)


@pytest.mark.parametrize(("month", "expected"), [
    ("2026-10", "10月"),
    ("2025-10", "2025年10月"),
    ("2027-01", "2027年1月"),
    (date(2026, 3, 15), "3月"),
])
def test_format_month_shows_the_year_only_when_not_this_year(month: str | date, expected: str) -> None:
    assert format_month(month, today=TODAY) == expected


def test_format_month_without_today_always_shows_the_year() -> None:
    assert format_month("2026-10", today=None) == "2026年10月"


@pytest.mark.parametrize("month", ["2026-13", "2026/10", "十月", "2026-1"])
def test_format_month_refuses_what_is_not_yyyy_mm(month: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        format_month(month, today=TODAY)


def test_format_time_range_uses_an_en_dash_and_dashes_for_a_missing_punch() -> None:
    assert format_time_range(time(8, 28), time(18, 17)) == "08:28–18:17"
    assert format_time_range(time(9, 12), None) == "09:12–--:--"


# --- numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "expected"), [
    (Decimal("23702.87"), "23,702.87 元"),
    (23702.87, "23,702.87 元"),
    (1200, "1,200 元"),
    (1200.0, "1,200 元"),
    ("1,200.50", "1,200.50 元"),
    (85, "85 元"),
    (0.1 + 0.2, "0.30 元"),
    (Decimal("0.005"), "0.01 元"),
    (-50, "-50 元"),
    (1234567.891, "1,234,567.89 元"),
    (0, "0 元"),
])
def test_format_money_groups_thousands_and_drops_zero_fen_of_whole_amounts(
    amount: Decimal | float | int | str, expected: str
) -> None:
    assert format_money(amount) == expected


@pytest.mark.parametrize("amount", ["abc", "nan", float("inf")])
def test_format_money_refuses_what_is_not_a_finite_number(amount: str | float) -> None:
    with pytest.raises(ValueError, match="amount"):
        format_money(amount)


def test_format_money_refuses_a_bool() -> None:
    with pytest.raises(TypeError, match="not a bool"):
        format_money(True)


@pytest.mark.parametrize(("days", "expected"), [
    (3, "3天"),
    (Decimal("3.0"), "3天"),
    (10, "10天"),
    (0.5, "半天"),
    (1.5, "1.5天"),
    (0, "0天"),
    (0.25, "0.25天"),
])
def test_format_days_writes_whole_and_decimal_days_and_half_a_day_in_words(
    days: Decimal | float | int, expected: str
) -> None:
    assert format_days(days) == expected


def test_format_days_can_write_half_a_day_as_a_number_for_columns() -> None:
    assert format_days(0.5, half_day_word=False) == "0.5天"


@pytest.mark.parametrize(("ratio", "expected"), [
    (0.105, "10.5%"),
    (0.08, "8%"),
    (0.12345, "12.3%"),
    (1, "100%"),
    (0, "0%"),
])
def test_format_percent_writes_a_ratio_without_trailing_zeros(ratio: float, expected: str) -> None:
    assert format_percent(ratio) == expected


def test_format_percent_rounds_to_the_decimals_asked_for() -> None:
    assert format_percent(0.12345, decimals=2) == "12.35%"
    assert format_percent(0.125, decimals=0) == "13%"


# --- lists ---------------------------------------------------------------------------------

def test_display_width_counts_chinese_characters_twice() -> None:
    assert display_width("正常") == 4
    assert display_width("08:28–18:17") == 11
    assert display_width("10月08日(周四)") == 14


def test_format_table_aligns_columns_by_display_width_without_trailing_spaces() -> None:
    rows = [
        [format_date(date(2026, 10, 8), today=TODAY, padded=True),
         format_time_range(time(8, 28), time(18, 17)), "正常"],
        [format_date(date(2026, 10, 9), today=TODAY, padded=True),
         format_time_range(time(9, 12), None), "迟到、缺卡"],
    ]
    assert format_table(rows) == (
        "· 10月08日(周四) 08:28–18:17 正常\n"
        "· 10月09日(周五) 09:12–--:-- 迟到、缺卡"
    )


def test_format_table_pads_shorter_cells_and_right_aligns_amounts() -> None:
    rows = [["打车", format_money(85)], ["住宿费", format_money(1200)],
            ["餐费", format_money(Decimal("150.5"))]]
    assert format_table(rows, align=["left", "right"]).split("\n") == [
        "· 打车" + " " * 7 + "85 元",
        "· 住宿费" + " " * 2 + "1,200 元",
        "· 餐费" + " " * 3 + "150.50 元",
    ]


def test_format_table_of_no_rows_is_empty() -> None:
    assert format_table([]) == ""


def test_format_table_refuses_ragged_rows() -> None:
    with pytest.raises(ValueError, match="row 2 has 1 cells but row 1 has 2"):
        format_table([["a", "b"], ["c"]])


def test_format_table_refuses_an_alignment_for_other_columns() -> None:
    with pytest.raises(ValueError, match="align names 1 columns but the rows have 2"):
        format_table([["a", "b"]], align=["left"])


# --- masking -------------------------------------------------------------------------------

@pytest.mark.parametrize(("phone", "expected"), [
    ("13212344755", "132****4755"),
    ("132 1234 4755", "132****4755"),
    ("+86 132-1234-4755", "132****4755"),
    ("123", "****"),
])
def test_mask_phone_keeps_the_first_three_and_last_four_digits(phone: str, expected: str) -> None:
    assert mask_phone(phone) == expected


@pytest.mark.parametrize(("number", "expected"), [
    ("330106199001014700", "330106********4700"),
    ("33010619900101470x", "330106********470X"),
    ("330106 19900101 4700", "330106********4700"),
    ("330106900101470", "330106*****1470"),
    ("1234567", "*******"),
])
def test_mask_id_card_keeps_the_region_code_and_the_last_four(number: str, expected: str) -> None:
    assert mask_id_card(number) == expected


@pytest.mark.parametrize(("account", "expected"), [
    ("6222021234565661", "**** 5661"),
    ("6222 0212 3456 5661", "**** 5661"),
    ("5661", "****"),
])
def test_mask_bank_account_keeps_only_the_last_four(account: str, expected: str) -> None:
    assert mask_bank_account(account) == expected


# --- type codes ----------------------------------------------------------------------------

def test_every_leave_type_code_of_the_contract_has_its_chinese_name() -> None:
    assert dict(LEAVE_TYPE_NAMES) == {
        "annual": "年假", "sick": "病假", "personal": "事假", "compensatory": "调休",
        "marriage": "婚假", "maternity": "产假", "paternity": "陪产假", "bereavement": "丧假",
    }
    assert leave_type_name("annual") == "年假"
    assert leave_type_name(" Paternity ") == "陪产假"


def test_every_expense_type_code_of_the_contract_has_its_chinese_name() -> None:
    assert dict(EXPENSE_TYPE_NAMES) == {
        "taxi": "打车", "travel": "差旅", "accommodation": "住宿", "meal": "餐费",
        "office": "办公用品", "training": "培训", "other": "其他",
    }
    assert expense_type_name("office") == "办公用品"


def test_an_unknown_type_code_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown leave type code 'holiday'; expected one of annual, sick"):
        leave_type_name("holiday")
    with pytest.raises(ValueError, match="unknown expense type code '年假'"):
        expense_type_name("年假")
