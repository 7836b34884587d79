"""Expression table: every entity kind against the pinned reference date 2026-11-21 (Sat)."""

from __future__ import annotations

import datetime as dt

import pytest

from hrbot.nlu.normalise import (
    resolve,
    resolve_amount,
    resolve_date,
    resolve_duration,
    resolve_expense_type,
    resolve_leave_type,
    resolve_month,
)

REF = dt.date(2026, 11, 21)


def span(first: str, last: str) -> dict[str, str]:
    return {"from": first, "to": last}


DATE_CASES: list[tuple[str, object]] = [
    # relative days
    ("今天", "2026-11-21"),
    ("今日", "2026-11-21"),
    ("明天", "2026-11-22"),
    ("明日", "2026-11-22"),
    ("后天", "2026-11-23"),
    ("大后天", "2026-11-24"),
    ("昨天", "2026-11-20"),
    ("昨日", "2026-11-20"),
    ("前天", "2026-11-19"),
    ("大前天", "2026-11-18"),
    ("3天后", "2026-11-24"),
    ("三天之后", "2026-11-24"),
    ("3天以后", "2026-11-24"),
    ("两天前", "2026-11-19"),
    ("一周后", "2026-11-28"),
    ("两个星期后", "2026-12-05"),
    ("3个月后", "2027-02-21"),
    # weekdays: bare = current Monday-Sunday week
    ("周一", "2026-11-16"),
    ("周二", "2026-11-17"),
    ("星期一", "2026-11-16"),
    ("礼拜一", "2026-11-16"),
    ("周六", "2026-11-21"),
    ("周日", "2026-11-22"),
    ("星期天", "2026-11-22"),
    ("礼拜天", "2026-11-22"),
    ("星期3", "2026-11-18"),
    ("这周五", "2026-11-20"),
    ("本周五", "2026-11-20"),
    ("这个周五", "2026-11-20"),
    ("下周一", "2026-11-23"),
    ("下个星期一", "2026-11-23"),
    ("下礼拜三", "2026-11-25"),
    ("下下周一", "2026-11-30"),
    ("上周五", "2026-11-13"),
    ("上上周五", "2026-11-06"),
    # calendar dates
    ("11月3号", "2026-11-03"),
    ("11月3日", "2026-11-03"),
    ("十一月三号", "2026-11-03"),
    ("11月30", "2026-11-30"),
    ("2026-11-03", "2026-11-03"),
    ("2026/11/03", "2026-11-03"),
    ("2026年11月3日", "2026-11-03"),
    ("二〇二六年十一月三日", "2026-11-03"),
    ("26年3月1日", "2026-03-01"),
    ("11/3", "2026-11-03"),
    ("11.3", "2026-11-03"),
    ("3号", "2026-11-03"),
    ("二十五号", "2026-11-25"),
    ("今年3月5号", "2026-03-05"),
    ("明年1月3日", "2027-01-03"),
    ("去年12月25日", "2025-12-25"),
    ("下个月5号", "2026-12-05"),
    ("下月5号", "2026-12-05"),
    ("上个月15号", "2026-10-15"),
    # anchors
    ("月底", "2026-11-30"),
    ("月末", "2026-11-30"),
    ("月初", "2026-11-01"),
    ("月中", "2026-11-15"),
    ("下个月底", "2026-12-31"),
    ("下月初", "2026-12-01"),
    ("上个月底", "2026-10-31"),
    ("10月底", "2026-10-31"),
    ("年底", "2026-12-31"),
    ("年初", "2026-01-01"),
    ("明年初", "2027-01-01"),
    ("去年底", "2025-12-31"),
    # spans
    ("下周一到周三", span("2026-11-23", "2026-11-25")),
    ("下周一至周三", span("2026-11-23", "2026-11-25")),
    ("11月3号至5号", span("2026-11-03", "2026-11-05")),
    ("11月3号到11月5号", span("2026-11-03", "2026-11-05")),
    ("11月3-5号", span("2026-11-03", "2026-11-05")),
    ("从明天到后天", span("2026-11-22", "2026-11-23")),
    ("明天到下周二", span("2026-11-22", "2026-11-24")),
    ("明天到周三", span("2026-11-22", "2026-11-25")),
    ("23号-25号", span("2026-11-23", "2026-11-25")),
    ("3号到5号", span("2026-11-03", "2026-11-05")),
    ("下个月3-5号", span("2026-12-03", "2026-12-05")),
    ("周一至周三", span("2026-11-16", "2026-11-18")),
    ("周一到五", span("2026-11-16", "2026-11-20")),
    ("周五到下周一", span("2026-11-20", "2026-11-23")),
    ("12月30号到1月2号", span("2026-12-30", "2027-01-02")),
    ("这周", span("2026-11-16", "2026-11-22")),
    ("本周", span("2026-11-16", "2026-11-22")),
    ("这个星期", span("2026-11-16", "2026-11-22")),
    ("下周", span("2026-11-23", "2026-11-29")),
    ("上周", span("2026-11-09", "2026-11-15")),
    ("下下周", span("2026-11-30", "2026-12-06")),
    ("周末", span("2026-11-21", "2026-11-22")),
    ("下周末", span("2026-11-28", "2026-11-29")),
    # width, whitespace and fillers
    ("１１月３号", "2026-11-03"),
    (" 明天 ", "2026-11-22"),
    ("从下周一开始", "2026-11-23"),
    ("下周一吧", "2026-11-23"),
    # not dates
    ("2月30号", None),
    ("13月5号", None),
    ("请假", None),
    ("10月", None),
    ("", None),
]

MONTH_CASES: list[tuple[str, str | None]] = [
    ("上个月", "2026-10"),
    ("上月", "2026-10"),
    ("这个月", "2026-11"),
    ("本月", "2026-11"),
    ("当月", "2026-11"),
    ("下个月", "2026-12"),
    ("下月", "2026-12"),
    ("上上个月", "2026-09"),
    ("下下个月", "2027-01"),
    ("10月", "2026-10"),
    ("10月份", "2026-10"),
    ("十月份", "2026-10"),
    ("十二月", "2026-12"),
    ("今年三月", "2026-03"),
    ("去年12月", "2025-12"),
    ("明年1月", "2027-01"),
    ("2025年8月", "2025-08"),
    ("2025-08", "2025-08"),
    ("2026/3", "2026-03"),
    ("１０月", "2026-10"),
    ("13月", None),
    ("11月3号", None),
    ("下个月底", None),
    ("三个月", None),
]

DURATION_CASES: list[tuple[str, int | float | None]] = [
    ("一天", 1),
    ("半天", 0.5),
    ("半日", 0.5),
    ("一天半", 1.5),
    ("两天半", 2.5),
    ("三天", 3),
    ("3天", 3),
    ("1.5天", 1.5),
    ("0.5天", 0.5),
    ("4个小时", 0.5),
    ("4小时", 0.5),
    ("4h", 0.5),
    ("4 hours", 0.5),
    ("8小时", 1),
    ("16个小时", 2),
    ("2个钟头", 0.25),
    ("两个钟", 0.25),
    ("半个小时", 0.0625),
    ("一个半小时", 0.1875),
    ("一个上午", 0.5),
    ("一上午", 0.5),
    ("一个下午", 0.5),
    ("上午半天", 0.5),
    ("下半天", 0.5),
    ("一周", 7),
    ("一个星期", 7),
    ("两周", 14),
    ("两个工作日", 2),
    ("5个工作日", 5),
    ("一整天", 1),
    ("全天", 1),
    ("3日", 3),
    ("上午", 0.5),
    ("３天", 3),
    ("3天左右", 3),
    ("十几天", None),
    ("两三天", None),
    ("几天", None),
    ("3点钟", None),
    ("3个月", None),
    ("天", None),
]

AMOUNT_CASES: list[tuple[str, int | float | None]] = [
    ("85元", 85),
    ("85块", 85),
    ("85块钱", 85),
    ("85元整", 85),
    ("八十五元", 85),
    ("两百块", 200),
    ("二百元", 200),
    ("两百五", 250),
    ("三千五", 3500),
    ("一万二", 12000),
    ("两千零五十", 2050),
    ("1,200.50", 1200.5),
    ("1,200.50元", 1200.5),
    ("12.5", 12.5),
    ("85", 85),
    ("¥85", 85),
    ("￥85", 85),
    ("¥ 1,200.50", 1200.5),
    ("85 RMB", 85),
    ("85rmb", 85),
    ("RMB85", 85),
    ("人民币85元", 85),
    ("3k", 3000),
    ("3K元", 3000),
    ("1.2万", 12000),
    ("1.2万元", 12000),
    ("3千元", 3000),
    ("一块五", 1.5),
    ("一块钱", 1),
    ("3块5", 3.5),
    ("三块五毛", 3.5),
    ("一百二十块五毛", 120.5),
    ("五毛", 0.5),
    ("五毛钱", 0.5),
    ("两毛五", 0.25),
    ("12元5角3分", 12.53),
    ("5分钱", 0.05),
    ("三点五元", 3.5),
    ("大概85元左右", 85),
    ("８５元", 85),
    ("-5", None),
    ("十几块", None),
    ("半", None),
    ("元旦", None),
    ("abc", None),
]

LEAVE_CASES: list[tuple[str, str | None]] = [
    ("年假", "annual"),
    ("年休假", "annual"),
    ("带薪年假", "annual"),
    ("我想请年假", "annual"),
    ("病假", "sick"),
    ("生病了", "sick"),
    ("事假", "personal"),
    ("调休", "compensatory"),
    ("倒休", "compensatory"),
    ("补休", "compensatory"),
    ("調休", "compensatory"),
    ("婚假", "marriage"),
    ("产假", "maternity"),
    ("陪产假", "paternity"),
    ("护理假", "paternity"),
    ("丧假", "bereavement"),
    ("annual", "annual"),
    ("年假还是病假", None),
    ("请假", None),
    ("", None),
]

EXPENSE_CASES: list[tuple[str, str | None]] = [
    ("打车", "taxi"),
    ("出租车", "taxi"),
    ("滴滴", "taxi"),
    ("网约车", "taxi"),
    ("TAXI", "taxi"),
    ("差旅", "travel"),
    ("出差", "travel"),
    ("机票", "travel"),
    ("火车票", "travel"),
    ("高铁", "travel"),
    ("住宿", "accommodation"),
    ("酒店", "accommodation"),
    ("宾馆", "accommodation"),
    ("餐费", "meal"),
    ("吃饭", "meal"),
    ("招待", "meal"),
    ("餐饮", "meal"),
    ("办公用品", "office"),
    ("文具", "office"),
    ("打印", "office"),
    ("培训", "training"),
    ("课程", "training"),
    ("考试费", "training"),
    ("其他", "other"),
    ("出差打车", "taxi"),
    ("出差住酒店", "accommodation"),
    ("打车和酒店", None),
    ("随便", None),
]

ALL_CASES: list[tuple[str, str, object]] = (
    [("date", text, value) for text, value in DATE_CASES]
    + [("month", text, value) for text, value in MONTH_CASES]
    + [("duration", text, value) for text, value in DURATION_CASES]
    + [("amount", text, value) for text, value in AMOUNT_CASES]
    + [("leave_type", text, value) for text, value in LEAVE_CASES]
    + [("expense_type", text, value) for text, value in EXPENSE_CASES]
)

_DIRECT = {
    "date": lambda text: resolve_date(text, REF),
    "month": lambda text: resolve_month(text, REF),
    "duration": resolve_duration,
    "amount": resolve_amount,
    "leave_type": resolve_leave_type,
    "expense_type": resolve_expense_type,
}


def test_table_has_at_least_150_cases() -> None:
    assert len(ALL_CASES) >= 150


@pytest.mark.parametrize(("entity", "text", "expected"), ALL_CASES)
def test_resolve_table_expression(entity: str, text: str, expected: object) -> None:
    result = resolve(entity, text, REF)
    assert result == expected
    assert type(result) is type(expected)  # ints stay int, fractions are float
    assert _DIRECT[entity](text) == expected


def test_resolve_unknown_entity_returns_none() -> None:
    assert resolve("salary", "85元", REF) is None
    assert resolve("", "明天", REF) is None


def test_resolve_entity_name_is_case_insensitive() -> None:
    assert resolve(" Date ", "明天", REF) == "2026-11-22"


def test_resolve_date_accepts_datetime_reference() -> None:
    assert resolve_date("明天", dt.datetime(2026, 11, 21, 23, 59)) == "2026-11-22"


def test_resolve_date_other_reference_changes_result() -> None:
    assert resolve_date("下周一", dt.date(2026, 11, 23)) == "2026-11-30"
    assert resolve_date("周日", dt.date(2026, 11, 22)) == "2026-11-22"
    assert resolve_month("上个月", dt.date(2026, 1, 5)) == "2025-12"
    assert resolve_date("月底", dt.date(2024, 2, 10)) == "2024-02-29"
