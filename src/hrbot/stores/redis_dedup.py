"""Channel message claims in Redis: each message a channel receives (WeCom's MsgId, ...) is
processed once by whichever process claims it first, when the processes share a Redis lock
store. It follows the channels' `MessageDeduplicator` protocol (claim / forget_before / close),
like the in-memory and SQL deduplicators of the WeCom channel.

One sorted set per scope, `<prefix>{<scope>}` (prefix `<key_prefix>:dedup:`), member = message
key, score = when it was claimed. A claim is a single atomic script: it drops claims older than
`retention` seconds (so the set stays small even if nobody purges it) and adds the key only if
it is absent (ZADD NX); Redis decides which of two racing processes wins.

An unreachable Redis raises StoreUnavailableError, so a channel can refuse the delivery and let
the platform retry rather than lose or double the message.
"""

from __future__ import annotations

from hrbot.stores.redis_connection import RedisConnection, RedisSettings

DEFAULT_RETENTION = 2 * 24 * 3600.0  # seconds; platforms retry within seconds or minutes
MAX_SCOPE_CHARS = 128
MAX_KEY_CHARS = 255

# KEYS: the scope's set. ARGV: key, now, oldest claim to keep. 1 when the key is new.
_CLAIM = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
return redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
"""

# KEYS: the scope sets. ARGV: cutoff. How many claims were forgotten.
_FORGET = """
local total = 0
for _, key in ipairs(KEYS) do
  total = total + redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. ARGV[1])
end
return total
"""


class RedisMessageDeduplicator:
    """Message claims shared by every process using the same Redis and key prefix."""

    def __init__(self, settings: RedisSettings, *, retention: float = DEFAULT_RETENTION) -> None:
        if retention <= 0:
            raise ValueError(f"retention must be a positive number of seconds, got {retention!r}")
        self.settings = settings
        self.retention = retention
        self._redis = RedisConnection(
            settings, {"claim": _CLAIM, "forget": _FORGET}, purpose="Redis message deduplicator"
        )

    def _key(self, scope: str) -> str:
        return f"{self.settings.dedup_prefix}{{{scope}}}"

    async def claim(self, scope: str, key: str, now: float) -> bool:
        """True for the first claim of (`scope`, `key`), False for every later one."""
        if not scope or len(scope) > MAX_SCOPE_CHARS:
            raise ValueError(f"a claim's scope must be 1 to {MAX_SCOPE_CHARS} characters, got {len(scope)}")
        if not key or len(key) > MAX_KEY_CHARS:
            raise ValueError(f"a claim's key must be 1 to {MAX_KEY_CHARS} characters, got {len(key)}")
        oldest = now - self.retention
        added = await self._redis.run("claim", [self._key(scope)], [key, repr(now), repr(oldest)])
        return int(added) == 1

    async def forget_before(self, cutoff: float) -> int:
        """Forget claims made before `cutoff` (Unix time), in every scope; how many."""
        keys = await self._redis.scan(f"{self.settings.dedup_prefix}{{*}}")
        if not keys:
            return 0
        return int(await self._redis.run("forget", keys, [repr(cutoff)]))

    async def close(self) -> None:
        await self._redis.close()
