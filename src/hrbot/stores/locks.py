"""Per-conversation locks: messages of one sender are handled one at a time, in the order they
arrived, while different senders are handled concurrently.

This is Rasa's TicketLock idea: each message takes a ticket for its conversation and waits
until every earlier ticket is done. `InMemoryLockStore` does it with one queue of asyncio
futures per sender, which is enough for one process; several processes behind a load balancer
need a shared lock store (Redis, a later issue). A queue disappears as soon as it is empty, so
the store holds nothing for idle conversations.

    async with lock_store.lock(sender_id):
        events = await tracker_store.retrieve(sender_id)
        ...
        await tracker_store.append(sender_id, new_events)
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Protocol

from hrbot.stores.base import LockTimeoutError


class LockStore(Protocol):
    """Gives out one conversation's lock at a time, first come first served."""

    def lock(self, sender_id: str) -> AbstractAsyncContextManager[None]:
        """Hold the conversation's lock for the `async with` block."""
        ...

    async def close(self) -> None:
        """Release resources (connections)."""
        ...


class InMemoryLockStore:
    """FIFO locks per sender id within this process.

    `wait_timeout`: seconds a message may wait for its turn before LockTimeoutError (None waits
    for as long as it takes). A waiter that is cancelled or times out leaves the queue without
    disturbing the order of the others.
    """

    def __init__(self, *, wait_timeout: float | None = None) -> None:
        if wait_timeout is not None and wait_timeout <= 0:
            raise ValueError(
                f"wait_timeout must be a positive number of seconds or None, got {wait_timeout!r}"
            )
        self.wait_timeout = wait_timeout
        self._queues: dict[str, deque[asyncio.Future[None]]] = {}

    @asynccontextmanager
    async def lock(self, sender_id: str) -> AsyncIterator[None]:
        ticket = self._take_ticket(sender_id)
        try:
            async with asyncio.timeout(self.wait_timeout):
                await ticket
        except TimeoutError:
            self._leave(sender_id, ticket)
            raise LockTimeoutError(
                f"conversation {sender_id!r} stayed locked for more than {self.wait_timeout} seconds; "
                "an earlier message of this conversation is still being handled"
            ) from None
        except BaseException:
            self._leave(sender_id, ticket)
            raise
        try:
            yield
        finally:
            self._leave(sender_id, ticket)

    def _take_ticket(self, sender_id: str) -> asyncio.Future[None]:
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._queues.setdefault(sender_id, deque())
        queue.append(ticket)
        if len(queue) == 1:
            ticket.set_result(None)
        return ticket

    def _leave(self, sender_id: str, ticket: asyncio.Future[None]) -> None:
        """Remove `ticket`; if the conversation has a next ticket waiting, its turn has come.

        A head ticket that is already done but not yet removed (its waiter was cancelled) is
        left for that waiter's own `_leave`, which passes the turn on.
        """
        queue = self._queues.get(sender_id)
        if queue is None:
            return
        with suppress(ValueError):
            queue.remove(ticket)
        if not ticket.done():
            ticket.cancel()
        if not queue:
            del self._queues[sender_id]
        elif not queue[0].done():
            queue[0].set_result(None)

    def locked_conversations(self) -> list[str]:
        """Sender ids whose lock is held or awaited right now (empty when all are idle)."""
        return sorted(self._queues)

    async def close(self) -> None:
        """Nothing to release."""
