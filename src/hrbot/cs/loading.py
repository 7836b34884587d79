"""Read the cs_* tables of company.json (or data shaped like it) into `CsData`.

Every problem is collected and reported at once, each naming the table, the row (index and id)
and the field, with what to write instead; a report that stops at the first bad row makes
fixing a large export a loop of re-runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from hrbot.cs.records import Account, Agent, CsData, Session, Shift
from hrbot.shared.clock import DEFAULT_TIMEZONE, timezone
from hrbot.shared.errors import HrbotError

TABLES = ("cs_accounts", "cs_agent_nicknames", "cs_account_shifts", "cs_sessions")
MAX_LISTED = 25


class CsDataError(HrbotError):
    """The customer-service data cannot be used; the message lists every problem found."""


@dataclass
class _Problems:
    source: str
    items: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if not self.items:
            return
        listed = self.items[:MAX_LISTED]
        more = len(self.items) - len(listed)
        tail = f"\n  ... and {more} more" if more else ""
        raise CsDataError(
            f"{self.source}: {len(self.items)} problem(s) in the customer-service data:\n  "
            + "\n  ".join(listed)
            + tail
        )


def load_cs_data(path: Path) -> CsData:
    """Read company.json at `path`; CsDataError says what is wrong and where."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CsDataError(f"{path}: file not found; pass --data PATH to a company.json") from None
    except IsADirectoryError:
        raise CsDataError(f"{path}: is a folder; pass --data PATH to a company.json file") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise CsDataError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None
    if not isinstance(raw, dict):
        raise CsDataError(f"{path}: expected a JSON object with the cs_* tables at the top level")
    return cs_data_from_json(raw, source=str(path))


def cs_data_from_json(raw: Mapping[str, Any], *, source: str = "company.json") -> CsData:
    """Build `CsData` from a company.json-shaped mapping (used by tests and the generator)."""
    problems = _Problems(source)
    missing = [name for name in TABLES if name not in raw]
    if missing:
        raise CsDataError(
            f"{source}: missing table(s) {', '.join(missing)}; the customer-service report needs "
            f"all of {', '.join(TABLES)}"
        )
    for name in TABLES:
        if not isinstance(raw[name], list):
            problems.add(name, f"expected a list of rows, got {type(raw[name]).__name__}")
    problems.raise_if_any()

    zone = _company_timezone(raw, problems)
    employee_names = _employee_names(raw.get("employees"))
    accounts = _accounts(raw["cs_accounts"], problems)
    nicknames = _nicknames(raw["cs_agent_nicknames"], problems)
    shifts = _shifts(raw["cs_account_shifts"], zone, accounts, problems)
    sessions = _sessions(raw["cs_sessions"], zone, accounts, problems)
    problems.raise_if_any()

    agent_ids = sorted(
        set(nicknames)
        | {shift.employee_id for shift in shifts}
        | {a.owner for a in accounts.values() if a.owner}
    )
    agents = {
        employee_id: Agent(
            employee_id, employee_names.get(employee_id, ""), tuple(nicknames.get(employee_id, ()))
        )
        for employee_id in agent_ids
    }
    return CsData(
        accounts=accounts,
        agents=agents,
        shifts=tuple(shifts),
        sessions=tuple(sessions),
        timezone=zone,
        employee_names=employee_names,
    )


def _company_timezone(raw: Mapping[str, Any], problems: _Problems) -> tzinfo:
    company = raw.get("company")
    name = company.get("timezone", DEFAULT_TIMEZONE) if isinstance(company, Mapping) else DEFAULT_TIMEZONE
    try:
        return timezone(str(name))
    except ValueError as error:
        problems.add("company.timezone", str(error))
        return timezone(DEFAULT_TIMEZONE)


def _employee_names(rows: Any) -> dict[str, str]:
    if not isinstance(rows, list):
        return {}
    return {
        str(row["id"]): str(row.get("name", "")) for row in rows if isinstance(row, Mapping) and "id" in row
    }


def _where(table: str, index: int, row: Any) -> str:
    if isinstance(row, Mapping) and "id" in row:
        return f"{table}[{index}] (id {row['id']})"
    return f"{table}[{index}]"


def _rows(table: str, rows: list[Any], problems: _Problems) -> list[tuple[str, Mapping[str, Any]]]:
    good = []
    for index, row in enumerate(rows):
        where = _where(table, index, row)
        if isinstance(row, Mapping):
            good.append((where, row))
        else:
            problems.add(where, f"expected an object, got {type(row).__name__}")
    return good


def _text(row: Mapping[str, Any], key: str, where: str, problems: _Problems) -> str | None:
    value = row.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.add(where, f"field '{key}' is missing or empty")
        return None
    return str(value).strip()


def _moment(
    value: Any, key: str, zone: tzinfo, where: str, problems: _Problems, *, required: bool = True
) -> datetime | None:
    if value is None:
        if required:
            problems.add(
                where, f"field '{key}' is missing; write an ISO 8601 time such as 2026-10-08T09:00:00+08:00"
            )
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        problems.add(
            where, f"field '{key}' is not an ISO 8601 time: {value!r}; write e.g. 2026-10-08T09:00:00+08:00"
        )
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _number(
    row: Mapping[str, Any],
    key: str,
    where: str,
    problems: _Problems,
    *,
    low: float,
    high: float | None = None,
) -> float | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(where, f"field '{key}' must be a number or null, got {value!r}")
        return None
    if value < low or (high is not None and value > high):
        bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        problems.add(where, f"field '{key}' must be {bounds}, got {value!r}")
        return None
    return float(value)


def _accounts(rows: list[Any], problems: _Problems) -> dict[str, Account]:
    accounts: dict[str, Account] = {}
    for where, row in _rows("cs_accounts", rows, problems):
        account_id = _text(row, "id", where, problems)
        if account_id is None:
            continue
        if account_id in accounts:
            problems.add(where, f"account id '{account_id}' appears twice; ids must be unique")
            continue
        owner = row.get("owner", row.get("employee_id"))
        accounts[account_id] = Account(
            id=account_id,
            platform=str(row.get("platform", "")),
            label=str(row.get("label", "")),
            shared=bool(row.get("shared", True)),
            owner=str(owner) if owner else None,
        )
    return accounts


def _nicknames(rows: list[Any], problems: _Problems) -> dict[str, list[str]]:
    nicknames: dict[str, list[str]] = {}
    for where, row in _rows("cs_agent_nicknames", rows, problems):
        employee_id = _text(row, "employee_id", where, problems)
        nickname = _text(row, "nickname", where, problems)
        if employee_id is None or nickname is None:
            continue
        names = nicknames.setdefault(employee_id, [])
        if nickname not in names:
            names.append(nickname)
    return nicknames


def _shifts(
    rows: list[Any], zone: tzinfo, accounts: Mapping[str, Account], problems: _Problems
) -> list[Shift]:
    shifts = []
    for where, row in _rows("cs_account_shifts", rows, problems):
        account_id = _text(row, "account_id", where, problems)
        employee_id = _text(row, "employee_id", where, problems)
        login = _moment(row.get("login"), "login", zone, where, problems)
        logout = _moment(row.get("logout"), "logout", zone, where, problems, required=False)
        if account_id is not None and account_id not in accounts:
            problems.add(where, f"account_id '{account_id}' is not in cs_accounts")
            continue
        if account_id is None or employee_id is None or login is None:
            continue
        if logout is not None and logout <= login:
            problems.add(where, f"logout {logout.isoformat()} is not after login {login.isoformat()}")
            continue
        shifts.append(Shift(account_id, employee_id, login, logout))
    return shifts


def _sessions(
    rows: list[Any], zone: tzinfo, accounts: Mapping[str, Account], problems: _Problems
) -> list[Session]:
    sessions = []
    seen: set[str] = set()
    for where, row in _rows("cs_sessions", rows, problems):
        session_id = _text(row, "id", where, problems)
        account_id = _text(row, "account_id", where, problems)
        start = _moment(row.get("start"), "start", zone, where, problems)
        end = _moment(row.get("end"), "end", zone, where, problems, required=False)
        first_response = _number(row, "first_response_seconds", where, problems, low=0)
        messages = _number(row, "messages", where, problems, low=0)
        rating = _number(row, "rating", where, problems, low=1, high=5)
        resolved = row.get("resolved")
        if resolved is not None and not isinstance(resolved, bool):
            problems.add(where, f"field 'resolved' must be true, false or null, got {resolved!r}")
            resolved = None
        message = row.get("first_agent_message")
        if message is not None and not isinstance(message, str):
            problems.add(where, f"field 'first_agent_message' must be text, got {message!r}")
            message = None
        if session_id is not None:
            if session_id in seen:
                problems.add(where, f"session id '{session_id}' appears twice; ids must be unique")
                continue
            seen.add(session_id)
        if account_id is not None and account_id not in accounts:
            problems.add(where, f"account_id '{account_id}' is not in cs_accounts")
            continue
        if session_id is None or account_id is None or start is None:
            continue
        if end is not None and end < start:
            problems.add(where, f"end {end.isoformat()} is before start {start.isoformat()}")
            continue
        sessions.append(
            Session(
                id=session_id,
                account_id=account_id,
                start=start,
                end=end,
                first_response_seconds=first_response,
                messages=int(messages) if messages is not None else None,
                resolved=resolved,
                rating=rating,
                first_agent_message=message or "",
                platform=str(row.get("platform", "")),
            )
        )
    return sessions
