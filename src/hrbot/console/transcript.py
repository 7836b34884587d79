"""A conversation as the console shows it: what the employee wrote with the bot's NLU result
(intent, confidence, entities), what the bot and the agents answered, and where the
conversation went to a human and came back — read from the tracker's events.

`masked=True` (for people without the personal-data permission) masks salary figures, ID
numbers, bank accounts and phones in every text and entity value (see `masking`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hrbot.console.masking import mask_text, mask_value
from hrbot.dialogue.processor import EXTERNAL_MESSAGE_PREFIX
from hrbot.shared.core.events import (
    ACTION_SESSION_START_NAME,
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    Restarted,
    UserUttered,
)

AGENT_METADATA_KEY = "console_agent"  # on a bot event: the console user who wrote it

REASON_LABELS = {
    "requested": "员工要求转人工",
    "fallback": "机器人多次未能理解",
    "action_failed": "HR 系统操作失败",
}


def reason_label(reason: str | None) -> str:
    return REASON_LABELS.get(reason or "", reason or "未说明原因")


@dataclass(frozen=True)
class TranscriptLine:
    """One line of the transcript. `kind`: user, bot, agent (a reply from the console),
    handoff, resume, session (a new session started) or restart."""

    kind: str
    at: float | None
    text: str | None = None
    intent: str | None = None
    confidence: float | None = None
    entities: tuple[dict[str, Any], ...] = ()
    buttons: tuple[str, ...] = ()
    by: str | None = None
    note: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "at": self.at, "text": self.text, "intent": self.intent,
            "confidence": self.confidence, "entities": list(self.entities), "buttons": list(self.buttons),
            "by": self.by, "note": self.note, "reason": self.reason,
            "reason_label": reason_label(self.reason) if self.kind == "handoff" else None,
        }


def _masked(text: str | None, masked: bool) -> str | None:
    return mask_text(text) if masked and text is not None else text


def _user_line(event: UserUttered, masked: bool) -> TranscriptLine:
    intent = event.intent
    confidence = intent.get("confidence")
    entities = []
    for entity in event.entities:
        name = str(entity.get("entity", ""))
        value = entity.get("value")
        entities.append({"entity": name, "value": mask_value(value, entity=name) if masked else value})
    return TranscriptLine(
        "user", event.timestamp, _masked(event.text, masked), intent=event.intent_name,
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
        entities=tuple(entities),
    )


def _bot_line(event: BotUttered, masked: bool) -> TranscriptLine:
    buttons = event.data.get("buttons") or event.data.get("quick_replies") or []
    titles = tuple(
        str(button.get("title")) for button in buttons if isinstance(button, dict) and button.get("title")
    ) if isinstance(buttons, list) else ()
    agent = event.metadata.get(AGENT_METADATA_KEY)
    text = event.text
    if text is None and event.data.get("image"):
        text = "[图片]"
    return TranscriptLine(
        "agent" if agent else "bot", event.timestamp, _masked(text, masked),
        buttons=tuple(_masked(title, masked) or "" for title in titles),
        by=str(agent) if agent else None,
    )


def transcript_lines(events: Sequence[Event], *, masked: bool) -> list[TranscriptLine]:
    """The conversation's lines, oldest first."""
    lines: list[TranscriptLine] = []
    for event in events:
        if isinstance(event, UserUttered):
            if event.text is not None and event.text.startswith(EXTERNAL_MESSAGE_PREFIX):
                continue
            lines.append(_user_line(event, masked))
        elif isinstance(event, BotUttered):
            if event.text is None and not event.data:
                continue
            lines.append(_bot_line(event, masked))
        elif isinstance(event, ConversationPaused):
            reason = event.metadata.get("handoff_reason")
            lines.append(TranscriptLine("handoff", event.timestamp, reason=str(reason) if reason else None))
        elif isinstance(event, ConversationResumed):
            by, note = event.metadata.get("resumed_by"), event.metadata.get("note")
            lines.append(TranscriptLine("resume", event.timestamp, by=str(by) if by else None,
                                        note=_masked(str(note), masked) if note else None))
        elif isinstance(event, ActionExecuted) and event.name == ACTION_SESSION_START_NAME:
            lines.append(TranscriptLine("session", event.timestamp))
        elif isinstance(event, Restarted):
            lines.append(TranscriptLine("restart", event.timestamp))
    return lines


def last_messages(lines: Sequence[TranscriptLine], count: int) -> list[TranscriptLine]:
    """The last `count` messages (user, bot or agent lines)."""
    said = [line for line in lines if line.kind in ("user", "bot", "agent")]
    return said[-count:] if count > 0 else []
