"""Rasa's inline entity annotations: `[text](entity)`, `[text](entity:value)`,
`[text]{"entity": "...", "value": "...", "role": "...", "group": "..."}` and
`[text][{...}, {...}]` for several entities on one span."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from hrbot.shared.nlu.training_data import EntityAnnotation

_ANNOTATION = re.compile(
    r"\[(?P<entity_text>[^\]]+?)\]"
    r"(?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)"
    r"|\{(?P<entity_dict>[^}]+?)\}"
    r"|\[(?P<list_entity_dicts>.*?)\])"
)
_ENTITY_NAME = re.compile(r"^[^\s\[\]{}()]+$")
_ALLOWED_KEYS = {"entity", "value", "role", "group"}


@dataclass(frozen=True)
class AnnotatedText:
    """Plain text, its entity annotations, and anything wrong with how they were written."""

    text: str
    entities: tuple[EntityAnnotation, ...]
    errors: tuple[str, ...]


def _entity_dicts(match: re.Match[str], errors: list[str]) -> list[dict[str, Any]]:
    raw_entity = match.group("entity")
    if raw_entity is not None:
        item: dict[str, Any] = {"entity": raw_entity.strip()}
        if match.group("value") is not None:
            item["value"] = match.group("value").strip()
        return [item]
    raw_json = match.group("entity_dict")
    if raw_json is not None:
        raw_json = "{" + raw_json + "}"
    else:
        raw_json = "[" + (match.group("list_entity_dicts") or "") + "]"
    try:
        parsed = json.loads(raw_json)
    except json.JSONDecodeError as error:
        errors.append(f"entity annotation {raw_json} is not valid JSON ({error.msg})")
        return []
    items = parsed if isinstance(parsed, list) else [parsed]
    result: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict) or "entity" not in item:
            errors.append(f'entity annotation {raw_json} must be an object with an "entity" key')
            continue
        unknown = set(item) - _ALLOWED_KEYS
        if unknown:
            errors.append(
                f"entity annotation has unknown keys {sorted(unknown)}; "
                f"allowed are {sorted(_ALLOWED_KEYS)}"
            )
        result.append(item)
    return result


def parse_annotated_text(annotated: str) -> AnnotatedText:
    """Strip annotations from `annotated`, returning plain text, entities and errors."""
    errors: list[str] = []
    entities: list[EntityAnnotation] = []
    plain_parts: list[str] = []
    position = 0
    length = 0
    for match in _ANNOTATION.finditer(annotated):
        before = annotated[position : match.start()]
        plain_parts.append(before)
        length += len(before)
        surface = match.group("entity_text")
        start = length
        end = start + len(surface)
        for item in _entity_dicts(match, errors):
            name = str(item["entity"]).strip()
            if not name or not _ENTITY_NAME.match(name):
                errors.append(f"entity name {name!r} must be a single word without brackets")
                continue
            value = item.get("value", surface)
            entities.append(
                EntityAnnotation(
                    entity=name,
                    start=start,
                    end=end,
                    value=value,
                    role=item.get("role"),
                    group=item.get("group"),
                )
            )
        plain_parts.append(surface)
        length = end
        position = match.end()
    plain_parts.append(annotated[position:])
    text = "".join(plain_parts)
    remaining = _ANNOTATION.sub("", annotated)
    if "[" in remaining or "]" in remaining:
        errors.append(
            "unbalanced annotation brackets: write entities as [text](entity) or "
            '[text]{"entity": "name", "value": "value"}'
        )
    return AnnotatedText(text=text, entities=tuple(entities), errors=tuple(errors))
