"""Background work after the callback was answered, one user's messages in the order they came.

The callback handler *reserves* a place in the sender's queue as soon as the message is read
(before anything awaits), then fills it with a job (or leaves it empty for a duplicate). A worker
task per sender runs the filled places in reservation order, waiting for a place that is still
being decided, so a slow deduplication check cannot let a later message overtake an earlier one.
Different senders run concurrently. Every task is referenced until it ends and a failing job is
logged, never lost silently.

    with dispatcher.reserve(sender) as place:
        if await is_new(message):
            place.fill(job)          # otherwise the place is skipped when the block ends
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from types import TracebackType

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class DispatcherClosed(RuntimeError):
    """The dispatcher is shutting down and takes no more work."""


class Place:
    """A reserved place in one sender's queue."""

    def __init__(self, future: asyncio.Future[Job | None]) -> None:
        self._future = future

    def fill(self, job: Job) -> None:
        if not self._future.done():
            self._future.set_result(job)

    def skip(self) -> None:
        if not self._future.done():
            self._future.set_result(None)

    def __enter__(self) -> Place:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.skip()


class SerialDispatcher:
    """Runs jobs in the background: one key's jobs one after another, keys concurrently."""

    def __init__(self, name: str = "wecom") -> None:
        self.name = name
        self._queues: dict[str, deque[asyncio.Future[Job | None]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    def reserve(self, key: str) -> Place:
        """A place at the end of `key`'s queue; DispatcherClosed after `aclose`."""
        if self._closed:
            raise DispatcherClosed(f"the {self.name} dispatcher is shutting down")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Job | None] = loop.create_future()
        self._queues.setdefault(key, deque()).append(future)
        if key not in self._workers:
            self._workers[key] = loop.create_task(self._drain(key), name=f"{self.name}:{key}")
        return Place(future)

    async def _drain(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                job = await queue[0]
                queue.popleft()
                if job is None:
                    continue
                try:
                    await job()
                except Exception:
                    logger.exception("a %s job for %r failed", self.name, key)
        finally:
            # no await since the queue was last seen empty: nothing can have been added meanwhile
            if queue:
                logger.error("%d %s message(s) of %r were dropped unprocessed at shutdown",
                             len(queue), self.name, key)
            self._queues.pop(key, None)
            self._workers.pop(key, None)

    @property
    def busy_keys(self) -> list[str]:
        """Keys with work queued or running."""
        return sorted(self._workers)

    async def wait_idle(self, timeout: float | None = None) -> None:
        """Wait until no work is left; TimeoutError after `timeout` seconds."""
        async with asyncio.timeout(timeout):
            while self._workers:
                await asyncio.wait(list(self._workers.values()))

    async def aclose(self, grace: float = 10.0) -> None:
        """Take no more work, let running work finish for up to `grace` seconds, cancel the rest."""
        self._closed = True
        try:
            await self.wait_idle(grace)
        except TimeoutError:
            workers = list(self._workers.values())
            logger.error("%s: %d conversation(s) still busy after %.0f s at shutdown; cancelling them",
                         self.name, len(workers), grace)
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
