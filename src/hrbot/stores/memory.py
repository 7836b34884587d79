"""A tracker store that keeps conversations in this process only (tests, the shell, demos)."""

from __future__ import annotations

from collections.abc import Sequence

from hrbot.shared.core.events import Event
from hrbot.stores.base import check_sender_id, event_from_json, event_to_json


class InMemoryTrackerStore:
    """Conversations as lists of event JSON; lost when the process ends.

    Events are kept as JSON text, as the SQL store keeps them, so a later change to an event
    object cannot alter the stored history and both stores return the same values.
    """

    def __init__(self) -> None:
        self._conversations: dict[str, list[str]] = {}

    async def retrieve(self, sender_id: str) -> list[Event] | None:
        rows = self._conversations.get(sender_id)
        if not rows:
            return None
        return [event_from_json(row, sender_id=sender_id, position=index) for index, row in enumerate(rows)]

    async def retrieve_after(self, sender_id: str, count: int) -> list[Event]:
        rows = self._conversations.get(sender_id, [])
        return [
            event_from_json(row, sender_id=sender_id, position=count + index)
            for index, row in enumerate(rows[count:])
        ]

    async def append(self, sender_id: str, events: Sequence[Event]) -> None:
        check_sender_id(sender_id)
        rows = [event_to_json(event) for event in events]
        if rows:
            self._conversations.setdefault(sender_id, []).extend(rows)

    async def clear(self) -> None:
        self._conversations.clear()

    async def conversation_ids(self) -> list[str]:
        return sorted(self._conversations)

    async def close(self) -> None:
        """Nothing to release."""
