"""find_values on whole sentences: entity, value and character offsets."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest

from hrbot.nlu.normalise import ValueMatch, find_values

REF = dt.date(2026, 11, 21)

Expected = list[tuple[int, int, str, object]]

SENTENCES: list[tuple[str, Expected]] = [
    ("我想请3天年假从下周一开始", [(3, 5, "duration", 3), (8, 11, "date", "2026-11-23")]),
    ("上个月工资多少", [(0, 3, "month", "2026-10")]),
    ("11月3号请假", [(0, 5, "date", "2026-11-03")]),
    ("10月工资条", [(0, 3, "month", "2026-10")]),
    ("下周一到周三请年假", [(0, 6, "date", {"from": "2026-11-23", "to": "2026-11-25"})]),
    (
        "从明天到后天请两天假",
        [
            (0, 6, "date", {"from": "2026-11-22", "to": "2026-11-23"}),
            (7, 9, "duration", 2),
        ],
    ),
    ("打车花了85元", [(4, 7, "amount", 85)]),
    ("报销两百五十块五毛的餐费", [(2, 9, "amount", 250.5)]),
    ("昨天打车花了￥３２．５", [(0, 2, "date", "2026-11-20"), (6, 11, "amount", 32.5)]),
    (
        "１２月３号到５号，共３天",
        [
            (0, 8, "date", {"from": "2026-12-03", "to": "2026-12-05"}),
            (10, 12, "duration", 3),
        ],
    ),
    # a following time of day belongs to the date's span
    ("明天上午请半天假", [(0, 2, "date", "2026-11-22"), (5, 7, "duration", 0.5)]),
    ("帮我订明天下午3点的会议室", [(3, 5, "date", "2026-11-22")]),
    ("明早九点半开会", [(0, 2, "date", "2026-11-22")]),
    ("今晚加班到几点", [(0, 2, "date", "2026-11-21")]),
    ("周五10点开会", [(0, 2, "date", "2026-11-20")]),
    ("预定会议室 今天 16:00-17:00", [(6, 8, "date", "2026-11-21")]),
    ("明天上午半天", [(0, 2, "date", "2026-11-22"), (2, 6, "duration", 0.5)]),
    ("明天晚上班", [(0, 2, "date", "2026-11-22")]),
    ("今天一点都不累", [(0, 2, "date", "2026-11-21")]),
    ("事假 周四 半天", [(3, 5, "date", "2026-11-19"), (6, 8, "duration", 0.5)]),
    ("周四半天请假", [(0, 2, "date", "2026-11-19"), (2, 4, "duration", 0.5)]),
    # month.day ranges
    ("12.24-12.25请年假", [(0, 11, "date", {"from": "2026-12-24", "to": "2026-12-25"})]),
    (
        "请假：年假，12/8-12/10，事由：旅游",
        [(6, 16, "date", {"from": "2026-12-08", "to": "2026-12-10"})],
    ),
    ("11/3至11/5出差", [(0, 9, "date", {"from": "2026-11-03", "to": "2026-11-05"})]),
    ("要请一周年假", [(2, 4, "duration", 7)]),
    ("出租车费23元和18元两张票", [(4, 7, "amount", 23), (8, 11, "amount", 18)]),
    ("我上周五加班了4个小时", [(1, 4, "date", "2026-11-13"), (7, 11, "duration", 0.5)]),
    ("3天后回来", [(0, 3, "date", "2026-11-24")]),
    ("两天前我打车花了20元", [(0, 3, "date", "2026-11-19"), (8, 11, "amount", 20)]),
    ("今年三月的工资", [(0, 4, "month", "2026-03")]),
    ("下个月5号交材料", [(0, 5, "date", "2026-12-05")]),
    ("上个月底的报销", [(0, 4, "date", "2026-10-31")]),
    (
        "周末加班两天",
        [(0, 2, "date", {"from": "2026-11-21", "to": "2026-11-22"}), (4, 6, "duration", 2)],
    ),
    (
        "这周三天班",
        [(0, 2, "date", {"from": "2026-11-16", "to": "2026-11-22"}), (2, 4, "duration", 3)],
    ),
    ("请一周的假", [(1, 3, "duration", 7)]),
    ("一共3,500元", [(2, 8, "amount", 3500)]),
    ("1,200.50", [(0, 8, "amount", 1200.5)]),
    (" 三千五 ", [(1, 4, "amount", 3500)]),
    ("2025.08", [(0, 7, "month", "2025-08")]),
    ("11.3", [(0, 4, "amount", 11.3)]),
]

NOTHING: list[str] = [
    "我想一下",
    "我们一起去",
    "我们一块去吃饭吧",
    "报销200",
    "打车12.5",
    "每周一开会",
    "元旦放假",
    "一周年快乐",
    "3号楼",
    "十几天",
    "帮我查一下还剩几天年假",
    "上午请假",
    "五角星",
    "第三天",
    "1/2天",
    "说明早点交",
    "下午茶",
    "12/8-10请假",  # no month on the second end: could be a number range
    "系数1.5-2",
    "1.5-2.5倍",
    "v1.2-1.5",
    "12-8-12-10",
    "",
]


def _triples(matches: list[ValueMatch]) -> Expected:
    return [(m.start, m.end, m.entity, m.value) for m in matches]


@pytest.mark.parametrize(("sentence", "expected"), SENTENCES)
def test_finder_sentence_matches_and_offsets(sentence: str, expected: Expected) -> None:
    matches = find_values(sentence, REF)
    assert _triples(matches) == expected
    for match in matches:
        assert sentence[match.start : match.end] == match.text


@pytest.mark.parametrize("sentence", NOTHING)
def test_finder_reports_nothing_unconfident(sentence: str) -> None:
    assert find_values(sentence, REF) == []


def test_finder_dimensions_filter() -> None:
    sentence = "我想请3天年假从下周一开始"
    assert _triples(find_values(sentence, REF, ["date"])) == [(8, 11, "date", "2026-11-23")]
    assert _triples(find_values(sentence, REF, ("duration",))) == [(3, 5, "duration", 3)]
    assert find_values(sentence, REF, ()) == []
    assert find_values(sentence, REF, ("nonsense",)) == []


def test_finder_accepts_single_dimension_string() -> None:
    assert _triples(find_values("明天", REF, "date")) == [(0, 2, "date", "2026-11-22")]


def test_finder_date_beats_month_when_day_given() -> None:
    assert _triples(find_values("11月3号请假", REF, ("month",))) == []
    both = find_values("11月3号请假", REF, ("date", "month"))
    assert _triples(both) == [(0, 5, "date", "2026-11-03")]


def test_finder_category_dimensions() -> None:
    matches = find_values("出差打车花了85元", REF, ("amount", "expense_type"))
    assert _triples(matches) == [(2, 4, "expense_type", "taxi"), (6, 9, "amount", 85)]
    leave = find_values("我想请3天年假", REF, ("leave_type", "duration"))
    assert _triples(leave) == [(3, 5, "duration", 3), (5, 7, "leave_type", "annual")]
    parking = find_values("停车费30元", REF, ("amount", "expense_type"))
    assert _triples(parking) == [(0, 3, "expense_type", "other"), (3, 6, "amount", 30)]
    assert find_values("合并假期", REF, ("leave_type",)) == []  # 并假 only as a whole text
    assert find_values("说话费劲", REF, ("expense_type",)) == []


def test_finder_matches_are_frozen() -> None:
    match = find_values("明天", REF)[0]
    with pytest.raises(AttributeError):
        match.start = 5  # type: ignore[misc]


def test_finder_results_sorted_and_disjoint() -> None:
    sentence = "上周五到这周三我请了3天病假，打车花了两百块，10月的工资条呢"
    matches = find_values(sentence, REF)
    assert [m.entity for m in matches] == ["date", "duration", "amount", "month"]
    assert all(a.end <= b.start for a, b in pairwise(matches))


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("帮我查下E1023十月份的工资条", [(9, 12, "month", "2026-10")]),
        ("工单OA-2031到谁那了", []),
        ("LV202600010撤销", []),
    ],
)
def test_finder_reads_codes_as_codes_not_as_numbers(sentence: str, expected: Expected) -> None:
    assert _triples(find_values(sentence, REF)) == expected
