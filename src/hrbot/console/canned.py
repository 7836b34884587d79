"""Canned replies for agents, one per numbered handbook section ("2.5 婚假:3天,..."), so an
answer quotes the policy word for word with its section number, the way the bot does.

The handbook's format is the one `actions/handbook.py` reads (chapter headings "## 2 假期",
clauses "2.5 ..." on their own lines, continuation lines belonging to the clause above); it is
parsed here again because hrbot's package does not import the project's actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hrbot.shared.errors import HrbotError

DOCUMENT_NAME = "员工手册"
_CHAPTER = re.compile(r"^#{2,3}\s*(\d+)[\s.、]+(\S.*)$")
_SECTION = re.compile(r"^(\d+(?:\.\d+)+)\s+(\S.*)$")


@dataclass(frozen=True)
class CannedReply:
    number: str
    chapter: str
    text: str

    @property
    def label(self) -> str:
        """What the picker shows: '2.5 婚假:3天,依法登记…'."""
        short = self.text if len(self.text) <= 24 else self.text[:24] + "…"
        return f"{self.number} {short}"

    @property
    def reply(self) -> str:
        """What goes into the reply box."""
        return f"根据《{DOCUMENT_NAME}》第{self.number}条:{self.text}"

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "chapter": self.chapter, "label": self.label, "reply": self.reply}


def parse_canned_replies(text: str) -> list[CannedReply]:
    """One reply per numbered section, in handbook order."""
    found: list[CannedReply] = []
    chapter = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if heading := _CHAPTER.match(line):
            chapter = heading.group(2).strip()
        elif line.startswith("#"):
            continue
        elif section := _SECTION.match(line):
            found.append(CannedReply(section.group(1), chapter, section.group(2).strip()))
        elif found and found[-1].chapter == chapter:
            last = found[-1]
            found[-1] = CannedReply(last.number, last.chapter, last.text + line)
    return found


def read_canned_replies(path: Path | None) -> list[CannedReply]:
    """The replies of the handbook at `path` (none without a handbook)."""
    if path is None:
        return []
    try:
        return parse_canned_replies(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise HrbotError(f"cannot read the handbook {path} for canned replies: {error.strerror}") from None


def by_chapter(replies: list[CannedReply]) -> list[tuple[str, list[CannedReply]]]:
    """The replies grouped under their chapters, in order."""
    groups: list[tuple[str, list[CannedReply]]] = []
    for reply in replies:
        if not groups or groups[-1][0] != reply.chapter:
            groups.append((reply.chapter, []))
        groups[-1][1].append(reply)
    return groups
