"""The web chat page in a real headless Chromium, against a real hrbot server on a free port:
sending and replies, buttons, the typing indicator, input methods, HTML shown as text, reloads,
a server restart and messages typed while the server is down, and the token mode.

Needs the system's chromium and chromedriver (Debian: `apt-get install chromium chromium-driver`);
no browser is downloaded. Under CI (CI=true) a missing browser fails the test instead of skipping.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from webchat_project import GREETING, LEAVE_REPLY, SALARY_REPLY, open_chat_assistant, train_chat_project

from hrbot.server import ServerState, create_app
from hrbot.shared.clock import fixed_clock
from hrbot_test_support import REFERENCE_TIME, browser_binaries, free_port

pytestmark = pytest.mark.integration

SECRET = "webchat-browser-test-secret-of-32-bytes-at-least"
PHONE_WIDTH, PHONE_HEIGHT = 390, 844


class LiveBot:
    """hrbot on a real socket, restartable on the same port with the same SQLite conversations.
    `replies` gates the webhook (clear it and messages are received but not yet answered);
    `requests` records every URL the server was asked for."""

    def __init__(self, model: Any, project: Path, **settings: Any) -> None:
        self.model, self.project, self.settings = model, project, settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.replies = threading.Event()
        self.replies.set()
        self.requests: list[str] = []
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def _gated(self, app: Any) -> Any:
        async def gated(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                self.requests.append(scope["path"] + "?" + scope["query_string"].decode("latin-1"))
            if scope["type"] == "http" and scope["path"] == "/webhooks/rest/webhook":
                # the message has arrived (body read); the bot is slow to answer it
                received = [await receive()]
                while received[-1]["type"] == "http.request" and received[-1].get("more_body"):
                    received.append(await receive())
                while not self.replies.is_set():
                    await asyncio.sleep(0.01)

                async def replay() -> Any:
                    return received.pop(0) if received else await receive()

                await app(scope, replay, send)
                return
            await app(scope, receive, send)

        return gated

    def start(self) -> None:
        import uvicorn

        assistant = open_chat_assistant(self.model, self.project)
        state = ServerState(self.model, fixed_clock(REFERENCE_TIME), assistant=assistant, **self.settings)
        app = create_app(state)
        config = uvicorn.Config(self._gated(app), host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on", ws="none", http="h11")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            assert self._thread.is_alive(), "uvicorn stopped before it started"
            assert time.monotonic() < deadline, "uvicorn did not start in 20 s"
            time.sleep(0.01)

    def stop(self) -> None:
        assert self._server is not None and self._thread is not None
        self.replies.set()
        self._server.should_exit = True
        self._thread.join(timeout=10)
        assert not self._thread.is_alive(), "uvicorn did not stop in 10 s"

    def history(self, sender: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/webchat/history", params={"sender": sender}, timeout=10)
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages


@pytest.fixture(scope="module")
def binaries() -> tuple[str, str]:
    return browser_binaries("web chat")


@pytest.fixture(scope="module")
def chat_model(binaries: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Any:
    return train_chat_project(tmp_path_factory.mktemp("webchat-browser-project"))[1]


@pytest.fixture(scope="module")
def demo_bot(chat_model: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBot]:
    bot = LiveBot(chat_model, tmp_path_factory.mktemp("demo-conversations"), trust_sender=True)
    bot.start()
    yield bot
    bot.stop()


@pytest.fixture(scope="module")
def driver(binaries: tuple[str, str]) -> Iterator[Any]:
    browser, chromedriver = binaries
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--lang=zh-CN"):
        options.add_argument(argument)
    chrome = webdriver.Chrome(options=options, service=Service(chromedriver))
    # a window cannot be narrower than 500 px on every platform; the emulated phone can
    chrome.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": PHONE_WIDTH, "height": PHONE_HEIGHT, "deviceScaleFactor": 2, "mobile": True})
    yield chrome
    chrome.quit()


class Page:
    """The chat page in the browser, with the waits and reads the tests need."""

    def __init__(self, driver: Any, base_url: str) -> None:
        self.driver, self.base_url = driver, base_url

    def open(self, fragment: str = "") -> None:
        """The page afresh, with nothing remembered in this tab's sessionStorage."""
        if not self.driver.current_url.startswith(self.base_url):
            self.driver.get(f"{self.base_url}/webchat")
        self.driver.execute_script("sessionStorage.clear()")
        if fragment:
            self.driver.get("about:blank")  # else a fragment-only change would not load the page again
        self.driver.get(f"{self.base_url}/webchat{fragment}")

    def wait(self, condition: Callable[[], Any], what: str, timeout: float = 10) -> Any:
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(lambda _: condition())
        except TimeoutException:
            raise AssertionError(f"waited {timeout} s for {what}; the page shows {self.messages()}") from None

    def by_id(self, element_id: str) -> Any:
        return self.driver.find_element(By.ID, element_id)

    def visible(self, element_id: str) -> bool:
        return bool(self.by_id(element_id).is_displayed())

    def log_in_as(self, employee: str) -> None:
        self.wait(lambda: self.visible("identity"), "the employee id form")
        field = self.by_id("identity-input")
        field.send_keys(employee)
        field.send_keys(Keys.ENTER)
        self.wait(lambda: self.by_id("input").is_enabled(), "the message box to be enabled")

    def messages(self) -> list[tuple[str, str]]:
        """(role, text as rendered) of every message in the log."""
        found: list[tuple[str, str]] = self.driver.execute_script("""
            return Array.from(document.querySelectorAll('#log .msg')).map(m => [
              m.classList.contains('user') ? 'user' : 'bot',
              (m.querySelector('.bubble') || {innerText: ''}).innerText]);""")
        return [(role, text) for role, text in found]

    def type(self, text: str, *, enter: bool = True) -> None:
        field = self.by_id("input")
        field.send_keys(text)
        if enter:
            field.send_keys(Keys.ENTER)

    def wait_for_message(self, role: str, text: str, count: int = 1) -> None:
        self.wait(lambda: self.messages().count((role, text)) >= count, f"{role} message {text!r}")

    def state_of(self, text: str) -> str:
        """The status line under the user's message `text` ('' once it was delivered)."""
        result: str = self.driver.execute_script("""
            const m = Array.from(document.querySelectorAll('#log .msg.user'))
              .find(m => m.querySelector('.bubble').textContent === arguments[0]);
            const line = m && m.querySelector('.state');
            return line ? line.textContent : '';""", text)
        return result


@pytest.fixture
def page(driver: Any, demo_bot: LiveBot) -> Page:
    chat = Page(driver, demo_bot.url)
    chat.open()
    return chat


def test_a_typed_message_gets_the_bots_reply_with_its_line_break(page: Page) -> None:
    page.log_in_as("E3001")
    page.type("你好")

    page.wait_for_message("bot", GREETING)
    assert page.messages() == [("user", "你好"), ("bot", GREETING)]
    assert page.by_id("input").get_attribute("value") == ""
    assert page.by_id("who-label").text == "体验身份：E3001"


def test_a_button_sends_its_payload_shows_its_title_and_cannot_be_used_again(
    page: Page, demo_bot: LiveBot
) -> None:
    page.log_in_as("E3002")
    page.type("你好")
    page.wait_for_message("bot", GREETING)
    buttons = page.driver.find_elements(By.CSS_SELECTOR, "#log .buttons button")
    assert [button.text for button in buttons] == ["查年假", "查工资"]
    assert all(button.is_enabled() for button in buttons)

    buttons[0].click()

    page.wait_for_message("bot", LEAVE_REPLY)
    assert page.messages()[-2:] == [("user", "查年假"), ("bot", LEAVE_REPLY)]
    assert not any(button.is_enabled() for button in buttons)
    assert "chosen" in (buttons[0].get_attribute("class") or "")
    assert [m["text"] for m in demo_bot.history("E3002") if m["role"] == "user"] == ["你好", "查年假"]


def test_html_in_messages_is_shown_as_text_and_never_runs(page: Page) -> None:
    typed = '<b>加粗</b><img src=x onerror="document.title=\'typed\'">'
    page.log_in_as("E3003")
    page.type(typed)
    page.type("/leave_balance")

    page.wait_for_message("bot", LEAVE_REPLY)
    assert ("user", typed) in page.messages()
    assert page.driver.find_elements(By.CSS_SELECTOR, "#log b, #log img") == []
    assert page.driver.title == "HR 助手"


def test_the_typing_indicator_shows_while_the_reply_is_pending(page: Page, demo_bot: LiveBot) -> None:
    page.log_in_as("E3004")
    assert not page.visible("typing")
    demo_bot.replies.clear()
    try:
        page.type("你好")
        page.wait(lambda: page.visible("typing"), "the typing indicator")
        assert page.state_of("你好") == "发送中…"
    finally:
        demo_bot.replies.set()

    page.wait_for_message("bot", GREETING)
    page.wait(lambda: not page.visible("typing"), "the typing indicator to go")
    assert page.state_of("你好") == ""


def test_enter_that_ends_an_input_method_composition_does_not_send_and_shift_enter_is_a_new_line(
    page: Page,
) -> None:
    page.log_in_as("E3005")
    page.by_id("input").click()
    driver = page.driver
    # what a pinyin input method does: compose "nihao", Enter picks the candidate 你好
    driver.execute_cdp_cmd("Input.imeSetComposition",
                           {"text": "nihao", "selectionStart": 5, "selectionEnd": 5})
    for kind in ("rawKeyDown", "keyUp"):
        driver.execute_cdp_cmd("Input.dispatchKeyEvent", {
            "type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 229})
    driver.execute_cdp_cmd("Input.insertText", {"text": "你好"})

    assert page.by_id("input").get_attribute("value") == "你好"
    assert page.messages() == []

    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    page.type("再见")
    page.wait_for_message("bot", "再见！")
    assert page.messages()[0] == ("user", "你好\n再见")


def test_a_reload_keeps_the_employee_and_the_conversation(page: Page) -> None:
    page.log_in_as("E3006")
    page.type("你好")
    page.wait_for_message("bot", GREETING)

    page.driver.refresh()

    page.wait_for_message("bot", GREETING)
    assert page.messages() == [("user", "你好"), ("bot", GREETING)]
    assert page.by_id("who-label").text == "体验身份：E3006"
    buttons = page.driver.find_elements(By.CSS_SELECTOR, "#log .buttons button")
    assert buttons and all(button.is_enabled() for button in buttons)


def test_after_a_server_restart_the_page_continues_and_still_shows_the_whole_conversation(
    page: Page, demo_bot: LiveBot
) -> None:
    page.log_in_as("E3007")
    page.type("你好")
    page.wait_for_message("bot", GREETING)

    demo_bot.stop()
    demo_bot.start()
    page.driver.find_element(By.CSS_SELECTOR, "#log .buttons button").click()
    page.wait_for_message("bot", LEAVE_REPLY)
    page.driver.refresh()

    page.wait_for_message("bot", LEAVE_REPLY)
    assert page.messages() == [("user", "你好"), ("bot", GREETING), ("user", "查年假"), ("bot", LEAVE_REPLY)]


def test_a_message_typed_while_the_server_is_down_is_marked_unsent_and_sent_once_when_it_is_back(
    page: Page, demo_bot: LiveBot
) -> None:
    page.log_in_as("E3008")
    page.type("你好")
    page.wait_for_message("bot", GREETING)

    demo_bot.stop()
    try:
        page.type("查工资")
        page.wait(lambda: page.state_of("查工资").startswith("未发送"), "the message to be marked unsent")
        assert page.driver.find_elements(By.CSS_SELECTOR, "#log .msg.unsent button.retry")
        assert page.visible("banner")
        assert "断开" in page.by_id("banner").text
    finally:
        demo_bot.start()

    page.wait_for_message("bot", SALARY_REPLY)
    assert page.state_of("查工资") == ""
    assert [m["text"] for m in demo_bot.history("E3008") if m["role"] == "user"] == ["你好", "查工资"]


def test_a_message_left_unanswered_by_a_reload_is_kept_and_its_retry_does_not_send_it_twice(
    page: Page, demo_bot: LiveBot
) -> None:
    page.log_in_as("E3010")
    demo_bot.replies.clear()
    try:
        page.type("你好")
        page.wait(lambda: page.state_of("你好") == "发送中…", "the message to be under way")
        page.driver.refresh()
        page.wait(lambda: page.state_of("你好").startswith("未发送"), "the message to be marked unsent")
    finally:
        demo_bot.replies.set()
    # the request the reload cut off still reached the bot, which answered into the void
    deadline = time.monotonic() + 10
    while not demo_bot.history("E3010"):
        assert time.monotonic() < deadline, "the cut-off message never reached the bot"
        time.sleep(0.05)

    page.driver.find_element(By.CSS_SELECTOR, "#log .msg.unsent button.retry").click()

    page.wait_for_message("bot", GREETING)
    assert page.messages() == [("user", "你好"), ("bot", GREETING)]
    assert [m["text"] for m in demo_bot.history("E3010") if m["role"] == "user"] == ["你好"]


def test_a_message_the_server_adds_later_appears_without_a_reload(page: Page, demo_bot: LiveBot) -> None:
    page.log_in_as("E3009")
    page.type("你好")
    page.wait_for_message("bot", GREETING)

    # an HR agent who took the conversation over answers through the server, not the page
    response = httpx.post(f"{demo_bot.url}/conversations/E3009/tracker/events",
                          json={"event": "bot", "text": "您好,我是HR小王,这就为您查。"}, timeout=10)
    assert response.status_code == 200, response.text

    page.wait_for_message("bot", "您好,我是HR小王,这就为您查。", count=1)
    assert page.messages()[-1] == ("bot", "您好,我是HR小王,这就为您查。")


def test_the_page_fits_a_phone_screen(page: Page) -> None:
    page.log_in_as("E3009")
    page.type("1234567890" * 12)
    page.wait(lambda: len(page.messages()) >= 2, "the reply")

    overflow = page.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert page.driver.execute_script("return window.innerWidth") <= PHONE_WIDTH
    assert overflow <= 0


def test_with_a_portal_token_the_page_talks_as_its_subject_and_the_token_stays_out_of_urls(
    chat_model: Any, driver: Any, tmp_path: Path
) -> None:
    bot = LiveBot(chat_model, tmp_path, jwt_secret=SECRET, trust_sender=False)
    token = jwt.encode({"sub": "E4001"}, SECRET, algorithm="HS256")
    bot.start()
    try:
        page = Page(driver, bot.url)
        page.open(f"#token={token}")
        page.wait(lambda: page.by_id("input").is_enabled(), "the message box to be enabled")
        assert token not in driver.current_url
        assert driver.execute_script("return sessionStorage.getItem('hrbot.webchat.token')") == token
        assert page.by_id("who-label").text == "当前用户：E4001"
        assert not page.visible("identity")

        page.type("你好")
        page.wait_for_message("bot", GREETING)
        driver.refresh()
        page.wait_for_message("bot", GREETING)

        assert page.messages() == [("user", "你好"), ("bot", GREETING)]
        assert bot.requests and not any(token in url or "token" in url for url in bot.requests)
    finally:
        bot.stop()
