"""action_human_handoff: tell the user, pause the conversation with the reason."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hrbot.actions.defaults import DEFAULT_TEXTS
from hrbot.actions.handoff import HandoffReason, HumanHandoffAction
from hrbot.actions.lookup import ActionResolver
from hrbot.dialogue.trackers import new_tracker
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import BotUttered, ConversationPaused, Event


def _run(action: HumanHandoffAction, domain: Domain, kit: Any) -> list[Event]:
    return asyncio.run(action.run(new_tracker("e", domain), kit.runtime(domain, ActionResolver(domain))))


def test_handoff_tells_the_user_and_pauses_with_the_reason(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = domain_from_yaml('version: "3.1"\nintents: [human_handoff]\n')
    events = _run(HumanHandoffAction(), domain, kit)
    assert [type(e) for e in events] == [BotUttered, ConversationPaused]
    assert isinstance(events[0], BotUttered) and events[0].text == DEFAULT_TEXTS["utter_human_handoff"]
    assert events[0].metadata == {"utter_action": "utter_human_handoff"}
    assert events[1].metadata == {"handoff_reason": "requested"}
    assert events[1].timestamp == kit.NOW


def test_handoff_uses_the_domain_response_when_there_is_one(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = domain_from_yaml(
        'version: "3.1"\nresponses:\n  utter_human_handoff:\n    - text: 已通知HR小王\n'
    )
    events = _run(HumanHandoffAction(HandoffReason.ACTION_FAILED), domain, kit)
    assert isinstance(events[0], BotUttered) and events[0].text == "已通知HR小王"
    assert events[1].metadata == {"handoff_reason": "action_failed"}


def test_with_reason_gives_the_same_action_for_another_reason_and_details(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = domain_from_yaml('version: "3.1"\n')
    action = HumanHandoffAction().with_reason(HandoffReason.FALLBACK, failed_action="action_check_leave")
    assert action.name == "action_human_handoff"
    assert _run(action, domain, kit)[-1].metadata == {
        "failed_action": "action_check_leave",
        "handoff_reason": "fallback",
    }


def test_the_reasons_are_plain_strings() -> None:
    assert [str(reason) for reason in HandoffReason] == ["requested", "fallback", "action_failed"]
