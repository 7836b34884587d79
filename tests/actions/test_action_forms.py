"""Forms: activation, asking, validation (built-in type checks and rasa_sdk's
FormValidationAction on a real action server), corrections, rejection and completion."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from hrbot.actions.base import Action, ActionRejected, ActionRuntime
from hrbot.actions.lookup import ActionResolver
from hrbot.actions.remote import RemoteActionEndpoint
from hrbot.actions.sdk_server import ActionServerProcess
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import ActiveLoop, BotUttered, Event, SlotSet
from hrbot.shared.core.tracker import DialogueStateTracker


class FakeAction(Action):
    def __init__(self, name: str, events: Sequence[Event] = ()) -> None:
        self._name = name
        self.events = list(events)
        self.calls: list[DialogueStateTracker] = []

    @property
    def name(self) -> str:
        return self._name

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        self.calls.append(tracker)
        return list(self.events)


def _with(domain: Domain, *fakes: FakeAction) -> Callable[[str], Action]:
    resolver = ActionResolver(domain)
    by_name = {fake.name: fake for fake in fakes}
    return lambda name: by_name.get(name) or resolver(name)


def _summary(events: Sequence[Event]) -> list[tuple[str, Any]]:
    """(kind, what) per event: slot name=value, loop name, bot text."""
    out: list[tuple[str, Any]] = []
    for event in events:
        if isinstance(event, SlotSet):
            out.append(("slot", f"{event.name}={event.value}"))
        elif isinstance(event, ActiveLoop):
            out.append(("loop", event.name))
        elif isinstance(event, BotUttered):
            out.append(("bot", event.text))
        else:
            out.append((event.type_name, None))
    return out


def test_a_form_asks_for_each_empty_slot_in_turn_and_ends_when_all_are_filled(
    leave_domain: Domain, conversation: Callable[..., Any], kit: Any
) -> None:
    talk = conversation(leave_domain)
    talk.say("我要请假", "request_leave")
    assert _summary(talk.run("leave_form")) == [
        ("loop", "leave_form"),
        ("slot", "requested_slot=leave_type"),
        ("bot", "请问请什么假?"),
    ]
    talk.say("年假", "inform", [kit.entity("leave_type", "annual")])
    assert _summary(talk.run("leave_form")) == [("slot", "requested_slot=start_date"), ("bot", "从哪天开始?")]
    talk.say("下周一", "inform", [kit.entity("date", "2026-11-23")])
    assert _summary(talk.run("leave_form")) == [("slot", "requested_slot=duration"), ("bot", "请几天?")]
    talk.say("三天", "inform", [kit.entity("duration", 3)])
    assert _summary(talk.run("leave_form")) == [("slot", "requested_slot=None"), ("loop", None)]
    assert talk.tracker.active_loop is None
    assert {name: talk.tracker.get_slot(name) for name in ("leave_type", "start_date", "duration")} == {
        "leave_type": "annual",
        "start_date": "2026-11-23",
        "duration": 3,
    }


def test_slots_given_with_the_request_are_not_asked_for(
    leave_domain: Domain, conversation: Callable[..., Any], kit: Any
) -> None:
    talk = conversation(leave_domain)
    talk.say("我想请3天病假", "request_leave", [kit.entity("leave_type", "sick"), kit.entity("duration", 3)])
    assert _summary(talk.run("leave_form")) == [
        ("loop", "leave_form"),
        ("slot", "leave_type=sick"),  # the prefilled slots, validated, as Rasa's activation
        ("slot", "duration=3"),
        ("slot", "requested_slot=start_date"),
        ("bot", "从哪天开始?"),
    ]


def test_a_value_of_the_wrong_type_is_reset_and_asked_for_again(
    leave_domain: Domain, conversation: Callable[..., Any], kit: Any
) -> None:
    talk = conversation(leave_domain)
    talk.say("我要请假", "request_leave")
    talk.run("leave_form")
    talk.say("婚假", "inform", [kit.entity("leave_type", "marriage")])  # not a value of the slot
    assert _summary(talk.run("leave_form")) == [
        ("slot", "leave_type=None"),
        ("slot", "requested_slot=leave_type"),
        ("bot", "请问请什么假?"),
    ]
    talk.say("病假", "inform", [kit.entity("leave_type", "Sick")])  # categories compare case-insensitively
    talk.run("leave_form")
    talk.say("下周一", "inform", [kit.entity("date", "2026-11-23")])
    talk.run("leave_form")
    talk.say("好几天", "inform", [kit.entity("duration", "好几天")])  # not a number
    assert _summary(talk.run("leave_form"))[0] == ("slot", "duration=None")
    assert talk.tracker.get_slot("requested_slot") == "duration"


def test_a_new_value_for_a_filled_slot_corrects_it(
    leave_domain: Domain, conversation: Callable[..., Any], kit: Any
) -> None:
    talk = conversation(leave_domain)
    talk.say("我要请年假", "request_leave", [kit.entity("leave_type", "annual")])
    talk.run("leave_form")
    talk.say("下周一", "inform", [kit.entity("date", "2026-11-23")])
    talk.run("leave_form")
    assert talk.tracker.get_slot("requested_slot") == "duration"
    talk.say("不对,是病假", "inform", [kit.entity("leave_type", "sick")])
    assert _summary(talk.run("leave_form")) == [("slot", "requested_slot=duration"), ("bot", "请几天?")]
    assert talk.tracker.get_slot("leave_type") == "sick"


def test_a_form_rejects_running_when_the_answer_fills_nothing(
    leave_domain: Domain, conversation: Callable[..., Any]
) -> None:
    talk = conversation(leave_domain)
    talk.say("我要请假", "request_leave")
    talk.run("leave_form")
    talk.say("年假还剩几天?", "chitchat")
    with pytest.raises(ActionRejected) as rejected:
        talk.run("leave_form")
    assert rejected.value.action == "leave_form"
    assert "leave_type" in rejected.value.message
    assert talk.tracker.active_loop is not None and talk.tracker.active_loop.rejected


def test_the_form_specific_ask_action_wins_and_custom_ask_actions_run(
    domain_from_yaml: Callable[[str], Domain], conversation: Callable[..., Any], kit: Any
) -> None:
    yaml = (
        kit.LEAVE_DOMAIN.replace(
            "  utter_greet:", "  utter_ask_leave_form_leave_type:\n    - text: 这次请什么假?\n  utter_greet:"
        )
        + "actions:\n  - action_ask_leave_form_start_date\n"
    )
    domain = domain_from_yaml(yaml)
    asker = FakeAction("action_ask_leave_form_start_date", [BotUttered(timestamp=None, text="哪天开始休?")])
    talk = conversation(domain, _with(domain, asker))
    talk.say("我要请假", "request_leave")
    assert ("bot", "这次请什么假?") in _summary(talk.run("leave_form"))
    talk.say("年假", "inform", [kit.entity("leave_type", "annual")])
    assert ("bot", "哪天开始休?") in _summary(talk.run("leave_form"))
    assert asker.calls[0].get_slot("leave_type") == "annual"


def test_a_validation_action_may_ask_for_an_extra_slot_or_end_the_form(
    domain_from_yaml: Callable[[str], Domain], conversation: Callable[..., Any], kit: Any
) -> None:
    domain = domain_from_yaml(kit.LEAVE_DOMAIN + "actions:\n  - validate_leave_form\n")
    extra = FakeAction(
        "validate_leave_form", [SlotSet(timestamp=None, name="requested_slot", value="start_date")]
    )
    talk = conversation(domain, _with(domain, extra))
    talk.say("我要请年假", "request_leave", [kit.entity("leave_type", "annual")])
    assert ("slot", "requested_slot=start_date") in _summary(talk.run("leave_form"))
    seen = extra.calls[0]  # the candidates are the latest events the validation action sees
    assert [e.name for e in seen.events[-1:] if isinstance(e, SlotSet)] == ["leave_type"]
    extra.events = [SlotSet(timestamp=None, name="requested_slot", value=None)]
    talk.say("下周一", "inform", [kit.entity("date", "2026-11-23")])
    assert _summary(talk.run("leave_form"))[-1] == ("loop", None)


# --------------------------------------------------------------------------- rasa_sdk validation


def _remote_form(
    domain_from_yaml: Callable[[str], Domain],
    conversation: Callable[..., Any],
    kit: Any,
    server: ActionServerProcess,
) -> Any:
    domain = domain_from_yaml(kit.LEAVE_DOMAIN + "actions:\n  - validate_leave_form\n")
    return conversation(domain, ActionResolver(domain, RemoteActionEndpoint(server.webhook_url, timeout=5)))


def test_a_form_validation_action_on_the_action_server_can_refuse_a_value(
    domain_from_yaml: Callable[[str], Domain],
    conversation: Callable[..., Any],
    kit: Any,
    action_server: ActionServerProcess,
) -> None:
    talk = _remote_form(domain_from_yaml, conversation, kit, action_server)
    talk.say(
        "我要请年假", "request_leave", [kit.entity("leave_type", "annual"), kit.entity("date", "2026-11-23")]
    )
    assert _summary(talk.run("leave_form"))[-2:] == [("slot", "requested_slot=duration"), ("bot", "请几天?")]
    talk.say("20天", "inform", [kit.entity("duration", 20)])
    assert _summary(talk.run("leave_form")) == [
        ("bot", "最多只能连续请15天"),
        ("slot", "duration=None"),
        ("slot", "requested_slot=duration"),
        ("bot", "请几天?"),
    ]
    talk.say("5天", "inform", [kit.entity("duration", "5")])
    assert _summary(talk.run("leave_form")) == [
        ("slot", "duration=5.0"),
        ("slot", "requested_slot=None"),
        ("loop", None),
    ]
    assert talk.tracker.get_slot("duration") == 5.0


def test_a_form_validation_action_rejecting_with_http_400_rejects_the_form(
    domain_from_yaml: Callable[[str], Domain],
    conversation: Callable[..., Any],
    kit: Any,
    action_server: ActionServerProcess,
) -> None:
    talk = _remote_form(domain_from_yaml, conversation, kit, action_server)
    talk.say("我要请年假", "request_leave", [kit.entity("leave_type", "annual")])
    talk.run("leave_form")
    talk.say("昨天", "inform", [kit.entity("date", "昨天")])
    with pytest.raises(ActionRejected) as rejected:
        talk.run("leave_form")
    assert rejected.value.action == "leave_form"
    assert "不能为过去的日期请假" in rejected.value.message
