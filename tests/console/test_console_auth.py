"""Logging in and staying safe: hashed passwords, server-side sessions in Secure/HttpOnly/
SameSite cookies, a new session id at every login (session fixation), the CSRF token and Origin
check on every state-changing request, lockout after repeated failures, logout everywhere."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from console_support import ADMIN, AGENT, ORIGIN, PASSWORDS, Browser, Console, open_console
from starlette.routing import Route

from hrbot.console.audit import AuditFilter
from hrbot.console.sessions import hash_session_id
from hrbot.model.loading import LoadedModel

COOKIE = "__Host-hrbot-console"


@pytest.fixture
def agent(console: Console) -> Console:
    console.add_account(AGENT)
    return console


def entries(console: Console, action: str) -> list[dict[str, object]]:
    found = console.run(console.ctx.audit.entries(AuditFilter(action=action), limit=100))
    return [{"actor": entry.actor, "target": entry.target, **entry.details} for entry in found]


def test_passwords_are_stored_as_argon2id_hashes_only(agent: Console) -> None:
    account = agent.run(agent.ctx.accounts.get(AGENT))
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORDS[AGENT] not in account.password_hash


def test_logging_in_sets_a_secure_httponly_samesite_session_cookie_for_a_new_session(
    agent: Console, browser: Browser
) -> None:
    browser.get("/login")
    visitor = browser.session_cookie()

    response = browser.post("/login", {"username": AGENT, "password": PASSWORDS[AGENT]})

    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    for attribute in ("Secure", "HttpOnly", "SameSite=strict", "Path=/"):
        assert attribute in cookie
    assert browser.session_cookie() not in (None, visitor)
    assert browser.get("/inbox").status_code == 200
    assert entries(agent, "login")[0]["actor"] == AGENT


def test_a_session_id_planted_before_login_never_becomes_a_logged_in_session(
    agent: Console, browser: Browser
) -> None:
    attacker = agent.client()
    attacker.get("/login")
    planted = attacker.session_cookie()
    assert planted is not None
    browser.http.cookies.set(COOKIE, planted, domain="console.test")
    browser.csrf = attacker.csrf  # the victim submits the attacker's login page

    assert browser.post("/login", {"username": AGENT, "password": PASSWORDS[AGENT]}).status_code == 303

    assert browser.session_cookie() != planted
    assert attacker.get("/inbox").status_code == 303  # the planted id still belongs to nobody
    session = agent.run(agent.ctx.sessions.find(planted, agent.clock.now))
    assert session is None
    attacker.close()


def test_a_made_up_session_cookie_is_ignored_and_replaced(agent: Console, browser: Browser) -> None:
    browser.http.cookies.set(COOKIE, "chosen-by-the-attacker", domain="console.test")

    assert browser.get("/inbox").headers["location"] == "/console/login"
    browser.get("/login")
    assert browser.session_cookie() != "chosen-by-the-attacker"
    browser.post("/login", {"username": AGENT, "password": PASSWORDS[AGENT]})
    assert browser.get("/inbox").status_code == 200


def test_the_database_keeps_only_a_hash_of_each_session_id(agent: Console, browser: Browser) -> None:
    browser.log_in(AGENT)
    cookie = browser.session_cookie()
    assert cookie is not None
    table = agent.ctx.tables.sessions
    ids = agent.run(agent.ctx.tables.run(lambda conn: [row.id_hash for row in conn.execute(table.select())]))
    assert hash_session_id(cookie) in ids and cookie not in ids


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(agent: Console, browser: Browser) -> None:
    wrong = browser.log_in(AGENT, "not-the-password")
    unknown = browser.log_in("E9999", "not-the-password")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.text.count("用户名或密码错误") == unknown.text.count("用户名或密码错误") == 1
    assert browser.get("/inbox").status_code == 303
    failures = [(e["target"], e["known"]) for e in entries(agent, "login.failed")]
    assert failures == [("E9999", False), (AGENT, True)]


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one_until_the_lock_expires(
    agent: Console, browser: Browser
) -> None:
    for _ in range(5):
        assert browser.log_in(AGENT, "guess-number-n").status_code == 401
    assert entries(agent, "login.failed")[0].get("locked_now") is True

    assert browser.log_in(AGENT).status_code == 401  # the right password, but locked
    assert agent.run(agent.ctx.accounts.get(AGENT)).locked(agent.clock.now)

    agent.clock.now += 15 * 60 + 1
    assert browser.log_in(AGENT).status_code == 303
    assert agent.run(agent.ctx.accounts.get(AGENT)).failed_logins == 0


def test_a_right_password_resets_the_count_of_wrong_ones(agent: Console, browser: Browser) -> None:
    for _ in range(4):
        browser.log_in(AGENT, "guess-number-n")
    assert browser.log_in(AGENT).status_code == 303
    browser.post("/logout")
    for _ in range(4):
        browser.log_in(AGENT, "guess-number-n")
    assert browser.log_in(AGENT).status_code == 303


def console_posts(console: Console) -> list[str]:
    return [route.path for route in console.routes()
            if isinstance(route, Route) and "POST" in (route.methods or ())]


def test_every_state_changing_route_refuses_a_request_without_the_csrf_token(
    console: Console, browser: Browser
) -> None:
    console.add_account(ADMIN)
    console.hand_off("E1008")
    browser.log_in(ADMIN)
    posts = console_posts(console)
    assert {"/login", "/logout", "/conversations/claim", "/conversations/reply", "/accounts/disable"} \
        <= set(posts)

    for path in posts:
        form = {"sender_id": "E1008", "username": AGENT, "text": "hi", "password": "x"}
        assert browser.post(path, form, csrf=False).status_code == 403, path
        assert browser.post(path, {**form, "csrf_token": "forged-token"}).status_code == 403, path
    assert browser.get("/inbox").status_code == 200  # still logged in: /logout was refused too
    claim = console.run(console.ctx.claims.current())
    assert claim == {}


def test_a_post_from_another_origin_is_refused_even_with_the_right_token(
    agent: Console, browser: Browser
) -> None:
    browser.log_in(AGENT)
    browser.get("/inbox")

    response = browser.post("/logout", headers={"Origin": "https://evil.example"})
    without_origin = browser.request("POST", "/console/logout", data={"csrf_token": browser.csrf},
                                     headers={"Origin": ""})

    assert response.status_code == without_origin.status_code == 403
    assert browser.get("/inbox").status_code == 200
    referer_only = browser.request("POST", "/console/logout", data={"csrf_token": browser.csrf},
                                   headers={"Origin": "", "Referer": f"{ORIGIN}/console/inbox"})
    assert referer_only.status_code == 303


def test_logout_ends_the_session_on_the_server(agent: Console, browser: Browser) -> None:
    browser.log_in(AGENT)
    cookie = browser.session_cookie()

    assert browser.post("/logout").headers["location"] == "/console/login"

    replay = agent.client()
    replay.http.cookies.set(COOKIE, cookie or "", domain="console.test")
    assert replay.get("/inbox").status_code == 303
    replay.close()


def test_logout_everywhere_ends_the_users_sessions_in_every_browser(agent: Console, browser: Browser) -> None:
    laptop, phone = browser, agent.client()
    laptop.log_in(AGENT)
    phone.log_in(AGENT)
    assert phone.get("/inbox").status_code == 200

    laptop.get("/inbox")
    assert laptop.post("/logout-all").status_code == 303

    assert phone.get("/inbox").status_code == 303
    stream = phone.get("/live/inbox", headers={"Accept": "text/event-stream"})
    assert stream.status_code == 401
    assert entries(agent, "logout_all")[0]["sessions"] == 2
    phone.close()


def test_an_open_live_page_is_told_at_once_when_its_session_ends(
    console_model: LoadedModel, tmp_path: Path
) -> None:
    console = open_console(tmp_path, console_model, live_stream_seconds=30.0)
    console.add_account(AGENT)
    browser = console.client()
    browser.log_in(AGENT)

    async def log_out_elsewhere() -> None:
        await asyncio.sleep(0.1)
        await console.ctx.sessions.end_all(AGENT)

    async def watch_while_logged_out() -> httpx.Response:
        stream, _ = await asyncio.gather(
            browser.http.get("/console/live/inbox", headers={"Accept": "text/event-stream"}),
            log_out_elsewhere())
        return stream

    started = time.monotonic()
    stream = console.run(watch_while_logged_out())

    assert stream.status_code == 200
    assert stream.text.rstrip().endswith("event: logout\ndata: {}")
    assert time.monotonic() - started < 5
    browser.close()
    console.close()


def test_sessions_end_after_the_idle_time_and_after_the_maximum_age(agent: Console, browser: Browser) -> None:
    browser.log_in(AGENT)
    agent.clock.now += 8 * 3600 + 1
    assert browser.get("/inbox").status_code == 303

    browser.log_in(AGENT)
    for _ in range(4):  # active all day, yet the session ends after 12 hours
        agent.clock.now += 3 * 3600 + 1
        browser.get("/inbox")
    assert browser.get("/inbox").status_code == 303


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(agent: Console, browser: Browser) -> None:
    browser.log_in(AGENT)
    agent.run(agent.ctx.accounts.set_disabled(AGENT, True))

    assert browser.get("/inbox").status_code == 303
    assert browser.log_in(AGENT).status_code == 401


def test_every_page_has_a_strict_content_security_policy_and_is_never_cached(
    agent: Console, browser: Browser
) -> None:
    for response in (browser.get("/login"), browser.log_in(AGENT), browser.get("/inbox")):
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
    html = browser.get("/inbox").text
    assert "<script>" not in html and " style=" not in html and " onclick=" not in html
