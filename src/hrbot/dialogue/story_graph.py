"""Stories and rules turned into training conversations, as Rasa 3.x's `TrainingDataGenerator`.

Stories are cut into blocks at their checkpoints and glued: a block starting at checkpoint `x`
continues every conversation that reached a `- checkpoint: x` (if the conversation's slots
meet the checkpoint's `slot_was_set` conditions); blocks without a start checkpoint start at
STORY_START. `or` steps are expanded into one conversation per alternative. An `action_listen`
is put before every user turn and at the end of a story. Conversations with the same events
reaching the same block are kept once (Rasa deduplicates by states).

After every reachable block has been visited, Rasa's augmentation glues finished stories in
front of stories again (`augmentation_factor` finished stories per round, three rounds, at most
10 x factor conversations per block and round, a seeded random generator so training is
repeatable). Augmented conversations are marked `is_augmented`: only the learned policy uses
them.

Rules become one conversation each (per `or` alternative): the condition's slots and loop
first (`null` there means "must not be set"), then Rasa's rule-snippet action `...` unless the
rule is for the conversation start, the steps, and a final `action_listen` — or `...` again
when `wait_for_user_input: false`, so that the rule says nothing about what follows.

Expansion is bounded: at most `max_trackers` conversations per block and in total; what is cut
is reported in `notices`.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from hrbot.dialogue.states import RULE_SNIPPET_ACTION_NAME, SHOULD_NOT_BE_SET, entity_labels
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import (
    ACTION_LISTEN_NAME,
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from hrbot.shared.core.stories import (
    ANY_VALUE,
    ActionStep,
    ActiveLoopStep,
    BotStep,
    CheckpointStep,
    OrStep,
    Rule,
    SlotWasSetStep,
    Step,
    Story,
    StoryData,
    UserStep,
)
from hrbot.shared.core.tracker import DialogueStateTracker
from hrbot.shared.nlu.training_data import SourceRef

STORY_START = "STORY_START"
DEFAULT_AUGMENTATION_FACTOR = 50
DEFAULT_SEED = 42
DEFAULT_MAX_TRACKERS = 20_000
AUGMENTATION_ROUNDS = 3
MAX_PHASES = 30
FILLED_TEXT = "filled"

Located = tuple[Event, SourceRef | None]
_REPLAYED = (ActiveLoop, Restarted, SessionStarted, ActionReverted, UserUtteranceReverted)


@dataclass(frozen=True)
class TrainingTracker:
    """One training conversation: its events, where each was written, and what it is.

    `name` is Rasa's sender id: the names of the stories glued into it, joined by " > "."""

    name: str
    events: tuple[Event, ...]
    sources: tuple[SourceRef | None, ...]
    is_rule: bool = False
    is_augmented: bool = False
    source: SourceRef | None = None

    @cached_property
    def _applied(self) -> tuple[tuple[Event, ...], tuple[SourceRef | None, ...]]:
        if not any(isinstance(event, _REPLAYED) for event in self.events):
            return self.events, self.sources  # nothing to fold or undo
        where = {id(event): source for event, source in zip(self.events, self.sources, strict=True)}
        applied = DialogueStateTracker(self.name, events=self.events).applied_events()
        return tuple(applied), tuple(where.get(id(event)) for event in applied)

    def applied_events(self) -> list[Event]:
        """The events after Rasa's replay rules (a loop's happy path folded to one step)."""
        return list(self._applied[0])

    def applied_sources(self) -> tuple[SourceRef | None, ...]:
        """Where each applied event was written (None for implicit ones such as listens)."""
        return self._applied[1]


@dataclass(frozen=True)
class TrainingTrackers:
    stories: tuple[TrainingTracker, ...] = ()
    rules: tuple[TrainingTracker, ...] = ()
    notices: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[TrainingTracker, ...]:
        return self.stories + self.rules


# ------------------------------------------------------------------------------ steps to events


def user_event(step: UserStep) -> UserUttered:
    """The user turn of a story step: intent at confidence 1 and the step's entities (an entity
    annotated in the text without a value has the annotated text as its value)."""
    entities: list[dict[str, Any]] = []
    for entity in step.entities:
        value = entity.value
        if value is None and step.text is not None and entity.start is not None:
            value = step.text[entity.start:entity.end]
        data: dict[str, Any] = {"entity": entity.entity, "value": value}
        if entity.start is not None and entity.end is not None:
            data["start"], data["end"] = entity.start, entity.end
        if entity.role is not None:
            data["role"] = entity.role
        if entity.group is not None:
            data["group"] = entity.group
        entities.append(data)
    intent = {"name": step.intent, "confidence": 1.0} if step.intent else {}
    return UserUttered(
        timestamp=None, text=step.text,
        parse_data={"intent": intent, "entities": entities, "text": step.text},
    )


def filled_placeholder(domain: Domain, name: str) -> Any:
    """The value a slot written by name only (`- slot_was_set: [name]`) stands for."""
    slot = domain.slot(name)
    return [FILLED_TEXT] if slot is not None and slot.type == "list" else FILLED_TEXT


def _slot_value(domain: Domain, name: str, value: Any, in_condition: bool) -> Any:
    if value is ANY_VALUE:
        return filled_placeholder(domain, name)
    if value is None and in_condition:
        return SHOULD_NOT_BE_SET
    return value


def _step_events(step: Step, domain: Domain, in_condition: bool = False) -> list[Located]:
    if isinstance(step, UserStep):
        return [(user_event(step), step.source)]
    if isinstance(step, ActionStep):
        return [(ActionExecuted(timestamp=None, name=step.name), step.source)]
    if isinstance(step, BotStep):
        return [(ActionExecuted(timestamp=None, action_text=step.text), step.source)]
    if isinstance(step, SlotWasSetStep):
        return [
            (SlotSet(timestamp=None, name=name, value=_slot_value(domain, name, value, in_condition)),
             step.source)
            for name, value in step.slots
        ]
    if isinstance(step, ActiveLoopStep):
        name = SHOULD_NOT_BE_SET if step.name is None and in_condition else step.name
        return [(ActiveLoop(timestamp=None, name=name), step.source)]
    return []


@dataclass(frozen=True)
class _Item:
    """A fixed run of events, or (for `or`) alternative runs of events."""

    alternatives: tuple[tuple[Located, ...], ...]


def _listen(source: SourceRef | None = None) -> Located:
    return ActionExecuted(timestamp=None, name=ACTION_LISTEN_NAME), source


def _is_listen(item: _Item) -> bool:
    if len(item.alternatives) != 1 or not item.alternatives[0]:
        return False
    event = item.alternatives[0][-1][0]
    return isinstance(event, ActionExecuted) and event.name == ACTION_LISTEN_NAME


def _items(steps: Iterable[Step], domain: Domain, in_condition: bool = False) -> list[_Item]:
    """Events of the steps, with an `action_listen` before every user turn."""
    items: list[_Item] = []
    for step in steps:
        if isinstance(step, CheckpointStep):
            continue
        has_user = isinstance(step, UserStep) or (
            isinstance(step, OrStep) and any(isinstance(a, UserStep) for a in step.alternatives)
        )
        if has_user and not (items and _is_listen(items[-1])):
            items.append(_Item(((_listen(),),)))
        if isinstance(step, OrStep):
            items.append(_Item(tuple(
                tuple(_step_events(alternative, domain, in_condition)) for alternative in step.alternatives
            )))
        else:
            items.append(_Item((tuple(_step_events(step, domain, in_condition)),)))
    return items


# ------------------------------------------------------------------------------ story blocks


@dataclass(frozen=True)
class _Block:
    name: str
    source: SourceRef | None
    starts: tuple[CheckpointStep, ...]
    ends: tuple[str, ...]
    items: tuple[_Item, ...]


def _blocks(story: Story, domain: Domain) -> list[_Block]:
    """Cut a story at its checkpoints: leading ones start the first block, trailing ones end
    the last, and one in the middle ends a block and starts the next."""
    steps = list(story.steps)
    starts: list[CheckpointStep] = []
    while steps and isinstance(steps[0], CheckpointStep):
        starts.append(steps.pop(0))  # type: ignore[arg-type]
    blocks: list[_Block] = []
    current: list[Step] = []
    index = 0
    while index < len(steps):
        step = steps[index]
        if not isinstance(step, CheckpointStep):
            current.append(step)
            index += 1
            continue
        ends: list[CheckpointStep] = []
        while index < len(steps) and isinstance(steps[index], CheckpointStep):
            ends.append(steps[index])  # type: ignore[arg-type]
            index += 1
        blocks.append(_Block(story.name, story.source, tuple(starts), tuple(e.name for e in ends),
                             tuple(_items(current, domain))))
        starts = [CheckpointStep(e.name, (), e.source) for e in ends]
        current = []
    if current or not blocks:
        blocks.append(_Block(story.name, story.source, tuple(starts), (), tuple(_items(current, domain))))
    return blocks


def _order(blocks: list[_Block]) -> list[_Block]:
    """Blocks in an order where a block comes after those that end at its start checkpoints
    (as far as cycles allow), otherwise in file order."""
    produced_by: dict[str, set[int]] = defaultdict(set)
    for index, block in enumerate(blocks):
        for end in block.ends:
            produced_by[end].add(index)
    waiting = {
        index: {p for start in block.starts for p in produced_by.get(start.name, ()) if p != index}
        for index, block in enumerate(blocks)
    }
    ordered: list[int] = []
    placed: set[int] = set()
    while len(placed) < len(blocks):
        ready = [i for i in range(len(blocks)) if i not in placed and waiting[i] <= placed]
        if not ready:  # a cycle: take the first remaining block
            ready = [next(i for i in range(len(blocks)) if i not in placed)]
        ordered.append(ready[0])
        placed.add(ready[0])
    return [blocks[i] for i in ordered]


# ------------------------------------------------------------------------------ generation


@dataclass(frozen=True)
class _Partial:
    """A conversation being built."""

    name: str
    events: tuple[Located, ...] = ()
    signature: tuple[Hashable, ...] = ()
    slots: tuple[tuple[str, Any], ...] = ()
    augmented: bool = False
    source: SourceRef | None = None

    def slot(self, name: str) -> Any:
        for slot_name, value in reversed(self.slots):
            if slot_name == name:
                return value
        return None

    def extend(self, located: Sequence[Located]) -> _Partial:
        signature = list(self.signature)
        slots = list(self.slots)
        for event, _ in located:
            signature.append(_event_signature(event))
            if isinstance(event, SlotSet):
                slots.append((event.name, event.value))
        return _Partial(self.name, self.events + tuple(located), tuple(signature), tuple(slots),
                        self.augmented, self.source)


def _event_signature(event: Event) -> Hashable:
    if isinstance(event, UserUttered):
        return ("u", event.intent_name or event.text, frozenset(entity_labels(event.entities)))
    if isinstance(event, ActionExecuted):
        return ("a", event.name, event.action_text)
    if isinstance(event, SlotSet):
        return ("s", event.name, json.dumps(event.value, sort_keys=True, default=str))
    if isinstance(event, ActiveLoop):
        return ("l", event.name)
    return ("e", event.type_name)


@dataclass
class _Generator:
    domain: Domain
    augmentation_factor: int
    rng: random.Random
    max_trackers: int
    notices: list[str] = field(default_factory=list)
    story_ends: list[_Partial] = field(default_factory=list)
    end_signatures: set[tuple[Hashable, ...]] = field(default_factory=set)

    def cap(self, trackers: list[_Partial], where: str) -> list[_Partial]:
        if len(trackers) <= self.max_trackers:
            return trackers
        self.notices.append(
            f"{where} expands to {len(trackers)} training conversations; kept the first "
            f"{self.max_trackers}. Use fewer 'or' alternatives or checkpoints there."
        )
        return trackers[: self.max_trackers]

    def process(self, block: _Block, incoming: list[_Partial]) -> list[_Partial]:
        trackers = [
            _Partial(
                t.name if block.name in t.name.split(" > ") else (
                    f"{t.name} > {block.name}" if t.name else block.name),
                t.events, t.signature, t.slots, t.augmented, t.source or block.source,
            )
            for t in incoming
        ]
        where = f"story '{block.name}'" + (f" ({block.source})" if block.source else "")
        for item in block.items:
            if len(item.alternatives) == 1:
                trackers = [t.extend(item.alternatives[0]) for t in trackers]
            else:
                trackers = self.cap(
                    [t.extend(alternative) for t in trackers for alternative in item.alternatives], where
                )
        if not block.ends:
            trackers = [
                t if t.events and _is_listen(_Item((t.events,))) else t.extend([_listen()])
                for t in trackers
            ]
        return trackers

    def run(self, blocks: list[_Block]) -> list[_Partial]:
        ordered = _order(blocks)
        active: dict[str, list[_Partial]] = defaultdict(list)
        active[STORY_START] = [_Partial("")]
        used: set[str] = set()
        previous_unused: set[str] = set()
        reached_all = False
        rounds_done = 0
        rounds = AUGMENTATION_ROUNDS if self.augmentation_factor > 0 else 0
        for phase in range(MAX_PHASES + rounds + 1):
            if reached_all and rounds_done >= rounds:
                break
            if phase == MAX_PHASES + rounds:
                self.notices.append(f"checkpoints still lead to new conversations after {MAX_PHASES} "
                                    "rounds; stopped there (is there a cycle of checkpoints?)")
                break
            unused: set[str] = set()
            produced: dict[str, list[_Partial]] = defaultdict(list)
            for block in ordered:
                incoming: list[_Partial] = []
                for start in block.starts or (CheckpointStep(STORY_START),):
                    ready = active.get(start.name, []) + produced.get(start.name, [])
                    if ready:
                        incoming.extend(t for t in ready if _meets(t, start))
                        used.add(start.name)
                    elif start.name not in used:
                        unused.add(start.name)
                if not incoming:
                    continue
                incoming = _unique(incoming)
                if reached_all:
                    self.rng.shuffle(incoming)
                    incoming = incoming[: self.augmentation_factor * 10]
                trackers = self.process(block, incoming)
                for end in block.ends:
                    produced[end].extend(trackers)
                    produced[end] = self.cap(produced[end], f"checkpoint '{end}'")
                    if end in used:
                        unused.add(end)
                if not block.ends:
                    for tracker in trackers:
                        if tracker.signature not in self.end_signatures:
                            self.end_signatures.add(tracker.signature)
                            self.story_ends.append(tracker)
                if len(self.story_ends) > self.max_trackers:
                    self.notices.append(
                        f"stories expand to more than {self.max_trackers} training conversations; "
                        "stopped there. Use fewer checkpoints, 'or' steps or a lower augmentation factor."
                    )
                    del self.story_ends[self.max_trackers:]
                    return self.story_ends
            if reached_all:
                rounds_done += 1
                active = self.augmentation_starts()
                continue
            reached_all = unused == previous_unused
            previous_unused = unused
            if reached_all:
                used = set()
                active = self.augmentation_starts()
                for name in sorted(unused - {STORY_START}):
                    self.notices.append(f"checkpoint '{name}' is never reached by the stories "
                                        "that start there")
            else:
                active = defaultdict(list, {
                    name: active.get(name, []) + produced.get(name, [])
                    for name in unused if name != STORY_START
                })
        return self.story_ends

    def augmentation_starts(self) -> dict[str, list[_Partial]]:
        """Finished stories to put in front of stories again, without their final listen."""
        if self.augmentation_factor <= 0:
            return defaultdict(list)
        self.rng.shuffle(self.story_ends)
        starts = [
            _Partial(t.name, t.events[:-1], t.signature[:-1], t.slots, True, t.source)
            for t in self.story_ends[: self.augmentation_factor]
        ]
        return defaultdict(list, {STORY_START: starts})


def _meets(tracker: _Partial, checkpoint: CheckpointStep) -> bool:
    """Rasa's `Checkpoint.filter_trackers`: the conversation's slots have the values."""
    return all(tracker.slot(name) == value for name, value in checkpoint.slots)


def _unique(trackers: list[_Partial]) -> list[_Partial]:
    seen: set[tuple[Hashable, ...]] = set()
    unique: list[_Partial] = []
    for tracker in trackers:
        if tracker.signature not in seen:
            seen.add(tracker.signature)
            unique.append(tracker)
    return unique


def _to_tracker(partial: _Partial, *, is_rule: bool = False) -> TrainingTracker:
    return TrainingTracker(
        partial.name,
        tuple(event for event, _ in partial.events),
        tuple(source for _, source in partial.events),
        is_rule,
        partial.augmented,
        partial.source,
    )


def _snippet(source: SourceRef | None) -> _Item:
    """Rasa's rule-snippet action `...`: "any history before / anything after"."""
    return _Item((((ActionExecuted(timestamp=None, name=RULE_SNIPPET_ACTION_NAME), source),),))


def rule_trackers(rule: Rule, domain: Domain, max_trackers: int = DEFAULT_MAX_TRACKERS
                  ) -> list[TrainingTracker]:
    """One training conversation per `or` alternative of a rule (at most `max_trackers`)."""
    items = _items(rule.condition, domain, in_condition=True)
    if not rule.conversation_start:
        items.append(_snippet(rule.source))
    steps = _items(rule.steps, domain)
    if items and steps and _is_listen(items[-1]) and _is_listen(steps[0]):
        steps = steps[1:]
    items.extend(steps)
    if rule.wait_for_user_input:
        if not (items and _is_listen(items[-1])):
            items.append(_Item(((_listen(),),)))
    else:
        items.append(_snippet(rule.source))
    partials = [_Partial(rule.name, source=rule.source)]
    for item in items:
        partials = [p.extend(alternative) for p in partials for alternative in item.alternatives]
        del partials[max_trackers:]
    return [_to_tracker(p, is_rule=True) for p in partials]


def generate_trackers(
    story_data: StoryData,
    domain: Domain,
    *,
    augmentation_factor: int = DEFAULT_AUGMENTATION_FACTOR,
    seed: int = DEFAULT_SEED,
    max_trackers: int = DEFAULT_MAX_TRACKERS,
) -> TrainingTrackers:
    """The training conversations of the stories (with augmentation) and of the rules."""
    generator = _Generator(domain, max(0, augmentation_factor), random.Random(seed), max_trackers)
    blocks = [block for story in story_data.stories for block in _blocks(story, domain)]
    starts = {start.name for block in blocks for start in block.starts}
    for block in blocks:
        for end in block.ends:
            if end not in starts:
                generator.notices.append(
                    f"story '{block.name}' ends at checkpoint '{end}', where no story continues: "
                    "it is not used for training (as in Rasa); continue it or remove the checkpoint"
                )
    stories = [_to_tracker(p) for p in generator.run(blocks)] if blocks else []
    rules = [tracker for rule in story_data.rules for tracker in rule_trackers(rule, domain, max_trackers)]
    return TrainingTrackers(tuple(stories), tuple(rules), tuple(dict.fromkeys(generator.notices)))


__all__ = [
    "DEFAULT_AUGMENTATION_FACTOR",
    "STORY_START",
    "TrainingTracker",
    "TrainingTrackers",
    "generate_trackers",
    "rule_trackers",
    "user_event",
]
