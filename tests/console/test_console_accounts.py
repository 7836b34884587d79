"""Console accounts: seeded from company.json's roles by `hrbot console accounts seed` only with
passwords someone chose (no default password exists), new passwords with `set-password`, and
the admins' account page (unlock, disable, sign out everywhere, reset a password)."""

from __future__ import annotations

import argparse
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from console_support import ADMIN, AGENT, COMPANY_FILE, DESIGNER, PASSWORDS, Browser, Console

from hrbot.cli.commands import console as console_command
from hrbot.cli.terminal import Terminal
from hrbot.console.audit import AuditFilter
from hrbot.console.roles import Role
from hrbot.console.seeding import console_seats, parse_password_file
from hrbot.shared.errors import HrbotError


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def hrbot(*argv: str, prompt: Any = None) -> Run:
    """`hrbot console ...` in the current folder, with captured output."""
    parser = argparse.ArgumentParser()
    console_command.add_parser(parser.add_subparsers())
    args = parser.parse_args(["console", *argv])
    terminal = Terminal(out=StringIO(), err=StringIO())
    code = args.handler(args, terminal, prompt) if prompt is not None else args.handler(args, terminal)
    return Run(code, terminal.out.getvalue(), terminal.err.getvalue())  # type: ignore[attr-defined]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (SQLite hrbot.db) with a small company: one admin, one designer, one
    employee without a console role."""
    employees = [e for e in json.loads(COMPANY_FILE.read_text(encoding="utf-8"))["employees"]
                 if e["id"] in (ADMIN, DESIGNER, "E1008")]
    (tmp_path / "company.json").write_text(json.dumps({"employees": employees}, ensure_ascii=False),
                                           encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_demo_company_has_seven_console_seats_with_their_roles() -> None:
    seats = console_seats(json.loads(COMPANY_FILE.read_text(encoding="utf-8"))["employees"])
    assert [(seat.username, sorted(seat.roles)) for seat in seats] == [
        ("E1001", [Role.HR_ADMIN]), ("E1002", [Role.HR_AGENT]), ("E1003", [Role.HR_AGENT]),
        ("E1004", [Role.HR_AGENT]), ("E1005", [Role.HR_AGENT]), ("E1006", [Role.HR_AGENT]),
        ("E1043", [Role.DESIGNER]),
    ]


def test_seeding_without_passwords_creates_no_account_and_says_how_to_give_them(project: Path) -> None:
    with pytest.raises(HrbotError, match=r"no password: E1001, E1043; .*--password-file"):
        hrbot("accounts", "seed", "--data", "company.json")
    assert "no console accounts yet" in hrbot("accounts", "list").err


def test_seeding_refuses_a_weak_password_and_creates_nothing(project: Path) -> None:
    weak = f"{ADMIN}:{PASSWORDS[ADMIN]}\n{DESIGNER}:password\n"
    (project / "passwords.txt").write_text(weak, encoding="utf-8")
    with pytest.raises(HrbotError, match="E1043 is not accepted"):
        hrbot("accounts", "seed", "--data", "company.json", "--password-file", "passwords.txt")
    assert hrbot("accounts", "list").out == ""


def test_seeding_creates_the_accounts_with_their_roles_and_keeps_passwords_on_a_second_run(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = f"# console passwords\n{ADMIN}:{PASSWORDS[ADMIN]}\n"
    (project / "passwords.txt").write_text(lines, encoding="utf-8")
    monkeypatch.setenv(f"HRBOT_CONSOLE_PASSWORD_{DESIGNER}", PASSWORDS[DESIGNER])

    first = hrbot("accounts", "seed", "--data", "company.json", "--password-file", "passwords.txt")
    monkeypatch.delenv(f"HRBOT_CONSOLE_PASSWORD_{DESIGNER}")
    second = hrbot("accounts", "seed", "--data", "company.json")

    assert first.out.splitlines() == ["E1001  田艳  hr_admin  (created, password set)",
                                      "E1043  叶娟  designer  (created, password set)"]
    assert second.out.splitlines() == ["E1001  田艳  hr_admin  (updated)", "E1043  叶娟  designer  (updated)"]
    assert hrbot("accounts", "list").out.splitlines() == ["E1001  田艳  HR 管理员  active",
                                                          "E1043  叶娟  对话设计师  active"]


def test_seeding_in_a_terminal_asks_for_each_missing_password_twice(project: Path) -> None:
    typed = iter([PASSWORDS[ADMIN], PASSWORDS[ADMIN], PASSWORDS[DESIGNER], PASSWORDS[DESIGNER]])
    prompts: list[str] = []

    def prompt(text: str) -> str:
        prompts.append(text)
        return next(typed)

    assert hrbot("accounts", "seed", "--data", "company.json", prompt=prompt).code == 0
    assert len(prompts) == 4 and "E1001" in prompts[0] and "E1043" in prompts[2]


def test_set_password_changes_the_password_and_refuses_unknown_accounts(project: Path) -> None:
    (project / "passwords.txt").write_text(f"{ADMIN}:{PASSWORDS[ADMIN]}\n{DESIGNER}:{PASSWORDS[DESIGNER]}\n",
                                           encoding="utf-8")
    hrbot("accounts", "seed", "--data", "company.json", "--password-file", "passwords.txt")
    (project / "new.txt").write_text("a-brand-new-secret-42\n", encoding="utf-8")

    changed = hrbot("accounts", "set-password", ADMIN, "--password-file", "new.txt")

    assert changed.out.strip() == "password of E1001 changed; 0 session(s) ended"
    with pytest.raises(HrbotError, match="no console account 'E1002'"):
        hrbot("accounts", "set-password", AGENT, "--password-file", "new.txt")
    (project / "weak.txt").write_text("12345678\n", encoding="utf-8")
    with pytest.raises(HrbotError, match="not accepted"):
        hrbot("accounts", "set-password", ADMIN, "--password-file", "weak.txt")


def test_a_password_file_line_without_a_colon_names_its_line() -> None:
    with pytest.raises(HrbotError, match=r"pw.txt:2: write 'EMPLOYEE_ID:password'"):
        parse_password_file("E1001:good-password-1\nE1002 good-password-2\n", "pw.txt")
    assert parse_password_file("E1001:with:colons in it\n") == {"E1001": "with:colons in it"}


@pytest.mark.parametrize("guess", ["", "password", "admin123", "changeme", "E1001", "hrbot123", "12345678"])
def test_no_default_password_opens_a_seeded_account(console: Console, browser: Browser, guess: str) -> None:
    console.add_account(ADMIN)
    assert browser.log_in(ADMIN, guess).status_code == 401


@pytest.fixture
def admin(console: Console, browser: Browser) -> Browser:
    for username in (ADMIN, AGENT):
        console.add_account(username)
    browser.log_in(ADMIN)
    browser.get("/accounts")
    return browser


def test_an_admin_unlocks_a_locked_account(console: Console, admin: Browser) -> None:
    other = console.client()
    for _ in range(5):
        other.log_in(AGENT, "wrong-password-x")
    assert "已锁定至" in admin.get("/accounts").text

    unlocked = admin.post("/accounts/unlock", {"username": AGENT})
    assert unlocked.headers["location"] == "/console/accounts?notice=unlocked"
    assert other.log_in(AGENT).status_code == 303
    other.close()


def test_disabling_an_account_signs_it_out_everywhere_and_keeps_it_out(
    console: Console, admin: Browser
) -> None:
    agent = console.client()
    agent.log_in(AGENT)

    admin.post("/accounts/disable", {"username": AGENT})

    assert agent.get("/inbox").status_code == 303
    assert agent.log_in(AGENT).status_code == 401
    admin.get("/accounts")
    admin.post("/accounts/enable", {"username": AGENT})
    assert agent.log_in(AGENT).status_code == 303
    agent.close()


def test_an_admin_cannot_disable_their_own_account(console: Console, admin: Browser) -> None:
    refused = admin.post("/accounts/disable", {"username": ADMIN})
    assert refused.status_code == 400 and "不能停用自己的账号" in refused.text


def test_an_admin_resets_a_password_only_to_one_that_meets_the_rules(
    console: Console, admin: Browser
) -> None:
    weak = admin.post("/accounts/password", {"username": AGENT, "password": "short", "password2": "short"})
    assert weak.status_code == 400 and "至少需要 10 个字符" in weak.text
    mismatch = admin.post("/accounts/password", {"username": AGENT, "password": "long-enough-1",
                                                 "password2": "long-enough-2"})
    assert mismatch.status_code == 400

    assert admin.post("/accounts/password", {"username": AGENT, "password": "reset-by-admin-7",
                                             "password2": "reset-by-admin-7"}).status_code == 303

    agent = console.client()
    assert agent.log_in(AGENT).status_code == 401
    assert agent.log_in(AGENT, "reset-by-admin-7").status_code == 303
    agent.close()
    audited = console.run(console.ctx.audit.entries(AuditFilter(action="account.set_password")))
    assert [(entry.actor, entry.target) for entry in audited] == [(ADMIN, AGENT)]


def test_an_agent_cannot_use_the_account_actions(console: Console, browser: Browser) -> None:
    console.add_account(AGENT)
    console.add_account(ADMIN)
    browser.log_in(AGENT)
    assert browser.post("/accounts/disable", {"username": ADMIN}).status_code == 403
    assert not console.run(console.ctx.accounts.get(ADMIN)).disabled
