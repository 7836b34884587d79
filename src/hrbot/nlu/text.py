"""Text as components see it: the same length as the message, so offsets stay valid."""

from __future__ import annotations

import unicodedata


def processing_text(text: str) -> str:
    """The text components see: same length, with control characters and lone surrogates
    replaced by spaces so that no component (or C library) trips over them."""
    if text.isprintable():
        return text
    return "".join(
        " " if (unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n") else c
        for c in text
    )


def lower_same_length(text: str) -> str:
    """Lower-case character by character, keeping characters whose lower case is longer
    (İ -> i̇) as they are, so that offsets into the original text stay valid."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
