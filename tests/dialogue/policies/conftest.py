"""Fixtures for the dialogue policy tests: small domains and stories written to tmp files
(`project`), and a builder of conversation events (`talk`)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hrbot.dialogue.trackers import new_tracker
from hrbot.shared.core.domain import Domain, load_domain
from hrbot.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from hrbot.shared.core.stories import StoryData, read_stories
from hrbot.shared.core.tracker import DialogueStateTracker

Project = Callable[[str, str], tuple[Domain, StoryData]]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """`project(domain_yaml, stories_yaml)` -> (domain, story data), read from files in
    tmp_path (so that problems carry file:line)."""
    counter = iter(range(1000))

    def make(domain_text: str, data_text: str) -> tuple[Domain, StoryData]:
        folder = tmp_path / f"p{next(counter)}"
        folder.mkdir()
        (folder / "domain.yml").write_text(textwrap.dedent(domain_text), encoding="utf-8")
        (folder / "stories.yml").write_text(textwrap.dedent(data_text), encoding="utf-8")
        return load_domain(folder / "domain.yml"), read_stories([folder / "stories.yml"])

    return make


class Talk:
    """Builds the events of a conversation as the processor logs them."""

    @staticmethod
    def user(intent: str, confidence: float = 0.9, **entities: Any) -> UserUttered:
        """The user turn `intent`; entities as name=value or name=(value, role)."""
        found = []
        for name, value in entities.items():
            entity: dict[str, Any] = {"entity": name, "value": value}
            if isinstance(value, tuple):
                entity["value"], entity["role"] = value
            found.append(entity)
        return UserUttered(timestamp=None, text=intent, parse_data={
            "intent": {"name": intent, "confidence": confidence}, "entities": found,
        })

    @staticmethod
    def act(name: str, *, hidden: bool = False) -> ActionExecuted:
        return ActionExecuted(timestamp=None, name=name, hide_rule_turn=hidden)

    @staticmethod
    def listen(*, hidden: bool = False) -> ActionExecuted:
        return ActionExecuted(timestamp=None, name="action_listen", hide_rule_turn=hidden)

    @staticmethod
    def slot(name: str, value: Any) -> SlotSet:
        return SlotSet(timestamp=None, name=name, value=value)

    @staticmethod
    def loop(name: str | None) -> ActiveLoop:
        return ActiveLoop(timestamp=None, name=name)

    @staticmethod
    def rejected(name: str) -> ActionExecutionRejected:
        return ActionExecutionRejected(timestamp=None, name=name)

    @staticmethod
    def session() -> list[Event]:
        """What a new session starts with."""
        return [ActionExecuted(timestamp=None, name="action_session_start"), SessionStarted(timestamp=None),
                ActionExecuted(timestamp=None, name="action_listen")]

    def conversation(self, domain: Domain, *events: Event) -> DialogueStateTracker:
        """A live tracker: a new session, then `events`."""
        return new_tracker("employee-1", domain, [*self.session(), *events])


@pytest.fixture
def talk() -> Talk:
    return Talk()
