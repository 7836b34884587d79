"""Showing the bot's messages in a terminal: text, images and custom payloads as lines,
buttons as numbered choices the user answers with their number."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hrbot.dialogue.messages import BotMessage


@dataclass
class ChoiceMemory:
    """The buttons shown last, so that typing "2" sends the second button's payload."""

    payloads: list[str] = field(default_factory=list)

    def resolve(self, typed: str) -> str:
        text = typed.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.payloads):
            return self.payloads[int(text) - 1]
        return typed


def render_messages(messages: list[BotMessage], choices: ChoiceMemory) -> list[str]:
    """Lines to print for one turn's messages; remembers the buttons in `choices`."""
    lines: list[str] = []
    buttons: list[dict[str, Any]] = []
    for message in messages:
        if message.text:
            lines.extend(message.text.splitlines() or [""])
        if message.data.get("image"):
            lines.append(f"[图片] {message.data['image']}")
        if message.data.get("attachment"):
            lines.append(f"[附件] {json.dumps(message.data['attachment'], ensure_ascii=False)}")
        if message.data.get("custom"):
            lines.append(f"[custom] {json.dumps(message.data['custom'], ensure_ascii=False)}")
        for button in message.data.get("buttons") or message.data.get("quick_replies") or []:
            if isinstance(button, dict):
                buttons.append(button)
    if buttons:
        choices.payloads = [str(b.get("payload") or b.get("title") or "") for b in buttons]
        for number, button in enumerate(buttons, start=1):
            lines.append(f"  {number}: {button.get('title', button.get('payload', ''))}")
    else:
        choices.payloads = []
    return lines
