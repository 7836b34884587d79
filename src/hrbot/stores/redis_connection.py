"""The Redis that several hrbot processes share (endpoints.yml `lock_store: type: redis`): its
settings, read with Rasa's RedisLockStore keys, and a connection that turns Redis failures into
StoreUnavailableError naming the URL (password hidden) and the endpoints.yml line.

Used by the lock store (redis_locks.py) and the channels' message deduplicator
(redis_dedup.py); each keeps its keys under `<key_prefix>:lock:` and `<key_prefix>:dedup:`
(just `lock:` and `dedup:` without a key_prefix, as Rasa's lock keys).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from hrbot.shared.endpoints import EndpointConfig
from hrbot.shared.errors import MissingDependencyError
from hrbot.shared.problems import Location
from hrbot.stores.base import StoreError, StoreUnavailableError

DEFAULT_REDIS_PORT = 6379
DEFAULT_REDIS_DB = 1  # Rasa's RedisLockStore default
DEFAULT_LOCK_LIFETIME = 60.0  # seconds, Rasa's TICKET_LOCK_LIFETIME default
DEFAULT_SOCKET_TIMEOUT = 10.0  # seconds, Rasa's default
HEALTH_CHECK_INTERVAL = 1.0
"""Seconds a pooled connection may sit idle before it is PINGed ahead of its next command.
After Redis restarted (or a network cut), the pool still holds the dead connections; the PING
finds out and reconnects, instead of the command failing. A command itself is never sent
twice: a lock ticket taken twice would hold up its conversation for `lock_lifetime`."""


@dataclass(frozen=True)
class RedisSettings:
    """Where Redis is, the key namespace and how long a lock ticket lives."""

    url: str  # redis:// or rediss:// URL, password included
    display_url: str  # the same with the password hidden
    namespace: str = ""  # "<key_prefix>:" or ""
    socket_timeout: float = DEFAULT_SOCKET_TIMEOUT
    lock_lifetime: float = DEFAULT_LOCK_LIFETIME
    ssl_options: tuple[tuple[str, str], ...] = ()
    source: Location | None = None

    @property
    def lock_prefix(self) -> str:
        return f"{self.namespace}lock:"

    @property
    def dedup_prefix(self) -> str:
        return f"{self.namespace}dedup:"

    def where(self) -> str:
        return f" (configured at {self.source})" if self.source else ""


def redis_settings(config: EndpointConfig) -> RedisSettings:
    """The settings of a validated `lock_store: type: redis` section. As in Rasa, `url` is the
    host; a full redis:// or rediss:// URL is taken as it is (its db and password win)."""
    kwargs = config.kwargs
    username = kwargs.get("username")
    password = kwargs.get("password")
    host = config.url or "localhost"
    if "://" in host:
        parts = urlsplit(host)
        url = host
        username = unquote(parts.username) if parts.username else username
        has_password = parts.password is not None or password is not None
        shown = f"{parts.scheme}://{parts.hostname}:{parts.port or DEFAULT_REDIS_PORT}{parts.path or ''}"
    else:
        port = int(kwargs.get("port") or DEFAULT_REDIS_PORT)
        db = int(kwargs.get("db", DEFAULT_REDIS_DB))
        scheme = "rediss" if kwargs.get("use_ssl") else "redis"
        credentials = ""
        if username or password:
            credentials = f"{quote(str(username or ''), safe='')}:{quote(str(password or ''), safe='')}@"
        url = f"{scheme}://{credentials}{host}:{port}/{db}"
        has_password = password is not None
        shown = f"{scheme}://{host}:{port}/{db}"
    ssl_options: tuple[tuple[str, str], ...] = ()
    if url.startswith("rediss://"):
        ssl_options = tuple(
            (key, str(kwargs[key])) for key in ("ssl_keyfile", "ssl_certfile", "ssl_ca_certs")
            if kwargs.get(key)
        )
    prefix = kwargs.get("key_prefix")
    return RedisSettings(
        url=url,
        display_url=_with_user(shown, username, has_password),
        namespace=f"{prefix}:" if prefix else "",
        socket_timeout=float(kwargs.get("socket_timeout", DEFAULT_SOCKET_TIMEOUT)),
        lock_lifetime=float(kwargs.get("lock_lifetime", DEFAULT_LOCK_LIFETIME)),
        ssl_options=ssl_options,
        source=config.source,
    )


def _with_user(url: str, username: Any, has_password: bool) -> str:
    if not username and not has_password:
        return url
    scheme, _, rest = url.partition("://")
    user = quote(str(username or ""), safe="")
    return f"{scheme}://{user}{':***' if has_password else ''}@{rest}"


def _redis_module() -> Any:
    try:
        import redis.asyncio
    except ImportError:
        raise MissingDependencyError("redis", "the Redis lock store (lock_store: type: redis)") from None
    return redis


class RedisConnection:
    """A Redis client for the running event loop (made on first use, and again if a later call
    runs in another loop) and the Lua scripts registered on it."""

    def __init__(self, settings: RedisSettings, scripts: dict[str, str], *, purpose: str) -> None:
        self.settings = settings
        self.purpose = purpose
        self._sources = scripts
        self._module = _redis_module()
        self._client: Any = None
        self._scripts: dict[str, Any] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "socket_timeout": self.settings.socket_timeout,
            "socket_connect_timeout": self.settings.socket_timeout,
            "decode_responses": True,
        }
        options.update(dict(self.settings.ssl_options))
        return options

    def check(self) -> None:
        """Ping Redis once, synchronously (at start-up, like the SQL store's first connect);
        StoreUnavailableError naming the URL when it cannot be reached."""
        client = self._module.Redis.from_url(self.settings.url, **self._options())
        try:
            client.ping()
        except self._module.RedisError as error:
            raise self.unavailable(error) from None
        finally:
            client.close()

    def _async_options(self) -> dict[str, Any]:
        """`_options`, plus the idle-connection check and a single, immediate reconnect (the
        default retries with back-off would keep a message waiting seconds while Redis is down)."""
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        return {**self._options(), "health_check_interval": HEALTH_CHECK_INTERVAL,
                "retry": Retry(NoBackoff(), 1)}

    def client(self) -> Any:
        """The redis.asyncio client of the running loop."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = self._module.asyncio.Redis.from_url(self.settings.url, **self._async_options())
            self._scripts = {
                name: self._client.register_script(source) for name, source in self._sources.items()
            }
            self._loop = loop
        return self._client

    async def run(self, script: str, keys: list[str], args: list[Any]) -> Any:
        """Run the registered Lua `script` atomically on the server."""
        self.client()
        try:
            return await self._scripts[script](keys=keys, args=args)
        except (self._module.ConnectionError, self._module.TimeoutError) as error:
            raise self.unavailable(error) from None
        except self._module.RedisError as error:
            raise StoreError(f"{self.purpose} {self.settings.display_url}: {error}") from None

    async def scan(self, pattern: str) -> list[str]:
        """Every key matching `pattern`."""
        try:
            return [str(key) async for key in self.client().scan_iter(match=pattern, count=500)]
        except (self._module.ConnectionError, self._module.TimeoutError) as error:
            raise self.unavailable(error) from None

    def unavailable(self, error: BaseException) -> StoreUnavailableError:
        return StoreUnavailableError(
            f"cannot use the {self.purpose} {self.settings.display_url}{self.settings.where()}: "
            f"{error}; check that Redis is running and reachable and that url, port, db, password "
            "and use_ssl of lock_store in endpoints.yml are right"
        )

    async def close(self) -> None:
        """Close the current loop's client."""
        client, self._client, self._loop = self._client, None, None
        if client is not None:
            try:
                await client.aclose()
            except Exception:  # closing what is already broken
                return
