"""Width folding and filler stripping shared by the normalisers."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final


def _width_table() -> dict[int, int]:
    table = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
    table.update({0x3000: 0x20, 0xFFE5: 0xA5, 0x301C: 0x7E, 0x2212: 0x2D, 0xFE63: 0x2D})
    return table


_WIDTH: Final = MappingProxyType(_width_table())

EDGE_CHARS: Final = " \t\r\n\f\v\u00a0,!?;:'\"()[]{}<>，。！？；：、“”‘’（）【】《》…"
_TRAILING_EDGE: Final = EDGE_CHARS + "."
_LEADING_FILLERS: Final = ("差不多", "大概", "大约", "从", "自", "在", "于", "是", "就", "约")
_TRAILING_FILLERS: Final = (
    "开始",
    "为止",
    "之间",
    "左右",
    "起",
    "吧",
    "啊",
    "呀",
    "呢",
    "哦",
    "哈",
    "的",
    "了",
)
MAX_RESOLVE_CHARS: Final = 64


def fold_width(text: str) -> str:
    """Map full-width ASCII (１２，：￥) to half-width; keeps length, so offsets stay valid."""
    return text.translate(_WIDTH)


def strip_bounds(text: str) -> tuple[int, int]:
    """Return (start, end) of *text* without edge punctuation and filler words."""
    start, end = 0, len(text)
    changed = True
    while changed and start < end:
        changed = False
        while start < end and text[start] in EDGE_CHARS:
            start, changed = start + 1, True
        while end > start and text[end - 1] in _TRAILING_EDGE:
            end, changed = end - 1, True
        for word in _LEADING_FILLERS:
            if text.startswith(word, start, end) and end - start > len(word):
                start, changed = start + len(word), True
                break
        for word in _TRAILING_FILLERS:
            if text.endswith(word, start, end) and end - start > len(word):
                end, changed = end - len(word), True
                break
    return start, end


def core_text(text: str) -> str | None:
    """Fold and strip *text* for a whole-text resolver; None when empty or implausibly long."""
    if not isinstance(text, str):
        return None
    folded = fold_width(text)
    start, end = strip_bounds(folded)
    if start >= end or end - start > MAX_RESOLVE_CHARS:
        return None
    return folded[start:end]
