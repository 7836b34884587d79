"""Console accounts from the employee list: every employee with a console role (`hr_agent`,
`hr_admin`, `designer` in company.json's `roles`) gets an account named by their employee id.

No account is ever created without a password someone chose: `plan_seed` says which new
accounts still lack one, and `seed_accounts` refuses to run until every one has a password that
meets the rules. Existing accounts keep their password unless a new one is given; their name and
roles follow the list. Passwords come from a file (`parse_password_file`), from
HRBOT_CONSOLE_PASSWORD_<EMPLOYEE ID> variables, or are typed in (the CLI asks).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrbot.console.accounts import Account, AccountStore
from hrbot.console.audit import AuditLog
from hrbot.console.passwords import Passwords, WeakPasswordError, check_password_rules
from hrbot.console.roles import Role, parse_roles
from hrbot.console.sessions import SessionStore
from hrbot.shared.errors import HrbotError

PASSWORD_VARIABLE_PREFIX = "HRBOT_CONSOLE_PASSWORD_"
CLI_ACTOR = "cli"


@dataclass(frozen=True)
class Seat:
    """An employee who should have a console account."""

    username: str
    display_name: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class SeedPlan:
    seats: list[Seat]
    existing: frozenset[str]
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """New accounts nobody gave a password for yet."""
        return [seat.username for seat in self.seats
                if seat.username not in self.existing and seat.username not in self.passwords]


@dataclass(frozen=True)
class SeedResult:
    created: list[str]
    updated: list[str]
    passwords_set: list[str]


def console_seats(employees: Sequence[Mapping[str, Any]]) -> list[Seat]:
    """The employees with at least one console role, in list order."""
    seats = []
    for record in employees:
        roles = record.get("roles")
        found = parse_roles(str(role) for role in roles) if isinstance(roles, list) else frozenset()
        if found and record.get("id"):
            seats.append(Seat(str(record["id"]), str(record.get("name") or record["id"]), found))
    return seats


def parse_password_file(text: str, source: str = "<password file>") -> dict[str, str]:
    """`USERNAME:PASSWORD` lines (the first colon separates them; # comments, blank lines)."""
    found: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        username, colon, password = line.partition(":")
        if not colon or not username.strip() or not password:
            raise HrbotError(f"{source}:{number}: write 'EMPLOYEE_ID:password' (e.g. E1001:...)")
        found[username.strip()] = password
    return found


def passwords_from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """HRBOT_CONSOLE_PASSWORD_E1001=... -> {"E1001": ...}."""
    return {name[len(PASSWORD_VARIABLE_PREFIX):]: value for name, value in environ.items()
            if name.startswith(PASSWORD_VARIABLE_PREFIX) and value}


async def plan_seed(accounts: AccountStore, seats: list[Seat], passwords: Mapping[str, str]) -> SeedPlan:
    existing = frozenset(account.username for account in await accounts.all())
    wanted = {seat.username for seat in seats}
    return SeedPlan(seats, existing, {name: value for name, value in passwords.items() if name in wanted})


async def seed_accounts(plan: SeedPlan, accounts: AccountStore, sessions: SessionStore, audit: AuditLog,
                        hasher: Passwords, now: float) -> SeedResult:
    """Create and update the plan's accounts. HrbotError (nothing written) when a new account has
    no password or a password breaks the rules."""
    if plan.missing:
        raise HrbotError(
            "these new console accounts have no password: " + ", ".join(plan.missing) + "; give each one "
            f"with --password-file (lines 'EMPLOYEE_ID:password'), {PASSWORD_VARIABLE_PREFIX}<EMPLOYEE_ID>, "
            "or run the command in a terminal to type them"
        )
    for username, password in plan.passwords.items():
        try:
            check_password_rules(password, username)
        except WeakPasswordError as error:
            raise HrbotError(f"the password for {username} is not accepted: {error}") from None
    created, updated, passwords_set = [], [], []
    for seat in plan.seats:
        new_password = plan.passwords.get(seat.username)
        new_hash = await asyncio.to_thread(hasher.hash, new_password) if new_password is not None else None
        if seat.username in plan.existing:
            await accounts.update_profile(seat.username, display_name=seat.display_name,
                                          employee_id=seat.username, roles=seat.roles)
            updated.append(seat.username)
            if new_hash is not None:
                await accounts.set_password_hash(seat.username, new_hash, now)
                await sessions.end_all(seat.username)
                passwords_set.append(seat.username)
        else:
            assert new_hash is not None, "plan.missing is empty"
            await accounts.save(Account(
                username=seat.username, display_name=seat.display_name, roles=seat.roles,
                password_hash=new_hash, employee_id=seat.username, created_at=now, password_changed_at=now,
            ))
            created.append(seat.username)
            passwords_set.append(seat.username)
        await audit.record(CLI_ACTOR, "account.seed", seat.username, {
            "roles": sorted(role.value for role in seat.roles), "created": seat.username in created,
            "password_set": seat.username in passwords_set}, now=now)
    return SeedResult(created, updated, passwords_set)


async def set_password(username: str, password: str, accounts: AccountStore, sessions: SessionStore,
                       audit: AuditLog, hasher: Passwords, now: float) -> int:
    """A new password for an existing account; ends its sessions (returns how many)."""
    if await accounts.get(username) is None:
        raise HrbotError(f"there is no console account '{username}': create it with "
                         "'hrbot console accounts seed --data company.json'")
    try:
        check_password_rules(password, username)
    except WeakPasswordError as error:
        raise HrbotError(f"the password is not accepted: {error}") from None
    await accounts.set_password_hash(username, await asyncio.to_thread(hasher.hash, password), now)
    ended = await sessions.end_all(username)
    await audit.record(CLI_ACTOR, "account.set_password", username, {"sessions": ended}, now=now)
    return ended


def read_password_file(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise HrbotError(f"cannot read the password file {path}: {error.strerror}") from None
