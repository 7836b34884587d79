"""Reading the cs_* tables: bad data is reported all at once, naming table, row and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cs_cases import company, session, shift

from hrbot.cs.loading import CsDataError, cs_data_from_json, load_cs_data


def test_times_without_an_offset_are_read_in_the_company_time_zone() -> None:
    raw = company([shift("A01", "09:00", "15:00")], [session("S1", "10:00")])
    raw["cs_sessions"][0]["start"] = "2026-10-08T10:00:00"

    data = cs_data_from_json(raw)

    assert data.sessions[0].start.utcoffset() is not None
    assert data.sessions[0].start.isoformat() == "2026-10-08T10:00:00+08:00"


def test_every_bad_row_is_reported_at_once_with_its_table_row_and_field() -> None:
    raw = company([shift("A01", "09:00", "15:00")], [session("S1", "10:00"), session("S2", "11:00")])
    raw["cs_sessions"][0]["start"] = "yesterday"
    raw["cs_sessions"][1]["rating"] = 9
    raw["cs_account_shifts"][0]["account_id"] = "nowhere"

    with pytest.raises(CsDataError) as caught:
        cs_data_from_json(raw, source="company.json")

    message = str(caught.value)
    assert "3 problem(s)" in message
    assert "cs_sessions[0] (id S1): field 'start' is not an ISO 8601 time: 'yesterday'" in message
    assert "cs_sessions[1] (id S2): field 'rating' must be between 1 and 5, got 9" in message
    assert "cs_account_shifts[0]: account_id 'nowhere' is not in cs_accounts" in message


def test_a_missing_table_is_named() -> None:
    raw = company([], [])
    del raw["cs_account_shifts"]

    with pytest.raises(CsDataError, match="missing table\\(s\\) cs_account_shifts"):
        cs_data_from_json(raw)


def test_a_duplicate_session_id_and_a_logout_before_login_are_refused() -> None:
    bad_shift = shift("A01", "15:00", "09:00")
    raw = company([bad_shift], [session("S1", "10:00"), session("S1", "11:00")])

    with pytest.raises(CsDataError) as caught:
        cs_data_from_json(raw)

    assert "session id 'S1' appears twice" in str(caught.value)
    assert "is not after login" in str(caught.value)


def test_a_missing_file_or_broken_json_says_which_file(tmp_path: Path) -> None:
    with pytest.raises(CsDataError, match=r"nope\.json: file not found; pass --data PATH"):
        load_cs_data(tmp_path / "nope.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"cs_sessions": [', encoding="utf-8")
    with pytest.raises(CsDataError, match=r"broken\.json:1:"):
        load_cs_data(broken)


def test_agents_are_the_nickname_owners_and_everyone_who_logged_in(tmp_path: Path) -> None:
    raw = company([shift("B09", "09:00", "15:00")], [], nicknames={"A01": "小禾"})
    path = tmp_path / "company.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")

    data = load_cs_data(path)

    assert sorted(data.agents) == ["A01", "B09"]
    assert data.agents["A01"].nicknames == ("小禾",)
    assert data.agent_name("A01") == "客服A01"
