"""What the review, retraining and analytics tests share: the console project's files in the
test's own folder (the console reads data/ and domain.yml from the folder it starts in, as
`hrbot run` does), and conversations written event by event with chosen times, channels,
intents and confidences — so each test states exactly what happened.

Imported by the test_console_review_*.py, test_console_retrain_*.py and test_console_analytics_*.py
modules (pytest puts this folder on sys.path for them)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from console_support import DOMAIN, RULES, Console, open_console

from hrbot.model.loading import LoadedModel
from hrbot.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    UserUttered,
)
from hrbot_test_support import LIGHT_CONFIG, REFERENCE_TIME, write_tiny_project

DAY = 24 * 3600
T0 = REFERENCE_TIME.timestamp()  # 2026-11-21 10:00 in Shanghai
WHOLE_TIME = "from=&to="  # the review list's query for "no date limits"


def write_console_project(root: Path) -> Path:
    """The console test project's files (the same the session's model was trained on)."""
    files = {"domain.yml": DOMAIN, "data/rules.yml": RULES, "config.yml": LIGHT_CONFIG}
    return write_tiny_project(root, files)


def open_project_console(root: Path, model: LoadedModel, monkeypatch: pytest.MonkeyPatch) -> Console:
    """The console started in the project folder `root`, its clock at the afternoon of T0's day."""
    write_console_project(root)
    monkeypatch.chdir(root)
    console = open_console(root, model)
    console.clock.now = T0 + 4 * 3600
    return console


@dataclass
class Conversation:
    """One employee's events, each `step` seconds after the previous one."""

    sender: str
    at: float = T0
    channel: str = "rest"
    step: float = 5.0
    events: list[Event] = field(default_factory=list)

    def _next(self, wait: float | None = None) -> float:
        self.at += self.step if wait is None else wait
        return self.at

    def session(self) -> Conversation:
        self.events.append(ActionExecuted(timestamp=self._next(), name="action_session_start"))
        return self

    def user(self, text: str, intent: str | None, confidence: float = 0.95, *,
             ranking: list[tuple[str, float]] | None = None, entities: list[dict[str, Any]] | None = None,
             channel: str | None = None, wait: float | None = None) -> Conversation:
        ranked = ranking if ranking is not None else ([(intent, confidence)] if intent else [])
        parse = {"intent": {"name": intent, "confidence": confidence} if intent else {},
                 "intent_ranking": [{"name": name, "confidence": value} for name, value in ranked],
                 "entities": entities or [], "text": text}
        self.events.append(UserUttered(timestamp=self._next(wait), text=text, parse_data=parse,
                                       input_channel=channel or self.channel))
        return self

    def bot(self, text: str, *, buttons: list[str] | None = None, **metadata: Any) -> Conversation:
        data = {"buttons": [{"title": title, "payload": f"/{title}"} for title in buttons]} if buttons else {}
        self.events.append(BotUttered(timestamp=self._next(), text=text, data=data, metadata=metadata))
        return self

    def fallback_action(self) -> Conversation:
        self.events.append(ActionExecuted(timestamp=self._next(), name="action_default_fallback"))
        return self.bot("抱歉,我没有理解您的意思。")

    def failed_action(self) -> Conversation:
        return self.bot("系统暂时无法查询,请稍后再试。", action_failed="action_salary", reason="timeout")

    def handoff(self, reason: str = "requested", *, wait: float | None = None) -> Conversation:
        paused = ConversationPaused(timestamp=self._next(wait), metadata={"handoff_reason": reason})
        self.events.append(paused)
        return self

    def agent(self, text: str, by: str = "E1002", *, wait: float | None = None) -> Conversation:
        self.events.append(BotUttered(timestamp=self._next(wait), text=text, metadata={"console_agent": by}))
        return self

    def resume(self, *, wait: float | None = None) -> Conversation:
        self.events.append(ConversationResumed(timestamp=self._next(wait), metadata={"resumed_by": "E1002"}))
        return self

    def form(self, name: str | None) -> Conversation:
        self.events.append(ActiveLoop(timestamp=self._next(), name=name))
        return self

    def save(self, console: Console) -> Conversation:
        console.run(console.assistant.stores.tracker_store.append(self.sender, self.events))
        self.events = []
        return self


def listed_senders(html: str) -> list[str]:
    """The conversations the review list shows, in order."""
    return re.findall(r'<tr data-sender="([^"]+)">', html)


def event_ids(html: str) -> list[int]:
    """The employee messages (their event ids) on a review conversation page, in order."""
    return [int(found) for found in re.findall(r'name="event_id" value="(\d+)"', html)]


def notice(html: str) -> str | None:
    found = re.search(r'id="notice" role="status">([^<]*)<', html)
    return found.group(1) if found else None


def problem(html: str) -> str | None:
    found = re.search(r'id="(?:error|problem)"[^>]*>([^<]*)<', html)
    return found.group(1) if found else None
