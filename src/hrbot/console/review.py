"""The review list: conversations with a fallback, a low-confidence message, a handoff, a failed
action or negative feedback (see `review_facts.DEFINITIONS`), filtered by date, channel,
intent, confidence, the employee's department and the text of the messages.

A conversation is listed when at least one of its employee messages in the window carries the
chosen flag (any flag by default) and passes every filter; with `unreviewed`, only messages
nobody has annotated yet count. Texts are matched as the viewer sees them: masked for people
without the personal-data permission, so a search cannot reveal a masked figure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy.engine import Connection

from hrbot.console.employees import EmployeeDirectory, EmployeeProfile
from hrbot.console.masking import mask_text
from hrbot.console.review_facts import FLAGS, MessageFacts
from hrbot.console.review_query import EventsReader, Window

DEFAULT_DAYS = 30
MAX_QUERY_CHARS = 100
PREVIEW_MESSAGES = 3
KEPT_PER_CONVERSATION = 50


@dataclass(frozen=True)
class ReviewFilter:
    """What the review list shows. Dates are days in the console's time zone (inclusive);
    `max_confidence` keeps messages at or below it."""

    since: date | None = None
    until: date | None = None
    channel: str | None = None
    intent: str | None = None
    max_confidence: float | None = None
    department: str | None = None
    query: str | None = None
    flag: str | None = None
    unreviewed: bool = True

    def window(self, zone: tzinfo) -> Window:
        since = datetime.combine(self.since, time(), zone).timestamp() if self.since else None
        until = (datetime.combine(self.until + timedelta(days=1), time(), zone).timestamp()
                 if self.until else None)
        return Window(since, until)

    def as_query(self) -> dict[str, str]:
        """The filter as the list page's query parameters (for links back to it)."""
        values = {
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
            "channel": self.channel or "", "intent": self.intent or "",
            "max_confidence": "" if self.max_confidence is None else f"{self.max_confidence:g}",
            "department": self.department or "", "q": self.query or "", "flag": self.flag or "",
            "status": "open" if self.unreviewed else "all",
        }
        return values


def _day(raw: str | None, default: date | None) -> date | None:
    if raw is None:
        return default
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return default


def parse_filter(params: Mapping[str, str], today: date) -> ReviewFilter:
    """The filter of the list page's query parameters. Without `from`/`to` the last
    DEFAULT_DAYS days are shown; an empty `from` or `to` leaves that end open."""
    raw_confidence = params.get("max_confidence", "").strip()
    try:
        max_confidence: float | None = min(1.0, max(0.0, float(raw_confidence))) if raw_confidence else None
    except ValueError:
        max_confidence = None
    flag = params.get("flag", "").strip()

    def text(name: str, limit: int = 64) -> str | None:
        return params.get(name, "").strip()[:limit] or None

    return ReviewFilter(
        since=_day(params.get("from"), today - timedelta(days=DEFAULT_DAYS - 1)),
        until=_day(params.get("to"), today),
        channel=text("channel"), intent=text("intent"), max_confidence=max_confidence,
        department=text("department"), query=text("q", MAX_QUERY_CHARS),
        flag=flag if flag in FLAGS else None,
        unreviewed=params.get("status", "open") != "all",
    )


@dataclass
class ConversationSummary:
    """A listed conversation: its matching messages (newest first, at most
    KEPT_PER_CONVERSATION of them kept), how many there are and how many carry each flag."""

    sender_id: str
    profile: EmployeeProfile | None
    messages: list[MessageFacts] = field(default_factory=list)
    flag_counts: dict[str, int] = field(default_factory=dict)
    matching: int = 0

    @property
    def last_at(self) -> float:
        return max(message.at for message in self.messages)

    @property
    def channels(self) -> list[str]:
        return sorted({message.channel for message in self.messages if message.channel})

    @property
    def preview(self) -> list[MessageFacts]:
        return self.messages[:PREVIEW_MESSAGES]


@dataclass
class ReviewListing:
    conversations: list[ConversationSummary]
    channels: list[str]
    departments: list[str]


def shown_text(message: MessageFacts, masked: bool) -> str:
    return mask_text(message.text) if masked else message.text


def _matches(message: MessageFacts, where: ReviewFilter, window: Window, masked: bool) -> bool:
    if message.shortcut or not window.holds(message.at):
        return False
    if where.flag is not None:
        if where.flag not in message.flags:
            return False
    elif not message.flags:
        return False
    if where.channel and message.channel != where.channel:
        return False
    if where.intent and message.intent != where.intent and message.predicted_intent != where.intent:
        return False
    if where.max_confidence is not None and (message.confidence is None
                                             or message.confidence > where.max_confidence):
        return False
    return not where.query or where.query.casefold() in shown_text(message, masked).casefold()


@dataclass
class _Found:
    profile: EmployeeProfile | None
    matching: list[MessageFacts]  # newest first


async def review_listing(reader: EventsReader, directory: EmployeeDirectory, where: ReviewFilter,
                         zone: tzinfo, *, masked: bool,
                         reviewed: Callable[[list[int]], Awaitable[set[int]]]) -> ReviewListing:
    """The conversations the filter lists, newest activity first. `reviewed(ids)` says which
    message ids were annotated already."""
    window = where.window(zone)

    def scan(connection: Connection) -> tuple[dict[str, _Found], set[str], set[str]]:
        senders = reader.senders(connection, window, intent=where.intent, text=where.query)
        channels: set[str] = set()
        departments: set[str] = set()
        found: dict[str, _Found] = {}
        for facts in reader.facts(connection, senders, window):
            profile = directory.profile(facts.sender_id)
            if profile is not None and profile.department:
                departments.add(profile.department)
            channels.update(m.channel for m in facts.messages if m.channel and window.holds(m.at))
            if where.department and (profile is None or profile.department != where.department):
                continue
            matching = [m for m in facts.messages if _matches(m, where, window, masked)]
            if matching:
                found[facts.sender_id] = _Found(profile, matching[::-1])
        return found, channels, departments

    found, channels, departments = await reader.run(scan)
    done = await reviewed([m.event_id for item in found.values() for m in item.matching]) \
        if where.unreviewed else set()
    conversations: list[ConversationSummary] = []
    for sender_id, item in found.items():
        still_open = [message for message in item.matching if message.event_id not in done]
        if not still_open:
            continue
        summary = ConversationSummary(sender_id, item.profile, still_open[:KEPT_PER_CONVERSATION],
                                      matching=len(still_open))
        for message in still_open:
            for flag in message.flags:
                summary.flag_counts[flag] = summary.flag_counts.get(flag, 0) + 1
        conversations.append(summary)
    conversations.sort(key=lambda summary: summary.last_at, reverse=True)
    return ReviewListing(conversations, sorted(channels), sorted(departments))
