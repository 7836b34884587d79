"""Each DingTalk message is answered once: DingTalk delivers a message again when it thinks
the first delivery failed (a slow HTTP answer, a stream acknowledgement that got lost).

`RecentMessageIds` remembers message ids in this process only. Several hrbot processes
behind one load balancer (or several stream connections) need a shared store behind the same
`SeenMessages` protocol, e.g. Redis `SET msgid 1 NX EX 86400`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

DEFAULT_TTL_SECONDS = 24 * 3600.0
DEFAULT_MAX_IDS = 50_000


class SeenMessages(Protocol):
    async def first_sighting(self, msg_id: str) -> bool:
        """True the first time `msg_id` is offered, False on every later offer."""
        ...


class RecentMessageIds:
    """The message ids of the last `ttl_seconds` (at most `max_ids` of them), in memory."""

    def __init__(
        self,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_ids: int = DEFAULT_MAX_IDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_ids
        self._now = now
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    async def first_sighting(self, msg_id: str) -> bool:
        now = self._now()
        while self._seen:
            oldest, seen_at = next(iter(self._seen.items()))
            if now - seen_at < self._ttl and len(self._seen) < self._max:
                break
            del self._seen[oldest]
        if msg_id in self._seen:
            return False
        self._seen[msg_id] = now
        return True
