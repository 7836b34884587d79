"""Who the employee is: the channel's sender id resolved through HRM, never a name or an id
typed in a message.

The REST channel of the demo (and the console) sends the employee id itself (E1008); WeCom and
DingTalk send their own user ids, which HRM maps (`/hrm/identities`). Answers are cached for a
few minutes per sender so a conversation does not look the employee up at every turn; an
unknown sender is never cached, so a newly added employee is found at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from actions.connectors.client import HRSystemsClient
from actions.connectors.errors import NotFound

# channel name -> the /hrm/identities parameter its sender ids are
CHANNEL_KEYS: dict[str, str] = {
    "wecom": "wecom_userid",
    "dingtalk": "dingtalk_userid",
    "rest": "employee_id",
    "socketio": "employee_id",
    "console": "employee_id",
    "cmdline": "employee_id",
    "callback": "employee_id",
}
DEFAULT_TTL_SECONDS = 300.0
MAX_CACHED = 4096
UNKNOWN_EMPLOYEE_MESSAGE = "没有找到与您账号对应的员工信息,暂时无法为您办理。请联系HR核实账号绑定。"


class UnknownEmployee(Exception):
    """The sender is not an employee HRM knows. `user_message` is safe to show."""

    def __init__(self, sender_id: str, channel: str | None, detail: str = "") -> None:
        suffix = f": {detail}" if detail else ""
        super().__init__(f"no employee for sender {sender_id!r} on channel {channel!r}{suffix}")
        self.sender_id = sender_id
        self.channel = channel
        self.user_message = UNKNOWN_EMPLOYEE_MESSAGE


class UnsupportedChannel(ValueError):
    """A channel whose sender ids the bot does not know how to map to employees."""


@dataclass(frozen=True)
class Employee:
    """The employee the bot acts for, as HRM identifies them (no personal identifiers)."""

    employee_id: str
    name: str
    department_id: str | None
    department: str | None
    title: str | None
    manager_id: str | None
    roles: tuple[str, ...]
    is_hr: bool
    is_manager: bool

    @classmethod
    def from_identity(cls, answer: dict[str, Any]) -> Employee:
        """From the answer of GET /hrm/identities."""
        return cls(
            employee_id=str(answer["employee_id"]),
            name=str(answer["name"]),
            department_id=answer.get("department_id"),
            department=answer.get("department"),
            title=answer.get("title"),
            manager_id=answer.get("manager_id"),
            roles=tuple(answer.get("roles") or ()),
            is_hr=bool(answer.get("is_hr")),
            is_manager=bool(answer.get("is_manager")),
        )


def identity_key(channel: str | None) -> str:
    """The /hrm/identities parameter a channel's sender ids are (no channel: the REST default)."""
    key = CHANNEL_KEYS.get((channel or "rest").lower())
    if key is None:
        raise UnsupportedChannel(
            f"channel {channel!r} is not mapped to employees; known channels: {', '.join(CHANNEL_KEYS)}"
        )
    return key


class IdentityResolver:
    """Resolves senders through HRM with a small TTL cache; keep one per action server."""

    def __init__(
        self,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_CACHED,
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._max = max_entries
        self._cache: dict[tuple[str, str], tuple[float, Employee]] = {}
        self._lock = threading.Lock()

    async def resolve(self, sender_id: str, channel: str | None, client: HRSystemsClient) -> Employee:
        """The employee behind `sender_id` on `channel`; UnknownEmployee if HRM knows none.
        ConnectorErrors other than NotFound (HRM down, ...) propagate unchanged."""
        key = identity_key(channel)
        sender = (sender_id or "").strip()
        if not sender:
            raise UnknownEmployee(sender_id, channel, "empty sender id")
        cached = self._cached((key, sender))
        if cached is not None:
            return cached
        try:
            answer = await client.request("hrm", "GET", "/hrm/identities", acting=None, params={key: sender})
        except NotFound:
            raise UnknownEmployee(sender_id, channel) from None
        employee = Employee.from_identity(answer)
        self._store((key, sender), employee)
        return employee

    def forget(self, sender_id: str | None = None) -> None:
        """Drops a sender's cached identity (all of them without an argument)."""
        with self._lock:
            if sender_id is None:
                self._cache.clear()
            else:
                for cache_key in [k for k in self._cache if k[1] == sender_id]:
                    del self._cache[cache_key]

    def _cached(self, cache_key: tuple[str, str]) -> Employee | None:
        with self._lock:
            hit = self._cache.get(cache_key)
            if hit is None:
                return None
            if hit[0] <= self._clock():
                del self._cache[cache_key]
                return None
            return hit[1]

    def _store(self, cache_key: tuple[str, str], employee: Employee) -> None:
        with self._lock:
            if len(self._cache) >= self._max:
                now = self._clock()
                for stale in [k for k, (expires, _) in self._cache.items() if expires <= now]:
                    del self._cache[stale]
                while len(self._cache) >= self._max:
                    del self._cache[next(iter(self._cache))]
            self._cache[cache_key] = (self._clock() + self._ttl, employee)


async def resolve_employee(
    sender_id: str, channel: str | None, client: HRSystemsClient, resolver: IdentityResolver | None = None
) -> Employee:
    """The employee behind the channel's sender (see IdentityResolver.resolve); without a
    resolver nothing is cached."""
    return await (resolver or IdentityResolver(ttl=0)).resolve(sender_id, channel, client)


async def employee_of(
    tracker: Any, client: HRSystemsClient, resolver: IdentityResolver | None = None
) -> Employee:
    """The employee of a rasa_sdk Tracker: its sender_id on its latest input channel."""
    return await resolve_employee(
        str(tracker.sender_id), tracker.get_latest_input_channel(), client, resolver
    )
