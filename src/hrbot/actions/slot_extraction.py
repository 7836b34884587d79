"""Rasa 3.x's `action_extract_slots`: fill slots from the latest user message through the slot
mappings of the domain. The processor runs it after every user message; a form runs it again
when it is activated, so that mappings conditioned on the form apply to the message that
activated it.

For each slot, its mappings are tried in order; the first one that applies and yields a value
sets the slot (a `slot` event only when the value changes). A mapping applies when

- the latest intent is one of its `intent`s, or (without `intent`s) not one of its
  `not_intent`s nor one of the active form's `ignored_intents` (these count for mappings
  without conditions and for those conditioned on that form);
- one of its `conditions` holds (`active_loop` is the active loop, `requested_slot`, if given,
  the requested slot; `active_loop: null` holds when no loop is active). A mapping without
  conditions always holds, except that once a form rejected its requested slot, conditioned
  mappings of that slot no longer apply;
- for a `from_entity` mapping of a required slot of the active form other than the requested
  one: no other required slot of that form has the very same mapping (Rasa's "unique entity
  mapping" rule, so that one entity does not fill several slots of a form at once).

Values: `from_entity` takes the latest message's entities of that type, role and group (a list
slot gets all, any other slot the last); `from_intent` its `value`; `from_text` the message text
— conditioned on a form only while that slot is the requested one; `from_trigger_intent` its
`value`, only while a form is being activated by the message (and, with conditions, only for the
forms named there). `custom` mappings with an `action` run that action (once per action and
turn; its `slot` and `bot` events are kept; a failure is logged and skipped, as Rasa); custom
mappings without an action are left to custom actions. If the domain lists
`action_validate_slot_mappings`, it validates the extracted slots as in Rasa.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from hrbot.actions.base import Action, ActionFailed, ActionRejected, ActionRuntime
from hrbot.actions.names import (
    ACTION_EXTRACT_SLOTS,
    ACTION_VALIDATE_SLOT_MAPPINGS,
    DEFAULT_SLOT_NAMES,
    REQUESTED_SLOT,
)
from hrbot.actions.tracker_copies import events_since_latest_user_message, tracker_with
from hrbot.shared.core.domain import Domain, Slot, SlotMapping
from hrbot.shared.core.events import ActiveLoop, BotUttered, Event, SlotSet
from hrbot.shared.core.tracker import DialogueStateTracker

logger = logging.getLogger(__name__)


class ActionExtractSlots(Action):
    """Sets slots from the latest user message according to the domain's slot mappings."""

    @property
    def name(self) -> str:
        return ACTION_EXTRACT_SLOTS

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        domain = runtime.domain
        events: list[Event] = []
        custom_actions_run: set[str] = set()
        for slot in domain.slots:
            if slot.name in DEFAULT_SLOT_NAMES:
                continue
            for mapping in slot.mappings:
                if not mapping_applies(slot, mapping, tracker, domain):
                    continue
                if mapping.type == "custom":
                    if mapping.action and mapping.action not in custom_actions_run:
                        custom_actions_run.add(mapping.action)
                        events.extend(await _run_custom_mapping(mapping.action, tracker, runtime))
                    continue
                values = mapped_values(mapping, tracker)
                if not values:
                    continue
                value = values if slot.type == "list" else values[-1]
                # set even when unchanged, as Rasa: a form must see that the message gave its slot
                events.append(SlotSet(timestamp=runtime.now(), name=slot.name, value=value))
                break
        return await _validate(events, tracker, runtime)


def mapping_applies(slot: Slot, mapping: SlotMapping, tracker: DialogueStateTracker, domain: Domain) -> bool:
    """Whether `mapping` of `slot` may fill it from the latest message (see the module doc)."""
    if mapping.type == "from_entity" and mapping.entity not in domain.entity_names:
        return False
    if not intent_is_desired(mapping, tracker, domain):
        return False
    if mapping.type != "from_trigger_intent" and not conditions_hold(mapping, tracker, slot.name):
        return False
    if (
        mapping.type == "from_text"
        and any(condition.active_loop for condition in mapping.conditions)
        and tracker.get_slot(REQUESTED_SLOT) != slot.name
    ):
        return False
    return not _fails_unique_entity_mapping_check(slot.name, mapping, tracker, domain)


def intent_is_desired(mapping: SlotMapping, tracker: DialogueStateTracker, domain: Domain) -> bool:
    intent = tracker.latest_intent_name
    if mapping.intent:
        return intent in mapping.intent
    not_intents = set(mapping.not_intent)
    loop = tracker.active_loop_name
    form = domain.form(loop) if loop else None
    if form is not None and (
        not mapping.conditions or any(condition.active_loop == loop for condition in mapping.conditions)
    ):
        not_intents.update(form.ignored_intents)
    return intent not in not_intents


def conditions_hold(mapping: SlotMapping, tracker: DialogueStateTracker, slot_name: str) -> bool:
    if not mapping.conditions:
        return True
    active = tracker.active_loop
    requested = tracker.get_slot(REQUESTED_SLOT)
    if active is not None and active.rejected and requested == slot_name:
        return False
    for condition in mapping.conditions:
        if condition.active_loop is None:
            if active is None:
                return True
        elif (
            active is not None
            and condition.active_loop == active.name
            and (condition.requested_slot is None or condition.requested_slot == requested)
        ):
            return True
    return False


def mapped_values(mapping: SlotMapping, tracker: DialogueStateTracker) -> list[Any]:
    """The values `mapping` takes from the latest message ([] for none)."""
    if mapping.type == "from_entity" and mapping.entity is not None:
        return list(tracker.get_latest_entity_values(mapping.entity, role=mapping.role, group=mapping.group))
    if mapping.type == "from_intent":
        return [mapping.value]
    if mapping.type == "from_text":
        text = tracker.latest_message.get("text")
        return [] if text is None else [text]
    if mapping.type == "from_trigger_intent":
        loop = tracker.active_loop_name
        forms = [condition.active_loop for condition in mapping.conditions if condition.active_loop]
        if loop is None or (forms and loop not in forms) or not loop_activated_this_turn(tracker, loop):
            return []
        return [mapping.value]
    return []


def loop_activated_this_turn(tracker: DialogueStateTracker, loop: str) -> bool:
    """Whether `loop` became active after the latest user message (the message triggered it)."""
    return any(
        isinstance(e, ActiveLoop) and e.name == loop for e in events_since_latest_user_message(tracker)
    )


def _fails_unique_entity_mapping_check(
    slot_name: str, mapping: SlotMapping, tracker: DialogueStateTracker, domain: Domain
) -> bool:
    if mapping.type != "from_entity":
        return False
    loop = tracker.active_loop_name
    form = domain.form(loop) if loop else None
    if form is None or slot_name not in form.required_slots or tracker.get_slot(REQUESTED_SLOT) == slot_name:
        return False
    key = _mapping_key(mapping)
    uses = 0
    for name in form.required_slots:
        slot = domain.slot(name)
        for other in slot.mappings if slot is not None else ():
            if other.type == "from_entity" and _mapping_key(other) == key:
                uses += 1
    return uses > 1


def _mapping_key(mapping: SlotMapping) -> str:
    return json.dumps(mapping.to_dict(), sort_keys=True, ensure_ascii=False, default=str)


async def _run_custom_mapping(
    action_name: str, tracker: DialogueStateTracker, runtime: ActionRuntime
) -> list[Event]:
    try:
        events = await runtime.action_for(action_name).run(tracker, runtime)
    except (ActionFailed, ActionRejected) as error:
        logger.warning(
            "custom slot mapping action '%s' failed, its slots stay as they are: %s", action_name, error
        )
        return []
    kept: list[Event] = [event for event in events if isinstance(event, SlotSet | BotUttered)]
    for event in events:
        if not isinstance(event, SlotSet | BotUttered):
            logger.info(
                "custom slot mapping action '%s' returned a '%s' event; only slot and bot events "
                "are allowed here, it is ignored",
                action_name,
                event.type_name,
            )
    return kept


async def _validate(
    events: list[Event], tracker: DialogueStateTracker, runtime: ActionRuntime
) -> list[Event]:
    """Rasa's `action_validate_slot_mappings` step: the action sees the extracted slots as the
    latest events; an extracted slot it returns no `slot` event for stays as extracted."""
    if ACTION_VALIDATE_SLOT_MAPPINGS not in runtime.domain.actions:
        return events
    extracted = [event for event in events if isinstance(event, SlotSet)]
    others = [event for event in events if not isinstance(event, SlotSet)]
    temporary = tracker_with(tracker, runtime.domain, extracted)
    validated = await _run_custom_mapping(ACTION_VALIDATE_SLOT_MAPPINGS, temporary, runtime)
    names = {event.name for event in validated if isinstance(event, SlotSet)}
    return [*others, *validated, *(event for event in extracted if event.name not in names)]
