"""What every tracker store does, in terms of events, and the errors stores raise.

    HrbotError
    └── StoreError                 a store cannot do what was asked (bad row, bad sender id)
        ├── StoreUnavailableError  the database cannot be reached; names the URL
        └── LockTimeoutError       a conversation lock was not acquired in time

A conversation is the list of its events in the order they were appended. Stores keep each
event as Rasa's JSON (`Event.to_dict()`), so the memory store behaves exactly like the SQL one:
what comes back is what a JSON round trip gives.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from typing import Any, Protocol, TypeVar

from hrbot.shared.core.events import Event, InvalidEventError, event_from_dict
from hrbot.shared.errors import HrbotError

T = TypeVar("T")

MAX_SENDER_ID_LENGTH = 255  # the width of Rasa's `events.sender_id` column
DEFAULT_DATABASE_FILE = "hrbot.db"
"""hrbot's default tracker store (no `tracker_store` in endpoints.yml): this SQLite file in the
project directory."""


class StoreError(HrbotError):
    """A store cannot do what was asked."""


class StoreUnavailableError(StoreError):
    """The store's database cannot be reached or refused the connection."""


class LockTimeoutError(StoreError):
    """A conversation lock was not acquired within the wait timeout."""


class TrackerStore(Protocol):
    """Conversations by sender id, as lists of events.

    `append` adds only the events that are new since the last `append`/`retrieve`, in order;
    callers serialise appends of one conversation with a `LockStore`.
    """

    async def retrieve(self, sender_id: str) -> list[Event] | None:
        """Every event of the conversation in order, or None if it has none."""
        ...

    async def retrieve_after(self, sender_id: str, count: int) -> list[Event]:
        """The events after the first `count` of the conversation (all new ones since a
        caller last saw `count` events), in order."""
        ...

    async def append(self, sender_id: str, events: Sequence[Event]) -> None:
        """Add `events` to the end of the conversation (creating it if needed)."""
        ...

    async def clear(self) -> None:
        """Forget every conversation (a demo reset)."""
        ...

    async def conversation_ids(self) -> list[str]:
        """The sender ids of every stored conversation, sorted."""
        ...

    async def close(self) -> None:
        """Release connections; the store must not be used afterwards."""
        ...


def check_sender_id(sender_id: str) -> str:
    """`sender_id` if a store can keep it; StoreError saying what is wrong otherwise."""
    if not isinstance(sender_id, str):
        raise StoreError(f"a sender id must be a string, got {type(sender_id).__name__}")
    if not sender_id:
        raise StoreError("a sender id must not be empty")
    if len(sender_id) > MAX_SENDER_ID_LENGTH:
        raise StoreError(
            f"sender id is {len(sender_id)} characters long; at most {MAX_SENDER_ID_LENGTH} are allowed"
        )
    return sender_id


def event_to_json(event: Event) -> str:
    """Rasa's JSON of `event` as text; StoreError if it holds something JSON cannot write."""
    try:
        return json.dumps(event.to_dict(), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise StoreError(
            f"event '{event.type_name}' cannot be stored as JSON: {error}; "
            "events may only hold JSON values (str, number, bool, null, list, dict)"
        ) from None


def event_from_json(text: str, *, sender_id: str, position: int) -> Event:
    """The event stored as `text`; StoreError naming the conversation and position if it is bad."""
    try:
        return event_from_dict(json.loads(text))
    except (ValueError, InvalidEventError) as error:
        raise StoreError(
            f"stored event {position} of conversation {sender_id!r} cannot be read: {error}"
        ) from None


def event_columns(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """(intent_name, action_name) as Rasa's SQLTrackerStore fills its columns: the intent of a
    user event's parse data and the `name` key of any event (actions, slots, loops, ...)."""
    parse_data = data.get("parse_data")
    intent = parse_data.get("intent") if isinstance(parse_data, dict) else None
    intent_name = intent.get("name") if isinstance(intent, dict) else None
    action_name = data.get("name")
    return (
        intent_name if isinstance(intent_name, str) else None,
        action_name if isinstance(action_name, str) else None,
    )


async def run_to_completion(work: Callable[[], Awaitable[T]]) -> T:
    """Await `work()` to its end even if the caller is cancelled meanwhile, then pass the
    cancellation on: a lock release or an event hand-over to the broker must not stop half-way
    because the HTTP request that caused it went away."""
    task = asyncio.ensure_future(work())
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with suppress(Exception):
            await task
        raise
