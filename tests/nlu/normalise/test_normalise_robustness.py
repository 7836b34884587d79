"""Robustness: odd input never raises, long input stays fast, nothing reads the clock."""

from __future__ import annotations

import datetime as dt
import random
import time
from itertools import pairwise

import pytest

from hrbot.nlu.normalise import ENTITIES, find_values, parse_number, resolve

REF = dt.date(2026, 11, 21)
ALL_DIMENSIONS = ("date", "month", "duration", "amount", "leave_type", "expense_type")

ODD_INPUTS: list[str] = [
    "",
    " ",
    "\x00\x01\x02\x1f\x7f",
    "\u200b\u200d\ufeff",
    "😀🎉👍",
    "😀明天🎉请假3天💰85元",
    "\ud800明天",  # lone surrogate
    "\n\t\r",
    "，。！？：；",
    "¥",
    "RMB",
    "月",
    "号",
    "周",
    "到",
    "-",
    "/",
    ".",
    "万",
    "负",
    "点",
    "半个",
    "下下下下下下周一",
    "9999年12月31日到明天",
    "0000年0月0日",
    "99999999999999999999元",
    "1" * 5000 + "元",
]

HUGE_INPUTS: list[str] = [
    "一" * 20_000,
    "1" * 20_000,
    "月" * 20_000,
    "周" * 20_000,
    "1-" * 10_000,
    "1." * 10_000,
    "3号-" * 6_000,
    "下周一到" * 5_000,
    "三千五百块" * 4_000,
    "我想请3天年假从下周一开始到周三，报销85元。" * 800,
    "😀" * 20_000,
    "\x00" * 20_000,
]


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_robustness_odd_input_never_raises(text: str) -> None:
    for reference in (REF, dt.date(1, 1, 1), dt.date(9999, 12, 31)):
        matches = find_values(text, reference, ALL_DIMENSIONS)
        assert all(text[m.start : m.end] == m.text for m in matches)
        for entity in ENTITIES:
            resolve(entity, text, reference)
    parse_number(text)


@pytest.mark.parametrize("text", HUGE_INPUTS, ids=lambda text: f"{text[:6]}x{len(text)}")
def test_robustness_huge_input_is_fast_and_consistent(text: str) -> None:
    started = time.perf_counter()
    matches = find_values(text, REF, ALL_DIMENSIONS)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0  # catastrophic backtracking would take far longer
    assert all(text[m.start : m.end] == m.text for m in matches)
    assert all(a.end <= b.start for a, b in pairwise(matches))
    for entity in ("date", "month", "duration", "amount"):
        assert resolve(entity, text, REF) is None  # far too long to be one expression
    for entity in ("leave_type", "expense_type"):
        resolve(entity, text, REF)  # keyword search: may find one, must not raise


def test_robustness_scan_time_grows_linearly() -> None:
    unit = "我想请3天年假从下周一开始到周三，报销85元。"

    def cost(repeats: int) -> float:
        text = unit * repeats
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            find_values(text, REF)
            best = min(best, time.perf_counter() - started)
        return best

    small, large = cost(100), cost(800)
    assert large < small * 8 * 3  # 8x the input may not cost much more than 8x the time


def test_robustness_seeded_fuzz_never_raises() -> None:
    alphabet = [
        *"0123456789.,-/~:年月日号周星期礼拜天一二两三四五六七八九十百千万零〇半个小时钟头",
        *"上下午这本元块毛角分钱¥RMBkKwh到至从后前今明昨大底初末中",
        *"整全工作日廿卅俩仨点负 ，。１２：",
        *("星期", "礼拜", "上个月", "下周", "人民币", "块钱", "小时", "工作日", "😀", "\x00"),
    ]
    rng = random.Random(20261121)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        matches = find_values(text, REF, ALL_DIMENSIONS)
        assert all(text[m.start : m.end] == m.text for m in matches)
        assert all(a.end <= b.start for a, b in pairwise(matches))
        for entity in ("date", "month", "duration", "amount"):
            resolve(entity, text, REF)


def test_robustness_non_string_input_is_rejected_quietly() -> None:
    assert find_values(None, REF) == []  # type: ignore[arg-type]
    assert resolve("date", None, REF) is None  # type: ignore[arg-type]
    assert parse_number(None) is None  # type: ignore[arg-type]


def test_robustness_results_do_not_depend_on_the_clock() -> None:
    assert resolve("date", "明天", dt.date(2020, 2, 28)) == "2020-02-29"
    assert resolve("date", "明天", dt.date(2020, 2, 28)) == "2020-02-29"
    assert resolve("month", "下个月", dt.date(2020, 12, 1)) == "2021-01"


def test_robustness_typical_sentence_is_fast() -> None:
    sentences = [
        "我想请3天年假从下周一开始到周三",
        "报销两百五十块五毛的餐费和打车费85元",
        "11月3号至5号请年假三天半",
        "我上周五加班了4个小时可以调休吗",
    ]
    for sentence in sentences:
        find_values(sentence, REF)
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        for sentence in sentences:
            find_values(sentence, REF)
    per_call = (time.perf_counter() - started) / (rounds * len(sentences))
    # Typically ~0.05 ms; the bound is loose so that a busy CI machine does not flake.
    assert per_call < 1e-3
