"""The handoff inbox: conversations waiting for a human, and what an agent does with one —
claim it, reply, hand it back to the bot with a note, or release it to the queue.

A conversation waits while it has an open handoff in the review log and its tracker is paused.
Everything an agent does goes through here and is written to the audit log, so no caller can
act without a trace. Errors are `InboxError`s with an HTTP status and a message for the agent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hrbot.channels.rest import MAX_MESSAGE_CHARS, clean_text
from hrbot.console.audit import AuditLog
from hrbot.console.claims import Claim, ClaimStore
from hrbot.console.delivery import Delivery, ReplyChannels
from hrbot.console.employees import EmployeeDirectory, EmployeeProfile
from hrbot.console.transcript import AGENT_METADATA_KEY, TranscriptLine, last_messages, transcript_lines
from hrbot.dialogue.messages import BotMessage
from hrbot.dialogue.processor import MessageProcessor
from hrbot.shared.clock import Clock
from hrbot.shared.core.events import BotUttered, ConversationResumed
from hrbot.shared.errors import HrbotError
from hrbot.stores.review import ReviewLog

MAX_NOTE_CHARS = 1000
MAX_WAITING = 1000


class InboxError(HrbotError):
    """What an agent asked for cannot be done; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Handoff:
    """A conversation's open handoff: the oldest open review item's id, when it started and why
    (the newest item's reason)."""

    sender_id: str
    handoff_id: int
    since: float
    reason: str


@dataclass(frozen=True)
class WaitingConversation:
    handoff: Handoff
    waited_seconds: float
    profile: EmployeeProfile | None
    last: list[TranscriptLine]
    claim: Claim | None
    channel: str | None

    @property
    def sender_id(self) -> str:
        return self.handoff.sender_id

    def fingerprint(self) -> dict[str, Any]:
        """What the inbox shows of it, for telling whether the inbox changed."""
        return {"sender": self.sender_id, "handoff": self.handoff.handoff_id, "reason": self.handoff.reason,
                "minutes": int(self.waited_seconds // 60), "last": [line.to_dict() for line in self.last],
                "agent": self.claim.agent if self.claim else None}


@dataclass(frozen=True)
class ConversationView:
    """A conversation for the agent's page: the full transcript, who has it, and whether it
    still waits for a human."""

    sender_id: str
    lines: list[TranscriptLine]
    paused: bool
    handoff: Handoff | None
    claim: Claim | None
    channel: str | None
    profile: EmployeeProfile | None


class Inbox:
    """The inbox over the processor's conversations, the review log's handoffs and the claims."""

    def __init__(self, *, processor: Callable[[], MessageProcessor | None],
                 review_log: Callable[[], ReviewLog | None], claims: ClaimStore,
                 directory: Callable[[], EmployeeDirectory], channels: ReplyChannels, audit: AuditLog,
                 clock: Clock, wall_clock: Callable[[], float], last_count: int = 3) -> None:
        self._processor = processor
        self._review_log = review_log
        self.claims = claims
        self._directory = directory
        self.channels = channels
        self.audit = audit
        self.clock = clock
        self.wall_clock = wall_clock
        self.last_count = last_count

    def processor(self) -> MessageProcessor:
        found = self._processor()
        if found is None:
            raise InboxError(409, "当前模型没有对话部分,没有可处理的会话 (the model has no dialogue part)")
        return found

    def review_log(self) -> ReviewLog:
        found = self._review_log()
        if found is None:
            raise InboxError(409, "当前模型没有对话部分,没有转人工记录 (the model has no dialogue part)")
        return found

    # ------------------------------------------------------------------------------ reading

    async def handoffs(self, sender_id: str | None = None) -> dict[str, Handoff]:
        """Open handoffs by conversation (all, or the one of `sender_id`)."""
        items = await self.review_log().items("handoff", open_only=True, sender_id=sender_id,
                                              limit=MAX_WAITING)
        found: dict[str, Handoff] = {}
        for item in sorted(items, key=lambda item: item.id or 0):  # oldest first
            known = found.get(item.sender_id)
            if known is None:
                found[item.sender_id] = Handoff(item.sender_id, item.id or 0, item.timestamp, item.reason)
            else:
                found[item.sender_id] = Handoff(item.sender_id, known.handoff_id, known.since, item.reason)
        return found

    async def waiting(self) -> list[WaitingConversation]:
        """Conversations waiting for a human, the longest-waiting first."""
        processor = self.processor()
        handoffs = await self.handoffs()
        claims = await self.claims.current(list(handoffs))
        now = self.clock().timestamp()
        directory = self._directory()
        found = []
        for sender_id, handoff in handoffs.items():
            tracker = await processor.tracker(sender_id)
            if not tracker.paused:  # went back to the bot another way (restart, the HTTP API)
                continue
            claim = claims.get(sender_id)
            found.append(WaitingConversation(
                handoff=handoff, waited_seconds=max(0.0, now - handoff.since),
                profile=directory.profile(sender_id),
                last=last_messages(transcript_lines(tracker.events, masked=False), self.last_count),
                claim=claim if claim is not None and claim.handoff_id == handoff.handoff_id else None,
                channel=tracker.latest_input_channel,
            ))
        return sorted(found, key=lambda item: (item.handoff.since, item.handoff.handoff_id))

    async def conversation(self, sender_id: str, *, masked: bool = False) -> ConversationView:
        """The conversation `sender_id` with its handoff and claim (if any)."""
        tracker = await self.processor().tracker(sender_id)
        handoff = (await self.handoffs(sender_id)).get(sender_id)
        claim = (await self.claims.current([sender_id])).get(sender_id)
        if handoff is None or claim is None or claim.handoff_id != handoff.handoff_id:
            claim = None
        return ConversationView(
            sender_id=sender_id, lines=transcript_lines(tracker.events, masked=masked),
            paused=tracker.paused, handoff=handoff if tracker.paused else None, claim=claim,
            channel=tracker.latest_input_channel, profile=self._directory().profile(sender_id),
        )

    async def _waiting_handoff(self, sender_id: str) -> Handoff:
        handoff = (await self.handoffs(sender_id)).get(sender_id)
        if handoff is None or not (await self.processor().tracker(sender_id)).paused:
            raise InboxError(409, "该会话没有在等待人工处理(可能已交回机器人)")
        return handoff

    async def _held(self, sender_id: str, agent: str) -> Handoff:
        """The handoff `agent` holds; InboxError otherwise."""
        handoff = await self._waiting_handoff(sender_id)
        claim = (await self.claims.current([sender_id])).get(sender_id)
        if claim is None or claim.handoff_id != handoff.handoff_id:
            raise InboxError(409, "请先认领该会话再回复")
        if claim.agent != agent:
            raise InboxError(409, f"该会话已由 {claim.agent} 认领")
        return handoff

    # ------------------------------------------------------------------------------ acting

    async def claim(self, sender_id: str, agent: str) -> Handoff:
        """Take the conversation; InboxError 409 when another agent has it or it no longer waits."""
        handoff = await self._waiting_handoff(sender_id)
        if not await self.claims.claim(sender_id, handoff.handoff_id, agent, self.wall_clock()):
            holder = (await self.claims.current([sender_id])).get(sender_id)
            raise InboxError(409, f"该会话已由 {holder.agent if holder else '其他坐席'} 认领")
        await self.audit.record(agent, "inbox.claim", sender_id, {"handoff_id": handoff.handoff_id},
                                now=self.wall_clock())
        return handoff

    async def release(self, sender_id: str, agent: str, *, anyone: bool = False) -> None:
        """Put the conversation back in the queue (`anyone`: whoever holds it, for admins)."""
        claim = (await self.claims.current([sender_id])).get(sender_id)
        if claim is None or (claim.agent != agent and not anyone):
            raise InboxError(409, "该会话不在您名下")
        await self.claims.release(sender_id, None if anyone else agent)
        await self.audit.record(agent, "inbox.release", sender_id, {"holder": claim.agent},
                                now=self.wall_clock())

    async def reply(self, sender_id: str, agent: str, text: str) -> Delivery:
        """Store the agent's reply in the conversation and push it to the employee's channel."""
        text = clean_text(text).strip()
        if not text:
            raise InboxError(400, "回复内容不能为空")
        if len(text) > MAX_MESSAGE_CHARS:
            raise InboxError(400, f"回复最多 {MAX_MESSAGE_CHARS} 个字符")
        await self._held(sender_id, agent)
        event = BotUttered(timestamp=None, text=text, metadata={AGENT_METADATA_KEY: agent})
        tracker = await self.processor().append_events(sender_id, [event])
        channel = tracker.latest_input_channel
        delivery = await self.channels.deliver(channel, sender_id, BotMessage(text))
        await self.audit.record(agent, "inbox.reply", sender_id, {
            "chars": len(text), "sha256": hashlib.sha256(text.encode()).hexdigest()[:16],
            "channel": channel, "pushed": delivery.pushed, "error": delivery.error,
        }, now=self.wall_clock())
        return delivery

    async def hand_back(self, sender_id: str, agent: str, note: str = "") -> None:
        """Give the conversation back to the bot, with an optional note kept in the transcript."""
        note = clean_text(note).strip()
        if len(note) > MAX_NOTE_CHARS:
            raise InboxError(400, f"备注最多 {MAX_NOTE_CHARS} 个字符")
        handoff = await self._held(sender_id, agent)
        metadata: dict[str, Any] = {"resumed_by": agent}
        if note:
            metadata["note"] = note
        resumed = ConversationResumed(timestamp=None, metadata=metadata)
        await self.processor().append_events(sender_id, [resumed])
        await self.review_log().close_handoff(sender_id, agent, self.clock().timestamp())
        await self.claims.release(sender_id)
        await self.audit.record(agent, "inbox.hand_back", sender_id,
                                {"handoff_id": handoff.handoff_id, "note": note}, now=self.wall_clock())
