"""What the console tests share: a tiny trained project whose conversations can be handed to a
human, the console mounted on it with cheap password hashing and a recorded REST callback, and
a browser-like client (cookies, the page's Origin, the page's CSRF token).

Imported by the test_console_*.py modules (pytest puts this folder on sys.path for them)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.routing import Mount

from hrbot.api.common import ServerState
from hrbot.assistant import Assistant, open_assistant
from hrbot.console.accounts import Account
from hrbot.console.app import console_app
from hrbot.console.context import ConsoleContext
from hrbot.console.delivery import default_reply_channels
from hrbot.console.passwords import Passwords
from hrbot.console.roles import Role
from hrbot.console.settings import ConsoleSettings
from hrbot.dialogue.messages import UserMessage
from hrbot.model.loading import LoadedModel, load_model
from hrbot.model.training import train_project
from hrbot.shared.clock import fixed_clock
from hrbot.shared.endpoints import parse_endpoints
from hrbot_test_support import LIGHT_CONFIG, REFERENCE_TIME, REPO_ROOT, TINY_DOMAIN, write_tiny_project

ORIGIN = "https://console.test"
NAVIGATION_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what browsers send
CALLBACK_URL = "https://employee-app.test/hrbot/callback"
COMPANY_FILE = REPO_ROOT / "demo" / "company.json"
HANDBOOK_FILE = REPO_ROOT / "demo" / "handbook.md"
SALARY_REPLY = "10月实发 12,345.67 元。"
HANDOFF_TEXT = "已为您转接人工HR,请稍候。"

WITH_HANDOFF = "  - attendance_correction\n  - human_handoff\n"
DOMAIN = TINY_DOMAIN.replace("  - attendance_correction\n", WITH_HANDOFF) + f"""
responses:
  utter_greet:
    - text: "您好,我是HR助手。"
  utter_salary:
    - text: "{SALARY_REPLY}"
  utter_human_handoff:
    - text: "{HANDOFF_TEXT}"
"""

RULES = """\
version: "3.1"
rules:
  - rule: greet
    steps:
      - intent: greet
      - action: utter_greet
  - rule: salary
    steps:
      - intent: salary_query
      - action: utter_salary
  - rule: a human on request
    steps:
      - intent: human_handoff
      - action: action_human_handoff
"""

# people from demo/company.json and the passwords the tests give them
AGENT, OTHER_AGENT, ADMIN, DESIGNER = "E1002", "E1003", "E1001", "E1043"
PASSWORDS = {AGENT: "agent-secret-1002", OTHER_AGENT: "agent-secret-1003",
             ADMIN: "admin-secret-1001", DESIGNER: "designer-secret-1043"}
ROLES = {AGENT: Role.HR_AGENT, OTHER_AGENT: Role.HR_AGENT, ADMIN: Role.HR_ADMIN, DESIGNER: Role.DESIGNER}
NAMES = {AGENT: "徐雨萱", OTHER_AGENT: "胡娟", ADMIN: "田艳", DESIGNER: "叶娟"}
EMPLOYEE = "E1008"  # 吴婉清, 客服部, phone 13518564059 in company.json


def train_console_project(root: Path) -> tuple[Path, LoadedModel]:
    """The project under `root` and its model (about a second: no jieba)."""
    files = {"domain.yml": DOMAIN, "data/rules.yml": RULES, "config.yml": LIGHT_CONFIG}
    project = write_tiny_project(root, files)
    return project, load_model(train_project(project, reference_time=REFERENCE_TIME).model)


def cheap_passwords() -> Passwords:
    """Argon2id with the smallest cost: the same code path, milliseconds per hash."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


class WallClock:
    """The console's wall clock, moved by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Callback:
    """The employee app's callback endpoint: records what the bot POSTs to it."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 200

    def handle(self, request: httpx.Request) -> httpx.Response:
        import json

        assert str(request.url) == CALLBACK_URL
        self.bodies.append(json.loads(request.content))
        return httpx.Response(self.status, json={"ok": self.status < 300})


@dataclass
class Console:
    """A served console over a SQLite-backed assistant, on its own event loop."""

    assistant: Assistant
    app: Any
    ctx: ConsoleContext
    clock: WallClock
    callback: Callback
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)

    def say(self, sender: str, text: str, channel: str = "rest") -> None:
        assert self.assistant.processor is not None
        self.run(self.assistant.processor.handle_message(UserMessage(text, sender, channel)))

    def hand_off(self, sender: str, *messages: str, channel: str = "rest") -> None:
        """`sender` asks for a human, then writes `messages` while waiting."""
        self.say(sender, "/human_handoff", channel)
        for text in messages:
            self.say(sender, text, channel)

    def add_account(self, username: str, role: Role | Iterable[Role] | None = None, *,
                    password: str | None = None) -> None:
        roles = frozenset({role}) if isinstance(role, Role) else frozenset(role or {ROLES[username]})
        hashed = self.ctx.passwords.hash(password or PASSWORDS[username])
        self.run(self.ctx.accounts.save(Account(
            username, NAMES.get(username, username), roles, hashed, employee_id=username,
            created_at=self.clock.now, password_changed_at=self.clock.now)))

    def routes(self) -> list[Any]:
        """The console app's routes (inside the mount and the security-headers wrapper)."""
        mount = self.app.routes[0]
        return list(mount.app.app.routes)

    def client(self) -> Browser:
        return Browser(self)

    def close(self) -> None:
        self.run(self.assistant.close())
        self.loop.close()


def open_console(project: Path, model: LoadedModel, *, extra_channels: dict[str, Any] | None = None,
                 **settings: Any) -> Console:
    """The console on `project`'s SQLite conversations, with a recorded callback."""
    clock = WallClock()
    callback = Callback()
    assistant = open_assistant(model, project, parse_endpoints(""), fixed_clock(REFERENCE_TIME))
    state = ServerState(model, fixed_clock(REFERENCE_TIME), assistant=assistant, trust_sender=True)
    options = {"callback_url": CALLBACK_URL, "company_file": COMPANY_FILE, "handbook_file": HANDBOOK_FILE,
               "live_poll_seconds": 0.01, "live_stream_seconds": 0.05, **settings}
    console_settings = ConsoleSettings(**options)
    channels = default_reply_channels(console_settings.callback_url,
                                      transport=httpx.MockTransport(callback.handle))
    console = console_app(state, console_settings, passwords=cheap_passwords(), channels=channels,
                          extra_channels=extra_channels, wall_clock=clock)
    app = Starlette(routes=[Mount("/console", app=console)])
    ctx: ConsoleContext = console.app.state.console  # type: ignore[attr-defined]
    return Console(assistant, app, ctx, clock, callback)


_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


class Browser:
    """Requests as the console's own page sends them: cookies kept, the page's Origin, and the
    CSRF token of the last page seen."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=console.app), base_url=ORIGIN,
                                      headers={"Origin": ORIGIN, "Accept": NAVIGATION_ACCEPT})
        self.csrf = ""

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.console.run(self.http.request(method, path, **kwargs))
        found = _CSRF_META.search(response.text) if response.headers.get("content-type", "").startswith(
            "text/html") else None
        if found and found.group(1):
            self.csrf = found.group(1)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", "/console" + path, **kwargs)

    def post(self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True,
             **kwargs: Any) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        return self.request("POST", "/console" + path, data=form, **kwargs)

    def log_in(self, username: str, password: str | None = None) -> httpx.Response:
        """The login form's answer; after a successful login the first page was opened too (so
        `csrf` is the new session's token)."""
        self.get("/login")
        typed = PASSWORDS[username] if password is None else password
        response = self.post("/login", {"username": username, "password": typed})
        if response.status_code == 303:
            self.request("GET", response.headers["location"], follow_redirects=True)
        return response

    def session_cookie(self) -> str | None:
        return self.http.cookies.get("__Host-hrbot-console")

    def close(self) -> None:
        self.console.run(self.http.aclose())
