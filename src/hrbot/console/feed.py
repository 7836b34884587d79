"""The waiting conversations, read at most once per interval however many pages watch them:
each open inbox page asks every second, and they all share one read of the stores."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence

from hrbot.console.inbox import Inbox, WaitingConversation


class WaitingFeed:
    """`inbox.waiting()` cached for `interval` seconds."""

    def __init__(self, inbox: Inbox, interval: float,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.inbox = inbox
        self.interval = interval
        self.monotonic = monotonic
        self._read_at: float | None = None
        self._items: list[WaitingConversation] = []

    def invalidate(self) -> None:
        """Read again on the next call (after an agent changed something)."""
        self._read_at = None

    async def waiting(self) -> list[WaitingConversation]:
        now = self.monotonic()
        if self._read_at is None or now - self._read_at >= self.interval:
            self._items = await self.inbox.waiting()
            self._read_at = now
        return self._items


def fingerprint(items: Sequence[WaitingConversation], viewer: str) -> str:
    """A tag that changes whenever what `viewer`'s inbox shows changes (ETag / event id)."""
    body = json.dumps([item.fingerprint() for item in items] + [viewer], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:32]
