"""Channel message claims in Redis: of all the processes that receive one message (a platform's
retry may reach any of them), exactly one processes it. Skips without Redis (fails under CI)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
import redis

from hrbot.channels.wecom.dedup import MessageDeduplicator
from hrbot.shared.endpoints import parse_endpoints
from hrbot.stores.base import StoreUnavailableError
from hrbot.stores.redis_connection import RedisSettings, redis_settings
from hrbot.stores.redis_dedup import RedisMessageDeduplicator

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
def settings(redis_url: str) -> Iterator[RedisSettings]:
    """Settings with a key prefix only this test uses; its keys are deleted afterwards."""
    prefix = f"hrbottest{uuid.uuid4().hex[:10]}"
    config = parse_endpoints(f"lock_store:\n  type: redis\n  url: {redis_url}\n  key_prefix: {prefix}\n",
                             environ={}).lock_store
    assert config is not None
    yield redis_settings(config)
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def test_store_redis_dedup_exactly_one_of_many_processes_claims_a_message(settings: RedisSettings) -> None:
    processes: list[MessageDeduplicator] = [RedisMessageDeduplicator(settings) for _ in range(3)]

    async def scenario() -> tuple[list[bool], bool, bool]:
        claims = await asyncio.gather(*(
            processes[n % 3].claim("wecom:corp:1000002", "MsgId-7301", 1700000000.0 + n) for n in range(12)
        ))
        other_message = await processes[0].claim("wecom:corp:1000002", "MsgId-7302", 1700000001.0)
        other_scope = await processes[1].claim("wecom:corp:1000003", "MsgId-7301", 1700000001.0)
        for process in processes:
            await process.close()
        return claims, other_message, other_scope

    claims, other_message, other_scope = asyncio.run(scenario())

    assert claims.count(True) == 1
    assert other_message and other_scope


def test_store_redis_dedup_old_claims_are_forgotten(settings: RedisSettings) -> None:
    claims = RedisMessageDeduplicator(settings, retention=10000)

    async def scenario() -> tuple[int, bool, bool, bool]:
        await claims.claim("wecom", "old", 1000.0)
        await claims.claim("wecom", "recent", 5000.0)
        await claims.claim("dingtalk", "old", 1000.0)
        forgotten = await claims.forget_before(2000.0)
        old_again = await claims.claim("wecom", "old", 6000.0)
        recent_again = await claims.claim("wecom", "recent", 6000.0)
        # a claim made more than `retention` after another drops the stale one by itself
        expired_again = await claims.claim("wecom", "recent", 5000.0 + 10000 + 1)
        await claims.close()
        return forgotten, old_again, recent_again, expired_again

    assert asyncio.run(scenario()) == (2, True, False, True)


def test_store_redis_dedup_an_unreachable_redis_is_an_error_not_a_duplicate(unused_port: int) -> None:
    config = parse_endpoints(f"lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: {unused_port}\n",
                             environ={}).lock_store
    assert config is not None
    claims = RedisMessageDeduplicator(redis_settings(config))

    with pytest.raises(StoreUnavailableError, match=f"message deduplicator redis://127.0.0.1:{unused_port}/1"):
        asyncio.run(claims.claim("wecom", "MsgId-1", 1.0))


def test_store_redis_dedup_refuses_keys_it_cannot_keep() -> None:
    config = parse_endpoints("lock_store:\n  type: redis\n", environ={}).lock_store
    assert config is not None
    claims = RedisMessageDeduplicator(redis_settings(config))  # refused before Redis is asked

    with pytest.raises(ValueError, match="key must be 1 to 255"):
        asyncio.run(claims.claim("wecom", "x" * 256, 1.0))
    with pytest.raises(ValueError, match="scope must be 1 to 128"):
        asyncio.run(claims.claim("", "MsgId-1", 1.0))
