"""`hrbot console accounts seed|set-password|list`: the HR console's accounts, in the database of
the project's tracker store (endpoints.yml; SQLite hrbot.db by default).

    hrbot console accounts seed --data demo/company.json [--password-file FILE]
    hrbot console accounts set-password E1001 [--password-file FILE]
    hrbot console accounts list

Passwords are never defaults: they come from --password-file, from environment variables
(HRBOT_CONSOLE_PASSWORD_<EMPLOYEE ID> for seed, HRBOT_CONSOLE_PASSWORD for set-password), or are
typed in when the command runs in a terminal. A new account without one is not created."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hrbot.cli.terminal import Terminal

Prompt = Callable[[str], str]


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("console", help="manage the HR console (accounts)", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    areas = parser.add_subparsers(dest="area", metavar="AREA")
    accounts = areas.add_parser("accounts", help="console accounts")
    actions = accounts.add_subparsers(dest="action", metavar="ACTION")

    seed = actions.add_parser("seed", help="create or update accounts for employees with console roles")
    seed.add_argument("--data", type=Path, required=True, help="company.json with employees and their roles")
    seed.add_argument("--password-file", type=Path, default=None,
                      help="lines 'EMPLOYEE_ID:password' (else $HRBOT_CONSOLE_PASSWORD_<ID>, else typed in)")
    seed.set_defaults(handler=handle_seed)

    set_password = actions.add_parser("set-password", help="set a new password (ends the account's sessions)")
    set_password.add_argument("username", help="the account, e.g. E1001")
    set_password.add_argument("--password-file", type=Path, default=None,
                              help="a file whose first line is the password (else $HRBOT_CONSOLE_PASSWORD, "
                                   "else typed in)")
    set_password.set_defaults(handler=handle_set_password)

    listing = actions.add_parser("list", help="list the accounts")
    listing.set_defaults(handler=handle_list)

    for sub in (seed, set_password, listing):
        sub.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"),
                         help="where the tracker store is (default: endpoints.yml; absent: SQLite hrbot.db)")
    parser.set_defaults(handler=lambda args, terminal: _usage(parser, terminal))
    accounts.set_defaults(handler=lambda args, terminal: _usage(accounts, terminal))


def _usage(parser: argparse.ArgumentParser, terminal: Terminal) -> int:
    terminal.print(parser.format_help())
    return 2


def _interactive() -> bool:
    return sys.stdin.isatty()


def _typed_password(username: str, prompt: Prompt) -> str:
    from hrbot.shared.errors import HrbotError

    first = prompt(f"{username} 的新密码 (new password): ")
    if prompt(f"再输入一次 {username} 的密码 (again): ") != first:
        raise HrbotError(f"the two passwords typed for {username} differ; run the command again")
    return first


def _stores(args: argparse.Namespace) -> Any:
    from hrbot.console.accounts import AccountStore
    from hrbot.console.audit import AuditLog
    from hrbot.console.passwords import Passwords
    from hrbot.console.sessions import SessionStore
    from hrbot.console.settings import ConsoleSettings
    from hrbot.console.tables import console_tables, open_console_database

    tables = console_tables(open_console_database(args.endpoints, Path.cwd()))
    settings = ConsoleSettings()
    sessions = SessionStore(tables, idle_seconds=settings.session_idle_seconds,
                            max_seconds=settings.session_max_seconds)
    return tables, AccountStore(tables), sessions, AuditLog(tables), Passwords()


def handle_seed(args: argparse.Namespace, terminal: Terminal, prompt: Prompt | None = None) -> int:
    from hrbot.console.employees import read_employees
    from hrbot.console.seeding import (
        console_seats,
        parse_password_file,
        passwords_from_environment,
        plan_seed,
        read_password_file,
        seed_accounts,
    )

    seats = console_seats(read_employees(args.data))
    if not seats:
        terminal.info(f"{args.data}: no employee has a console role (hr_agent, hr_admin, designer)")
        return 0
    passwords = passwords_from_environment(os.environ)
    if args.password_file is not None:
        passwords.update(parse_password_file(read_password_file(args.password_file), str(args.password_file)))
    tables, accounts, sessions, audit, hasher = _stores(args)
    try:
        plan = asyncio.run(plan_seed(accounts, seats, passwords))
        ask = prompt or (getpass.getpass if _interactive() else None)
        if plan.missing and ask is not None:
            for username in plan.missing:
                plan.passwords[username] = _typed_password(username, ask)
        result = asyncio.run(seed_accounts(plan, accounts, sessions, audit, hasher, time.time()))
    finally:
        tables.database.dispose()
    for seat in seats:
        state = "created" if seat.username in result.created else "updated"
        password = ", password set" if seat.username in result.passwords_set else ""
        roles = ",".join(sorted(role.value for role in seat.roles))
        terminal.print(f"{seat.username}  {seat.display_name}  {roles}  ({state}{password})")
    terminal.info(f"{len(result.created)} account(s) created, {len(result.updated)} updated")
    return 0


def handle_set_password(args: argparse.Namespace, terminal: Terminal, prompt: Prompt | None = None) -> int:
    from hrbot.console.seeding import read_password_file, set_password
    from hrbot.shared.errors import HrbotError

    if args.password_file is not None:
        lines = read_password_file(args.password_file).splitlines()
        password = lines[0] if lines else ""
    elif os.environ.get("HRBOT_CONSOLE_PASSWORD"):
        password = os.environ["HRBOT_CONSOLE_PASSWORD"]
    elif prompt is not None or _interactive():
        password = _typed_password(args.username, prompt or getpass.getpass)
    else:
        raise HrbotError("no password given: use --password-file, $HRBOT_CONSOLE_PASSWORD, or run the "
                         "command in a terminal to type it")
    tables, accounts, sessions, audit, hasher = _stores(args)
    try:
        ended = asyncio.run(
            set_password(args.username, password, accounts, sessions, audit, hasher, time.time()))
    finally:
        tables.database.dispose()
    terminal.print(f"password of {args.username} changed; {ended} session(s) ended")
    return 0


def handle_list(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.console.roles import role_label

    tables, accounts, _, _, _ = _stores(args)
    try:
        found = asyncio.run(accounts.all())
    finally:
        tables.database.dispose()
    now = time.time()
    for account in found:
        state = "disabled" if account.disabled else "locked" if account.locked(now) else "active"
        terminal.print(f"{account.username}  {account.display_name}  {role_label(account.roles)}  {state}")
    if not found:
        terminal.info("no console accounts yet: hrbot console accounts seed --data demo/company.json")
    return 0
