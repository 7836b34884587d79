"""Reviewing employee messages: confirm what the NLU understood, correct the intent and the
entity spans, or mark a message as out of scope — and write the result to data/reviewed.yml.

The message is always read again from the tracker store by its event id (the page only names
it), and its text is taken as the reviewer is allowed to see it (masked without the
personal-data permission). Each example is checked against the training data
(`annotation_duplicates`) and against the others of the same batch; duplicates are not written
twice, contradictions are refused. Reviewed messages get a mark (`annotation_marks`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from hrbot.console.annotation import AnnotationError, Example, Span, build_example, predicted_spans
from hrbot.console.annotation_duplicates import DuplicateCheck, TrainingTextsCache, normalise
from hrbot.console.annotation_file import ReviewedExample, ReviewedFile
from hrbot.console.annotation_marks import ReviewMark, ReviewMarks
from hrbot.console.masking import mask_text
from hrbot.console.review_facts import MessageFacts, conversation_facts
from hrbot.console.review_query import EventsReader
from hrbot.shared.core.domain_types import DEFAULT_INTENT_NAMES
from hrbot.shared.domain_names import read_declared_names
from hrbot.shared.errors import InvalidProjectError

OUT_OF_SCOPE_INTENT = "out_of_scope"
REVIEWS = ("confirm", "correct", "out_of_scope")
REVIEW_LABELS = {"confirm": "确认", "correct": "更正", "out_of_scope": "超出范围"}
INTERNAL_INTENTS = frozenset(DEFAULT_INTENT_NAMES) - {OUT_OF_SCOPE_INTENT}


@dataclass(frozen=True)
class Choices:
    """What a reviewer may pick: the domain's intents (and out_of_scope) and entity types."""

    intents: tuple[str, ...]
    entities: tuple[str, ...]
    out_of_scope_declared: bool


def annotation_choices(project_dir: Path, model_metadata: dict[str, Any]) -> Choices:
    """From the project's domain.yml (or domain/ folder); without a readable one, from the
    served model (`hrbot train` reports what is wrong with the domain)."""
    domain = project_dir / "domain.yml"
    try:
        declared = read_declared_names(domain if domain.exists() else project_dir / "domain")
    except InvalidProjectError:
        declared = None
    if declared is not None and declared.intents:
        intents, entities = set(declared.intents), set(declared.entities)
    else:
        intents = {str(name) for name in model_metadata.get("intents") or ()}
        entities = {str(name) for name in model_metadata.get("entities") or ()}
    intents -= INTERNAL_INTENTS
    declared_oos = OUT_OF_SCOPE_INTENT in intents
    return Choices(tuple(sorted(intents | {OUT_OF_SCOPE_INTENT})), tuple(sorted(entities)), declared_oos)


@dataclass(frozen=True)
class AnnotationRequest:
    """One message to review. `spans` None: the NLU's entities (as shown to the reviewer)."""

    event_id: int
    review: str
    intent: str | None = None
    spans: tuple[Span, ...] | None = None


@dataclass(frozen=True)
class AnnotationOutcome:
    event_id: int
    sender_id: str | None
    review: str
    example: Example | None = None
    check: DuplicateCheck | None = None
    error: str | None = None

    @property
    def written(self) -> bool:
        return self.error is None and self.check is not None and self.check.writes

    @property
    def outcome(self) -> str:
        """written, duplicate, near_duplicate, near_conflict, conflict or refused."""
        if self.check is None:
            return "refused"
        return "written" if self.check.kind == "new" else self.check.kind

    @property
    def message(self) -> str:
        """What the reviewer is told about this message."""
        if self.error is not None:
            return self.error
        warning = self.check.warning() if self.check is not None else None
        return warning or "已写入 data/reviewed.yml。"


def _intent_for(request: AnnotationRequest, message: MessageFacts) -> str:
    if request.review == "out_of_scope":
        return OUT_OF_SCOPE_INTENT
    if request.review == "confirm":
        predicted = message.predicted_intent
        if predicted is None:
            raise AnnotationError("机器人没有识别出可确认的意图,请选择正确的意图后保存。")
        return predicted
    if not request.intent:
        raise AnnotationError("请选择正确的意图。")
    return request.intent


class Annotator:
    """Reviews messages of one project's conversations into its data/reviewed.yml."""

    def __init__(self, reader: EventsReader, project_dir: Path, marks: ReviewMarks,
                 texts: TrainingTextsCache) -> None:
        self.reader = reader
        self.file = ReviewedFile(project_dir)
        self.marks = marks
        self.texts = texts

    def _example(self, request: AnnotationRequest, message: MessageFacts, shown: str,
                 choices: Choices) -> Example:
        if message.shortcut:
            raise AnnotationError("这是按钮点击或快捷指令,不是员工输入的文字,无需标注。")
        intent = _intent_for(request, message)
        if request.spans is not None:
            spans: Sequence[Span] = request.spans
        elif request.review == "out_of_scope":
            spans = ()
        else:
            spans = predicted_spans(message.text, shown, message.entities)
        return build_example(shown, intent, spans, intents=choices.intents, entities=choices.entities)

    def _review(self, requests: Sequence[AnnotationRequest], choices: Choices, *, by: str, masked: bool,
                now: float) -> list[AnnotationOutcome]:
        """The blocking part: read the messages, check them, write the file."""
        texts = self.texts.current()
        outcomes: list[AnnotationOutcome] = []
        batch: dict[str, str] = {}  # normalised text -> intent, of what this batch writes
        to_write: list[ReviewedExample] = []
        for request in requests:
            if request.review not in REVIEWS:
                outcomes.append(AnnotationOutcome(request.event_id, None, request.review,
                                                  error="未知的标注操作。"))
                continue
            found = self.reader.database.run_sync(partial(self.reader.user_event, event_id=request.event_id))
            if found is None:
                outcomes.append(AnnotationOutcome(request.event_id, None, request.review,
                                                  error="找不到这条员工消息(会话可能已被删除)。"))
                continue
            sender_id, row = found
            messages = conversation_facts(sender_id, [row]).messages
            if not messages:
                outcomes.append(AnnotationOutcome(request.event_id, sender_id, request.review,
                                                  error="这条消息不是员工发送的,无需标注。"))
                continue
            message = messages[0]
            shown = mask_text(message.text) if masked else message.text
            try:
                example = self._example(request, message, shown, choices)
            except AnnotationError as error:
                outcomes.append(AnnotationOutcome(request.event_id, sender_id, request.review,
                                                  error=str(error)))
                continue
            check = texts.check(example.text, example.intent)
            key = normalise(example.text) or example.text
            if check.writes and key in batch:
                kind = "near_duplicate" if batch[key] == example.intent else "conflict"
                check = DuplicateCheck(kind, None)
            if check.kind == "conflict":
                refusal = check.warning() or "同一批标注中有相同的句子被标成了不同的意图。"
                outcomes.append(AnnotationOutcome(request.event_id, sender_id, request.review, example, check,
                                                  error=refusal))
                continue
            if check.writes:
                batch[key] = example.intent
                to_write.append(ReviewedExample(example, by, now, request.event_id, request.review))
            outcomes.append(AnnotationOutcome(request.event_id, sender_id, request.review, example, check))
        self.file.append(to_write)
        return outcomes

    async def review(self, requests: Sequence[AnnotationRequest], choices: Choices, *, by: str,
                     masked: bool, now: float) -> list[AnnotationOutcome]:
        """Review `requests` as `by`; every outcome is returned (errors included), and every
        message that was written or found already in the training data is marked reviewed."""
        outcomes = await asyncio.to_thread(self._review, requests, choices, by=by, masked=masked, now=now)
        await self.marks.save(
            ReviewMark(outcome.event_id, outcome.sender_id or "", outcome.review, outcome.example.intent,
                       outcome.outcome, outcome.message, by, now)
            for outcome in outcomes
            if outcome.error is None and outcome.example is not None
        )
        return outcomes
