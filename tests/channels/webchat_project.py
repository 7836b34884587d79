"""A tiny trained chat project for the web chat tests: a greeting that offers buttons, a reply
with HTML and a line break in it, and a salary answer; plus an in-process HTTP client.

Imported by test_webchat_routes.py and test_webchat_browser.py (pytest puts this folder on
sys.path for them)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from hrbot.assistant import Assistant, open_assistant
from hrbot.model.loading import LoadedModel, load_model
from hrbot.model.training import train_project
from hrbot.shared.clock import Clock, fixed_clock
from hrbot.shared.endpoints import parse_endpoints
from hrbot_test_support import LIGHT_CONFIG, REFERENCE_TIME, TINY_DOMAIN, write_tiny_project

GREETING = "您好，我是HR助手。\n想查什么？"
LEAVE_REPLY = "<b>年假</b>还剩 5 天\n<img src=x onerror=\"document.title='pwned'\">"
SALARY_REPLY = "10月实发 12,345.67 元。"
BUTTONS = [{"title": "查年假", "payload": "/leave_balance"}, {"title": "查工资", "payload": "/salary_query"}]

DOMAIN = TINY_DOMAIN + """
responses:
  utter_greet:
    - text: |-
        您好，我是HR助手。
        想查什么？
      buttons:
        - title: "查年假"
          payload: "/leave_balance"
        - title: "查工资"
          payload: "/salary_query"
  utter_leave_balance:
    - text: |-
        <b>年假</b>还剩 5 天
        <img src=x onerror="document.title='pwned'">
  utter_salary:
    - text: "10月实发 12,345.67 元。"
  utter_goodbye:
    - text: "再见！"
"""

RULES = """\
version: "3.1"
rules:
  - rule: greet
    steps:
      - intent: greet
      - action: utter_greet
  - rule: leave balance
    steps:
      - intent: leave_balance
      - action: utter_leave_balance
  - rule: salary
    steps:
      - intent: salary_query
      - action: utter_salary
  - rule: goodbye
    steps:
      - intent: goodbye
      - action: utter_goodbye
"""


def train_chat_project(root: Path) -> tuple[Path, LoadedModel]:
    """The project written under `root` and its trained model (about a second: no jieba)."""
    files = {"domain.yml": DOMAIN, "data/rules.yml": RULES, "config.yml": LIGHT_CONFIG}
    project = write_tiny_project(root, files)
    return project, load_model(train_project(project, reference_time=REFERENCE_TIME).model)


def open_chat_assistant(model: LoadedModel, project: Path, clock: Clock | None = None) -> Assistant:
    """The assistant on the project's SQLite conversations (which outlive a server restart)."""
    return open_assistant(model, project, parse_endpoints(""), clock or fixed_clock(REFERENCE_TIME))


class Client:
    """Requests through an ASGI app on one event loop of its own (the stores stay on it)."""

    def __init__(self, app: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")

    def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()
