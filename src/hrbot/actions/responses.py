"""Rendering domain responses (`utter_*`) as Rasa 3.x's templated NLG does.

Choosing a variation follows Rasa's `ResponseVariationFilter`, in this order of preference:
conditional variations whose slot conditions hold and that are meant for the current channel,
then unconditional ones for the channel, then conditional ones without a channel, then
unconditional ones without a channel. Variations for another channel are never used. Among
the preferred ones, one is picked at random (the random generator is injectable for tests).

`{slot_name}` placeholders in `text`, `image`, `custom`, `buttons`, `attachment` and
`quick_replies` are filled from the tracker's slots and the keyword arguments (which win).
A placeholder naming neither is left as written; `{{` and `}}` stand for literal braces.
(Rasa leaves the whole text unfilled when one placeholder is unknown; hrbot fills the others.)
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Mapping, Sequence
from typing import Any

from hrbot.shared.core.domain import Domain, ResponseVariation
from hrbot.shared.core.tracker import DialogueStateTracker

CONTENT_KEYS = ("text", "buttons", "image", "custom", "attachment", "quick_replies", "elements")
"""The keys of Rasa's bot message, in the order they are written."""

TEMPLATE_KEYS = ("text", "image", "custom", "buttons", "attachment", "quick_replies")
"""The keys whose strings may hold `{slot}` placeholders (as Rasa; not `elements`)."""

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^\n{}]+?)\}")


def fill_template(value: Any, values: Mapping[str, Any]) -> Any:
    """`value` with `{name}` placeholders in its strings (also inside dicts and lists) replaced
    by `str(values[name])`; unknown names are left as written."""
    if isinstance(value, str):
        return _fill_text(value, values)
    if isinstance(value, dict):
        return {key: fill_template(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [fill_template(item, values) for item in value]
    return value


def _fill_text(text: str, values: Mapping[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        return str(values[name]) if name in values else token

    return _PLACEHOLDER.sub(replace, text)


def conditions_hold(variation: ResponseVariation, slots: Mapping[str, Any]) -> bool:
    """Whether every slot condition of a variation holds (strings compare case-insensitively,
    as Rasa)."""
    for condition in variation.condition:
        actual = slots.get(condition.name)
        if isinstance(actual, str) and isinstance(condition.value, str):
            if actual.casefold() != condition.value.casefold():
                return False
        elif actual != condition.value:
            return False
    return True


def eligible_variations(
    variations: Sequence[ResponseVariation], channel: str | None, slots: Mapping[str, Any]
) -> list[ResponseVariation]:
    """The variations Rasa would choose among for `channel` and the current slot values."""
    conditional = [v for v in variations if v.condition and conditions_hold(v, slots)]
    unconditional = [v for v in variations if not v.condition]
    for group in (conditional, unconditional):
        for_channel = [v for v in group if channel is not None and v.channel == channel]
        if for_channel:
            return for_channel
    for group in (conditional, unconditional):
        without_channel = [v for v in group if v.channel is None]
        if without_channel:
            return without_channel
    return []


def variation_message(variation: ResponseVariation) -> dict[str, Any]:
    """A variation's content as Rasa's bot message dict: only the parts it has, copied."""
    message: dict[str, Any] = {}
    if variation.text is not None:
        message["text"] = variation.text
    if variation.buttons:
        message["buttons"] = [button.to_dict() for button in variation.buttons]
    for key in ("image", "custom", "attachment", "quick_replies", "elements"):
        value = getattr(variation, key)
        if value is not None:
            message[key] = copy.deepcopy(value)
    return message


class TemplateResponseGenerator:
    """Renders the domain's responses (implements `ResponseGenerator`)."""

    def __init__(self, domain: Domain, rng: random.Random | None = None) -> None:
        self._domain = domain
        self._rng = rng if rng is not None else random.Random()

    def generate(
        self, name: str, tracker: DialogueStateTracker, channel: str | None, /, **kwargs: Any
    ) -> dict[str, Any] | None:
        """The rendered response `name`, or None when the domain has no variation that fits."""
        slots = tracker.slots
        candidates = eligible_variations(self._domain.response_variations(name), channel, slots)
        if not candidates:
            return None
        message = variation_message(self._rng.choice(candidates))
        values = {**slots, **kwargs}
        for key in TEMPLATE_KEYS:
            if key in message:
                message[key] = fill_template(message[key], values)
        return message
