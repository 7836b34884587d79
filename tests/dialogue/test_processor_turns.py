"""The message processor's rules for a turn: session start and expiry, the bound on actions
per turn, and what is stored. Real actions, responses and stores; a scripted predictor where
a policy behaviour is needed that no sane story would produce."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hrbot.actions.lookup import ActionResolver
from hrbot.actions.responses import TemplateResponseGenerator
from hrbot.dialogue.messages import UserMessage
from hrbot.dialogue.prediction import PolicyPrediction
from hrbot.dialogue.processor import MessageProcessor, ProcessorSettings
from hrbot.shared.core.domain import Domain, load_domain
from hrbot.shared.core.tracker import DialogueStateTracker
from hrbot.shared.nlu.parse_result import IntentPrediction, ParseResult
from hrbot.stores.locks import InMemoryLockStore
from hrbot.stores.memory import InMemoryTrackerStore

DOMAIN = """\
version: "3.1"
intents: [greet]
slots:
  name:
    type: text
    mappings:
      - type: custom
responses:
  utter_greet:
    - text: "您好"
session_config:
  session_expiration_time: 60
  carry_over_slots_to_new_session: true
"""

START = datetime.fromisoformat("2026-11-21T10:00:00+08:00")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class KeepGreeting:
    """Predicts utter_greet forever: a loop the processor must break."""

    def predict(self, tracker: DialogueStateTracker, domain: Domain) -> PolicyPrediction:
        return PolicyPrediction("utter_greet", 1.0, "KeepGreeting", 1)


class GreetOnce:
    def predict(self, tracker: DialogueStateTracker, domain: Domain) -> PolicyPrediction:
        done = tracker.latest_action_name == "utter_greet"
        return PolicyPrediction("action_listen" if done else "utter_greet", 1.0, "GreetOnce", 1)


class GreetParser:
    def parse(self, text: str, reference_time: datetime) -> ParseResult:
        intent = IntentPrediction("greet", 0.99)
        return ParseResult(text, intent, (intent,))


def processor(tmp_path: Path, policies: object, clock: Clock, **settings: int) -> MessageProcessor:
    (tmp_path / "domain.yml").write_text(DOMAIN, encoding="utf-8")
    domain = load_domain(tmp_path / "domain.yml")
    return MessageProcessor(
        domain=domain, nlu=GreetParser(), policies=policies,  # type: ignore[arg-type]
        actions=ActionResolver(domain), responses=TemplateResponseGenerator(domain),
        store=InMemoryTrackerStore(), locks=InMemoryLockStore(), clock=clock,
        settings=ProcessorSettings(**settings),
    )


def test_a_turn_stops_after_the_maximum_number_of_actions_and_listens(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot = processor(tmp_path, KeepGreeting(), Clock(), max_actions_per_turn=4)

    result = asyncio.run(bot.handle_message(UserMessage("你好", "alice")))

    assert [m.text for m in result.messages] == ["您好"] * 4
    assert result.tracker.latest_action_name == "action_listen"
    assert "stopped after 4 actions" in caplog.text


def test_the_first_message_starts_a_session(tmp_path: Path) -> None:
    bot = processor(tmp_path, GreetOnce(), Clock())

    result = asyncio.run(bot.handle_message(UserMessage("你好", "alice", metadata={"dept": "HR"})))

    kinds = [event.type_name for event in result.tracker.events]
    assert kinds[:5] == ["slot", "action", "session_started", "slot", "action"]
    assert result.tracker.get_slot("session_started_metadata") == {"dept": "HR"}
    assert [m.text for m in result.messages] == ["您好"]


def test_an_expired_session_starts_a_new_one_carrying_slots_over(tmp_path: Path) -> None:
    clock = Clock()
    bot = processor(tmp_path, GreetOnce(), clock)

    async def conversation() -> DialogueStateTracker:
        from hrbot.shared.core.events import SlotSet

        await bot.handle_message(UserMessage("你好", "alice"))
        await bot.append_events("alice", [SlotSet(timestamp=None, name="name", value="李明")])
        clock.now = START + timedelta(minutes=61)
        return (await bot.handle_message(UserMessage("你好", "alice"))).tracker

    tracker = asyncio.run(conversation())

    assert sum(1 for e in tracker.events if e.type_name == "session_started") == 2
    assert tracker.get_slot("name") == "李明"


def test_a_session_within_the_expiry_time_goes_on(tmp_path: Path) -> None:
    clock = Clock()
    bot = processor(tmp_path, GreetOnce(), clock)

    async def conversation() -> DialogueStateTracker:
        await bot.handle_message(UserMessage("你好", "alice"))
        clock.now = START + timedelta(minutes=59)
        return (await bot.handle_message(UserMessage("你好", "alice"))).tracker

    tracker = asyncio.run(conversation())

    assert sum(1 for e in tracker.events if e.type_name == "session_started") == 1


def test_every_event_of_a_turn_is_stored(tmp_path: Path) -> None:
    bot = processor(tmp_path, GreetOnce(), Clock())

    async def conversation() -> tuple[int, int]:
        result = await bot.handle_message(UserMessage("你好", "alice"))
        stored = await bot.store.retrieve("alice")
        return len(result.tracker.events), len(stored or [])

    in_tracker, stored = asyncio.run(conversation())
    assert in_tracker == stored > 0


def test_a_turn_sees_events_another_process_appended_to_the_shared_store(tmp_path: Path) -> None:
    from hrbot.shared.core.events import SlotSet

    first = processor(tmp_path, GreetOnce(), Clock())
    second = MessageProcessor(
        domain=first.domain, nlu=first.nlu, policies=first.policies, actions=first.actions,
        responses=first.responses, store=first.store, locks=first.locks, clock=first.clock,
    )

    async def conversation() -> DialogueStateTracker:
        await first.handle_message(UserMessage("你好", "alice"))  # `first` now caches alice
        await second.append_events("alice", [SlotSet(timestamp=None, name="name", value="王芳")])
        await second.handle_message(UserMessage("你好", "alice"))
        return (await first.handle_message(UserMessage("你好", "alice"))).tracker

    tracker = asyncio.run(conversation())

    assert tracker.get_slot("name") == "王芳"
    assert sum(1 for e in tracker.events if e.type_name == "user") == 3
    assert [e.type_name for e in tracker.events] == [
        e.type_name for e in asyncio.run(first.store.retrieve("alice")) or []
    ]


class RejectingAction:
    """An action that rejects itself, as a FormValidationAction can."""

    name = "action_reject_me"
    runs = 0

    async def run(self, tracker: DialogueStateTracker, runtime: object) -> list[object]:
        from hrbot.shared.core.events import ActionExecutionRejected

        RejectingAction.runs += 1
        return [ActionExecutionRejected(timestamp=None, name=self.name)]


class AsksFollowup:
    name = "action_ask_followup"

    async def run(self, tracker: DialogueStateTracker, runtime: object) -> list[object]:
        from hrbot.shared.core.events import FollowupAction

        return [FollowupAction(timestamp=None, name="action_reject_me")]


class TryThenGreet:
    """Tries `first` once per turn; after it is rejected greets, then listens."""

    def __init__(self, first: str) -> None:
        self.first = first

    def predict(self, tracker: DialogueStateTracker, domain: Domain) -> PolicyPrediction:
        names = [getattr(e, "name", None) for e in tracker.events[-3:]]
        if tracker.latest_action_name == "utter_greet":
            return PolicyPrediction("action_listen", 1.0, "TryThenGreet", 1)
        if "action_reject_me" in names or "action_ask_followup" in names:
            return PolicyPrediction("utter_greet", 1.0, "TryThenGreet", 1)
        return PolicyPrediction(self.first, 1.0, "TryThenGreet", 1)


def with_actions(bot: MessageProcessor) -> MessageProcessor:
    resolver = bot.actions
    extra = {"action_reject_me": RejectingAction(), "action_ask_followup": AsksFollowup()}
    bot.actions = lambda name: extra.get(name) or resolver(name)  # type: ignore[assignment,return-value]
    return bot


def test_an_action_that_rejects_itself_is_not_logged_as_executed_and_the_policies_go_on(
    tmp_path: Path,
) -> None:
    bot = with_actions(processor(tmp_path, TryThenGreet("action_reject_me"), Clock()))

    result = asyncio.run(bot.handle_message(UserMessage("你好", "alice")))

    assert [m.text for m in result.messages] == ["您好"]
    executed = [e.name for e in result.tracker.events if e.type_name == "action"]  # type: ignore[attr-defined]
    assert "action_reject_me" not in executed
    assert any(e.type_name == "action_execution_rejected" for e in result.tracker.events)


def test_a_rejected_followup_action_is_not_run_again(tmp_path: Path) -> None:
    RejectingAction.runs = 0
    domain_with_actions = DOMAIN + "actions:\n  - action_reject_me\n  - action_ask_followup\n"
    bot = processor(tmp_path, TryThenGreet("action_ask_followup"), Clock())
    (tmp_path / "domain.yml").write_text(domain_with_actions, encoding="utf-8")
    bot.domain = load_domain(tmp_path / "domain.yml")
    with_actions(bot)

    result = asyncio.run(bot.handle_message(UserMessage("你好", "alice")))

    assert RejectingAction.runs == 1
    assert [m.text for m in result.messages] == ["您好"]


def test_a_handed_off_conversation_does_not_expire_while_hr_has_it(tmp_path: Path) -> None:
    from hrbot.shared.core.events import ConversationPaused

    clock = Clock()
    bot = processor(tmp_path, GreetOnce(), clock)

    async def conversation() -> tuple[list[str | None], DialogueStateTracker]:
        await bot.handle_message(UserMessage("你好", "alice"))
        await bot.append_events("alice", [ConversationPaused(timestamp=None)])
        clock.now = START + timedelta(hours=3)
        result = await bot.handle_message(UserMessage("在吗", "alice"))
        return [m.text for m in result.messages], result.tracker

    messages, tracker = asyncio.run(conversation())

    assert messages == []
    assert tracker.paused
    assert sum(1 for e in tracker.events if e.type_name == "session_started") == 1
