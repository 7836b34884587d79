"""Fixtures for the action tests: domains from YAML, a conversation driver that logs events the
way the processor does (the `action` event before the action's own events, slot extraction
after every user message), and one rasa_sdk action server for the whole session."""

from __future__ import annotations

import asyncio
import random
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from hrbot.actions.base import ActionLookup, ActionRejected, ActionRuntime
from hrbot.actions.lookup import ActionResolver
from hrbot.actions.responses import TemplateResponseGenerator
from hrbot.actions.sdk_server import ActionServerProcess, start_action_server
from hrbot.dialogue.trackers import new_tracker
from hrbot.shared.core.domain import Domain, load_domain
from hrbot.shared.core.events import (
    ACTION_LISTEN_NAME,
    ActionExecuted,
    ActionExecutionRejected,
    Event,
    UserUttered,
)
from hrbot.shared.core.tracker import DialogueStateTracker
from hrbot_test_support import subprocess_env

NOW = 1_790_000_000.0

LEAVE_DOMAIN = """\
version: "3.1"
intents:
  - greet
  - request_leave
  - inform
  - affirm
  - deny
  - chitchat
  - human_handoff
entities:
  - leave_type
  - date
  - duration
  - person
slots:
  leave_type:
    type: categorical
    values: [annual, sick, personal]
    mappings:
      - type: from_entity
        entity: leave_type
  start_date:
    type: text
    mappings:
      - type: from_entity
        entity: date
  duration:
    type: float
    max_value: 30
    mappings:
      - type: from_entity
        entity: duration
responses:
  utter_ask_leave_type:
    - text: 请问请什么假?
  utter_ask_start_date:
    - text: 从哪天开始?
  utter_ask_duration:
    - text: 请几天?
  utter_greet:
    - text: 你好{who}!
forms:
  leave_form:
    required_slots:
      - leave_type
      - start_date
      - duration
"""


@pytest.fixture
def domain_from_yaml(tmp_path: Path) -> Callable[[str], Domain]:
    """A domain read from YAML text (dedented)."""
    counter = iter(range(1000))

    def read(text: str) -> Domain:
        path = tmp_path / f"domain{next(counter)}.yml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return load_domain(path)

    return read


@pytest.fixture
def leave_domain(domain_from_yaml: Callable[[str], Domain]) -> Domain:
    return domain_from_yaml(LEAVE_DOMAIN)


def make_runtime(domain: Domain, actions: ActionLookup, channel: str | None = None) -> ActionRuntime:
    return ActionRuntime(
        domain=domain,
        responses=TemplateResponseGenerator(domain, random.Random(7)),
        action_for=actions,
        now=lambda: NOW,
        channel=channel,
    )


def user_uttered(
    text: str,
    intent: str,
    entities: Sequence[dict[str, Any]] = (),
    *,
    confidence: float = 0.95,
    ranking: Sequence[tuple[str, float]] | None = None,
    metadata: dict[str, Any] | None = None,
) -> UserUttered:
    ranking = ranking if ranking is not None else [(intent, confidence)]
    return UserUttered(
        timestamp=NOW,
        metadata=dict(metadata or {}),
        text=text,
        parse_data={
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": name, "confidence": score} for name, score in ranking],
            "entities": [dict(entity) for entity in entities],
        },
        input_channel="rest",
    )


def entity(name: str, value: Any, *, role: str | None = None, group: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"entity": name, "value": value, "start": 0, "end": 1, "extractor": "test"}
    if role is not None:
        found["role"] = role
    if group is not None:
        found["group"] = group
    return found


class Conversation:
    """A conversation driven like the processor drives it."""

    def __init__(self, domain: Domain, actions: ActionLookup, channel: str | None = None) -> None:
        self.domain = domain
        self.actions = actions
        self.runner = asyncio.Runner()  # one event loop, as in the server (HTTP clients are bound to it)
        self.runtime = make_runtime(domain, actions, channel)
        self.tracker: DialogueStateTracker = new_tracker("emp-1001", domain)

    def log(self, *events: Event) -> None:
        for event in events:
            self.tracker.update(event)

    def say(
        self, text: str, intent: str, entities: Sequence[dict[str, Any]] = (), **options: Any
    ) -> list[Event]:
        """The user's message, then `action_extract_slots`; returns the extracted events."""
        if self.tracker.latest_action_name != ACTION_LISTEN_NAME:
            self.log(ActionExecuted(timestamp=NOW, name=ACTION_LISTEN_NAME))
        self.log(user_uttered(text, intent, entities, **options))
        events = self.runner.run(self.actions("action_extract_slots").run(self.tracker, self.runtime))
        self.log(*events)
        return events

    def run(self, name: str) -> list[Event]:
        """Run an action: `action` event then its events, or `action_execution_rejected` and
        the rejection re-raised."""
        try:
            events = self.runner.run(self.actions(name).run(self.tracker, self.runtime))
        except ActionRejected:
            self.log(ActionExecutionRejected(timestamp=NOW, name=name))
            raise
        self.log(ActionExecuted(timestamp=NOW, name=name), *events)
        return events

    def texts(self, events: Sequence[Event]) -> list[str | None]:
        return [getattr(event, "text", None) for event in events if event.type_name == "bot"]

    def close(self) -> None:
        if isinstance(self.actions, ActionResolver):
            self.runner.run(self.actions.aclose())
        self.runner.close()


@pytest.fixture
def conversation() -> Iterator[Callable[..., Conversation]]:
    """`conversation(domain, actions=None, channel=None)`; actions default to an
    ActionResolver of the domain without an action server."""
    started: list[Conversation] = []

    def start(
        domain: Domain, actions: ActionLookup | None = None, channel: str | None = None
    ) -> Conversation:
        talk = Conversation(domain, actions or ActionResolver(domain), channel)
        started.append(talk)
        return talk

    yield start
    for talk in started:
        talk.close()


class Kit:
    """Helpers for the test modules (a conftest cannot be imported by name)."""

    NOW = NOW
    LEAVE_DOMAIN = LEAVE_DOMAIN
    user = staticmethod(user_uttered)
    entity = staticmethod(entity)
    runtime = staticmethod(make_runtime)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit


# --------------------------------------------------------------------------- the action server

SDK_ACTIONS = """\
from rasa_sdk import Action, FormValidationAction
from rasa_sdk.events import SlotSet
from rasa_sdk.interfaces import ActionExecutionRejection


class Hello(Action):
    def name(self):
        return "action_hello"

    def run(self, dispatcher, tracker, domain):
        who = tracker.get_slot("leave_type")
        dispatcher.utter_message(text=f"你好, {tracker.sender_id}, {who}",
                                 buttons=[{"title": "好", "payload": "/affirm"}])
        return [SlotSet("start_date", "2026-11-23")]


class UseResponse(Action):
    def name(self):
        return "action_use_response"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(response="utter_greet", who="小王")
        return []


class Refuse(Action):
    def name(self):
        return "action_refuse"

    def run(self, dispatcher, tracker, domain):
        raise ActionExecutionRejection(self.name(), "not now")


class BadEvent(Action):
    def name(self):
        return "action_bad_event"

    def run(self, dispatcher, tracker, domain):
        return [{"event": "teleport", "where": "moon"}]


class Crash(Action):
    def name(self):
        return "action_crash"

    def run(self, dispatcher, tracker, domain):
        raise RuntimeError("HRM database is down")


class DomainEcho(Action):
    def name(self):
        return "action_domain_echo"

    def run(self, dispatcher, tracker, domain):
        return [SlotSet("start_date", ",".join(sorted((domain or {}).get("forms", {}))))]


class ValidateLeaveForm(FormValidationAction):
    def name(self):
        return "validate_leave_form"

    def validate_duration(self, value, dispatcher, tracker, domain):
        if float(value) > 15:
            dispatcher.utter_message(text="最多只能连续请15天")
            return {"duration": None}
        return {"duration": float(value)}

    def validate_start_date(self, value, dispatcher, tracker, domain):
        if value == "昨天":
            raise ActionExecutionRejection(self.name(), "不能为过去的日期请假")
        return {"start_date": value}
"""


@pytest.fixture(scope="session")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServerProcess]:
    """One real rasa_sdk action server (a child process) serving SDK_ACTIONS."""
    project = tmp_path_factory.mktemp("sdk-project")
    (project / "actions").mkdir()
    (project / "actions" / "__init__.py").write_text("", encoding="utf-8")
    (project / "actions" / "hr_actions.py").write_text(SDK_ACTIONS, encoding="utf-8")
    server = start_action_server(project, env=subprocess_env())
    try:
        yield server
    finally:
        server.stop()
