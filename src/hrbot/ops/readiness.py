"""Is this bot process ready for traffic? Each dependency is checked with a cheap call:

    model         loaded (always, once the server runs; says which archive)
    tracker_store one `SELECT ... LIMIT 1` on the events table (memory: nothing to reach)
    lock_store    a Redis PING (in-process locks: nothing to reach)
    action_server GET <action server>/health when endpoints.yml configures one

The event broker is left out on purpose: while RabbitMQ is down, events wait on disk and the bot
keeps answering. Checks run concurrently, each within `timeout` seconds; a failure's details go
to the log (once, when the check starts failing), the HTTP body only says which check failed,
since probes are often reachable by more people than the log is."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import sqlalchemy as sa

from hrbot.api.common import ServerState
from hrbot.stores.base import StoreError
from hrbot.stores.locks import LockStore
from hrbot.stores.sql import SQLDatabase, events_table

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 3.0

Check = Callable[[], Awaitable[str]]
"""A readiness check: returns what it found (a short description) or raises."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str  # "ok" | "failed" | "skipped"
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"status": self.status, "detail": self.detail}


@dataclass(frozen=True)
class Readiness:
    checks: tuple[CheckResult, ...]

    @property
    def ready(self) -> bool:
        return all(check.status != "failed" for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"status": "ready" if self.ready else "not_ready",
                "checks": {check.name: check.to_dict() for check in self.checks}}


@dataclass
class ReadinessProbe:
    """The named checks; a string instead of a check is the reason it is skipped (not
    configured). Remembers which checks are failing, to log only the changes."""

    checks: Mapping[str, Check | str]
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    _failing: set[str] = field(default_factory=set)

    async def run(self) -> Readiness:
        results = await asyncio.gather(*(self._one(name, check) for name, check in self.checks.items()))
        return Readiness(tuple(results))

    async def _one(self, name: str, check: Check | str) -> CheckResult:
        if isinstance(check, str):
            return CheckResult(name, "skipped", check)
        try:
            async with asyncio.timeout(self.timeout):
                detail = await check()
        except TimeoutError:
            return self._failed(name, f"no answer within {self.timeout:g} s", None)
        except Exception as error:
            return self._failed(name, "unavailable; the bot's log has the reason", error)
        if name in self._failing:
            self._failing.discard(name)
            logger.warning("readiness: %s is available again", name)
        return CheckResult(name, "ok", detail)

    def _failed(self, name: str, detail: str, error: Exception | None) -> CheckResult:
        if name not in self._failing:
            self._failing.add(name)
            logger.warning("readiness: %s failed: %s", name, error if error is not None else detail)
        return CheckResult(name, "failed", detail)


def health_url(action_endpoint_url: str) -> str:
    """The rasa_sdk action server's `/health` next to its webhook URL
    (http://host:5055/webhook -> http://host:5055/health; a path prefix is kept)."""
    parts = urlsplit(action_endpoint_url)
    path = parts.path.rstrip("/")
    if path.endswith("/webhook"):
        path = path[: -len("/webhook")]
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/health", "", ""))


def readiness_probe(
    state: ServerState,
    *,
    action_server_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ReadinessProbe:
    """The checks for the bot that `state` serves; `action_server_url` is endpoints.yml's
    `action_endpoint.url` (None: no action server). `transport` replaces the network (tests)."""

    async def model() -> str:
        kind = "NLU and dialogue" if state.model.dialogue is not None else "NLU only"
        return f"{state.model.path.name} ({kind})"

    checks: dict[str, Check | str] = {"model": model}
    assistant = state.assistant
    if assistant is None:
        checks["tracker_store"] = checks["lock_store"] = "not used: the model has no dialogue part"
    else:
        checks["tracker_store"] = _tracker_store_check(assistant.stores.database)
        checks["lock_store"] = _lock_store_check(assistant.stores.lock_store)
    if action_server_url:
        checks["action_server"] = _action_server_check(health_url(action_server_url), timeout, transport)
    else:
        checks["action_server"] = "not configured in endpoints.yml"
    return ReadinessProbe(checks, timeout)


def _tracker_store_check(database: SQLDatabase | None) -> Check:
    async def check() -> str:
        if database is None:
            return "in memory"
        events = events_table(database)
        query = sa.select(events.c.id).limit(1)
        await database.run(lambda conn: conn.execute(query).first())
        return f"{database.engine.dialect.name} answered"
    return check


def _lock_store_check(lock_store: LockStore) -> Check:
    ping: Callable[[], None] | None = getattr(lock_store, "check_connection", None)

    async def check() -> str:
        if ping is None:
            return "in this process"
        await asyncio.to_thread(ping)
        return "redis answered"
    return check


def _action_server_check(url: str, timeout: float, transport: httpx.AsyncBaseTransport | None) -> Check:
    async def check() -> str:
        async with httpx.AsyncClient(timeout=timeout, transport=transport) as client:
            response = await client.get(url)
        if response.status_code != 200:
            raise StoreError(f"{url} answered HTTP {response.status_code}")
        return "answered /health"
    return check
