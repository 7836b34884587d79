"""Rasa 3.x's default actions (and the action behind every `utter_*` response).

Each returns the events Rasa's own action returns, in the same order; messages use the
domain's response when it has one, else hrbot's default text (`defaults.py`) where one exists:
`utter_default`, `utter_ask_rephrase` and `utter_ask_affirmation` have defaults; `utter_restart`
and `utter_back` are said only when the domain defines them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from hrbot.actions.base import Action, ActionRuntime
from hrbot.actions.defaults import NONE_OF_THESE_TITLE
from hrbot.actions.handoff import UTTER_HUMAN_HANDOFF, HandoffReason, HumanHandoffAction
from hrbot.actions.names import (
    ACTION_BACK,
    ACTION_DEACTIVATE_LOOP,
    ACTION_DEFAULT_ASK_AFFIRMATION,
    ACTION_DEFAULT_ASK_REPHRASE,
    ACTION_DEFAULT_FALLBACK,
    ACTION_HUMAN_HANDOFF,
    ACTION_LISTEN,
    ACTION_RESTART,
    ACTION_REVERT_FALLBACK_EVENTS,
    ACTION_SESSION_START,
    ACTION_UNLIKELY_INTENT,
    INTENT_OUT_OF_SCOPE,
    NLU_FALLBACK,
    REQUESTED_SLOT,
    SESSION_START_METADATA_SLOT,
)
from hrbot.actions.tracker_copies import last_executed_action_has, latest_applied_user_message
from hrbot.actions.utterances import bot_uttered, render, utter
from hrbot.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from hrbot.shared.core.tracker import DialogueStateTracker

MAX_AFFIRMATION_INTENTS = 3


class ResponseAction(Action):
    """An `utter_*` action: says the response of the same name (nothing when no variation
    fits, as Rasa)."""

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        return utter(self._name, tracker, runtime)


class EndToEndResponseAction(Action):
    """A bot text predicted end-to-end (the domain's `e2e_actions`): says that text. Its name
    is the text; the processor logs it as `action_text` (Rasa's ActionEndToEndResponse)."""

    def __init__(self, text: str) -> None:
        self._text = text

    @property
    def name(self) -> str:
        return self._text

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        return [bot_uttered({"text": self._text}, timestamp=runtime.now())]


class ActionListen(Action):
    """The bot waits for the user: no events."""

    @property
    def name(self) -> str:
        return ACTION_LISTEN

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        return []


class ActionUnlikelyIntent(Action):
    """Marks an unexpected intent (UnexpecTEDIntentPolicy); no events."""

    @property
    def name(self) -> str:
        return ACTION_UNLIKELY_INTENT

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        return []


class ActionRestart(Action):
    """Says `utter_restart` if the domain has it, then `restart`."""

    @property
    def name(self) -> str:
        return ACTION_RESTART

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        return [*utter("utter_restart", tracker, runtime), Restarted(timestamp=runtime.now())]


class ActionSessionStart(Action):
    """Starts a new session: `session_started`, the slots carried over (when the domain's
    session config says so) as `slot` events, `session_started_metadata`, then `action_listen`.

    The metadata is what the processor put into `session_started_metadata` just before running
    this action (Rasa's way), else the metadata of the user message of the current turn."""

    @property
    def name(self) -> str:
        return ACTION_SESSION_START

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        now = runtime.now()
        events: list[Event] = [SessionStarted(timestamp=now)]
        metadata = _new_session_metadata(tracker)
        if runtime.domain.session_config.carry_over_slots_to_new_session:
            events.extend(
                SlotSet(timestamp=now, name=event.name, value=event.value, metadata=event.metadata)
                for event in tracker.applied_events()
                if isinstance(event, SlotSet)
                and not (metadata is not None and event.name == SESSION_START_METADATA_SLOT)
            )
        if metadata is not None:
            events.append(SlotSet(timestamp=now, name=SESSION_START_METADATA_SLOT, value=metadata))
        events.append(ActionExecuted(timestamp=now, name=ACTION_LISTEN))
        return events


def _new_session_metadata(tracker: DialogueStateTracker) -> Any:
    """Metadata for the session being started, looking back no further than the current turn
    (the previous turn ended with `action_listen`)."""
    for event in reversed(tracker.events):
        if isinstance(event, SlotSet) and event.name == SESSION_START_METADATA_SLOT:
            return event.value or None
        if isinstance(event, UserUttered):
            return event.metadata or None
        if isinstance(event, ActionExecuted) and event.name == ACTION_LISTEN:
            return None
    return None


class ActionDefaultFallback(Action):
    """Says `utter_default`, then reverts the user's message so that it does not influence
    what comes next.

    In an assistant with human agents behind it (its domain defines `utter_human_handoff`), the
    second misunderstanding in a row hands the conversation to a human instead (reason
    "fallback"): nobody should be told "I didn't understand" three times. Without that response
    the conversation is never paused, as in Rasa."""

    @property
    def name(self) -> str:
        return ACTION_DEFAULT_FALLBACK

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        if runtime.domain.response_variations(UTTER_HUMAN_HANDOFF) and _misunderstood_last_time(tracker):
            handoff = runtime.action_for(ACTION_HUMAN_HANDOFF)
            if isinstance(handoff, HumanHandoffAction):
                handoff = handoff.with_reason(HandoffReason.FALLBACK)
            return [UserUtteranceReverted(timestamp=runtime.now()), *await handoff.run(tracker, runtime)]
        return [*utter("utter_default", tracker, runtime), UserUtteranceReverted(timestamp=runtime.now())]


def _misunderstood_last_time(tracker: DialogueStateTracker) -> bool:
    """Whether the bot's answer to the user's previous message was also the core fallback."""
    events = tracker.events
    users = [i for i, event in enumerate(events) if isinstance(event, UserUttered)]
    if len(users) < 2:
        return False
    for event in reversed(events[users[-2]:users[-1]]):
        if isinstance(event, ActionExecuted) and event.name != ACTION_LISTEN:
            return event.name == ACTION_DEFAULT_FALLBACK
    return False


class ActionDeactivateLoop(Action):
    """Deactivates the active loop (form) and clears `requested_slot`."""

    @property
    def name(self) -> str:
        return ACTION_DEACTIVATE_LOOP

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        now = runtime.now()
        return [ActiveLoop(timestamp=now, name=None), SlotSet(timestamp=now, name=REQUESTED_SLOT, value=None)]


class ActionBack(Action):
    """Says `utter_back` if the domain has it, then reverts the last two user messages."""

    @property
    def name(self) -> str:
        return ACTION_BACK

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        now = runtime.now()
        return [
            *utter("utter_back", tracker, runtime),
            UserUtteranceReverted(timestamp=now),
            UserUtteranceReverted(timestamp=now),
        ]


class ActionDefaultAskRephrase(Action):
    """Asks the user to say it differently (`utter_ask_rephrase`)."""

    @property
    def name(self) -> str:
        return ACTION_DEFAULT_ASK_REPHRASE

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        return utter("utter_ask_rephrase", tracker, runtime)


class ActionDefaultAskAffirmation(Action):
    """Asks which of the likeliest intents the user meant.

    The buttons are the top intents of the latest message's `intent_ranking` (without
    `nlu_fallback`, at most three), each with payload `/intent_name`, plus a "none of these"
    button with payload `/out_of_scope`. The text is the domain's `utter_ask_affirmation`
    (rendered with `intents`, the titles joined by "、") or hrbot's default. Button titles are the
    intent names unless `intent_titles` gives a better one. (Rasa asks about the single top
    intent with yes/no buttons; hrbot offers the candidates at once.)"""

    def __init__(self, intent_titles: Mapping[str, str] | None = None) -> None:
        self._titles = MappingProxyType(dict(intent_titles or {}))

    @property
    def name(self) -> str:
        return ACTION_DEFAULT_ASK_AFFIRMATION

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        intents = candidate_intents(tracker.latest_message)
        titles = [self._titles.get(intent, intent) for intent in intents]
        message = render("utter_ask_affirmation", tracker, runtime, intents="、".join(titles)) or {}
        buttons = [
            {"title": title, "payload": f"/{intent}"} for intent, title in zip(intents, titles, strict=True)
        ]
        buttons.append({"title": NONE_OF_THESE_TITLE, "payload": f"/{INTENT_OUT_OF_SCOPE}"})
        message = {**message, "buttons": buttons, "utter_action": self.name}
        return [bot_uttered(message, timestamp=runtime.now())]


def candidate_intents(parse_data: Mapping[str, Any], limit: int = MAX_AFFIRMATION_INTENTS) -> list[str]:
    """The likeliest real intents of a message: its ranking without `nlu_fallback`, or its
    intent when there is no ranking."""
    ranking = parse_data.get("intent_ranking") or []
    if not ranking:
        intent = parse_data.get("intent") or {}
        ranking = [intent] if isinstance(intent, dict) else []
    names: list[str] = []
    for item in ranking:
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str) and name != NLU_FALLBACK and name not in names:
            names.append(name)
    return names[:limit]


class ActionRevertFallbackEvents(Action):
    """Undoes a fallback once the user affirmed or rephrased (Rasa's
    `action_revert_fallback_events`): the fallback turns are reverted and the user's message is
    added again with confidence 1.0, as if it had been understood at once."""

    @property
    def name(self) -> str:
        return ACTION_REVERT_FALLBACK_EVENTS

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        now = runtime.now()
        latest = latest_applied_user_message(tracker)
        if latest is None:
            return []
        if last_executed_action_has(tracker, ACTION_DEFAULT_ASK_REPHRASE):  # the user rephrased
            return [*_revert_rephrasing(now), latest]
        if last_executed_action_has(tracker, ACTION_DEFAULT_ASK_AFFIRMATION):  # the user affirmed
            events: list[Event] = [
                UserUtteranceReverted(timestamp=now),  # the affirmation and the question
                UserUtteranceReverted(timestamp=now),  # the original message (added again below)
                ActionExecuted(timestamp=now, name=ACTION_LISTEN),
            ]
            if last_executed_action_has(tracker, ACTION_DEFAULT_ASK_REPHRASE, skip=1):
                events.extend(_revert_rephrasing(now))
            return [*events, clarified(latest, timestamp=latest.timestamp)]
        return []


def _revert_rephrasing(now: float) -> list[Event]:
    return [
        UserUtteranceReverted(timestamp=now),  # the rephrased message
        UserUtteranceReverted(timestamp=now),  # the feedback and the request to rephrase
        UserUtteranceReverted(timestamp=now),  # the affirmation request and the unclear message
        ActionExecuted(timestamp=now, name=ACTION_LISTEN),
    ]


def clarified(
    message: UserUttered, *, timestamp: float | None, intent: str | None = None, text: str | None = None
) -> UserUttered:
    """`message` again, its intent at confidence 1.0 (or `intent` instead, then also as the
    whole ranking)."""
    parse_data = dict(message.parse_data)
    old = parse_data.get("intent")
    parse_data["intent"] = {
        **(old if isinstance(old, dict) and intent is None else {"name": intent}),
        "confidence": 1.0,
    }
    if intent is not None:
        parse_data["intent_ranking"] = [{"name": intent, "confidence": 1.0}]
    return UserUttered(
        timestamp=timestamp,
        metadata=dict(message.metadata),
        text=message.text if text is None else text,
        parse_data=parse_data,
        input_channel=message.input_channel,
        message_id=message.message_id,
    )


BUILTIN_ACTIONS: Mapping[str, Callable[[], Action]] = MappingProxyType(
    {
        ACTION_LISTEN: ActionListen,
        ACTION_RESTART: ActionRestart,
        ACTION_SESSION_START: ActionSessionStart,
        ACTION_DEFAULT_FALLBACK: ActionDefaultFallback,
        ACTION_DEACTIVATE_LOOP: ActionDeactivateLoop,
        ACTION_REVERT_FALLBACK_EVENTS: ActionRevertFallbackEvents,
        ACTION_DEFAULT_ASK_AFFIRMATION: ActionDefaultAskAffirmation,
        ACTION_DEFAULT_ASK_REPHRASE: ActionDefaultAskRephrase,
        ACTION_UNLIKELY_INTENT: ActionUnlikelyIntent,
        ACTION_BACK: ActionBack,
    }
)
"""The built-in actions of this module by name (the two-stage fallback, slot extraction and
human handoff live in their own modules)."""
