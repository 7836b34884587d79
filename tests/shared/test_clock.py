"""The reference time: parsed from ISO 8601, read in a time zone, or fixed for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from hrbot.shared.clock import fixed_clock, parse_reference_time, system_clock


def test_clock_parse_reference_time_keeps_an_explicit_offset() -> None:
    moment = parse_reference_time(" 2026-11-21T10:00:00+08:00 ")

    assert moment == datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=8)


def test_clock_parse_reference_time_reads_a_date_in_the_zone() -> None:
    moment = parse_reference_time("2026-11-21", "Europe/Berlin")

    assert moment == datetime(2026, 11, 21, tzinfo=ZoneInfo("Europe/Berlin"))


def test_clock_parse_reference_time_defaults_to_shanghai() -> None:
    assert parse_reference_time("2026-11-21T10:00").tzinfo == ZoneInfo("Asia/Shanghai")


def test_clock_parse_reference_time_accepts_a_tzinfo_as_zone() -> None:
    offset = timezone(timedelta(hours=8))

    moment = parse_reference_time("2026-03-01", offset)

    assert moment == datetime(2026, 3, 1, tzinfo=offset)


def test_clock_parse_reference_time_rejects_other_text_naming_the_forms() -> None:
    with pytest.raises(ValueError, match="2026-11-21T10:00:00\\+08:00"):
        parse_reference_time("next tuesday")


def test_clock_unknown_time_zone_is_a_value_error_saying_what_to_write() -> None:
    with pytest.raises(ValueError, match=r"unknown time zone 'Mars/Base'.*Asia/Shanghai"):
        parse_reference_time("2026-11-21", "Mars/Base")
    with pytest.raises(ValueError, match="unknown time zone"):
        system_clock("../../etc/passwd")


def test_clock_fixed_clock_always_says_the_same_moment() -> None:
    moment = datetime(2026, 11, 21, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    clock = fixed_clock(moment)

    assert clock() == clock() == moment


def test_clock_system_clock_reads_the_time_in_its_zone() -> None:
    now = system_clock("Asia/Shanghai")()

    assert now.tzinfo == ZoneInfo("Asia/Shanghai")
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
