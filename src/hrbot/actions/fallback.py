"""The two-stage fallback: when NLU is unsure, ask back before giving up.

`action_two_stage_fallback` is a loop (rules predict it for `nlu_fallback` and keep it running
while it is active):

1. Activation: `active_loop`, then `action_default_ask_affirmation` asks which of the likeliest
   intents the user meant (buttons `/intent`, plus "都不是" → `/out_of_scope`).
2. The user's answer:
   - a clear intent (not `nlu_fallback`, `out_of_scope` or `deny`): the fallback is undone as
     in Rasa — loop off, the user's turns since the unclear message reverted, and the message
     added again with the intent at confidence 1.0, so that the conversation goes on as if it
     had been understood at once. A button answer (`/intent`) re-adds the original message
     (its text and entities) with the chosen intent; a typed answer is re-added as typed.
   - "none of these" (`out_of_scope`) or `deny`: `action_default_ask_rephrase` asks the user to
     say it differently.
   - unclear again (`nlu_fallback`): hand off to a human.
3. The answer to the request to rephrase: a clear intent is handled as above; anything else
   hands off to a human.

Handing off runs `action_human_handoff` with reason "fallback" and deactivates the loop.
(Rasa asks for affirmation once more after an unclear rephrasing and then runs
`action_default_fallback`; hrbot hands off to HR instead.)
"""

from __future__ import annotations

from hrbot.actions.base import Action, ActionRuntime
from hrbot.actions.builtin import clarified
from hrbot.actions.handoff import HandoffReason, HumanHandoffAction
from hrbot.actions.names import (
    ACTION_DEFAULT_ASK_AFFIRMATION,
    ACTION_DEFAULT_ASK_REPHRASE,
    ACTION_HUMAN_HANDOFF,
    ACTION_LISTEN,
    ACTION_TWO_STAGE_FALLBACK,
    INTENT_DENY,
    INTENT_OUT_OF_SCOPE,
    NLU_FALLBACK,
)
from hrbot.shared.core.events import ActionExecuted, ActiveLoop, Event, UserUtteranceReverted, UserUttered
from hrbot.shared.core.tracker import DialogueStateTracker

UNCLEAR_INTENTS = frozenset({NLU_FALLBACK, INTENT_OUT_OF_SCOPE, INTENT_DENY})


class TwoStageFallbackAction(Action):
    """The two-stage fallback loop (see the module docstring)."""

    @property
    def name(self) -> str:
        return ACTION_TWO_STAGE_FALLBACK

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        now = runtime.now()
        if tracker.active_loop_name != self.name:
            asking = runtime.action_for(ACTION_DEFAULT_ASK_AFFIRMATION)
            return [ActiveLoop(timestamp=now, name=self.name), *await asking.run(tracker, runtime)]
        intent = tracker.latest_intent_name
        if intent not in UNCLEAR_INTENTS:
            return [ActiveLoop(timestamp=now, name=None), *self._clarification(tracker, now)]
        answers = _answers_since_activation(tracker, self.name)
        if intent != NLU_FALLBACK and len(answers) <= 1:
            return await runtime.action_for(ACTION_DEFAULT_ASK_REPHRASE).run(tracker, runtime)
        return [ActiveLoop(timestamp=now, name=None), *await self._hand_off(tracker, runtime)]

    def _clarification(self, tracker: DialogueStateTracker, now: float) -> list[Event]:
        """Revert the fallback turns and add the message again with its intent at
        confidence 1.0."""
        latest = tracker.latest_user_event
        if latest is None:
            return []
        intent = latest.intent_name
        original = _message_that_activated(tracker, self.name)
        if original is not None and (latest.text or "").strip().startswith("/"):
            message = clarified(original, timestamp=now, intent=intent)
            entities = [*original.entities, *(e for e in latest.entities if e not in original.entities)]
            message = UserUttered(
                timestamp=now,
                metadata=message.metadata,
                text=message.text,
                parse_data={**message.parse_data, "entities": entities},
                input_channel=message.input_channel,
                message_id=message.message_id,
            )
        else:
            message = clarified(latest, timestamp=now)
        return [
            UserUtteranceReverted(timestamp=now),
            ActionExecuted(timestamp=now, name=ACTION_LISTEN),
            message,
        ]

    async def _hand_off(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        action = runtime.action_for(ACTION_HUMAN_HANDOFF)
        if isinstance(action, HumanHandoffAction):
            action = action.with_reason(HandoffReason.FALLBACK)
        return await action.run(tracker, runtime)


def _activation_index(tracker: DialogueStateTracker, loop: str) -> int | None:
    events = tracker.events
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, ActiveLoop) and event.name == loop:
            return index
    return None


def _answers_since_activation(tracker: DialogueStateTracker, loop: str) -> list[UserUttered]:
    """The user's messages since the loop was activated (the answers to its questions)."""
    start = _activation_index(tracker, loop)
    if start is None:
        return []
    return [event for event in tracker.events[start:] if isinstance(event, UserUttered)]


def _message_that_activated(tracker: DialogueStateTracker, loop: str) -> UserUttered | None:
    start = _activation_index(tracker, loop)
    if start is None:
        return None
    return next((event for event in reversed(tracker.events[:start]) if isinstance(event, UserUttered)), None)
