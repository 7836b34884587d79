"""ActionResolver: which action a name stands for, and that each is created once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from hrbot.actions.base import ActionFailed
from hrbot.actions.builtin import (
    ActionDefaultAskAffirmation,
    ActionListen,
    ActionSessionStart,
    EndToEndResponseAction,
    ResponseAction,
)
from hrbot.actions.fallback import TwoStageFallbackAction
from hrbot.actions.forms import FormAction
from hrbot.actions.handoff import HumanHandoffAction
from hrbot.actions.lookup import ActionResolver, UnconfiguredRemoteAction
from hrbot.actions.remote import RemoteAction, RemoteActionEndpoint
from hrbot.actions.slot_extraction import ActionExtractSlots
from hrbot.dialogue.trackers import new_tracker
from hrbot.shared.core.domain import DEFAULT_ACTION_NAMES, Domain

DOMAIN = """\
version: "3.1"
intents: [greet]
slots:
  leave_type:
    type: text
    mappings: [{type: custom}]
responses:
  utter_greet:
    - text: 您好
  utter_custom_named:
    - text: 回答
forms:
  leave_form:
    required_slots: [leave_type]
  overridden_form:
    required_slots: [leave_type]
actions:
  - action_check_balance
  - action_session_start
  - overridden_form
  - utter_from_server
e2e_actions:
  - 好的,马上帮您查。
"""


@pytest.fixture
def domain(domain_from_yaml: Callable[[str], Domain]) -> Domain:
    return domain_from_yaml(DOMAIN)


def test_names_resolve_to_the_right_kind_of_action(domain: Domain) -> None:
    resolve = ActionResolver(domain, RemoteActionEndpoint("http://127.0.0.1:5055/webhook"))
    expected = {
        "action_listen": ActionListen,
        "action_extract_slots": ActionExtractSlots,
        "action_two_stage_fallback": TwoStageFallbackAction,
        "action_human_handoff": HumanHandoffAction,
        "action_default_ask_affirmation": ActionDefaultAskAffirmation,
        "utter_greet": ResponseAction,
        "utter_not_in_domain": ResponseAction,
        "leave_form": FormAction,
        "好的,马上帮您查。": EndToEndResponseAction,
        "action_check_balance": RemoteAction,
        "action_session_start": RemoteAction,  # the project's own replaces the default
        "overridden_form": RemoteAction,
        "utter_from_server": RemoteAction,  # a custom action named utter_* without a response
    }
    for name, kind in expected.items():
        action = resolve(name)
        assert type(action) is kind, name
        assert action.name == name


def test_every_default_action_of_the_domain_has_a_built_in(domain_from_yaml: Callable[[str], Domain]) -> None:
    resolve = ActionResolver(domain_from_yaml('version: "3.1"\n'))
    for name in DEFAULT_ACTION_NAMES:
        action = resolve(name)
        assert not isinstance(action, RemoteAction | UnconfiguredRemoteAction), name
        assert action.name == name
    assert isinstance(resolve("action_session_start"), ActionSessionStart)


def test_actions_are_created_once(domain: Domain) -> None:
    resolve = ActionResolver(domain, RemoteActionEndpoint("http://127.0.0.1:5055/webhook"))
    for name in ("utter_greet", "leave_form", "action_check_balance", "action_listen"):
        assert resolve(name) is resolve(name)


def test_a_custom_action_without_an_action_endpoint_fails_saying_what_to_configure(
    domain: Domain, kit: Any
) -> None:
    resolve = ActionResolver(domain)
    action = resolve("action_check_balance")
    with pytest.raises(ActionFailed) as failure:
        asyncio.run(action.run(new_tracker("e", domain), kit.runtime(domain, resolve)))
    assert failure.value.reason == (
        "no action_endpoint configured in endpoints.yml for custom action action_check_balance"
    )


def test_aclose_closes_the_shared_client_and_is_safe_without_one(domain: Domain) -> None:
    asyncio.run(ActionResolver(domain).aclose())
    resolve = ActionResolver(domain, RemoteActionEndpoint("http://127.0.0.1:5055/webhook"))
    first, second = resolve("action_check_balance"), resolve("overridden_form")
    assert isinstance(first, RemoteAction) and isinstance(second, RemoteAction)
    client = first._client
    assert client is second._client
    asyncio.run(resolve.aclose())
    assert client.is_closed
