"""A tracker store that also streams every appended event to an event broker, as Rasa's
tracker stores do (`TrackerStore._stream_new_events`).

Wrapping the store keeps the processor unaware of the broker: events are published right after
they are stored, inside the same `append` call and so still under the conversation's lock,
which keeps one conversation's events in order across processes. Events are published only
once they are stored; if storing fails, nothing is published.

The message of an event is Rasa's:

    {"sender_id": "<conversation>", "event": "user", "timestamp": 1732154400.0, ...}

(the event's own dict after `sender_id`; an event stored without a timestamp gets the time it
was published).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from hrbot.shared.core.events import Event
from hrbot.stores.base import TrackerStore


class EventBroker(Protocol):
    """Where tracker events are published (RabbitMQ)."""

    async def connect(self) -> None:
        """Connect ahead of the first event (start-up)."""
        ...

    async def publish(self, bodies: Sequence[dict[str, Any]]) -> None:
        """Publish message bodies in order (or keep them until that is possible)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def event_message(sender_id: str, event: Event, now: float) -> dict[str, Any]:
    """Rasa's event broker message for `event` of conversation `sender_id`."""
    body: dict[str, Any] = {"sender_id": sender_id}
    body.update(event.to_dict())
    if body.get("timestamp") is None:
        body["timestamp"] = now
    return body


class StreamingTrackerStore:
    """`store`, plus each appended event published to `broker`."""

    def __init__(self, store: TrackerStore, broker: EventBroker, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.broker = broker
        self.clock = clock

    async def retrieve(self, sender_id: str) -> list[Event] | None:
        return await self.store.retrieve(sender_id)

    async def retrieve_after(self, sender_id: str, count: int) -> list[Event]:
        return await self.store.retrieve_after(sender_id, count)

    async def append(self, sender_id: str, events: Sequence[Event]) -> None:
        await self.store.append(sender_id, events)
        if events:
            now = self.clock()
            await self.broker.publish([event_message(sender_id, event, now) for event in events])

    async def clear(self) -> None:
        await self.store.clear()

    async def conversation_ids(self) -> list[str]:
        return await self.store.conversation_ids()

    async def close(self) -> None:
        """Close the wrapped store (the broker is closed by its owner, `Stores`)."""
        await self.store.close()
