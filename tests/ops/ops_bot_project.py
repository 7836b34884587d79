"""A tiny trained bot for the operations tests: a greeting, a salary answer from a custom
action that has no action server (so it fails), a handoff on request, and clarification when
the NLU is unsure. Plus an in-process HTTP client on a loop of its own.

Imported by the tests in this folder (pytest puts it on sys.path for them)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware

from hrbot.api.common import ServerState
from hrbot.api.conversation_routes import conversation_routes
from hrbot.model.loading import LoadedModel, load_model
from hrbot.model.training import train_project
from hrbot.ops.log_context import RequestIdMiddleware
from hrbot.ops.routes import Operations, operations, ops_routes
from hrbot_test_support import LIGHT_CONFIG, REFERENCE_TIME, TINY_DOMAIN, write_tiny_project

CONFIG = LIGHT_CONFIG + """\
  - name: FallbackClassifier
    threshold: 0.6
    ambiguity_threshold: 0.05
"""

WITH_HANDOFF = "  - attendance_correction\n  - human_handoff\n"
DOMAIN = TINY_DOMAIN.replace("  - attendance_correction\n", WITH_HANDOFF) + """
actions:
  - action_show_salary
responses:
  utter_greet:
    - text: "您好，我是HR助手。"
  utter_human_handoff:
    - text: "已为您转接人工HR。"
"""

RULES = """\
version: "3.1"
rules:
  - rule: greet
    steps:
      - intent: greet
      - action: utter_greet
  - rule: salary from the HR systems
    steps:
      - intent: salary_query
      - action: action_show_salary
  - rule: a human on request
    steps:
      - intent: human_handoff
      - action: action_human_handoff
  - rule: not understood
    steps:
      - intent: nlu_fallback
      - action: action_default_fallback
"""

GIBBERISH = "zqxj vblorf qwpz"


def train_ops_project(root: Path) -> tuple[Path, LoadedModel]:
    """The project written under `root` and its trained model (a few seconds)."""
    files = {"domain.yml": DOMAIN, "data/rules.yml": RULES, "config.yml": CONFIG}
    project = write_tiny_project(root, files)
    return project, load_model(train_project(project, reference_time=REFERENCE_TIME).model)


def ops_app(state: ServerState, ops: Operations | None = None) -> Starlette:
    """The REST webhook and conversation API with the operations routes and request ids, as
    the bot server serves them."""
    routes = [*conversation_routes(state), *ops_routes(state, ops or operations(state))]
    return Starlette(routes=routes, middleware=[Middleware(RequestIdMiddleware)])


class Client:
    """Requests through an ASGI app on one event loop of its own (the stores stay on it)."""

    def __init__(self, app: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")

    def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        response = self.call("POST", "/webhooks/rest/webhook", json={"sender": sender, "message": text})
        assert response.status_code == 200, response.text
        replies: list[dict[str, Any]] = response.json()
        return replies

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()
