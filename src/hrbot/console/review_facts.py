"""What happened in a conversation, as review and analytics count it: each employee message with
its NLU result and what followed it (a fallback, a handoff, a failed action), each handoff with
how long the employee waited, and each session. One definition for the review list and every
chart, so a "fallback" is the same thing on both pages.

The facts are read from the tracker store's event rows of ONE conversation at a time (oldest
first); nothing here keeps more than that conversation. `DEFINITIONS` is the published wording
of every flag; the pages show it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from hrbot.console.transcript import AGENT_METADATA_KEY
from hrbot.dialogue.processor import EXTERNAL_MESSAGE_PREFIX, FALLBACK_ACTIONS
from hrbot.shared.core.events import ACTION_SESSION_START_NAME
from hrbot.shared.nlu.parse_result import NLU_FALLBACK_INTENT

LOW_CONFIDENCE = 0.6
DENY_INTENT = "deny"
NEGATIVE_KEYWORDS = ("👎", "差评", "不满意", "没帮助", "没有帮助", "答非所问", "没解决", "听不懂", "没听懂")
FLAGS = ("fallback", "low_confidence", "handoff", "action_failed", "negative")
FLAG_LABELS = {
    "fallback": "兜底",
    "low_confidence": "低置信度",
    "handoff": "转人工",
    "action_failed": "操作失败",
    "negative": "负面反馈",
}
DEFINITIONS = {
    "fallback": "该消息的意图是 nlu_fallback(NLU 没有把握),或机器人在下一条员工消息之前执行了兜底动作 "
                "(action_default_fallback / action_two_stage_fallback)。",
    "low_confidence": f"该消息识别出的意图置信度低于 {LOW_CONFIDENCE:.0%}(按钮点击等快捷指令除外)。",
    "handoff": "在该消息之后、下一条员工消息之前,会话转给了人工(pause 事件)。",
    "action_failed": "在该消息之后、下一条员工消息之前,有自定义动作调用 HR 系统失败"
                     "(机器人回复带 action_failed 标记)。",
    "negative": "消息含以下任一词:" + "、".join(NEGATIVE_KEYWORDS) + ";或意图为 deny(置信度不低于 "
                f"{LOW_CONFIDENCE:.0%}),且紧接在机器人的一条不带按钮的回答之后、没有表单在进行中"
                "(对机器人提问的否定回答不算)。",
}
REVIEW_EVENT_TYPES = ("user", "bot", "action", "pause", "resume", "active_loop", "restart")


@dataclass(frozen=True)
class EventRow:
    """One row of the events table: what the facts need of it. `data` is the event's JSON."""

    id: int
    type_name: str
    timestamp: float | None
    action_name: str | None
    data: str | None

    def payload(self) -> dict[str, Any]:
        try:
            found = json.loads(self.data or "{}")
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}


@dataclass(frozen=True)
class MessageFacts:
    """An employee message. `shortcut`: a button payload (`/intent`), not text for the NLU."""

    event_id: int
    sender_id: str
    at: float
    channel: str | None
    text: str
    intent: str | None
    confidence: float | None
    ranking: tuple[tuple[str, float], ...] = ()
    entities: tuple[dict[str, Any], ...] = ()
    flags: frozenset[str] = frozenset()
    shortcut: bool = False

    @property
    def predicted_intent(self) -> str | None:
        """The classifier's choice before any fallback (what "confirm" writes)."""
        for name, _ in self.ranking:
            if name != NLU_FALLBACK_INTENT:
                return name
        return self.intent if self.intent != NLU_FALLBACK_INTENT else None

    @property
    def is_fallback(self) -> bool:
        return "fallback" in self.flags


@dataclass(frozen=True)
class HandoffFacts:
    """A handoff (`pause`): why, and when an agent first answered from the console or the
    conversation went back to the bot."""

    event_id: int
    sender_id: str
    at: float
    channel: str | None
    reason: str
    answered_at: float | None = None
    resumed_at: float | None = None

    @property
    def wait_seconds(self) -> float | None:
        """From the handoff to the first agent reply, or to the hand-back when nobody replied;
        None while still waiting."""
        end = self.answered_at if self.answered_at is not None else self.resumed_at
        return None if end is None else max(0.0, end - self.at)


@dataclass(frozen=True)
class SessionFacts:
    """A session with at least one employee message: from `action_session_start` (or a
    restart, or the first event read) to the next one."""

    sender_id: str
    first_at: float
    channel: str | None
    messages: int
    fallbacks: int
    handed_off: bool


@dataclass(frozen=True)
class ConversationFacts:
    sender_id: str
    messages: tuple[MessageFacts, ...] = ()
    handoffs: tuple[HandoffFacts, ...] = ()
    sessions: tuple[SessionFacts, ...] = ()


def _mapping(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _string(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def is_negative_text(text: str) -> bool:
    return any(keyword in text for keyword in NEGATIVE_KEYWORDS)


@dataclass
class _Session:
    first_at: float
    channel: str | None
    messages: int = 0
    fallbacks: int = 0
    handed_off: bool = False


@dataclass
class _Reader:
    """The state of reading one conversation, event by event."""

    sender_id: str
    messages: list[MessageFacts] = field(default_factory=list)
    handoffs: list[HandoffFacts] = field(default_factory=list)
    sessions: list[SessionFacts] = field(default_factory=list)
    current: MessageFacts | None = None
    extra_flags: set[str] = field(default_factory=set)
    session: _Session | None = None
    open_handoffs: list[int] = field(default_factory=list)  # indexes into handoffs
    loop_active: bool = False
    last_spoken: str | None = None  # "bot", "bot_choice", "agent", "user"
    channel: str | None = None

    def finish_message(self) -> None:
        if self.current is not None:
            message = replace(self.current, flags=self.current.flags | frozenset(self.extra_flags))
            self.messages.append(message)
            if self.session is not None and message.is_fallback:
                self.session.fallbacks += 1
        self.current, self.extra_flags = None, set()

    def finish_session(self) -> None:
        self.finish_message()
        if self.session is not None:
            s = self.session
            self.sessions.append(SessionFacts(self.sender_id, s.first_at, s.channel, s.messages, s.fallbacks,
                                              s.handed_off))
        self.session = None

    def user(self, row: EventRow, at: float) -> None:
        self.finish_message()
        data = row.payload()
        text = _string(data, "text") or ""
        if text.startswith(EXTERNAL_MESSAGE_PREFIX):
            return  # triggered from outside (a reminder, an API call): not an employee message
        parse = _mapping(data, "parse_data")
        intent = _mapping(parse, "intent")
        name = _string(intent, "name")
        confidence = _number(intent.get("confidence"))
        ranking = tuple(
            (str(item["name"]), _number(item.get("confidence")) or 0.0)
            for item in parse.get("intent_ranking") or () if isinstance(item, dict) and item.get("name")
        )
        entities = tuple(item for item in parse.get("entities") or () if isinstance(item, dict))
        channel = _string(data, "input_channel")
        shortcut = text.startswith("/")
        flags: set[str] = set()
        if name == NLU_FALLBACK_INTENT:
            flags.add("fallback")
        if not shortcut and confidence is not None and confidence < LOW_CONFIDENCE:
            flags.add("low_confidence")
        deny_after_answer = (name == DENY_INTENT and (confidence or 0.0) >= LOW_CONFIDENCE
                             and self.last_spoken == "bot" and not self.loop_active)
        if not shortcut and (is_negative_text(text) or deny_after_answer):
            flags.add("negative")
        self.channel = channel or self.channel
        if self.session is None:
            self.session = _Session(at, channel)
        self.session.messages += 1
        self.current = MessageFacts(row.id, self.sender_id, at, channel, text, name, confidence, ranking,
                                    entities, frozenset(flags), shortcut)
        self.last_spoken = "user"

    def bot(self, row: EventRow, at: float) -> None:
        data = row.payload()
        metadata = _mapping(data, "metadata")
        rich = _mapping(data, "data")
        if metadata.get(AGENT_METADATA_KEY):
            for index in self.open_handoffs:
                if self.handoffs[index].answered_at is None:
                    self.handoffs[index] = replace(self.handoffs[index], answered_at=at)
            self.last_spoken = "agent"
            return
        if metadata.get("action_failed") and self.current is not None:
            self.extra_flags.add("action_failed")
        self.last_spoken = "bot_choice" if rich.get("buttons") or rich.get("quick_replies") else "bot"

    def pause(self, row: EventRow, at: float) -> None:
        reason = _mapping(row.payload(), "metadata").get("handoff_reason")
        reason_text = str(reason or "requested")
        self.handoffs.append(HandoffFacts(row.id, self.sender_id, at, self.channel, reason_text))
        self.open_handoffs.append(len(self.handoffs) - 1)
        if self.current is not None:
            self.extra_flags.add("handoff")
        if self.session is not None:
            self.session.handed_off = True

    def resume(self, at: float) -> None:
        for index in self.open_handoffs:
            self.handoffs[index] = replace(self.handoffs[index], resumed_at=at)
        self.open_handoffs = []

    def read(self, row: EventRow) -> None:
        at = row.timestamp if row.timestamp is not None else 0.0
        kind = row.type_name
        if kind == "user":
            self.user(row, at)
        elif kind == "bot":
            self.bot(row, at)
        elif kind == "action":
            if row.action_name in FALLBACK_ACTIONS and self.current is not None:
                self.extra_flags.add("fallback")
            elif row.action_name == ACTION_SESSION_START_NAME:
                self.finish_session()
        elif kind == "pause":
            self.pause(row, at)
        elif kind == "resume":
            self.resume(at)
        elif kind == "active_loop":
            self.loop_active = bool(row.action_name)
        elif kind == "restart":
            self.finish_session()


def conversation_facts(sender_id: str, rows: Iterable[EventRow]) -> ConversationFacts:
    """The facts of one conversation from its event rows, oldest first."""
    reader = _Reader(sender_id)
    for row in rows:
        reader.read(row)
    reader.finish_session()
    return ConversationFacts(sender_id, tuple(reader.messages), tuple(reader.handoffs),
                             tuple(reader.sessions))
