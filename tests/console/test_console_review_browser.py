"""Review, retraining and analytics in a real headless Chromium against a real hrbot server on
a free port: a designer opens a conversation the bot could not handle, selects words in the
employee's message to mark an entity, picks the right intent and saves — and the example is in
the project's data/reviewed.yml; markup the employee typed stays text everywhere; a retraining
job reports its progress and its result on the page; an admin sees the analytics charts.

Needs the system's chromium and chromedriver (Debian: `apt-get install chromium chromium-driver`);
no browser is downloaded. Under CI (CI=true) a missing browser fails the test instead of skipping.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from argon2 import PasswordHasher
from console_support import (
    ADMIN,
    COMPANY_FILE,
    DESIGNER,
    EMPLOYEE,
    HANDBOOK_FILE,
    PASSWORDS,
    train_console_project,
)
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from hrbot.assistant import open_assistant
from hrbot.console.accounts import AccountStore
from hrbot.console.annotation import build_example
from hrbot.console.annotation_file import ReviewedExample, ReviewedFile
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

MESSAGE = '<img src=x onerror="document.title=\'pwned\'"><b>加粗</b>我的社保明天怎么还没交'
WHOLE_TIME = "from=&to="


def seed(project: Path) -> None:
    """The designer's and the admin's console accounts, as `hrbot console accounts seed` makes them."""
    employees = json.loads(COMPANY_FILE.read_text(encoding="utf-8"))["employees"]
    wanted = {DESIGNER: PASSWORDS[DESIGNER], ADMIN: PASSWORDS[ADMIN]}
    seats = [seat for seat in console_seats(employees) if seat.username in wanted]
    tables = console_tables(open_console_database(None, project))
    hasher = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))

    async def run() -> None:
        plan = await plan_seed(AccountStore(tables), seats, wanted)
        sessions = SessionStore(tables, idle_seconds=3600, max_seconds=3600)
        await seed_accounts(plan, AccountStore(tables), sessions, AuditLog(tables), hasher, time.time())

    asyncio.run(run())
    tables.database.dispose()


class LiveServer:
    """The real hrbot app (console at /console) on a real socket, started in the project folder."""

    def __init__(self, project: Path, model: Any) -> None:
        import uvicorn

        self.project = project
        self.url = f"http://127.0.0.1:{free_port()}"
        assistant = open_assistant(model, project, parse_endpoints(""), fixed_clock(REFERENCE_TIME))
        state = ServerState(model, fixed_clock(REFERENCE_TIME), assistant=assistant, trust_sender=True)
        with pytest.MonkeyPatch.context() as env:  # what `hrbot run` in the project folder would see
            env.chdir(project)
            env.setenv("HRBOT_CONSOLE_COMPANY", str(COMPANY_FILE))
            env.setenv("HRBOT_CONSOLE_HANDBOOK", str(HANDBOOK_FILE))
            app = create_app(state)
        port = int(self.url.rsplit(":", 1)[1])
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                                ws="none", http="h11", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)

    def say(self, sender: str, text: str) -> None:
        response = httpx.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                              timeout=10)
        assert response.status_code == 200, response.text

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    browser_binaries("console")
    project, model = train_console_project(tmp_path_factory.mktemp("review-browser"))
    seed(project)
    live = LiveServer(project, model)
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
    chrome.get("about:blank")
    chrome.quit()


class Page:
    """The console in the browser."""

    def __init__(self, driver: Any, server: LiveServer) -> None:
        self.driver, self.server = driver, server

    def open(self, path: str) -> None:
        self.driver.get(f"{self.server.url}/console{path}")

    def wait(self, condition: Callable[[], Any], what: str, timeout: float = 15) -> Any:
        try:
            waiting = WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                                    ignored_exceptions=(StaleElementReferenceException,))
            return waiting.until(lambda _: condition())
        except TimeoutException:
            body = self.driver.find_element(By.TAG_NAME, "body").text
            raise AssertionError(f"waited {timeout} s for {what}; the page shows:\n{body}") from None

    def find(self, css: str) -> list[Any]:
        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def log_in(self, username: str) -> None:
        self.open("/login")
        self.driver.delete_all_cookies()
        self.open("/login")
        self.driver.find_element(By.ID, "username").send_keys(username)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORDS[username])
        self.driver.find_element(By.ID, "login-submit").click()
        self.wait(lambda: self.find("#who"), f"{username} to be logged in")


@pytest.fixture
def page(driver: Any, server: LiveServer) -> Page:
    driver.get("about:blank")
    return Page(driver, server)


SELECT_WORDS = """
const [node, words] = arguments;
const text = node.firstChild;
const start = text.data.indexOf(words);
const range = document.createRange();
range.setStart(text, start);
range.setEnd(text, start + words.length);
const selection = window.getSelection();
selection.removeAllRanges();
selection.addRange(range);
"""


def test_a_designer_marks_an_entity_by_selecting_text_corrects_the_intent_and_finds_it_in_reviewed_yml(
    page: Page, server: LiveServer
) -> None:
    server.say(EMPLOYEE, MESSAGE)  # the bot has no rule for what it understood: its fallback answers
    page.log_in(DESIGNER)
    page.open(f"/review?{WHOLE_TIME}")
    row = f'tr[data-sender="{EMPLOYEE}"]'
    page.wait(lambda: page.find(row), "the conversation on the review list")
    assert "兜底" in page.find(row)[0].text and MESSAGE in page.find(row)[0].text
    assert page.find(f"{row} img, {row} .text b") == []  # the employee's markup is text...
    assert "pwned" not in page.driver.title  # ...and never ran

    page.find(f"{row} a.open-review")[0].click()
    item = page.wait(lambda: page.find("li.review-item"), "the conversation's messages")[0]
    utterance = item.find_element(By.CSS_SELECTOR, ".utterance")
    assert utterance.text == MESSAGE and page.find(".utterance *") == []
    page.driver.execute_script(SELECT_WORDS, utterance, "明天")
    tools = item.find_element(By.CSS_SELECTOR, ".span-tools")
    page.wait(tools.is_displayed, "the entity tools for the selection")
    assert item.find_element(By.CSS_SELECTOR, ".selected").text == "明天"
    Select(item.find_element(By.CSS_SELECTOR, "select.entity-type")).select_by_visible_text("date")
    item.find_element(By.CSS_SELECTOR, "button.add-span").click()
    page.wait(lambda: "明天 → date" in item.find_element(By.CSS_SELECTOR, "ul.spans").text, "the entity chip")
    Select(item.find_element(By.CSS_SELECTOR, "select.intent")).select_by_visible_text("salary_query")
    item.find_element(By.CSS_SELECTOR, "button.correct").click()

    page.wait(lambda: page.find("#notice"), "the saved notice")
    assert "已写入 data/reviewed.yml" in page.find("#notice")[0].text
    assert "pwned" not in page.driver.title
    document = yaml.safe_load((server.project / "data" / "reviewed.yml").read_text(encoding="utf-8"))
    [entry] = document["nlu"]
    assert entry["intent"] == "salary_query"
    assert entry["examples"][0]["text"] == MESSAGE.replace("明天", "[明天](date)")
    assert entry["examples"][0]["metadata"]["reviewed_by"] == DESIGNER


def test_a_retraining_job_shows_its_progress_and_result_without_a_reload_by_hand(
    page: Page, server: LiveServer
) -> None:
    example = build_example("社保基数什么时候调整", "salary_query", [], intents=["salary_query"], entities=[])
    ReviewedFile(server.project).append([ReviewedExample(example, DESIGNER, time.time() + 60, 0, "correct")])
    page.log_in(DESIGNER)
    page.open("/retrain")
    page.driver.find_element(By.ID, "retrain-start").click()

    page.wait(lambda: page.find("#cv-table"), "the cross-validation results", timeout=60)
    assert "已完成" in page.find("#retrain-state")[0].text
    assert "%" in page.find("#cv-new .accuracy")[0].text
    assert page.find("#activate")  # the new example makes a candidate to activate


def test_an_admin_sees_the_analytics_charts_drawn(page: Page, server: LiveServer) -> None:
    server.say("E1010", "/human_handoff")
    page.log_in(ADMIN)
    page.open("/analytics?from=2026-11-15&to=2026-11-21")

    chart = page.wait(lambda: page.find("#chart-handoffs"), "the handoff chart")[0]
    assert chart.size["width"] > 300 and chart.size["height"] > 50
    assert page.find("#chart-handoffs rect.column")
    assert page.find("#definition-containment")[0].text.startswith("定义:没有转人工就结束的会话所占比例")
