"""Review and annotation, for designers and admins (the annotation permission).

    GET  /review                              conversations to review (filters: from, to, channel,
                                              intent, max_confidence, department, q, flag, status)
    GET  /review/conversations/{id}           one conversation: each employee message with intent,
                                              confidence, ranking and entities, to confirm, correct
                                              (select text to mark an entity) or mark out of scope
    POST /review/annotate                     event_id, review (confirm|correct|out_of_scope),
                                              intent, entities (JSON [{start, end, entity}]), back
    POST /review/bulk-confirm                 event_<id>=1 for each message, back

Annotations go to data/reviewed.yml (see `annotation_file`); every view and every annotation
is written to the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from starlette.responses import Response
from starlette.routing import Route

from hrbot.console.annotation import AnnotationError, Span, parse_spans, predicted_spans
from hrbot.console.annotation_duplicates import TrainingTextsCache
from hrbot.console.annotation_marks import ReviewMark, ReviewMarks
from hrbot.console.annotation_service import (
    REVIEW_LABELS,
    AnnotationOutcome,
    AnnotationRequest,
    Annotator,
    Choices,
    annotation_choices,
)
from hrbot.console.context import ConsoleContext
from hrbot.console.review import ReviewFilter, parse_filter, review_listing, shown_text
from hrbot.console.review_facts import (
    DEFINITIONS,
    FLAG_LABELS,
    FLAGS,
    EventRow,
    MessageFacts,
    conversation_facts,
)
from hrbot.console.review_query import EventsReader
from hrbot.console.review_static import static_routes
from hrbot.console.roles import Permission
from hrbot.console.sections import ConsoleSection, NavEntry
from hrbot.console.transcript import TranscriptLine, transcript_lines
from hrbot.console.web import ConsoleRequest, action, view
from hrbot.shared.core.events import event_from_dict
from hrbot.shared.errors import HrbotError
from hrbot.shared.nlu.parse_result import NLU_FALLBACK_INTENT

PAGE_SIZE = 30
CONVERSATION_ROWS = 500
MAX_BULK = 90
NO_SQL = ("会话保存在内存中,无法审阅:请在 endpoints.yml 中配置 SQL 类型的 tracker_store"
          "(不配置时默认使用项目目录下的 SQLite 文件)。")
NOTICES = {
    "written": "已写入 data/reviewed.yml,下次训练时生效。",
    "duplicate": "训练数据中已有完全相同的例句,未重复写入;该消息已标为已审阅。",
    "near_duplicate": "训练数据中已有几乎相同的例句,未重复写入;该消息已标为已审阅。",
    "near_conflict": "已写入,但训练数据中有几乎相同、意图不同的例句,请查看消息下方的提示。",
}


@dataclass(frozen=True)
class MessageView:
    """An employee message on the review page."""

    facts: MessageFacts
    shown: str
    spans: list[Span]
    mark: ReviewMark | None

    @property
    def spans_json(self) -> str:
        return json.dumps([{"start": s.start, "end": s.end, "entity": s.entity} for s in self.spans],
                          ensure_ascii=False)

    @property
    def flag_labels(self) -> list[tuple[str, str]]:
        return [(flag, FLAG_LABELS[flag]) for flag in FLAGS if flag in self.facts.flags]

    @property
    def is_fallback_intent(self) -> bool:
        return self.facts.intent == NLU_FALLBACK_INTENT


@dataclass(frozen=True)
class Item:
    """A line of the review page: a transcript line, with the message view for employee messages."""

    line: TranscriptLine
    message: MessageView | None = None


def _back(raw: str | None, default: str) -> str:
    """A path inside the review pages to go back to (never another site)."""
    if raw and raw.startswith("/review") and not raw.startswith("//") and not urlsplit(raw).netloc:
        return raw
    return default


def _conversation_path(sender_id: str, where: ReviewFilter) -> str:
    return f"/review/conversations/{quote(sender_id, safe='')}?{urlencode(where.as_query())}"


class ReviewPages:
    """The review section's services for one app, opened on first use."""

    def __init__(self, ctx: ConsoleContext, project_dir: Path) -> None:
        self.ctx = ctx
        self.project_dir = project_dir
        self.texts = TrainingTextsCache(project_dir)

    @property
    def reader(self) -> EventsReader | None:
        assistant = self.ctx.state.assistant
        database = assistant.stores.database if assistant is not None else None
        return EventsReader(database) if database is not None else None

    @cached_property
    def marks(self) -> ReviewMarks:
        return ReviewMarks(self.ctx.tables.database)

    def annotator(self, reader: EventsReader) -> Annotator:
        return Annotator(reader, self.project_dir, self.marks, self.texts)

    def choices(self) -> Choices:
        return annotation_choices(self.project_dir, self.ctx.state.model.metadata)

    def today(self) -> date:
        return datetime.fromtimestamp(self.ctx.now(), self.ctx.renderer.zone).date()


def review_section(ctx: ConsoleContext, project_dir: Path | None = None) -> ConsoleSection:
    """The section; `project_dir` (default: the current folder, where `hrbot run` starts) holds
    data/reviewed.yml and domain.yml."""
    pages = ReviewPages(ctx, project_dir or Path.cwd())

    async def listing(request: ConsoleRequest) -> Response:
        reader = pages.reader
        if reader is None:
            return request.page("error.html", status=409, message=NO_SQL)
        params = request.request.query_params
        where = parse_filter(params, pages.today())
        raw_page = params.get("page", "1")
        page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 100_000 else 1
        found = await review_listing(reader, ctx.directory, where, ctx.renderer.zone, masked=request.masked,
                                     reviewed=pages.marks.reviewed)
        await request.audit("review.list", "", {"filter": where.as_query(),
                                                "found": len(found.conversations)})
        shown = found.conversations[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        choices = pages.choices()
        query = where.as_query()
        notice = _notice(request)
        return request.page(
            "review.html", where=where, query=query, listing=found, rows=shown, page=page,
            pages=max(1, -(-len(found.conversations) // PAGE_SIZE)), total=len(found.conversations),
            intents=[*choices.intents, NLU_FALLBACK_INTENT], flags=FLAGS, flag_labels=FLAG_LABELS,
            definitions=DEFINITIONS, masked=request.masked, notice=notice,
            back="/review?" + urlencode(query), conversation_path=lambda s: _conversation_path(s, where),
            shown_text=lambda m: shown_text(m, request.masked),
        )

    async def render_conversation(request: ConsoleRequest, sender_id: str, where: ReviewFilter, *,
                                  status: int = 200, error: str | None = None) -> Response:
        reader = pages.reader
        if reader is None:
            return request.page("error.html", status=409, message=NO_SQL)
        window = where.window(ctx.renderer.zone)
        rows, cut = await reader.run(
            lambda conn: reader.conversation_rows(conn, sender_id, window, CONVERSATION_ROWS))
        if not rows:
            return request.page("error.html", status=404, message="所选时间范围内没有这个会话的记录。")
        items = await _items(pages, sender_id, rows, request.masked)
        choices = pages.choices()
        query = where.as_query()
        return request.page(
            "review_conversation.html", status=status, error=error,
            notice=_notice(request) if not error else None,
            sender_id=sender_id, profile=ctx.directory.profile(sender_id), items=items, cut=cut,
            choices=choices, masked=request.masked, definitions=DEFINITIONS, flag_labels=FLAG_LABELS,
            review_labels=REVIEW_LABELS, agents=await _agents(ctx),
            back=_conversation_path(sender_id, where), list_path="/review?" + urlencode(query),
        )

    async def conversation(request: ConsoleRequest) -> Response:
        sender_id = request.request.path_params["sender_id"]
        where = parse_filter(request.request.query_params, pages.today())
        response = await render_conversation(request, sender_id, where)
        if response.status_code == 200:
            await request.audit("transcript.view", sender_id, {"page": "review", "masked": request.masked})
        return response

    async def annotate(request: ConsoleRequest) -> Response:
        reader = pages.reader
        if reader is None:
            return request.page("error.html", status=409, message=NO_SQL)
        form = request.form
        event_id = form.get("event_id", "")
        if not event_id.isdigit():
            return request.page("error.html", status=400, message="缺少消息编号 (event_id)。")
        spans: tuple[Span, ...] | None = None
        if form.get("entities"):
            try:
                spans = tuple(parse_spans(json.loads(form["entities"])))
            except AnnotationError as problem:
                return request.page("error.html", status=400, message=str(problem))
            except ValueError:
                return request.page("error.html", status=400, message="实体标注不是有效的 JSON。")
        wanted = AnnotationRequest(int(event_id), form.get("review", ""), form.get("intent") or None, spans)
        try:
            outcomes = await pages.annotator(reader).review(
                [wanted], pages.choices(), by=request.user.username, masked=request.masked, now=ctx.now())
        except HrbotError as problem:
            return request.page("error.html", status=409, message=str(problem))
        await _audit(request, outcomes, bulk=False)
        outcome = outcomes[0]
        back = _back(form.get("back"), "/review")
        if outcome.error is not None:
            if outcome.sender_id is None:
                return request.page("error.html", status=404, message=outcome.error)
            where = parse_filter(dict(_query_of(back)), pages.today())
            return await render_conversation(request, outcome.sender_id, where, status=409 if outcome.check
                                             else 400, error=outcome.error)
        return request.redirect(_with_query(back, notice=outcome.outcome) + f"#m-{outcome.event_id}")

    async def bulk_confirm(request: ConsoleRequest) -> Response:
        reader = pages.reader
        if reader is None:
            return request.page("error.html", status=409, message=NO_SQL)
        ids = sorted({int(name[6:]) for name, value in request.form.items()
                      if name.startswith("event_") and name[6:].isdigit() and value})
        back = _back(request.form.get("back"), "/review")
        if not ids:
            return request.redirect(_with_query(back, notice="bulk_none"))
        if len(ids) > MAX_BULK:
            return request.page("error.html", status=400, message=f"一次最多批量确认 {MAX_BULK} 条消息。")
        try:
            outcomes = await pages.annotator(reader).review(
                [AnnotationRequest(event_id, "confirm") for event_id in ids], pages.choices(),
                by=request.user.username, masked=request.masked, now=ctx.now())
        except HrbotError as problem:
            return request.page("error.html", status=409, message=str(problem))
        await _audit(request, outcomes, bulk=True)
        written = sum(outcome.written for outcome in outcomes)
        failed = sum(outcome.error is not None for outcome in outcomes)
        return request.redirect(_with_query(back, notice="bulk", written=str(written), failed=str(failed),
                                            skipped=str(len(outcomes) - written - failed)))

    return ConsoleSection(
        routes=[
            Route("/review", view(ctx, listing, Permission.ANNOTATION), methods=["GET"]),
            Route("/review/annotate", action(ctx, annotate, Permission.ANNOTATION), methods=["POST"]),
            Route("/review/bulk-confirm", action(ctx, bulk_confirm, Permission.ANNOTATION), methods=["POST"]),
            Route("/review/conversations/{sender_id:path}", view(ctx, conversation, Permission.ANNOTATION),
                  methods=["GET"]),
            *static_routes("review.css", "review.js"),
        ],
        nav=(NavEntry("review", "审阅标注", "/review", Permission.ANNOTATION, order=30),),
    )


def _query_of(path: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(path).query, keep_blank_values=True)


def _with_query(path: str, **extra: str) -> str:
    parts = urlsplit(path)
    query = [(k, v) for k, v in _query_of(path) if k not in extra and k not in ("notice", "written", "failed",
                                                                                   "skipped")]
    return f"{parts.path}?{urlencode([*query, *extra.items()])}"


def _notice(request: ConsoleRequest) -> str | None:
    params = request.request.query_params
    key = params.get("notice", "")
    if key == "bulk":
        counts = [params.get(name, "0") for name in ("written", "skipped", "failed")]
        if not all(count.isdigit() for count in counts):
            return None
        written, skipped, failed = counts
        text = f"批量确认完成:写入 {written} 条,已在训练数据中 {skipped} 条。"
        if failed != "0":
            text += f"{failed} 条未能确认(如未识别出意图或与已有例句冲突),请逐条处理。"
        return text
    if key == "bulk_none":
        return "没有选中要确认的消息。"
    return NOTICES.get(key)


async def _agents(ctx: ConsoleContext) -> dict[str, str]:
    return {account.username: account.display_name for account in await ctx.accounts.all()}


async def _items(pages: ReviewPages, sender_id: str, rows: Sequence[EventRow], masked: bool) -> list[Item]:
    facts = {message.event_id: message for message in conversation_facts(sender_id, rows).messages}
    marks = await pages.marks.for_events(facts)
    items: list[Item] = []
    for row in rows:
        try:
            event = event_from_dict(row.payload())
        except ValueError:
            continue
        for line in transcript_lines([event], masked=masked):
            message = facts.get(row.id) if line.kind == "user" else None
            view_of: MessageView | None = None
            if message is not None:
                shown = shown_text(message, masked)
                spans = predicted_spans(message.text, shown, message.entities)
                view_of = MessageView(message, shown, spans, marks.get(row.id))
            items.append(Item(line, view_of))
    return items


async def _audit(request: ConsoleRequest, outcomes: Sequence[AnnotationOutcome], *, bulk: bool) -> None:
    for outcome in outcomes:
        details: dict[str, Any] = {"event": outcome.event_id, "bulk": bulk, "masked": request.masked}
        if outcome.example is not None:
            details["intent"] = outcome.example.intent
            details["entities"] = [[s.start, s.end, s.entity] for s in outcome.example.spans]
        if outcome.error is not None:
            details["refused"] = outcome.error
        else:
            details["outcome"] = outcome.outcome
            details["written"] = outcome.written
        name = f"review.{outcome.review}" if outcome.review in REVIEW_LABELS else "review.invalid"
        await request.audit(name, outcome.sender_id or "", details)
