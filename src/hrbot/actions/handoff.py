"""Handing a conversation to a human HR agent.

`action_human_handoff` tells the user (the domain's `utter_human_handoff`, else hrbot's default
text) and pauses the conversation: the processor then stores the user's messages without
answering until HR resumes the conversation (a `resume` event). The `pause` event carries the
reason in its metadata (`handoff_reason`), for the review log and the HR console."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from hrbot.actions.base import Action, ActionRuntime
from hrbot.actions.names import ACTION_HUMAN_HANDOFF
from hrbot.actions.utterances import utter
from hrbot.shared.core.events import ConversationPaused, Event
from hrbot.shared.core.tracker import DialogueStateTracker

UTTER_HUMAN_HANDOFF = "utter_human_handoff"


class HandoffReason(StrEnum):
    """Why the conversation went to a human."""

    REQUESTED = "requested"  # the user asked for a human
    FALLBACK = "fallback"  # the bot could not understand the user, even after asking back
    ACTION_FAILED = "action_failed"  # a custom action (HR system) could not be carried out


class HumanHandoffAction(Action):
    """Says `utter_human_handoff` and pauses the conversation for a human agent."""

    def __init__(
        self, reason: HandoffReason | str = HandoffReason.REQUESTED, details: Mapping[str, Any] | None = None
    ) -> None:
        self.reason = str(reason)
        self.details = dict(details or {})

    @property
    def name(self) -> str:
        return ACTION_HUMAN_HANDOFF

    def with_reason(self, reason: HandoffReason | str, **details: Any) -> HumanHandoffAction:
        """The same action for another reason (e.g. a fallback that gives up)."""
        return HumanHandoffAction(reason, {**self.details, **details})

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        metadata = {**self.details, "handoff_reason": self.reason}
        return [
            *utter(UTTER_HUMAN_HANDOFF, tracker, runtime),
            ConversationPaused(timestamp=runtime.now(), metadata=metadata),
        ]
