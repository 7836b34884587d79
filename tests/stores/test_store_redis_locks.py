"""The Redis lock store: messages of one conversation are handled one at a time and in arrival
order by every process sharing the Redis, a dead holder blocks its conversation only until its
ticket expires, and an unreachable Redis is a clear error before anything is stored.

Several "processes" are separate RedisLockStore objects (each with its own connections); some
tests use a real second Python process. Tests skip without Redis (fail under CI)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from store_test_support import greeting_processor

import hrbot
from hrbot.dialogue.messages import UserMessage
from hrbot.shared.endpoints import parse_endpoints
from hrbot.shared.errors import InvalidProjectError
from hrbot.stores.base import LockTimeoutError, StoreUnavailableError
from hrbot.stores.factory import create_lock_store
from hrbot.stores.memory import InMemoryTrackerStore
from hrbot.stores.redis_connection import redis_settings
from hrbot.stores.redis_locks import RedisLockStore

pytestmark = pytest.mark.timeout(20)

HOLD_IN_A_SUBPROCESS = """
import asyncio, sys
import redis
from hrbot.shared.endpoints import parse_endpoints
from hrbot.stores.factory import create_lock_store

url, prefix, lifetime, hold = sys.argv[1:5]
text = f"lock_store:\\n  type: redis\\n  url: {url}\\n  key_prefix: {prefix}\\n  lock_lifetime: {lifetime}\\n"
store = create_lock_store(parse_endpoints(text, environ={}).lock_store)

async def main() -> None:
    async with store.lock("E001"):
        print("held", flush=True)
        await asyncio.sleep(float(hold))
        redis.Redis.from_url(url).rpush(f"{prefix}:entered", "subprocess")
    await store.close()

asyncio.run(main())
"""


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A key prefix only this test uses; its keys are deleted afterwards."""
    name = f"hrbottest{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{name}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def lock_store(redis_url: str, prefix: str, lifetime: float = 5.0, **options: float) -> RedisLockStore:
    text = (f"lock_store:\n  type: redis\n  url: {redis_url}\n  key_prefix: {prefix}\n"
            f"  lock_lifetime: {lifetime}\n")
    store = create_lock_store(parse_endpoints(text, environ={}).lock_store)
    assert isinstance(store, RedisLockStore)
    if options:
        store = RedisLockStore(store.settings, **options)
    return store


def keys_left(redis_url: str, prefix: str) -> list[str]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        return sorted(str(key) for key in client.scan_iter(match=f"{prefix}:lock:*"))
    finally:
        client.close()


async def tickets_taken(redis_url: str, prefix: str, sender: str, count: int) -> None:
    """Wait until `count` tickets of `sender` were issued (the messages have "arrived")."""
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        while int(await client.get(f"{prefix}:lock:{{{sender}}}:counter") or 0) < count:
            await asyncio.sleep(0.002)
    finally:
        await client.aclose()


@contextmanager
def holder_process(
    redis_url: str, prefix: str, lifetime: float, hold: float
) -> Iterator[subprocess.Popen[str]]:
    """A second hrbot process that takes the lock of E001 and holds it for `hold` seconds
    (killed at the end if still running)."""
    source_dir = str(Path(hrbot.__file__).resolve().parents[1])
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_IN_A_SUBPROCESS, redis_url, prefix, str(lifetime), str(hold)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": source_dir},
    ) as process:
        try:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "held"
            yield process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


# ---------------------------------------------------------------------------------------------
# order and exclusion


def test_store_redis_locks_serialise_one_sender_in_arrival_order_across_processes(
    redis_url: str, prefix: str
) -> None:
    stores = [lock_store(redis_url, prefix) for _ in range(3)]
    entered: list[int] = []
    inside = 0
    most_inside = 0

    async def handle(number: int) -> None:
        nonlocal inside, most_inside
        async with stores[number % 3].lock("E001"):
            entered.append(number)
            inside += 1
            most_inside = max(most_inside, inside)
            await asyncio.sleep(0.001 * (5 - number % 5))  # earlier messages take longer
            inside -= 1

    async def scenario() -> None:
        release = asyncio.Event()

        async def earlier_message() -> None:  # keeps the queue busy while the others arrive
            async with stores[0].lock("E001"):
                await release.wait()

        tasks = [asyncio.create_task(earlier_message())]
        await tickets_taken(redis_url, prefix, "E001", 1)
        for number in range(15):
            tasks.append(asyncio.create_task(handle(number)))
            await tickets_taken(redis_url, prefix, "E001", number + 2)
        release.set()
        await asyncio.gather(*tasks)
        for store in stores:
            await store.close()

    asyncio.run(scenario())

    assert entered == list(range(15))
    assert most_inside == 1
    assert keys_left(redis_url, prefix) == []  # nothing kept for an idle conversation


def test_store_redis_locks_let_different_senders_run_at_the_same_time(redis_url: str, prefix: str) -> None:
    first, second = lock_store(redis_url, prefix), lock_store(redis_url, prefix)

    async def scenario() -> list[str]:
        a_inside = asyncio.Event()
        b_done = asyncio.Event()
        order: list[str] = []

        async def sender_a() -> None:
            async with first.lock("a"):
                a_inside.set()
                await asyncio.wait_for(b_done.wait(), timeout=5)  # would deadlock if b waited for a
                order.append("a")

        async def sender_b() -> None:
            await a_inside.wait()
            async with second.lock("b"):
                order.append("b")
            b_done.set()

        await asyncio.gather(sender_a(), sender_b())
        await first.close()
        await second.close()
        return order

    assert asyncio.run(scenario()) == ["b", "a"]


def test_store_redis_locks_messages_after_another_processs_message_wait_for_it_in_order(
    redis_url: str, prefix: str
) -> None:
    stores = [lock_store(redis_url, prefix) for _ in range(2)]

    async def handle(number: int) -> None:
        async with stores[number % 2].lock("E001"):
            redis.Redis.from_url(redis_url).rpush(f"{prefix}:entered", str(number))

    async def scenario() -> None:
        tasks = []
        for number in range(4):
            tasks.append(asyncio.create_task(handle(number)))
            await tickets_taken(redis_url, prefix, "E001", number + 2)  # the subprocess has ticket 1
        await asyncio.gather(*tasks)
        for store in stores:
            await store.close()

    with holder_process(redis_url, prefix, lifetime=5, hold=0.4) as holder:
        asyncio.run(scenario())
        holder.wait(timeout=10)

    entered = redis.Redis.from_url(redis_url, decode_responses=True).lrange(f"{prefix}:entered", 0, -1)
    assert entered == ["subprocess", "0", "1", "2", "3"]
    assert holder.returncode == 0


def test_store_redis_locks_a_turn_longer_than_the_lock_lifetime_keeps_the_lock(
    redis_url: str, prefix: str
) -> None:
    slow_process, other_process = lock_store(redis_url, prefix, 0.3), lock_store(redis_url, prefix, 0.3)
    events: list[str] = []

    async def scenario() -> None:
        async def slow() -> None:
            async with slow_process.lock("E001"):
                events.append("slow in")
                await asyncio.sleep(1.0)  # more than three lifetimes: renewed in the background
                events.append("slow out")

        async def other() -> None:
            async with other_process.lock("E001"):
                events.append("other in")

        task = asyncio.create_task(slow())
        await tickets_taken(redis_url, prefix, "E001", 1)
        await asyncio.gather(task, other())
        await slow_process.close()
        await other_process.close()

    asyncio.run(scenario())

    assert events == ["slow in", "slow out", "other in"]


# ---------------------------------------------------------------------------------------------
# failures


def test_store_redis_locks_a_holder_that_dies_blocks_only_until_its_ticket_expires(
    redis_url: str, prefix: str
) -> None:
    waiter = lock_store(redis_url, prefix, lifetime=1.0)

    async def scenario(holder: subprocess.Popen[str]) -> float:
        async def wait_for_turn() -> float:
            async with waiter.lock("E001"):
                return time.monotonic()

        task = asyncio.create_task(wait_for_turn())
        await tickets_taken(redis_url, prefix, "E001", 2)
        await asyncio.sleep(1.3)  # longer than a lifetime: a live holder keeps its turn
        assert not task.done()
        holder.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        entered_at = await asyncio.wait_for(task, timeout=5)
        await waiter.close()
        return entered_at - killed_at

    with holder_process(redis_url, prefix, lifetime=1.0, hold=60) as holder:
        waited = asyncio.run(scenario(holder))

    assert 0.3 < waited < 2.5
    assert keys_left(redis_url, prefix) == []


def test_store_redis_locks_a_cancelled_waiter_leaves_without_disturbing_the_queue(
    redis_url: str, prefix: str
) -> None:
    stores = [lock_store(redis_url, prefix) for _ in range(3)]
    entered: list[str] = []

    async def scenario() -> None:
        release = asyncio.Event()

        async def handle(store: RedisLockStore, name: str, wait: bool = False) -> None:
            async with store.lock("E001"):
                entered.append(name)
                if wait:
                    await release.wait()

        first = asyncio.create_task(handle(stores[0], "first", wait=True))
        await tickets_taken(redis_url, prefix, "E001", 1)
        second = asyncio.create_task(handle(stores[1], "second"))
        await tickets_taken(redis_url, prefix, "E001", 2)
        third = asyncio.create_task(handle(stores[2], "third"))
        await tickets_taken(redis_url, prefix, "E001", 3)
        second.cancel()
        await asyncio.sleep(0.05)
        release.set()
        await asyncio.gather(first, third)
        with pytest.raises(asyncio.CancelledError):
            await second
        for store in stores:
            await store.close()

    asyncio.run(scenario())

    assert entered == ["first", "third"]
    assert keys_left(redis_url, prefix) == []


def test_store_redis_locks_give_up_after_the_wait_timeout(redis_url: str, prefix: str) -> None:
    holder = lock_store(redis_url, prefix)
    impatient = lock_store(redis_url, prefix, wait_timeout=0.2)

    async def scenario() -> str:
        release = asyncio.Event()

        async def slow() -> None:
            async with holder.lock("E001"):
                await release.wait()

        task = asyncio.create_task(slow())
        await tickets_taken(redis_url, prefix, "E001", 1)
        with pytest.raises(LockTimeoutError, match="'E001' stayed locked"):
            async with impatient.lock("E001"):
                pass
        release.set()
        await task
        async with impatient.lock("E001"):
            result = "free again"
        await holder.close()
        await impatient.close()
        return result

    assert asyncio.run(scenario()) == "free again"
    assert keys_left(redis_url, prefix) == []


def test_store_redis_locks_an_unreachable_redis_is_named_at_start_without_its_password(
    unused_port: int,
) -> None:
    text = f"lock_store:\n  type: redis\n  url: redis://:topsecret@127.0.0.1:{unused_port}/1\n"

    with pytest.raises(StoreUnavailableError) as caught:
        create_lock_store(parse_endpoints(text, environ={}).lock_store)

    message = str(caught.value)
    assert f"redis://:***@127.0.0.1:{unused_port}/1" in message
    assert "configured at endpoints.yml:1" in message
    assert "topsecret" not in message


def test_store_redis_locks_when_redis_goes_away_a_message_is_refused_and_nothing_is_stored(
    tmp_path: Path, unused_port: int
) -> None:
    config = parse_endpoints(f"lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: {unused_port}\n",
                             environ={}).lock_store
    assert config is not None
    store = InMemoryTrackerStore()
    locks = RedisLockStore(redis_settings(config))  # as if Redis stopped after start-up
    bot = greeting_processor(tmp_path, store, locks)

    with pytest.raises(StoreUnavailableError, match=f"Redis lock store redis://127.0.0.1:{unused_port}/1"):
        asyncio.run(bot.handle_message(UserMessage("你好", "alice")))

    assert asyncio.run(store.retrieve("alice")) is None


# ---------------------------------------------------------------------------------------------
# configuration


def test_store_redis_locks_read_rasas_keys() -> None:
    config = parse_endpoints(
        "lock_store:\n  type: redis\n  url: cache.internal\n  port: '6380'\n  db: 2\n  password: 'p@ss'\n"
        "  use_ssl: true\n  key_prefix: hrbot\n  socket_timeout: 5\n  lock_lifetime: 30\n",
        environ={},
    ).lock_store
    assert config is not None

    settings = redis_settings(config)

    assert settings.url == "rediss://:p%40ss@cache.internal:6380/2"
    assert settings.display_url == "rediss://:***@cache.internal:6380/2"
    assert (settings.lock_prefix, settings.dedup_prefix) == ("hrbot:lock:", "hrbot:dedup:")
    assert (settings.socket_timeout, settings.lock_lifetime) == (5.0, 30.0)


def test_store_redis_locks_default_to_rasas_database_and_prefix() -> None:
    config = parse_endpoints("lock_store:\n  type: redis\n", environ={}).lock_store
    assert config is not None

    settings = redis_settings(config)

    assert settings.url == "redis://localhost:6379/1"
    assert settings.lock_prefix == "lock:"
    assert settings.lock_lifetime == 60.0


def test_store_redis_locks_bad_options_point_at_their_line() -> None:
    text = "lock_store:\n  type: redis\n  key_prefix: 'a b'\n  socket_timeout: soon\n  use_ssl: maybe\n"

    with pytest.raises(InvalidProjectError) as caught:
        parse_endpoints(text, environ={})

    problems = sorted(problem.format() for problem in caught.value.problems)
    assert problems[0].startswith("endpoints.yml:3: 'lock_store.key_prefix' may only hold letters")
    assert problems[1].startswith("endpoints.yml:4: 'lock_store.socket_timeout' must be a positive number")
    assert problems[2].startswith("endpoints.yml:5: 'lock_store.use_ssl' must be true or false")
