"""Conversation locks shared by several hrbot processes through Redis (`lock_store: type: redis`).

Rasa's ticket lock, made atomic: each message takes a ticket for its conversation (a number
from INCR, so tickets are ordered by arrival across every process) and waits until its ticket
is the lowest one still alive. Every ticket expires `lock_lifetime` seconds after its owner
last renewed it: waiters renew theirs each time they look, the holder renews its own in the
background while it works. A process that dies stops renewing, so its ticket expires and the
next message proceeds; a live holder keeps its turn however long the turn takes, so two
processes never hold one conversation (unless Redis itself is unreachable for longer than
`lock_lifetime`, which the holder logs as an error).

Keys per conversation (<prefix> is `<key_prefix>:lock:`, or Rasa's `lock:` without a
key_prefix), all sharing the conversation's hash tag (safe on Redis Cluster):

    <prefix>{<sender>}:counter   the last ticket number (INCR)
    <prefix>{<sender>}:tickets   sorted set: member "<number, 20 digits>:<random>",
                                 score = expiry in Redis server milliseconds

Expiry uses the Redis server's clock (TIME inside the scripts), so clocks of the hrbot hosts
do not matter. Both keys are deleted when the last ticket leaves: idle conversations leave
nothing behind. Each script runs atomically on the server.

When Redis cannot be reached, `lock()` raises StoreUnavailableError naming the URL, before
anything of the turn happened; the processor passes it on and the HTTP API answers 503.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from hrbot.stores.base import LockTimeoutError, StoreError, run_to_completion
from hrbot.stores.redis_connection import RedisConnection, RedisSettings

logger = logging.getLogger(__name__)

_FIRST_POLL = 0.005
_LONGEST_POLL = 0.05

# KEYS: counter, tickets. ARGV: lifetime in ms, random suffix. Drops expired tickets, takes a
# new one (its number is higher than any other's). Returns {the new ticket, 1 when it is the only
# live ticket (its turn has come: the common case, answered without a second round trip), else 0}.
_TAKE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local lifetime = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now_ms)
local number = redis.call('INCR', KEYS[1])
local member = string.format('%020d', number) .. ':' .. ARGV[2]
redis.call('ZADD', KEYS[2], now_ms + lifetime, member)
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < lifetime then redis.call('PEXPIRE', key, lifetime) end
end
if redis.call('ZCARD', KEYS[2]) == 1 then return {member, 1} end
return {member, 0}
"""

# KEYS: counter, tickets. ARGV: member, lifetime in ms. Drops expired tickets, renews the
# caller's. Returns 1 when the caller's ticket is the lowest alive (its turn), 0 when it must
# wait, -1 when it expired (its owner did not renew it in time).
_POLL = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local lifetime = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now_ms)
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return -1 end
redis.call('ZADD', KEYS[2], 'XX', now_ms + lifetime, ARGV[1])
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < lifetime then redis.call('PEXPIRE', key, lifetime) end
end
local lowest = ARGV[1]
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if member < lowest then lowest = member end
end
if lowest == ARGV[1] then return 1 end
return 0
"""

# KEYS: counter, tickets. ARGV: member. Removes the ticket; the last one out deletes both keys.
_RELEASE = """
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return 1
"""


class RedisLockStore:
    """FIFO conversation locks shared by every process that uses the same Redis and prefix.

    `wait_timeout`: seconds a message may wait for its turn before LockTimeoutError (None waits
    for as long as earlier messages are alive).
    """

    def __init__(self, settings: RedisSettings, *, wait_timeout: float | None = None) -> None:
        if wait_timeout is not None and wait_timeout <= 0:
            raise ValueError(
                f"wait_timeout must be a positive number of seconds or None, got {wait_timeout!r}"
            )
        if settings.lock_lifetime <= 0:
            raise ValueError(f"lock_lifetime must be positive, got {settings.lock_lifetime!r}")
        self.settings = settings
        self.wait_timeout = wait_timeout
        self._redis = RedisConnection(
            settings, {"take": _TAKE, "poll": _POLL, "release": _RELEASE}, purpose="Redis lock store"
        )
        self._lifetime_ms = max(1, round(settings.lock_lifetime * 1000))

    def check_connection(self) -> None:
        """Ping Redis once, synchronously (at start-up); StoreUnavailableError naming the URL."""
        self._redis.check()

    def _keys(self, sender_id: str) -> list[str]:
        base = f"{self.settings.lock_prefix}{{{sender_id}}}"
        return [f"{base}:counter", f"{base}:tickets"]

    # -- the lock ---------------------------------------------------------------------------

    @asynccontextmanager
    async def lock(self, sender_id: str) -> AsyncIterator[None]:
        keys = self._keys(sender_id)
        member, alone = await self._take(keys)
        try:
            if not alone:
                async with asyncio.timeout(self.wait_timeout):
                    member = await self._wait_for_turn(sender_id, keys, member)
        except TimeoutError:
            await self._release(sender_id, keys, member)
            raise LockTimeoutError(
                f"conversation {sender_id!r} stayed locked for more than {self.wait_timeout} seconds; "
                "an earlier message of this conversation is still being handled"
            ) from None
        except BaseException:
            await self._release(sender_id, keys, member)
            raise
        keeper = asyncio.create_task(self._keep_alive(sender_id, keys, member))
        try:
            yield
        finally:
            keeper.cancel()
            with suppress(asyncio.CancelledError):
                await keeper
            await self._release(sender_id, keys, member)

    async def _take(self, keys: list[str]) -> tuple[str, bool]:
        """A new ticket, and whether no other ticket is alive (then it is this one's turn)."""
        member, alone = await self._redis.run("take", keys, [self._lifetime_ms, secrets.token_hex(8)])
        return str(member), int(alone) == 1

    async def _wait_for_turn(self, sender_id: str, keys: list[str], member: str) -> str:
        """Poll until `member` is the lowest live ticket (renewing it each time); a ticket that
        expired while its owner could not renew it is replaced by a new one, at the back."""
        pause = _FIRST_POLL
        while True:
            state = int(await self._redis.run("poll", keys, [member, self._lifetime_ms]))
            if state == 1:
                return member
            if state < 0:
                logger.warning(
                    "conversation %r: this message's lock ticket expired while it waited (Redis or "
                    "this process was stalled for more than %s s); it queues again at the back",
                    sender_id, self.settings.lock_lifetime,
                )
                member, _ = await self._take(keys)
                continue
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_POLL)

    async def _keep_alive(self, sender_id: str, keys: list[str], member: str) -> None:
        """Renew the held ticket every third of its lifetime, so that only a dead holder's
        ticket expires."""
        interval = self.settings.lock_lifetime / 3
        while True:
            await asyncio.sleep(interval)
            try:
                state = int(await self._redis.run("poll", keys, [member, self._lifetime_ms]))
            except StoreError as error:
                logger.warning("conversation %r: could not renew its lock: %s", sender_id, error)
                continue
            if state < 0:
                logger.error(
                    "conversation %r: its lock expired while this process held it (Redis was "
                    "unreachable for more than lock_lifetime = %s s); another process may now "
                    "handle the same conversation", sender_id, self.settings.lock_lifetime,
                )
                return

    async def _release(self, sender_id: str, keys: list[str], member: str) -> None:
        """Give the turn on. If Redis cannot be told, the ticket simply expires after
        `lock_lifetime`: the turn's work is kept and the next message waits a little longer."""
        try:
            await run_to_completion(lambda: self._redis.run("release", keys, [member]))
        except StoreError as error:
            logger.warning(
                "conversation %r: could not release its lock (%s); the next message of this "
                "conversation proceeds when the ticket expires in at most %s s",
                sender_id, error, self.settings.lock_lifetime,
            )

    async def locked_conversations(self) -> list[str]:
        """Sender ids whose lock is held or awaited right now (scans this store's prefix)."""
        start = len(self.settings.lock_prefix) + 1
        keys = await self._redis.scan(f"{self.settings.lock_prefix}{{*}}:tickets")
        return sorted({key[start:-len("}:tickets")] for key in keys})

    async def close(self) -> None:
        """Close the connections of the current loop's client."""
        await self._redis.close()
