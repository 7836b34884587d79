"""The default actions: the events each returns, in Rasa's order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hrbot.actions.base import Action
from hrbot.actions.builtin import (
    ActionBack,
    ActionDeactivateLoop,
    ActionDefaultAskAffirmation,
    ActionDefaultAskRephrase,
    ActionDefaultFallback,
    ActionListen,
    ActionRestart,
    ActionRevertFallbackEvents,
    ActionSessionStart,
    ActionUnlikelyIntent,
    EndToEndResponseAction,
    ResponseAction,
)
from hrbot.actions.defaults import DEFAULT_TEXTS
from hrbot.actions.lookup import ActionResolver
from hrbot.dialogue.trackers import new_tracker
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
)
from hrbot.shared.core.tracker import DialogueStateTracker

RICH_DOMAIN = """\
version: "3.1"
intents: [greet, leave_balance, salary_query, request_leave]
slots:
  leave_type:
    type: text
    mappings: [{type: custom}]
responses:
  utter_greet:
    - text: 您好
      image: https://hr.example.com/logo.png
      buttons:
        - {title: 查年假, payload: /leave_balance}
  utter_restart:
    - text: 好的,我们重新开始。
  utter_back:
    - text: 好的,回到上一步。
  utter_default:
    - text: 这个我还不会。
  utter_ask_rephrase:
    - text: 请换个说法。
  utter_ask_affirmation:
    - text: "您是想问: {intents}?"
  utter_channel_only:
    - text: 钉钉
      channel: dingtalk
session_config:
  session_expiration_time: 60
  carry_over_slots_to_new_session: {carry}
"""


def _domain(domain_from_yaml: Callable[[str], Domain], *, carry: bool = True, plain: bool = False) -> Domain:
    if plain:
        return domain_from_yaml('version: "3.1"\nintents: [greet]\n')
    return domain_from_yaml(RICH_DOMAIN.replace("{carry}", "true" if carry else "false"))


def _run(
    action: Action, tracker: DialogueStateTracker, domain: Domain, kit: Any, channel: str | None = None
) -> list[Event]:
    return asyncio.run(action.run(tracker, kit.runtime(domain, ActionResolver(domain), channel)))


def _dicts(events: list[Event]) -> list[dict[str, Any]]:
    return [{k: v for k, v in event.to_dict().items() if k != "timestamp"} for event in events]


def test_listen_and_unlikely_intent_do_nothing(domain_from_yaml: Callable[[str], Domain], kit: Any) -> None:
    domain = _domain(domain_from_yaml)
    tracker = new_tracker("e", domain)
    assert _run(ActionListen(), tracker, domain, kit) == []
    assert _run(ActionUnlikelyIntent(), tracker, domain, kit) == []


def test_a_response_action_utters_its_response_with_rich_parts_in_data(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml)
    events = _run(ResponseAction("utter_greet"), new_tracker("e", domain), domain, kit)
    assert _dicts(events) == [
        {
            "event": "bot",
            "metadata": {"utter_action": "utter_greet"},
            "text": "您好",
            "data": {
                "elements": None,
                "quick_replies": None,
                "buttons": [{"title": "查年假", "payload": "/leave_balance"}],
                "attachment": "https://hr.example.com/logo.png",
                "image": "https://hr.example.com/logo.png",
                "custom": None,
            },
        }
    ]
    assert events[0].timestamp == kit.NOW


def test_a_response_action_without_a_fitting_variation_says_nothing(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml)
    tracker = new_tracker("e", domain)
    assert _run(ResponseAction("utter_channel_only"), tracker, domain, kit, "wecom") == []
    assert [
        e.text
        for e in _run(ResponseAction("utter_channel_only"), tracker, domain, kit, "dingtalk")
        if isinstance(e, BotUttered)
    ] == ["钉钉"]


def test_restart_utters_utter_restart_when_the_domain_has_it_then_restarts(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml)
    events = _run(ActionRestart(), new_tracker("e", domain), domain, kit)
    assert [type(e) for e in events] == [BotUttered, Restarted]
    assert isinstance(events[0], BotUttered) and events[0].text == "好的,我们重新开始。"
    plain = _domain(domain_from_yaml, plain=True)
    assert [type(e) for e in _run(ActionRestart(), new_tracker("e", plain), plain, kit)] == [Restarted]


def _previous_session(domain: Domain, kit: Any) -> DialogueStateTracker:
    return new_tracker(
        "e",
        domain,
        [
            ActionExecuted(timestamp=kit.NOW, name="action_listen"),
            kit.user("查年假", "leave_balance", metadata={"corp": "old"}),
            SlotSet(timestamp=kit.NOW, name="leave_type", value="annual", metadata={"by": "extraction"}),
            ActionExecuted(timestamp=kit.NOW, name="action_listen"),
        ],
    )


def test_session_start_carries_slots_over_and_adds_the_new_session_metadata(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml)
    tracker = _previous_session(domain, kit)
    # what the processor logs before running the action
    tracker.update(SlotSet(timestamp=kit.NOW, name="session_started_metadata", value={"corp": "acme"}))
    tracker.update(ActionExecuted(timestamp=kit.NOW, name="action_session_start"))
    events = _run(ActionSessionStart(), tracker, domain, kit)
    assert _dicts(events) == [
        {"event": "session_started"},
        {"event": "slot", "metadata": {"by": "extraction"}, "name": "leave_type", "value": "annual"},
        {"event": "slot", "name": "session_started_metadata", "value": {"corp": "acme"}},
        {
            "event": "action",
            "name": "action_listen",
            "policy": None,
            "confidence": None,
            "action_text": None,
            "hide_rule_turn": False,
        },
    ]
    tracker.update_with_events(events)
    assert tracker.get_slot("leave_type") == "annual"
    assert tracker.get_slot("session_started_metadata") == {"corp": "acme"}


def test_session_start_without_carry_over_keeps_only_the_metadata(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml, carry=False)
    tracker = _previous_session(domain, kit)
    tracker.update(SlotSet(timestamp=kit.NOW, name="session_started_metadata", value={"corp": "acme"}))
    events = _run(ActionSessionStart(), tracker, domain, kit)
    assert [type(e) for e in events] == [SessionStarted, SlotSet, ActionExecuted]
    assert isinstance(events[1], SlotSet) and events[1].name == "session_started_metadata"


def test_session_start_takes_the_metadata_of_this_turns_message_but_not_of_an_older_one(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml, carry=False)
    # an expired session: the latest message belongs to the previous turn
    assert [type(e) for e in _run(ActionSessionStart(), _previous_session(domain, kit), domain, kit)] == [
        SessionStarted,
        ActionExecuted,
    ]
    # a restart in this turn: "/restart" carries the channel's metadata
    tracker = _previous_session(domain, kit)
    tracker.update_with_events(
        [
            kit.user("/restart", "restart", metadata={"corp": "acme"}),
            ActionExecuted(timestamp=kit.NOW, name="action_restart"),
            Restarted(timestamp=kit.NOW),
            ActionExecuted(timestamp=kit.NOW, name="action_session_start"),
        ]
    )
    events = _run(ActionSessionStart(), tracker, domain, kit)
    assert [e.value for e in events if isinstance(e, SlotSet)] == [{"corp": "acme"}]


def test_default_fallback_says_the_default_chinese_text_and_reverts_the_message(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    plain = _domain(domain_from_yaml, plain=True)
    events = _run(ActionDefaultFallback(), new_tracker("e", plain), plain, kit)
    assert [type(e) for e in events] == [BotUttered, UserUtteranceReverted]
    assert isinstance(events[0], BotUttered)
    assert events[0].text == DEFAULT_TEXTS["utter_default"] == "抱歉,我没有理解您的意思。"
    assert events[0].metadata == {"utter_action": "utter_default"}
    domain = _domain(domain_from_yaml)
    assert [
        e.text
        for e in _run(ActionDefaultFallback(), new_tracker("e", domain), domain, kit)
        if isinstance(e, BotUttered)
    ] == ["这个我还不会。"]


def test_deactivate_loop_ends_the_loop_and_clears_the_requested_slot(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml)
    events = _run(ActionDeactivateLoop(), new_tracker("e", domain), domain, kit)
    assert _dicts(events) == [
        {"event": "active_loop", "name": None},
        {"event": "slot", "name": "requested_slot", "value": None},
    ]


def test_back_utters_utter_back_and_reverts_two_user_messages(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml)
    events = _run(ActionBack(), new_tracker("e", domain), domain, kit)
    assert [type(e) for e in events] == [BotUttered, UserUtteranceReverted, UserUtteranceReverted]
    plain = _domain(domain_from_yaml, plain=True)
    assert [type(e) for e in _run(ActionBack(), new_tracker("e", plain), plain, kit)] == [
        UserUtteranceReverted,
        UserUtteranceReverted,
    ]


def test_ask_rephrase_uses_the_domain_response_or_the_default(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml)
    plain = _domain(domain_from_yaml, plain=True)
    assert [
        e.text
        for e in _run(ActionDefaultAskRephrase(), new_tracker("e", domain), domain, kit)
        if isinstance(e, BotUttered)
    ] == ["请换个说法。"]
    assert [
        e.text
        for e in _run(ActionDefaultAskRephrase(), new_tracker("e", plain), plain, kit)
        if isinstance(e, BotUttered)
    ] == [DEFAULT_TEXTS["utter_ask_rephrase"]]


def _unclear(domain: Domain, kit: Any) -> DialogueStateTracker:
    return new_tracker(
        "e",
        domain,
        [
            ActionExecuted(timestamp=kit.NOW, name="action_listen"),
            kit.user(
                "那个假怎么弄",
                "nlu_fallback",
                confidence=0.3,
                ranking=[
                    ("nlu_fallback", 0.3),
                    ("leave_balance", 0.28),
                    ("request_leave", 0.25),
                    ("salary_query", 0.1),
                    ("greet", 0.05),
                ],
            ),
        ],
    )


def test_ask_affirmation_offers_the_top_three_intents_and_none_of_these(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    plain = _domain(domain_from_yaml, plain=True)
    events = _run(ActionDefaultAskAffirmation(), _unclear(plain, kit), plain, kit)
    assert len(events) == 1 and isinstance(events[0], BotUttered)
    assert events[0].text == DEFAULT_TEXTS["utter_ask_affirmation"]
    assert events[0].data["buttons"] == [
        {"title": "leave_balance", "payload": "/leave_balance"},
        {"title": "request_leave", "payload": "/request_leave"},
        {"title": "salary_query", "payload": "/salary_query"},
        {"title": "都不是", "payload": "/out_of_scope"},
    ]
    assert events[0].metadata == {"utter_action": "action_default_ask_affirmation"}


def test_ask_affirmation_renders_the_domain_text_with_the_intent_titles(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml)
    action = ActionDefaultAskAffirmation({"leave_balance": "查假期余额", "request_leave": "请假"})
    events = _run(action, _unclear(domain, kit), domain, kit)
    assert isinstance(events[0], BotUttered)
    assert events[0].text == "您是想问: 查假期余额、请假、salary_query?"
    assert [b["title"] for b in events[0].data["buttons"]] == ["查假期余额", "请假", "salary_query", "都不是"]


def test_revert_fallback_events_after_an_affirmation_replays_the_message_as_understood(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml)
    tracker = _unclear(domain, kit)
    tracker.update_with_events(
        [
            ActionExecuted(timestamp=kit.NOW, name="action_default_ask_affirmation"),
            BotUttered(timestamp=kit.NOW, text="您是想问?"),
            ActionExecuted(timestamp=kit.NOW, name="action_listen"),
            kit.user("/leave_balance", "leave_balance", confidence=1.0),
        ]
    )
    events = _run(ActionRevertFallbackEvents(), tracker, domain, kit)
    assert [e.type_name for e in events] == ["rewind", "rewind", "action", "user"]
    tracker.update_with_events(events)
    applied = tracker.applied_events()
    assert [e.type_name for e in applied] == ["action", "user"]
    assert tracker.latest_message["intent"] == {"name": "leave_balance", "confidence": 1.0}


def test_revert_fallback_events_without_a_fallback_does_nothing(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml)
    assert _run(ActionRevertFallbackEvents(), _unclear(domain, kit), domain, kit) == []


def test_an_end_to_end_action_says_its_text(domain_from_yaml: Callable[[str], Domain], kit: Any) -> None:
    domain = _domain(domain_from_yaml)
    events = _run(EndToEndResponseAction("好的,马上帮您查。"), new_tracker("e", domain), domain, kit)
    assert [e.text for e in events if isinstance(e, BotUttered)] == ["好的,马上帮您查。"]


def test_every_action_event_is_stamped_with_the_runtime_clock(
    domain_from_yaml: Callable[[str], Domain], kit: Any
) -> None:
    domain = _domain(domain_from_yaml)
    tracker = _previous_session(domain, kit)
    for action in (
        ActionRestart(),
        ActionSessionStart(),
        ActionDefaultFallback(),
        ActionDeactivateLoop(),
        ActionBack(),
    ):
        assert all(event.timestamp == kit.NOW for event in _run(action, tracker, domain, kit)), action
