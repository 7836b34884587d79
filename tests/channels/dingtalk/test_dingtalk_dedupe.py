"""Message ids remembered in memory: a message is answered once while its id is remembered;
memory is bounded in time and size."""

from __future__ import annotations

import asyncio

from hrbot.channels.dingtalk.dedupe import RecentMessageIds


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def offer(seen: RecentMessageIds, *ids: str) -> list[bool]:
    async def scenario() -> list[bool]:
        return [await seen.first_sighting(msg_id) for msg_id in ids]

    return asyncio.run(scenario())


def test_dingtalk_dedupe_sees_each_message_id_first_only_once() -> None:
    seen = RecentMessageIds(now=Clock())

    assert offer(seen, "a", "b", "a", "b", "c") == [True, True, False, False, True]


def test_dingtalk_dedupe_forgets_ids_older_than_its_time_to_live() -> None:
    clock = Clock()
    seen = RecentMessageIds(ttl_seconds=60, now=clock)
    offer(seen, "a")

    clock.now = 59.0
    assert offer(seen, "a") == [False]
    clock.now = 60.0
    assert offer(seen, "a") == [True]


def test_dingtalk_dedupe_keeps_at_most_its_size_forgetting_the_oldest() -> None:
    seen = RecentMessageIds(max_ids=3, now=Clock())

    offer(seen, "a", "b", "c", "d")

    assert len(seen) == 3
    assert offer(seen, "d", "c", "a") == [False, False, True]
