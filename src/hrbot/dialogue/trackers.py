"""Trackers that know the domain: declared slots with their initial values, plus Rasa's
default slots."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import Event
from hrbot.shared.core.tracker import DialogueStateTracker

REQUESTED_SLOT = "requested_slot"
SESSION_START_METADATA_SLOT = "session_started_metadata"
DEFAULT_SLOT_NAMES = (REQUESTED_SLOT, SESSION_START_METADATA_SLOT)


def initial_slot_values(domain: Domain) -> dict[str, Any]:
    """Every slot the tracker keeps, at its initial value."""
    values: dict[str, Any] = {name: None for name in DEFAULT_SLOT_NAMES}
    values.update({slot.name: slot.initial_value for slot in domain.slots})
    return values


def new_tracker(sender_id: str, domain: Domain, events: Iterable[Event] = ()) -> DialogueStateTracker:
    """A tracker for `sender_id` with the domain's slots, replaying `events`."""
    return DialogueStateTracker(sender_id, initial_slots=initial_slot_values(domain), events=events)
