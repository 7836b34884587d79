"""Checking stories and rules against a domain: the intents, entities, actions, responses,
slots and forms they use that the domain does not declare (Rasa's default actions, slots
and loops are always known).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from hrbot.shared.core.domain_types import DEFAULT_ACTION_NAMES
from hrbot.shared.core.story_types import (
    ActionStep,
    ActiveLoopStep,
    CheckpointStep,
    SlotWasSetStep,
    StoryData,
    UserStep,
    _problem_at,
)
from hrbot.shared.nlu.training_data import SourceRef
from hrbot.shared.problems import Problem

DEFAULT_ACTIONS = frozenset(DEFAULT_ACTION_NAMES)
DEFAULT_SLOTS = frozenset({"requested_slot", "session_started_metadata"})
DEFAULT_LOOPS = frozenset({"action_two_stage_fallback"})


def check_against_domain(
    story_data: StoryData,
    intents: Iterable[str],
    entities: Iterable[str],
    actions: Iterable[str],
    slots: Iterable[str],
    forms: Iterable[str],
    *,
    responses: Iterable[str] = (),
) -> list[Problem]:
    """Intents, entities, actions, responses, slots and forms used in stories and rules that
    the domain does not declare. Forms count as actions; Rasa's default actions and slots
    are always known. Names a user step carries only in its text are not checked."""
    known = {
        "intent": frozenset(intents),
        "entity": frozenset(entities),
        "action": frozenset(actions) | frozenset(forms) | frozenset(responses) | DEFAULT_ACTIONS,
        "slot": frozenset(slots) | DEFAULT_SLOTS,
        "form": frozenset(forms) | DEFAULT_LOOPS,
    }
    fixes = {
        "intent": "add it under 'intents:' in domain.yml (and give it NLU examples), or fix the name",
        "entity": "add it under 'entities:' in domain.yml, or fix the name",
        "action": "list it under 'actions:' in domain.yml and implement it in the action server, "
                  "or fix the name",
        "response": "add it under 'responses:' in domain.yml, or fix the name",
        "slot": "add it under 'slots:' in domain.yml, or fix the name",
        "form": "add it under 'forms:' in domain.yml, or fix the name",
    }
    problems: list[Problem] = []

    def check(kind: str, name: str, source: SourceRef | None, pool: str | None = None) -> None:
        names = known[pool or kind]
        if name in names:
            return
        close = difflib.get_close_matches(name, sorted(names), n=1)
        hint = f"did you mean '{close[0]}'? otherwise {fixes[kind]}" if close else fixes[kind]
        where = f" in {source}" if source else ""
        message = (f"response '{name}'{where} has no response in the domain" if kind == "response"
                   else f"{kind} '{name}'{where} is not in the domain")
        problems.append(_problem_at(story_data, source, message, hint))

    for _, step in story_data.all_steps():
        if isinstance(step, UserStep):
            # a retrieval intent `faq/language` is declared as `faq`
            if step.intent is not None and step.intent.split("/")[0] not in known["intent"]:
                check("intent", step.intent, step.source)
            for entity in step.entities:
                check("entity", entity.entity, step.source)
        elif isinstance(step, ActionStep):
            kind = "response" if step.name.startswith("utter_") else "action"
            check(kind, step.name, step.source, "action")
        elif isinstance(step, (SlotWasSetStep, CheckpointStep)):
            for slot, _ in step.slots:
                check("slot", slot, step.source)
        elif isinstance(step, ActiveLoopStep) and step.name is not None:
            check("form", step.name, step.source)
    return problems
