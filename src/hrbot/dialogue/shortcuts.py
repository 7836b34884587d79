"""Rasa's message shortcuts: `/intent_name`, `/intent_name{"entity": "value"}` and
`/intent_name{...}@0.8` trigger an intent directly, without NLU (buttons send them).

A shortcut naming an intent the domain does not know is not a shortcut: the text goes to the
NLU pipeline like any other message (Rasa keeps the unknown intent and only warns; hrbot users
type "/" in ordinary Chinese text, so reading it as language is the safer choice)."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

from hrbot.shared.nlu.parse_result import ExtractedEntity, IntentPrediction, ParseResult

SHORTCUT_EXTRACTOR = "RegexMessageHandler"
_SHORTCUT = re.compile(r"^/(?P<intent>[^{@\s]+)(?P<entities>\{.*\})?(?:@(?P<confidence>[0-9.]+))?\s*$", re.S)


MAX_SHORTCUT_ENTITIES = 10
MAX_VALUE_CHARS = 200


def _plain(value: Any) -> bool:
    """Scalars only: a button payload never needs objects, and slots must not receive them."""
    if isinstance(value, str):
        return len(value) <= MAX_VALUE_CHARS
    return value is None or isinstance(value, bool | int | float)


class ShortcutError(ValueError):
    """A shortcut whose entity part is not a JSON object of entity → value(s)."""


def parse_shortcut(text: str, known_intents: Collection[str]) -> ParseResult | None:
    """The parse result of a shortcut message, or None when `text` is not a shortcut for a
    known intent. Raises `ShortcutError` for a known intent with malformed entity JSON."""
    match = _SHORTCUT.match(text.strip())
    if match is None or match["intent"] not in known_intents:
        return None
    intent = match["intent"]
    confidence = 1.0
    if match["confidence"] is not None:
        try:
            confidence = min(1.0, max(0.0, float(match["confidence"])))
        except ValueError:
            raise ShortcutError(
                f"'{text}': the confidence after '@' must be a number such as @0.9"
            ) from None
    entities = _entities(text, match["entities"]) if match["entities"] else ()
    prediction = IntentPrediction(intent, confidence)
    return ParseResult(text, prediction, (prediction,), entities)


def _entities(text: str, raw: str) -> tuple[ExtractedEntity, ...]:
    try:
        data: Any = json.loads(raw)
    except ValueError as error:
        raise ShortcutError(
            f"'{text}': the part after the intent must be JSON such as "
            f'{{"leave_type": "annual"}} ({error})'
        ) from None
    if not isinstance(data, dict):
        raise ShortcutError(f"'{text}': entities must be a JSON object of entity name to value")
    if len(data) > MAX_SHORTCUT_ENTITIES:
        raise ShortcutError(f"'{text[:80]}': at most {MAX_SHORTCUT_ENTITIES} entities")
    start = text.index(raw)
    end = start + len(raw)
    found: list[ExtractedEntity] = []
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        if len(values) > MAX_SHORTCUT_ENTITIES or not all(_plain(item) for item in values):
            raise ShortcutError(
                f"'{text[:80]}': entity '{name}' must be a string of at most {MAX_VALUE_CHARS} "
                "characters, a number, true/false, or a short list of those"
            )
        found.extend(
            ExtractedEntity(str(name), start, end, item, SHORTCUT_EXTRACTOR) for item in values
        )
    return tuple(found)
