"""The conversations file of `hrbot export` / `hrbot import`: JSON Lines, one conversation per
line, events in Rasa's JSON shapes (what the tracker store keeps), plus the conversation's
review-log items (fallbacks and handoffs, oldest first) so that a migration loses neither:

    {"sender_id": "E1001", "events": [{"event": "action", "name": "action_session_start", ...},
     ...], "review_items": [{"kind": "handoff", "reason": "requested", "text": "转人工",
     "timestamp": 1795226400.0, "details": {...}, "resolved_at": null, "resolved_by": null}]}

Reading is streaming: a file of any size is read one line at a time, and every problem names
the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from hrbot.shared.core.events import Event, InvalidEventError, event_from_dict
from hrbot.shared.errors import HrbotError
from hrbot.stores.base import StoreError, check_sender_id
from hrbot.stores.review import REVIEW_KINDS, ReviewItem, ReviewKind


class ConversationFileError(HrbotError):
    """A line of a conversations file cannot be read."""


@dataclass(frozen=True)
class ConversationRecord:
    """One line: a conversation's events and review items."""

    sender_id: str
    events: list[Event]
    review_items: list[ReviewItem] = field(default_factory=list)

    def to_line(self) -> str:
        data: dict[str, Any] = {"sender_id": self.sender_id,
                                "events": [event.to_dict() for event in self.events]}
        if self.review_items:
            data["review_items"] = [_review_dict(item) for item in self.review_items]
        return json.dumps(data, ensure_ascii=False, allow_nan=False) + "\n"


def _review_dict(item: ReviewItem) -> dict[str, Any]:
    data = item.to_dict()
    del data["id"], data["sender_id"]  # ids are the database's own; the sender is the line's
    return data


def _review_item(sender_id: str, data: Any, where: str) -> ReviewItem:
    if not isinstance(data, dict):
        raise ConversationFileError(f"{where}: a review item must be an object")
    kind = data.get("kind")
    if kind not in REVIEW_KINDS:
        raise ConversationFileError(f"{where}: review item kind must be one of {', '.join(REVIEW_KINDS)}")
    timestamp = data.get("timestamp")
    if not isinstance(timestamp, int | float) or isinstance(timestamp, bool):
        raise ConversationFileError(f"{where}: a review item needs a numeric 'timestamp'")
    details = data.get("details") or {}
    if not isinstance(details, dict):
        raise ConversationFileError(f"{where}: a review item's 'details' must be an object")
    resolved_at = data.get("resolved_at")
    return ReviewItem(
        kind=cast(ReviewKind, kind), sender_id=sender_id, reason=str(data.get("reason") or ""),
        text=data.get("text") if isinstance(data.get("text"), str) else None,
        timestamp=float(timestamp), details=details,
        resolved_at=float(resolved_at) if isinstance(resolved_at, int | float) else None,
        resolved_by=str(data["resolved_by"]) if data.get("resolved_by") is not None else None,
    )


def parse_line(text: str, where: str) -> ConversationRecord:
    """The conversation on one line; ConversationFileError saying what is wrong at `where`."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ConversationFileError(f"{where}: not JSON ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise ConversationFileError(f"{where}: expected an object with 'sender_id' and an 'events' list")
    sender_id: Any = data.get("sender_id")
    try:
        check_sender_id(sender_id)
    except StoreError as error:
        raise ConversationFileError(f"{where}: {error}") from None
    events = []
    for position, item in enumerate(data["events"]):
        if not isinstance(item, dict):
            raise ConversationFileError(f"{where}: event {position} must be an object")
        try:
            events.append(event_from_dict(item))
        except (InvalidEventError, ValueError, TypeError) as error:
            raise ConversationFileError(f"{where}: event {position}: {error}") from None
    items = data.get("review_items") or []
    if not isinstance(items, list):
        raise ConversationFileError(f"{where}: 'review_items' must be a list")
    reviews = [_review_item(sender_id, item, f"{where}: review item {index}")
               for index, item in enumerate(items)]
    return ConversationRecord(sender_id, events, reviews)


def read_records(path: Path) -> Iterator[tuple[int, ConversationRecord]]:
    """(line number, conversation) for every non-blank line of `path`, one at a time."""
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as error:
        raise ConversationFileError(f"cannot read {path}: {error.strerror or error}") from None
    with handle:
        try:
            for number, text in enumerate(handle, start=1):
                if text.strip():
                    yield number, parse_line(text, f"{path}:{number}")
        except UnicodeDecodeError as error:
            raise ConversationFileError(f"{path}: not UTF-8 text ({error.reason})") from None
