"""The console in a real headless Chromium against a real hrbot server on a free port: each
role logs in and sees only its pages; an agent takes over a handoff that appears live, replies
(the reply reaches the employee's REST callback and the web chat's history) and hands it back;
CSRF and session-fixation attempts are rejected; HTML typed by an employee is shown as text;
the audit chain check finds an edited row.

Needs the system's chromium and chromedriver (Debian: `apt-get install chromium chromium-driver`);
no browser is downloaded. Under CI (CI=true) a missing browser fails the test instead of skipping.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from console_support import (
    ADMIN,
    AGENT,
    COMPANY_FILE,
    DESIGNER,
    EMPLOYEE,
    HANDBOOK_FILE,
    HANDOFF_TEXT,
    OTHER_AGENT,
    PASSWORDS,
    train_console_project,
)
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from hrbot.assistant import open_assistant
from hrbot.cli.commands import audit as audit_command
from hrbot.cli.terminal import Terminal
from hrbot.console.audit import AuditLog
from hrbot.console.passwords import Passwords
from hrbot.console.seeding import console_seats, plan_seed, seed_accounts
from hrbot.console.sessions import SessionStore
from hrbot.console.tables import console_tables, open_console_database
from hrbot.server import ServerState, create_app
from hrbot.shared.clock import fixed_clock
from hrbot.shared.endpoints import parse_endpoints
from hrbot_test_support import REFERENCE_TIME, browser_binaries, free_port

pytestmark = pytest.mark.integration

COOKIE = "__Host-hrbot-console"
SCRIPT_MESSAGE = '<b>加粗</b><img src=x onerror="document.title=\'pwned\'">工资不对'


class EmployeeApp:
    """The employee's app on another origin: receives the bot's REST callbacks, and (playing a
    malicious site) serves a page that posts to the console."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.attack_target = ""
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                app.received.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def do_GET(self) -> None:
                page = (f'<form id="f" method="post" action="{app.attack_target}">'
                        '<input name="sender_id" value="E1008"></form>'
                        '<script>document.getElementById("f").submit()</script>')
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page.encode())

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        # "localhost" is another origin than the console's 127.0.0.1
        self.url = f"http://localhost:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class LiveServer:
    """The real hrbot app (console mounted at /console) on a real socket."""

    def __init__(self, model: Any, project: Path) -> None:
        import uvicorn

        self.project = project
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        assistant = open_assistant(model, project, parse_endpoints(""), fixed_clock(REFERENCE_TIME))
        state = ServerState(model, fixed_clock(REFERENCE_TIME), assistant=assistant, trust_sender=True)
        app = create_app(state)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                ws="none", http="h11", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert self.thread.is_alive(), "uvicorn stopped before it started"
            assert time.monotonic() < deadline, "uvicorn did not start in 20 s"
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "uvicorn did not stop in 10 s"

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        """An employee writes through the REST webhook."""
        response = httpx.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                              timeout=10)
        assert response.status_code == 200, response.text
        replies: list[dict[str, Any]] = response.json()
        return replies


class Colleague:
    """Another agent using the console from elsewhere, over plain HTTP (httpx keeps `Secure`
    cookies to itself on http://, so the session cookie is sent by hand, as a browser would)."""

    def __init__(self, server: LiveServer, username: str) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=10,
                                 headers={"Origin": server.url, "Accept": "text/html"})
        login = self.http.get("/console/login")
        self.cookie = str(login.cookies.get(COOKIE))
        done = self.post("/console/login", {"username": username, "password": PASSWORDS[username]},
                         token=self._token(login.text))
        assert done.status_code == 303, done.text
        self.cookie = str(done.cookies.get(COOKIE))
        self.token = self._token(self.http.get("/console/inbox", headers={"Cookie": self._header()}).text)

    def _header(self) -> str:
        return f"{COOKIE}={self.cookie}"

    @staticmethod
    def _token(html: str) -> str:
        found = re.search(r'name="csrf[-_]token" (?:value|content)="([^"]+)"', html)
        assert found, html
        return found.group(1)

    def post(self, path: str, data: dict[str, str], token: str | None = None) -> httpx.Response:
        return self.http.post(path, data={**data, "csrf_token": token or self.token},
                              headers={"Cookie": self._header()})

    def close(self) -> None:
        self.http.close()


def seed(project: Path) -> None:
    """The console accounts of the demo company's HR staff, as `hrbot console accounts seed` makes them."""
    employees = json.loads(COMPANY_FILE.read_text(encoding="utf-8"))["employees"]
    seats = [seat for seat in console_seats(employees) if seat.username in PASSWORDS]
    tables = console_tables(open_console_database(None, project))
    hasher = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))

    async def run() -> None:
        plan = await plan_seed(_accounts(tables), seats, PASSWORDS)
        sessions = SessionStore(tables, idle_seconds=3600, max_seconds=3600)
        await seed_accounts(plan, _accounts(tables), sessions, AuditLog(tables), hasher, time.time())

    asyncio.run(run())
    tables.database.dispose()


def _accounts(tables: Any) -> Any:
    from hrbot.console.accounts import AccountStore

    return AccountStore(tables)


@pytest.fixture(scope="module")
def employee_app() -> Iterator[EmployeeApp]:
    app = EmployeeApp()
    yield app
    app.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, employee_app: EmployeeApp) -> Iterator[LiveServer]:
    browser_binaries("console")
    project, model = train_console_project(tmp_path_factory.mktemp("console-browser"))
    (project / "credentials.yml").write_text(
        f"rest:\ncallback:\n  url: http://127.0.0.1:{employee_app.port}/hrbot\n", encoding="utf-8")
    seed(project)
    with pytest.MonkeyPatch.context() as env:  # what `hrbot run` in the project folder would read
        env.setenv("HRBOT_CONSOLE_CREDENTIALS", str(project / "credentials.yml"))
        env.setenv("HRBOT_CONSOLE_COMPANY", str(COMPANY_FILE))
        env.setenv("HRBOT_CONSOLE_HANDBOOK", str(HANDBOOK_FILE))
        live = LiveServer(model, project)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def driver(server: LiveServer) -> Iterator[Any]:
    browser, chromedriver = browser_binaries("console")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--lang=zh-CN", "--window-size=1280,900"):
        options.add_argument(argument)
    chrome = webdriver.Chrome(options=options, service=Service(chromedriver))
    yield chrome
    chrome.get("about:blank")  # close the live streams before the server stops
    chrome.quit()


class Console:
    """The console in the browser, with the waits and reads the tests need."""

    def __init__(self, driver: Any, server: LiveServer) -> None:
        self.driver, self.server = driver, server

    def open(self, path: str) -> None:
        self.driver.get(f"{self.server.url}/console{path}")

    def wait(self, condition: Callable[[], Any], what: str, timeout: float = 10) -> Any:
        try:
            waiting = WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                                    ignored_exceptions=(StaleElementReferenceException,))
            return waiting.until(lambda _: condition())
        except TimeoutException:
            body = self.driver.find_element(By.TAG_NAME, "body").text
            raise AssertionError(f"waited {timeout} s for {what}; the page shows:\n{body}") from None

    def find(self, css: str) -> list[Any]:
        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def text(self, css: str) -> str:
        return str(self.driver.find_element(By.CSS_SELECTOR, css).text)

    def log_in(self, username: str, *, again: bool = False) -> None:
        """`username` logged in (kept from an earlier test unless `again`)."""
        self.open("/login")
        if not again and self.driver.find_element(By.TAG_NAME, "body").get_attribute("data-user") == username:
            return
        self.driver.delete_all_cookies()  # whoever was logged in before is gone
        self.open("/login")
        self.driver.find_element(By.ID, "username").send_keys(username)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORDS[username])
        self.driver.find_element(By.ID, "login-submit").click()
        self.wait(lambda: self.find("#who"), f"{username} to be logged in")

    def nav(self) -> list[str]:
        return [link.text for link in self.find("header nav a")]

    def cookie(self) -> str | None:
        found = self.driver.get_cookie(COOKIE)
        return str(found["value"]) if found else None


@pytest.fixture
def console(driver: Any, server: LiveServer) -> Console:
    driver.get("about:blank")
    return Console(driver, server)


@pytest.mark.parametrize("username, pages, forbidden", [
    (AGENT, ["待处理", "会话记录"], "/audit"),
    (DESIGNER, ["会话记录", "审阅标注", "重新训练"], "/inbox"),
    (ADMIN, ["待处理", "会话记录", "审阅标注", "重新训练", "数据分析", "审计日志", "账号管理"], None),
])
def test_each_role_logs_in_and_sees_only_its_pages(
    console: Console, username: str, pages: list[str], forbidden: str | None
) -> None:
    console.log_in(username)

    assert console.nav() == pages
    assert console.driver.title.endswith("· HR 助手")
    for title in pages if username == ADMIN else ():  # every page opens from the navigation
        console.driver.find_element(By.LINK_TEXT, title).click()
        console.wait(lambda t=title: console.text("header nav a.active") == t, f"the {title} page")
    if forbidden:
        console.open(forbidden)
        assert "无权" in console.text("#problem")
    console.driver.find_element(By.ID, "logout").click()
    console.wait(lambda: console.find("#login-form"), "the login page after logout")


def test_an_agent_takes_over_a_live_handoff_replies_through_the_callback_and_hands_it_back(
    console: Console, server: LiveServer, employee_app: EmployeeApp
) -> None:
    console.log_in(AGENT)
    console.open("/inbox")
    console.wait(lambda: console.find("#inbox-empty"), "the empty inbox")

    server.say(EMPLOYEE, "/salary_query")
    assert server.say(EMPLOYEE, "/human_handoff")[-1]["text"] == HANDOFF_TEXT
    server.say(EMPLOYEE, SCRIPT_MESSAGE)

    card = f'article[data-sender="{EMPLOYEE}"]'
    console.wait(lambda: console.find(card) and "工资不对" in console.text(card),
                 "the handoff to appear live")
    shown = console.text(card)
    assert "吴婉清" in shown and "员工要求转人工" in shown and "135****4059" in shown
    assert SCRIPT_MESSAGE in shown  # shown as text...
    assert console.find("#inbox .text b, #inbox .text img") == []  # ...never turned into elements
    assert "pwned" not in console.driver.title  # ...never run
    assert console.text("#inbox-count") == "1"

    console.driver.find_element(By.CSS_SELECTOR, f"{card} button.claim").click()
    console.wait(lambda: console.find("#notice"), "the claimed notice")
    assert "您正在处理此会话" in console.text("#holder")
    assert "意图 salary_query 100%" in console.text("#transcript")

    console.driver.find_element(By.CSS_SELECTOR, "#canned summary").click()
    console.driver.find_element(By.ID, "canned-filter").send_keys("工资按月")
    visible = [button for button in console.find("button.canned") if button.is_displayed()]
    assert [button.text[:3] for button in visible] == ["4.1"]
    visible[0].click()
    box = console.driver.find_element(By.ID, "reply-text")
    assert box.get_attribute("value").startswith("根据《员工手册》第4.1条:工资按月发放")
    box.send_keys("\n我是HR徐雨萱,已为您核对。")
    console.driver.find_element(By.ID, "send-reply").click()

    console.wait(lambda: "回复已发送给员工" in console.text("#notice"), "the sent notice")
    expected = console.find(".line.agent .bubble")[-1].text
    assert expected.endswith("我是HR徐雨萱,已为您核对。")
    deadline = time.monotonic() + 5
    while not employee_app.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert employee_app.received == [{"recipient_id": EMPLOYEE, "text": expected}]
    history = httpx.get(f"{server.url}/webchat/history", params={"sender": EMPLOYEE}, timeout=10).json()
    assert history["messages"][-1] == {**history["messages"][-1], "role": "bot", "text": expected}

    console.driver.find_element(By.ID, "hand-back-note").send_keys("已解释工资构成")
    console.driver.find_element(By.ID, "hand-back").click()
    console.wait(lambda: console.find("#inbox-empty"), "the inbox to be empty again")
    assert server.say(EMPLOYEE, "/greet")[-1]["text"] == "您好,我是HR助手。"


def test_an_agent_sees_live_that_a_colleague_took_the_conversation(
    console: Console, server: LiveServer
) -> None:
    console.log_in(AGENT)
    console.open("/inbox")
    server.say("E1010", "/human_handoff")
    console.wait(lambda: console.find('article[data-sender="E1010"] button.claim'), "the unclaimed card")

    colleague = Colleague(server, OTHER_AGENT)
    assert colleague.post("/console/conversations/claim", {"sender_id": "E1010"}).status_code == 303

    console.wait(lambda: "胡娟 正在处理" in console.text('article[data-sender="E1010"]'),
                 "the card to show the colleague")
    assert console.find('article[data-sender="E1010"] button.claim') == []
    colleague.close()


def test_a_form_on_another_site_cannot_act_in_the_console(
    console: Console, server: LiveServer, employee_app: EmployeeApp
) -> None:
    server.say("E1011", "/human_handoff")
    console.log_in(AGENT)
    employee_app.attack_target = f"{server.url}/console/conversations/claim"

    console.driver.get(f"{employee_app.url}/attack")

    console.wait(lambda: console.find("#problem"), "the console's refusal")
    assert "拒绝" in console.text("#problem") or "安全令牌" in console.text("#problem")
    console.open("/inbox")
    assert console.find("#who")  # still logged in
    console.wait(lambda: console.find('article[data-sender="E1011"] button.claim'),
                 "the card, still unclaimed")


def test_a_session_id_planted_before_login_does_not_log_the_attacker_in(
    console: Console, server: LiveServer
) -> None:
    attacker = httpx.Client(base_url=server.url, timeout=10)
    planted = attacker.get("/console/login").cookies.get(COOKIE)
    assert planted
    console.open("/login")
    console.driver.delete_all_cookies()
    console.driver.add_cookie({"name": COOKIE, "value": planted, "path": "/", "secure": True,
                               "httpOnly": True})
    console.open("/login")
    console.driver.find_element(By.ID, "username").send_keys(AGENT)
    console.driver.find_element(By.ID, "password").send_keys(PASSWORDS[AGENT])
    console.driver.find_element(By.ID, "login-submit").click()
    console.wait(lambda: console.find("#who"), "the login")

    assert console.cookie() not in (None, planted)
    as_attacker = {"Accept": "text/html", "Cookie": f"{COOKIE}={planted}"}
    assert attacker.get("/console/inbox", headers=as_attacker).status_code == 303
    attacker.close()


def test_the_audit_check_finds_an_edited_row(console: Console, server: LiveServer,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    console.log_in(ADMIN)
    console.open("/audit")
    console.driver.find_element(By.ID, "verify").click()
    console.wait(lambda: console.find("#chain-ok"), "the intact chain")

    tables = console_tables(open_console_database(None, server.project))
    tables.database.run_sync(lambda conn: conn.execute(
        tables.audit.update().where(tables.audit.c.id == 3).values(actor="E9999")))
    tables.database.dispose()

    console.driver.find_element(By.ID, "verify").click()
    console.wait(lambda: console.find("#chain-broken"), "the broken chain")
    assert "第 3 条处断开" in console.text("#chain-broken")
    monkeypatch.chdir(server.project)
    parser = argparse.ArgumentParser()
    audit_command.add_parser(parser.add_subparsers())
    args = parser.parse_args(["audit", "verify"])
    terminal = Terminal(out=StringIO(), err=StringIO())
    assert args.handler(args, terminal) == 1
    assert "audit log broken at entry 3:" in terminal.err.getvalue()  # type: ignore[attr-defined]
