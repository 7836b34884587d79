"""Small hand-built customer-service data for the cs tests: shifts and sessions written as
times of one day, so each test shows exactly the situation it specifies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hrbot.cs.engine import AttributionOptions, attribute_sessions
from hrbot.cs.loading import cs_data_from_json
from hrbot.cs.records import CsData

DAY = "2026-10-08"
NICKNAMES = {"A01": "小禾", "A02": "小乐", "A03": "小满", "A04": "小美"}


def moment(clock: str, day: str = DAY) -> str:
    seconds = ":00" if clock.count(":") == 1 else ""
    return f"{day}T{clock}{seconds}+08:00"


def shift(
    agent: str, login: str, logout: str | None, account: str = "jd_1", day: str = DAY
) -> dict[str, Any]:
    return {
        "account_id": account,
        "employee_id": agent,
        "date": day,
        "login": moment(login, day),
        "logout": moment(logout, day) if logout else None,
    }


def session(
    session_id: str,
    start: str,
    message: str = "您好",
    *,
    account: str = "jd_1",
    end: str | None = None,
    first_response: int = 30,
    resolved: bool | None = True,
    rating: int | None = 5,
    messages: int = 10,
    day: str = DAY,
) -> dict[str, Any]:
    return {
        "id": session_id,
        "account_id": account,
        "platform": "jd",
        "start": moment(start, day),
        "end": moment(end, day) if end else None,
        "messages": messages,
        "first_response_seconds": first_response,
        "resolved": resolved,
        "rating": rating,
        "first_agent_message": message,
    }


def company(
    shifts: Sequence[Mapping[str, Any]],
    sessions: Sequence[Mapping[str, Any]],
    *,
    nicknames: Mapping[str, str] = NICKNAMES,
    accounts: Sequence[Mapping[str, Any]] = ({"id": "jd_1", "platform": "jd", "label": "京东公共客服"},),
) -> dict[str, Any]:
    return {
        "company": {"timezone": "Asia/Shanghai"},
        "employees": [{"id": agent, "name": f"客服{agent}"} for agent in sorted(nicknames)],
        "cs_accounts": list(accounts),
        "cs_agent_nicknames": [{"employee_id": a, "nickname": n} for a, n in nicknames.items()],
        "cs_account_shifts": list(shifts),
        "cs_sessions": list(sessions),
    }


def build(
    shifts: Sequence[Mapping[str, Any]], sessions: Sequence[Mapping[str, Any]], **kwargs: Any
) -> CsData:
    return cs_data_from_json(company(shifts, sessions, **kwargs))


def attribute(
    shifts: Sequence[Mapping[str, Any]],
    sessions: Sequence[Mapping[str, Any]],
    options: AttributionOptions | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    return attribute_sessions(build(shifts, sessions, **kwargs), options=options)
