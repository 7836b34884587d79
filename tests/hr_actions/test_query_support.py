"""Helpers for the query actions' tests (no tests here): run an action for a sender against the
real demo backend in-process, and look expectations up in company.json so they follow the data.

The conversation's clock is the backend's default "today": company.json's reference date at
10:00 Asia/Shanghai."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

import httpx
from actions.base import HRAction
from actions.connectors import HRSystemsClient
from actions.when import SHANGHAI
from connector_support import COMPANY_JSON, demo_config, in_process_client, run
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


@cache
def company() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(COMPANY_JSON.read_text(encoding="utf-8"))
    return data


def reference_day() -> date:
    return date.fromisoformat(company()["company"]["reference_date"])


def reference_now() -> datetime:
    day = reference_day()
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI)


def rows(table: str, **where: Any) -> list[dict[str, Any]]:
    """The rows of a company.json table whose fields equal `where`."""
    return [row for row in company()[table] if all(row.get(k) == v for k, v in where.items())]


def one(table: str, **where: Any) -> dict[str, Any]:
    found = rows(table, **where)
    assert len(found) == 1, f"{table} {where}: {len(found)} rows"
    return found[0]


@dataclass(frozen=True)
class Answer:
    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @property
    def text(self) -> str:
        assert len(self.messages) == 1, self.messages
        return str(self.messages[0]["text"])

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return list(self.messages[0].get("buttons") or [])

    def slot(self, name: str) -> Any:
        """The value the answer sets `name` to; fails when it does not set it exactly once."""
        sets = [e for e in self.events if e.get("event") == "slot" and e.get("name") == name]
        assert len(sets) == 1, self.events
        return sets[0]["value"]


def tracker_for(
    sender: str,
    text: str = "",
    *,
    intent: str | None = None,
    entities: Mapping[str, Any] | Sequence[tuple[str, Any]] = (),
    slots: Mapping[str, Any] | None = None,
    previous: str | None = None,
) -> Tracker:
    """The tracker of one message; `previous` names the action that answered the message before
    (what follow-ups look at)."""
    pairs = list(entities.items()) if isinstance(entities, Mapping) else list(entities)
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": name, "value": value} for name, value in pairs],
    }
    events: list[dict[str, Any]] = []
    if previous is not None:
        events = [{"event": "user", "text": "", "parse_data": {}}, {"event": "action", "name": previous},
                  {"event": "action", "name": "action_listen"}]
    events.append({"event": "user", "text": text, "parse_data": message})
    return Tracker(sender, dict(slots or {}), message, events, False, None, {}, "action_listen")


def ask(
    app: Any,
    action_class: type[HRAction],
    sender: str,
    text: str = "",
    *,
    intent: str | None = None,
    entities: Mapping[str, Any] | Sequence[tuple[str, Any]] = (),
    slots: Mapping[str, Any] | None = None,
    client_factory: Callable[[], HRSystemsClient] | None = None,
    previous: str | None = None,
) -> Answer:
    """Runs the action once for `sender` with the latest message `text` and its entities."""
    action = action_class(client_factory or (lambda: in_process_client(app)), clock=reference_now)
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(sender, text, intent=intent, entities=entities, slots=slots, previous=previous)
    events = run(action.run(dispatcher, tracker, {}))
    return Answer(messages=dispatcher.messages, events=events)


def unreachable_client() -> HRSystemsClient:
    """A client whose every connection is refused, as when the HR systems are down."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    return HRSystemsClient(demo_config(), transport=httpx.MockTransport(refuse), retry_delay=0)
