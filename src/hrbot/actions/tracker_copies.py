"""Temporary trackers: what a conversation would look like with a few more events.

Actions must not modify the tracker they are given, yet forms and slot extraction need to see
the state after their own events (Rasa's `_temporary_tracker`). A copy replays the original
events plus the new ones."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from hrbot.actions.names import ACTION_LISTEN, REQUESTED_SLOT
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import ActionExecuted, Event, Restarted, SlotSet, UserUttered
from hrbot.shared.core.tracker import DialogueStateTracker


def tracker_with(
    tracker: DialogueStateTracker, domain: Domain, events: Iterable[Event]
) -> DialogueStateTracker:
    """A new tracker holding `tracker`'s events followed by `events`.

    It keeps the slots `tracker` keeps (default slots included) plus the domain's, each
    starting at the domain's initial value."""
    names = {*tracker.slots, *domain.slot_names, REQUESTED_SLOT}
    initial: dict[str, Any] = {name: None for name in names}
    initial.update({slot.name: slot.initial_value for slot in domain.slots})
    return DialogueStateTracker(tracker.sender_id, initial_slots=initial, events=[*tracker.events, *events])


def events_since_latest_user_message(tracker: DialogueStateTracker) -> list[Event]:
    """The events after the latest user message (or restart), in order."""
    found: list[Event] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered | Restarted):
            break
        found.append(event)
    found.reverse()
    return found


def slots_set_since_latest_user_message(tracker: DialogueStateTracker) -> list[SlotSet]:
    return [event for event in events_since_latest_user_message(tracker) if isinstance(event, SlotSet)]


def executed_actions(tracker: DialogueStateTracker) -> Iterator[ActionExecuted]:
    """Applied `action` events other than `action_listen`, latest first (Rasa's
    `last_executed_action_has` looks at these)."""
    for event in reversed(tracker.applied_events()):
        if isinstance(event, ActionExecuted) and event.name != ACTION_LISTEN:
            yield event


def last_executed_action_has(tracker: DialogueStateTracker, name: str, skip: int = 0) -> bool:
    """Whether the latest applied action other than `action_listen` (skipping `skip` of them)
    is `name`."""
    for index, event in enumerate(executed_actions(tracker)):
        if index == skip:
            return event.name == name
    return False


def latest_applied_user_message(tracker: DialogueStateTracker) -> UserUttered | None:
    return next(
        (event for event in reversed(tracker.applied_events()) if isinstance(event, UserUttered)), None
    )
