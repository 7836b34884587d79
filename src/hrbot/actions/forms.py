"""Forms: Rasa 3.x's `FormAction`, a loop that asks for its required slots until all are set.

One run of a form:

1. Activation (the form is not the active loop yet): `active_loop` for the form; slot
   extraction runs again with the form active (so mappings conditioned on the form, and
   `from_trigger_intent`, apply to the message that activated it); the required slots already
   filled are validated.
2. Otherwise, after the user answered (the latest action is `action_listen` and the loop was
   not interrupted): the slots set since the user's message that the form needs are validated.
   If a slot was requested but none was set, the form refuses to run (`ActionRejected`, Rasa's
   ActionExecutionRejection) so that the policies can pick another action.
3. The next slot is requested: the first required slot without a value (or the slot a
   validation action put into `requested_slot`) is asked for with the first of
   `action_ask_<form>_<slot>`, `utter_ask_<form>_<slot>`, `action_ask_<slot>`, `utter_ask_<slot>`
   that the domain has, and `requested_slot` is set to it.
4. When no slot is left (or validation set `requested_slot` to null or deactivated the loop):
   `requested_slot` null and `active_loop` null.

Validation runs the custom action `validate_<form>` when the domain lists it (it sees the slot
candidates as the latest events of the tracker, as `rasa_sdk`'s `FormValidationAction` expects;
its events may change slots, ask for extra slots through `requested_slot`, or reject with an
`action_execution_rejected` event or HTTP 400). Without it, hrbot checks the values against the
slot types: a categorical slot must hold one of its values (case-insensitively), a float slot
a number, a bool slot true/false (or 1/0); an invalid value is reset (`slot` null) and asked again.
(Rasa has no such check.)

A correction works without anything special: a new value for a filled slot is extracted and
validated like any other. Cancelling is `action_deactivate_loop`, predicted by the project's
rules."""

from __future__ import annotations

from typing import Any

from hrbot.actions.base import Action, ActionRejected, ActionRuntime
from hrbot.actions.names import ACTION_EXTRACT_SLOTS, ACTION_LISTEN, REQUESTED_SLOT, UTTER_PREFIX
from hrbot.actions.tracker_copies import slots_set_since_latest_user_message, tracker_with
from hrbot.shared.core.domain import Domain, Slot
from hrbot.shared.core.events import ActionExecuted, ActionExecutionRejected, ActiveLoop, Event, SlotSet
from hrbot.shared.core.tracker import DialogueStateTracker

_BOOL_TEXTS = ("true", "false", "1", "0", "1.0", "0.0")


class FormAction(Action):
    """The loop behind a form of the domain (see the module docstring)."""

    def __init__(self, form_name: str) -> None:
        self._form_name = form_name

    @property
    def name(self) -> str:
        return self._form_name

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        events: list[Event] = []
        if tracker.active_loop_name != self.name:
            events = await self._activate(tracker, runtime)
        if not _is_done(events):
            events += await self._do(tracker, runtime, events)
        if _is_done(events):
            events.append(ActiveLoop(timestamp=runtime.now(), name=None))
        return events

    # ------------------------------------------------------------------------------ the steps

    def required_slots(self, domain: Domain) -> tuple[str, ...]:
        form = domain.form(self.name)
        return () if form is None else form.required_slots

    def _slot_to_fill(self, tracker: DialogueStateTracker) -> str | None:
        """The requested slot, if it belongs to this form (another form may have left it set)."""
        requested = tracker.get_slot(REQUESTED_SLOT)
        return requested if tracker.active_loop_name == self.name and isinstance(requested, str) else None

    async def _activate(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        events: list[Event] = [ActiveLoop(timestamp=runtime.now(), name=self.name)]
        active = tracker_with(tracker, runtime.domain, events)
        extracted = [
            event
            for event in await runtime.action_for(ACTION_EXTRACT_SLOTS).run(active, runtime)
            if isinstance(event, SlotSet)
        ]
        filled = tracker_with(active, runtime.domain, extracted)
        prefilled = {
            name: filled.get_slot(name)
            for name in self.required_slots(runtime.domain)
            if filled.get_slot(name) is not None
        }
        validated = await self._validate_slots(prefilled, filled, runtime)
        if not self._has_validation_action(runtime.domain):
            return [*events, *extracted, *validated]
        # what the validation action returned wins; extracted slots it left alone stay
        names = {event.name for event in validated if isinstance(event, SlotSet)}
        return [*events, *validated, *(event for event in extracted if event.name not in names)]

    async def _do(
        self, tracker: DialogueStateTracker, runtime: ActionRuntime, so_far: list[Event]
    ) -> list[Event]:
        events: list[Event] = []
        if not any(not isinstance(event, ActiveLoop) for event in so_far):
            events = await self._validate_if_required(tracker, runtime)
        if not _rejected_manually(events):
            events += await self._request_next_slot(tracker, runtime, [*so_far, *events])
        return events

    async def _validate_if_required(
        self, tracker: DialogueStateTracker, runtime: ActionRuntime
    ) -> list[Event]:
        active = tracker.active_loop
        if active is None or (tracker.latest_action_name == ACTION_LISTEN and not active.is_interrupted):
            return await self._validate(tracker, runtime)
        # back on the form after an unhappy path: nothing to validate, but a validation action
        # may still decide which slot to ask for
        return (
            await self._validate_slots({}, tracker, runtime)
            if self._has_validation_action(runtime.domain)
            else []
        )

    async def _validate(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        needed = set(self.required_slots(runtime.domain))
        slot_to_fill = self._slot_to_fill(tracker)
        if slot_to_fill:
            needed.add(slot_to_fill)
        candidates: dict[str, Any] = {}
        for event in slots_set_since_latest_user_message(tracker):
            if event.name in needed:
                candidates[event.name] = event.value
        events = await self._validate_slots(candidates, tracker, runtime)
        validated = any(isinstance(e, SlotSet) and e.name != REQUESTED_SLOT for e in events)
        if slot_to_fill and not candidates and not validated and not _rejected_manually(events):
            raise ActionRejected(
                self.name, f"failed to extract slot '{slot_to_fill}' with form '{self.name}'"
            )
        return events

    def _has_validation_action(self, domain: Domain) -> bool:
        return f"validate_{self.name}" in domain.action_names

    async def _validate_slots(
        self, candidates: dict[str, Any], tracker: DialogueStateTracker, runtime: ActionRuntime
    ) -> list[Event]:
        if not self._has_validation_action(runtime.domain):
            return type_check_events(candidates, runtime.domain, runtime.now())
        now = runtime.now()
        temporary = tracker_with(
            tracker,
            runtime.domain,
            [
                SlotSet(timestamp=now, name=REQUESTED_SLOT, value=self._slot_to_fill(tracker)),
                ActionExecuted(timestamp=now, name=self.name),
                *(SlotSet(timestamp=now, name=name, value=value) for name, value in candidates.items()),
            ],
        )
        validator = runtime.action_for(f"validate_{self.name}")
        try:
            return await validator.run(temporary, runtime)
        except ActionRejected as rejection:
            raise ActionRejected(self.name, rejection.message or str(rejection)) from rejection

    async def _request_next_slot(
        self, tracker: DialogueStateTracker, runtime: ActionRuntime, so_far: list[Event]
    ) -> list[Event]:
        now = runtime.now()
        if _is_done(so_far):  # a validation action ended the form early
            return [SlotSet(timestamp=now, name=REQUESTED_SLOT, value=None)]
        slot = next(
            (event.value for event in so_far if isinstance(event, SlotSet) and event.name == REQUESTED_SLOT),
            None,
        )
        temporary = tracker_with(
            tracker,
            runtime.domain,
            [
                SlotSet(timestamp=now, name=REQUESTED_SLOT, value=self._slot_to_fill(tracker)),
                ActionExecuted(timestamp=now, name=self.name),
                *so_far,
            ],
        )
        events: list[Event] = []
        if not slot:
            slot = next(
                (name for name in self.required_slots(runtime.domain) if temporary.get_slot(name) is None),
                None,
            )
            events.append(SlotSet(timestamp=now, name=REQUESTED_SLOT, value=slot))
        if slot:
            return [*events, *await self._ask_for(str(slot), temporary, runtime)]
        return [SlotSet(timestamp=now, name=REQUESTED_SLOT, value=None)]

    async def _ask_for(self, slot: str, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        names = (
            f"action_ask_{self.name}_{slot}",
            f"{UTTER_PREFIX}ask_{self.name}_{slot}",
            f"action_ask_{slot}",
            f"{UTTER_PREFIX}ask_{slot}",
        )
        known = runtime.domain.action_names
        found = next((name for name in names if name in known), None)
        if found is None:
            return []  # a custom action may ask instead
        return await runtime.action_for(found).run(tracker, runtime)


def _is_done(events: list[Event]) -> bool:
    """Whether the loop ends: the latest `requested_slot` event sets it to null, or the latest
    loop event deactivates (never after a manual rejection)."""
    if _rejected_manually(events):
        return False
    requested = next(
        (e for e in reversed(events) if isinstance(e, SlotSet) and e.name == REQUESTED_SLOT), None
    )
    loop = next((e for e in reversed(events) if isinstance(e, ActiveLoop)), None)
    return (requested is not None and requested.value is None) or (loop is not None and loop.name is None)


def _rejected_manually(events: list[Event]) -> bool:
    return any(isinstance(event, ActionExecutionRejected) for event in events)


def type_check_events(candidates: dict[str, Any], domain: Domain, now: float) -> list[Event]:
    """`slot` null for each candidate whose value does not fit its slot's type."""
    events: list[Event] = []
    for name, value in candidates.items():
        slot = domain.slot(name)
        if slot is not None and value is not None and not value_fits(slot, value):
            events.append(SlotSet(timestamp=now, name=name, value=None))
    return events


def value_fits(slot: Slot, value: Any) -> bool:
    """Whether `value` is a valid value of `slot`'s type (text, list and any take anything)."""
    if slot.type == "categorical":
        return str(value).casefold() in {allowed.casefold() for allowed in slot.values}
    if slot.type == "float":
        if isinstance(value, bool):
            return False
        try:
            float(value)
        except (TypeError, ValueError):
            return False
        return True
    if slot.type == "bool":
        return str(value).strip().casefold() in _BOOL_TEXTS
    return True
