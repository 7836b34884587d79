"""The conversation lock: one message of a sender at a time, in arrival order; senders in
parallel; nothing kept for idle conversations. (The Redis lock store, shared by processes, is
tested in test_store_redis_locks.py.)"""

from __future__ import annotations

import asyncio

import pytest

from hrbot.shared.endpoints import parse_endpoints
from hrbot.stores.base import LockTimeoutError
from hrbot.stores.factory import create_lock_store
from hrbot.stores.locks import InMemoryLockStore

pytestmark = pytest.mark.timeout(10)


def test_store_locks_serialise_one_sender_in_arrival_order() -> None:
    store = InMemoryLockStore()
    entered: list[int] = []
    inside = 0
    most_inside = 0

    async def handle(number: int) -> None:
        nonlocal inside, most_inside
        async with store.lock("E001"):
            entered.append(number)
            inside += 1
            most_inside = max(most_inside, inside)
            await asyncio.sleep(0.001 * (7 - number % 7))  # earlier messages take longer
            inside -= 1

    async def scenario() -> None:
        tasks = []
        for number in range(20):
            tasks.append(asyncio.create_task(handle(number)))
            await asyncio.sleep(0)  # each task takes its ticket before the next arrives
        await asyncio.gather(*tasks)

    asyncio.run(scenario())

    assert entered == list(range(20))
    assert most_inside == 1
    assert store.locked_conversations() == []


def test_store_locks_let_different_senders_run_at_the_same_time() -> None:
    store = InMemoryLockStore()

    async def scenario() -> list[str]:
        a_inside = asyncio.Event()
        b_done = asyncio.Event()
        order: list[str] = []

        async def sender_a() -> None:
            async with store.lock("a"):
                a_inside.set()
                await asyncio.wait_for(b_done.wait(), timeout=2)  # would deadlock if b waited for a
                order.append("a")

        async def sender_b() -> None:
            await a_inside.wait()
            async with store.lock("b"):
                order.append("b")
            b_done.set()

        await asyncio.gather(sender_a(), sender_b())
        return order

    assert asyncio.run(scenario()) == ["b", "a"]
    assert store.locked_conversations() == []


def test_store_locks_keep_nothing_for_idle_conversations() -> None:
    store = InMemoryLockStore()

    async def scenario() -> list[str]:
        async def handle(sender: str) -> None:
            async with store.lock(sender):
                await asyncio.sleep(0)

        held = asyncio.Event()
        release = asyncio.Event()

        async def holder() -> None:
            async with store.lock("busy"):
                held.set()
                await release.wait()

        task = asyncio.create_task(holder())
        await held.wait()
        await asyncio.gather(*(handle(f"user-{n % 50}") for n in range(500)))
        during = store.locked_conversations()
        release.set()
        await task
        return during

    assert asyncio.run(scenario()) == ["busy"]
    assert store.locked_conversations() == []


def test_store_locks_release_when_the_handler_fails() -> None:
    store = InMemoryLockStore()

    async def scenario() -> str:
        with pytest.raises(RuntimeError):
            async with store.lock("E001"):
                raise RuntimeError("action server down")
        async with store.lock("E001"):
            return "second message handled"

    assert asyncio.run(scenario()) == "second message handled"
    assert store.locked_conversations() == []


def test_store_locks_a_cancelled_waiter_leaves_without_disturbing_the_queue() -> None:
    store = InMemoryLockStore()
    entered: list[str] = []

    async def handle(name: str, release: asyncio.Event | None = None) -> None:
        async with store.lock("E001"):
            entered.append(name)
            if release is not None:
                await release.wait()

    async def scenario() -> None:
        release = asyncio.Event()
        first = asyncio.create_task(handle("first", release))
        await asyncio.sleep(0)
        second = asyncio.create_task(handle("second"))
        third = asyncio.create_task(handle("third"))
        await asyncio.sleep(0)
        second.cancel()
        await asyncio.sleep(0)
        release.set()
        await asyncio.gather(first, third)
        with pytest.raises(asyncio.CancelledError):
            await second

    asyncio.run(scenario())

    assert entered == ["first", "third"]
    assert store.locked_conversations() == []


def test_store_locks_a_waiter_cancelled_just_as_its_turn_comes_passes_the_turn_on() -> None:
    store = InMemoryLockStore()
    entered: list[str] = []

    async def scenario() -> None:
        release = asyncio.Event()
        tasks: dict[str, asyncio.Task[None]] = {}

        async def first() -> None:
            async with store.lock("E001"):
                entered.append("first")
                await release.wait()
            # the second ticket has just been granted, but its task has not run yet
            assert store.locked_conversations() == ["E001"]
            tasks["second"].cancel()

        async def other(name: str) -> None:
            async with store.lock("E001"):
                entered.append(name)

        one = asyncio.create_task(first())
        await asyncio.sleep(0)
        tasks["second"] = asyncio.create_task(other("second"))
        three = asyncio.create_task(other("third"))
        await asyncio.sleep(0)
        release.set()
        await asyncio.gather(one, three)
        with pytest.raises(asyncio.CancelledError):
            await tasks["second"]

    asyncio.run(scenario())

    assert entered == ["first", "third"]
    assert store.locked_conversations() == []


def test_store_locks_give_up_after_the_wait_timeout() -> None:
    store = InMemoryLockStore(wait_timeout=0.05)

    async def scenario() -> str:
        release = asyncio.Event()

        async def slow() -> None:
            async with store.lock("E001"):
                await release.wait()

        task = asyncio.create_task(slow())
        await asyncio.sleep(0)
        with pytest.raises(LockTimeoutError, match="'E001' stayed locked"):
            async with store.lock("E001"):
                pass
        release.set()
        await task
        async with store.lock("E001"):
            return "free again"

    assert asyncio.run(scenario()) == "free again"
    assert store.locked_conversations() == []


def test_store_locks_reject_a_wait_timeout_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        InMemoryLockStore(wait_timeout=0)


def test_store_locks_absent_or_memory_lock_store_is_kept_in_this_process() -> None:
    config = parse_endpoints("lock_store:\n  type: in_memory\n", environ={}).lock_store

    assert isinstance(create_lock_store(config), InMemoryLockStore)
    assert isinstance(create_lock_store(None), InMemoryLockStore)
