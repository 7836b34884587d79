"""The figures of the analytics page, by day and by channel, from the conversations' facts
(`review_facts`): containment, fallbacks, handoffs and their reasons, intents, unrecognised
messages and how long employees waited for an agent. `METRICS` holds the exact definition of
each, which the page publishes next to the chart.

Days are calendar days in the console's time zone; the channel is the input channel of the
employee's message (for a conversation: of its first message; for a handoff: of the last
message before it); "未知" when the channel did not say.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from hrbot.console.annotation_duplicates import normalise
from hrbot.console.review_facts import DEFINITIONS, ConversationFacts
from hrbot.console.review_query import Window
from hrbot.console.transcript import reason_label
from hrbot.shared.nlu.parse_result import NLU_FALLBACK_INTENT

UNKNOWN_CHANNEL = "未知"
TOP_UNRECOGNISED = 20
TOP_INTENTS = 15
DEFAULT_DAYS = 14
MAX_DAYS = 366


@dataclass(frozen=True)
class Metric:
    key: str
    title: str
    definition: str


METRICS: tuple[Metric, ...] = (
    Metric("containment", "自助解决率",
           "没有转人工就结束的会话所占比例 = 不含转人工 (pause 事件) 的会话数 ÷ 会话数。会话指员工的一次会话 "
           "(session):从 action_session_start(或 restart)到下一次为止,且至少有一条员工消息;"
           "按其第一条员工消息的日期和渠道计。"),
    Metric("fallback", "兜底率",
           "兜底消息数 ÷ 员工消息数。员工消息含按钮点击,不含系统触发的意图;兜底消息:"
           + DEFINITIONS["fallback"]),
    Metric("handoffs", "转人工量与原因",
           "转人工 (pause 事件) 的次数,按原因 (handoff_reason) 分:员工要求转人工、机器人多次未能理解、"
           "HR 系统操作失败等;按转人工发生的日期计。"),
    Metric("intents", "意图分布",
           f"员工消息按 NLU 识别出的意图计数(nlu_fallback 即未识别);图中为前 {TOP_INTENTS} 个。"),
    Metric("unrecognised", "未识别消息排行",
           f"兜底消息按文字归并(Unicode NFKC、忽略大小写、空白和标点)后的出现次数,前 {TOP_UNRECOGNISED} 条;"
           "显示最近一次的原文(对无权查看个人信息的人脱敏)。按钮点击不计。"),
    Metric("handoff_wait", "转人工等待时长中位数",
           "每次转人工从 pause 事件到坐席在控制台中第一次回复的秒数;若坐席没有回复就交回了机器人,"
           "则算到交回为止。仍在等待的不计入中位数,另行计数。按转人工发生的日期计。"),
)
METRIC_KEYS = tuple(metric.key for metric in METRICS)


@dataclass(frozen=True)
class AnalyticsFilter:
    since: date
    until: date
    channel: str | None = None

    def window(self, zone: tzinfo) -> Window:
        return Window(datetime.combine(self.since, time(), zone).timestamp(),
                      datetime.combine(self.until + timedelta(days=1), time(), zone).timestamp())

    @property
    def days(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range((self.until - self.since).days + 1)]


def parse_analytics_filter(params: dict[str, str], today: date) -> AnalyticsFilter:
    """From the page's query (`from`, `to`, `channel`): the last DEFAULT_DAYS days by default,
    at most MAX_DAYS days."""
    def day(name: str, default: date) -> date:
        try:
            return date.fromisoformat(params.get(name, "").strip())
        except ValueError:
            return default

    until = day("to", today)
    since = day("from", until - timedelta(days=DEFAULT_DAYS - 1))
    if since > until:
        since, until = until, since
    since = max(since, until - timedelta(days=MAX_DAYS - 1))
    channel = params.get("channel", "").strip()[:64] or None
    return AnalyticsFilter(since, until, channel)


@dataclass
class Unrecognised:
    text: str
    count: int
    last_at: float


Key = tuple[date, str]


@dataclass
class Tallies:
    """Everything the page shows, counted per (day, channel)."""

    sessions: Counter[Key] = field(default_factory=Counter)
    contained: Counter[Key] = field(default_factory=Counter)
    messages: Counter[Key] = field(default_factory=Counter)
    fallbacks: Counter[Key] = field(default_factory=Counter)
    handoffs: Counter[tuple[date, str, str]] = field(default_factory=Counter)
    intents: Counter[tuple[date, str, str]] = field(default_factory=Counter)
    waits: dict[Key, list[float]] = field(default_factory=dict)
    waiting: Counter[Key] = field(default_factory=Counter)
    unrecognised: dict[tuple[str, str], Unrecognised] = field(default_factory=dict)

    @property
    def channels(self) -> list[str]:
        return sorted({channel for _, channel in self.messages} | {channel for _, channel in self.sessions}
                      | {channel for _, channel, _ in self.handoffs})


def tally(conversations: Iterable[ConversationFacts], window: Window, zone: tzinfo) -> Tallies:
    """Count the facts that fall in `window`."""
    def day(at: float) -> date:
        return datetime.fromtimestamp(at, zone).date()

    found = Tallies()
    for facts in conversations:
        for session in facts.sessions:
            if window.holds(session.first_at):
                key = (day(session.first_at), session.channel or UNKNOWN_CHANNEL)
                found.sessions[key] += 1
                found.contained[key] += not session.handed_off
        for message in facts.messages:
            if not window.holds(message.at):
                continue
            key = (day(message.at), message.channel or UNKNOWN_CHANNEL)
            found.messages[key] += 1
            found.intents[(*key, message.intent or NLU_FALLBACK_INTENT)] += 1
            if message.is_fallback:
                found.fallbacks[key] += 1
                normalised = normalise(message.text) or message.text
                if not message.shortcut and normalised:
                    entry = found.unrecognised.get((key[1], normalised))
                    if entry is None:
                        found.unrecognised[(key[1], normalised)] = Unrecognised(message.text, 1, message.at)
                    else:
                        entry.count += 1
                        if message.at >= entry.last_at:
                            entry.text, entry.last_at = message.text, message.at
        for handoff in facts.handoffs:
            if not window.holds(handoff.at):
                continue
            key = (day(handoff.at), handoff.channel or UNKNOWN_CHANNEL)
            found.handoffs[(*key, handoff.reason)] += 1
            wait = handoff.wait_seconds
            if wait is None:
                found.waiting[key] += 1
            else:
                found.waits.setdefault(key, []).append(wait)
    return found


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class DayValue:
    day: date
    value: float | None
    numerator: int = 0
    denominator: int = 0


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    conversations: int
    containment: float | None
    messages: int
    fallback_rate: float | None
    handoffs: int
    median_wait: float | None


class AnalyticsView:
    """The tallies as the page shows them, for one channel or all."""

    def __init__(self, tallies: Tallies, where: AnalyticsFilter) -> None:
        self.tallies = tallies
        self.where = where
        self.days = where.days

    def _in(self, channel: str) -> bool:
        return self.where.channel is None or channel == self.where.channel

    def _sum(self, counter: Counter[Key], day: date | None = None, channel: str | None = None) -> int:
        return sum(n for (d, c), n in counter.items()
                   if self._in(c) and (day is None or d == day) and (channel is None or c == channel))

    def containment_by_day(self) -> list[DayValue]:
        t = self.tallies
        return [self._rate(t.contained, t.sessions, d) for d in self.days]

    def fallback_by_day(self) -> list[DayValue]:
        t = self.tallies
        return [self._rate(t.fallbacks, t.messages, d) for d in self.days]

    def _rate(self, part: Counter[Key], whole: Counter[Key], day: date) -> DayValue:
        numerator, denominator = self._sum(part, day), self._sum(whole, day)
        return DayValue(day, ratio(numerator, denominator), numerator, denominator)

    def handoffs_by_day(self) -> list[DayValue]:
        counts: Counter[date] = Counter()
        for (d, channel, _), n in self.tallies.handoffs.items():
            if self._in(channel):
                counts[d] += n
        return [DayValue(d, float(counts.get(d, 0)), counts.get(d, 0)) for d in self.days]

    def handoff_reasons(self) -> list[tuple[str, int]]:
        counts: Counter[str] = Counter()
        for (_, channel, reason), n in self.tallies.handoffs.items():
            if self._in(channel):
                counts[reason_label(reason)] += n
        return counts.most_common()

    def wait_by_day(self) -> list[DayValue]:
        rows = []
        for d in self.days:
            waits = [w for (day, c), found in self.tallies.waits.items()
                     if day == d and self._in(c) for w in found]
            rows.append(DayValue(d, statistics.median(waits) if waits else None, len(waits)))
        return rows

    def median_wait(self, channel: str | None = None) -> float | None:
        waits = [w for (_, c), found in self.tallies.waits.items()
                 if self._in(c) and (channel is None or c == channel) for w in found]
        return statistics.median(waits) if waits else None

    def still_waiting(self) -> int:
        return self._sum(self.tallies.waiting)

    def intents(self, top: int = TOP_INTENTS) -> list[tuple[str, int]]:
        counts: Counter[str] = Counter()
        for (_, channel, intent), n in self.tallies.intents.items():
            if self._in(channel):
                counts[intent] += n
        return counts.most_common(top)

    def unrecognised(self, top: int = TOP_UNRECOGNISED) -> list[Unrecognised]:
        merged: dict[str, Unrecognised] = {}
        for (channel, key), entry in self.tallies.unrecognised.items():
            if not self._in(channel):
                continue
            found = merged.get(key)
            if found is None:
                merged[key] = Unrecognised(entry.text, entry.count, entry.last_at)
            else:
                found.count += entry.count
                if entry.last_at >= found.last_at:
                    found.text, found.last_at = entry.text, entry.last_at
        return sorted(merged.values(), key=lambda e: (-e.count, -e.last_at))[:top]

    def totals(self) -> dict[str, float | int | None]:
        t = self.tallies
        sessions, messages = self._sum(t.sessions), self._sum(t.messages)
        return {
            "conversations": sessions, "containment": ratio(self._sum(t.contained), sessions),
            "messages": messages, "fallback_rate": ratio(self._sum(t.fallbacks), messages),
            "handoffs": sum(n for (_, c, _), n in t.handoffs.items() if self._in(c)),
            "median_wait": self.median_wait(), "still_waiting": self.still_waiting(),
        }

    def by_channel(self) -> list[ChannelRow]:
        t = self.tallies
        rows = []
        for channel in t.channels:
            if not self._in(channel):
                continue
            sessions = self._sum(t.sessions, channel=channel)
            messages = self._sum(t.messages, channel=channel)
            rows.append(ChannelRow(
                channel, sessions, ratio(self._sum(t.contained, channel=channel), sessions), messages,
                ratio(self._sum(t.fallbacks, channel=channel), messages),
                sum(n for (_, c, _), n in t.handoffs.items() if c == channel), self.median_wait(channel)))
        return rows
