"""The two-stage fallback: ask which intent was meant, then to rephrase, then hand off."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from hrbot.actions.base import Action, ActionRuntime
from hrbot.actions.defaults import DEFAULT_TEXTS
from hrbot.actions.lookup import ActionResolver
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import (
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    Event,
    UserUtteranceReverted,
    UserUttered,
)
from hrbot.shared.core.tracker import DialogueStateTracker

DOMAIN = """\
version: "3.1"
intents: [leave_balance, request_leave, salary_query, greet, deny]
entities: [leave_type]
"""

RANKING = [
    ("nlu_fallback", 0.3),
    ("leave_balance", 0.28),
    ("request_leave", 0.2),
    ("salary_query", 0.1),
    ("greet", 0.05),
]
FALLBACK = "action_two_stage_fallback"


@pytest.fixture
def domain(domain_from_yaml: Callable[[str], Domain]) -> Domain:
    return domain_from_yaml(DOMAIN)


def _unclear(talk: Any, kit: Any, text: str = "那个假怎么弄") -> None:
    talk.say(text, "nlu_fallback", [kit.entity("leave_type", "annual")], confidence=0.3, ranking=RANKING)


def _kinds(events: Sequence[Event]) -> list[str]:
    return [event.type_name for event in events]


def test_an_unclear_message_activates_the_loop_and_offers_the_likely_intents(
    domain: Domain, conversation: Callable[..., Any], kit: Any
) -> None:
    talk = conversation(domain)
    _unclear(talk, kit)
    events = talk.run(FALLBACK)
    assert _kinds(events) == ["active_loop", "bot"]
    assert isinstance(events[0], ActiveLoop) and events[0].name == FALLBACK
    assert isinstance(events[1], BotUttered)
    assert [button["payload"] for button in events[1].data["buttons"]] == [
        "/leave_balance",
        "/request_leave",
        "/salary_query",
        "/out_of_scope",
    ]
    assert events[1].data["buttons"][-1]["title"] == "都不是"


def test_choosing_an_intent_replays_the_original_message_with_that_intent(
    domain: Domain, conversation: Callable[..., Any], kit: Any
) -> None:
    talk = conversation(domain)
    _unclear(talk, kit)
    talk.run(FALLBACK)
    talk.say("/leave_balance", "leave_balance", confidence=1.0)
    events = talk.run(FALLBACK)
    assert _kinds(events) == ["active_loop", "rewind", "action", "user"]
    assert talk.tracker.active_loop is None
    assert _kinds(talk.tracker.applied_events()) == ["action", "user"]  # the fallback is gone
    message = talk.tracker.latest_message
    assert message["text"] == "那个假怎么弄"
    assert message["intent"] == {"name": "leave_balance", "confidence": 1.0}
    assert [e["value"] for e in message["entities"]] == ["annual"]


def test_a_typed_clear_answer_replaces_the_unclear_message(
    domain: Domain, conversation: Callable[..., Any], kit: Any
) -> None:
    talk = conversation(domain)
    _unclear(talk, kit)
    talk.run(FALLBACK)
    talk.say("我想看看年假还剩几天", "leave_balance", confidence=0.9)
    talk.run(FALLBACK)
    assert talk.tracker.latest_message["text"] == "我想看看年假还剩几天"
    assert talk.tracker.latest_message["intent"]["confidence"] == 1.0
    assert talk.tracker.active_loop is None


def test_none_of_these_asks_to_rephrase_and_a_clear_rephrasing_is_taken(
    domain: Domain, conversation: Callable[..., Any], kit: Any
) -> None:
    talk = conversation(domain)
    _unclear(talk, kit)
    talk.run(FALLBACK)
    talk.say("/out_of_scope", "out_of_scope", confidence=1.0)
    asked = talk.run(FALLBACK)
    assert [e.text for e in asked if isinstance(e, BotUttered)] == [DEFAULT_TEXTS["utter_ask_rephrase"]]
    assert talk.tracker.active_loop_name == FALLBACK
    talk.say("我要请假", "request_leave", confidence=0.9)
    assert _kinds(talk.run(FALLBACK)) == ["active_loop", "rewind", "action", "user"]
    assert _kinds(talk.tracker.applied_events()) == ["action", "user"]
    assert talk.tracker.latest_intent_name == "request_leave"


def test_deny_also_asks_to_rephrase(domain: Domain, conversation: Callable[..., Any], kit: Any) -> None:
    talk = conversation(domain)
    _unclear(talk, kit)
    talk.run(FALLBACK)
    talk.say("不是", "deny")
    assert _kinds(talk.run(FALLBACK)) == ["bot"]


@pytest.mark.parametrize("second", ["nlu_fallback", "deny"])
def test_a_rephrasing_that_is_still_unclear_hands_off_to_a_human(
    domain: Domain, conversation: Callable[..., Any], kit: Any, second: str
) -> None:
    talk = conversation(domain)
    _unclear(talk, kit)
    talk.run(FALLBACK)
    talk.say("/out_of_scope", "out_of_scope", confidence=1.0)
    talk.run(FALLBACK)
    talk.say("就是那个嘛", second, confidence=0.2)
    events = talk.run(FALLBACK)
    assert _kinds(events) == ["active_loop", "bot", "pause"]
    assert isinstance(events[2], ConversationPaused) and events[2].metadata["handoff_reason"] == "fallback"
    assert talk.tracker.paused and talk.tracker.active_loop is None


def test_a_second_unclear_message_hands_off_at_once(
    domain: Domain, conversation: Callable[..., Any], kit: Any
) -> None:
    talk = conversation(domain)
    _unclear(talk, kit)
    talk.run(FALLBACK)
    _unclear(talk, kit, "嗯嗯那个")
    events = talk.run(FALLBACK)
    assert _kinds(events) == ["active_loop", "bot", "pause"]
    assert not any(isinstance(e, UserUtteranceReverted | UserUttered) for e in events)


class FakeHandoff(Action):
    def __init__(self) -> None:
        self.runs = 0

    @property
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        self.runs += 1
        return [ConversationPaused(timestamp=None, metadata={"handoff_reason": "custom"})]


def test_a_projects_own_handoff_action_is_used(
    domain: Domain, conversation: Callable[..., Any], kit: Any
) -> None:
    handoff = FakeHandoff()
    resolver = ActionResolver(domain)
    talk = conversation(domain, lambda name: handoff if name == handoff.name else resolver(name))
    _unclear(talk, kit)
    talk.run(FALLBACK)
    _unclear(talk, kit)
    assert _kinds(talk.run(FALLBACK)) == ["active_loop", "pause"]
    assert handoff.runs == 1
