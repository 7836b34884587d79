"""Conversations over HTTP: the REST channel's webhook and Rasa's conversation API, plus the
handoff and review endpoints HR uses.

    POST /webhooks/rest/webhook                       a user message; answers the bot's replies
    GET  /conversations/{id}/tracker                  the conversation (?include_events=...)
    POST /conversations/{id}/tracker/events           add events (e.g. {"event": "resume"})
    POST /conversations/{id}/messages                 log a user message without answering
    POST /conversations/{id}/trigger_intent           run an intent as if the user said it
    POST /conversations/{id}/resume                   an HR agent hands the conversation back
    GET  /reviews                                     fallbacks and handoffs, newest first
    DELETE /conversations                             forget every conversation (demo reset; admin)
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hrbot.api.common import HTTPProblem, ServerState, read_json, require_caller, token_subject
from hrbot.channels.rest import DEFAULT_SENDER_ID, ChannelPayloadError, parse_rest_payload, rest_messages
from hrbot.dialogue.messages import UserMessage
from hrbot.dialogue.processor import MessageProcessor
from hrbot.shared.core.events import ConversationResumed, Event, InvalidEventError, event_from_dict
from hrbot.shared.core.tracker import EventVerbosity
from hrbot.stores.base import StoreError

logger = logging.getLogger(__name__)

MAX_REVIEW_PAGE = 500


def _processor(state: ServerState) -> MessageProcessor:
    if state.assistant is None or state.assistant.processor is None:
        raise HTTPProblem(
            409, "Conflict",
            "the loaded model has no dialogue part: add domain.yml and stories or rules, then "
            "'hrbot train'",
        )
    return state.assistant.processor


def _verbosity(request: Request) -> EventVerbosity:
    raw = request.query_params.get("include_events", EventVerbosity.AFTER_RESTART.value).upper()
    try:
        return EventVerbosity(raw)
    except ValueError:
        raise HTTPProblem(
            400, "BadRequest",
            "include_events must be one of " + ", ".join(v.value for v in EventVerbosity),
        ) from None


def _events(body: Any) -> list[Event]:
    items = body if isinstance(body, list) else [body]
    events = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise HTTPProblem(400, "BadRequest", f"event {position}: must be an object with an 'event' key")
        try:
            events.append(event_from_dict(item))
        except (InvalidEventError, ValueError) as error:
            raise HTTPProblem(400, "BadRequest", f"event {position}: {error}") from None
    return events


def _verified_sender(request: Request, state: ServerState, message: UserMessage) -> UserMessage:
    """The message as sent by the token's subject; 401 without a valid token, 403 when the body
    names someone else."""
    subject = token_subject(request, state)
    if message.sender_id not in (subject, DEFAULT_SENDER_ID):
        raise HTTPProblem(403, "NotAuthorized", "the token is not for the 'sender' of this message")
    return dataclasses.replace(message, sender_id=subject)


def conversation_routes(state: ServerState) -> list[Route]:
    async def webhook(request: Request) -> Response:
        try:
            processor = _processor(state)
            message = parse_rest_payload(await read_json(request))
            if not state.trust_sender:
                message = _verified_sender(request, state, message)
            result = await processor.handle_message(message)
        except HTTPProblem as problem:
            return problem.response()
        except ChannelPayloadError as error:
            return HTTPProblem(400, "BadRequest", str(error)).response()
        except StoreError as error:
            logger.error("store error: %s", error)
            return HTTPProblem(503, "ServiceUnavailable", str(error)).response()
        return JSONResponse(rest_messages(message.sender_id, result.messages))

    async def tracker(request: Request) -> Response:
        conversation = request.path_params["conversation_id"]
        try:
            require_caller(request, state, conversation)
            verbosity = _verbosity(request)
            found = await _processor(state).tracker(conversation)
        except HTTPProblem as problem:
            return problem.response()
        return JSONResponse(found.to_dict(verbosity))

    async def append_events(request: Request) -> Response:
        conversation = request.path_params["conversation_id"]
        try:
            require_caller(request, state, conversation)
            verbosity = _verbosity(request)
            events = _events(await read_json(request))
            processor = _processor(state)
            found = await processor.append_events(conversation, events)
            if any(isinstance(event, ConversationResumed) for event in events):
                await _close_handoffs(state, conversation, "http_api")
        except HTTPProblem as problem:
            return problem.response()
        return JSONResponse(found.to_dict(verbosity))

    async def add_message(request: Request) -> Response:
        conversation = request.path_params["conversation_id"]
        try:
            require_caller(request, state, conversation)
            verbosity = _verbosity(request)
            body = await read_json(request)
            if not isinstance(body, dict) or not isinstance(body.get("text"), str):
                raise HTTPProblem(400, "BadRequest", 'send {"text": "...", "sender": "user"}')
            if body.get("sender", "user") != "user":
                raise HTTPProblem(400, "BadRequest", 'only "user" messages can be added ("sender": "user")')
            message = parse_rest_payload({"sender": conversation, "message": body["text"],
                                          "metadata": body.get("metadata")})
            found = await _processor(state).add_user_message(message)
        except HTTPProblem as problem:
            return problem.response()
        except ChannelPayloadError as error:
            return HTTPProblem(400, "BadRequest", str(error)).response()
        return JSONResponse(found.to_dict(verbosity))

    async def trigger_intent(request: Request) -> Response:
        conversation = request.path_params["conversation_id"]
        try:
            require_caller(request, state, conversation)
            body = await read_json(request)
            if not isinstance(body, dict) or not isinstance(body.get("name"), str):
                raise HTTPProblem(400, "BadRequest", 'send {"name": "intent_name", "entities": {...}}')
            entities = body.get("entities") or {}
            if not isinstance(entities, dict):
                raise HTTPProblem(400, "BadRequest", "'entities' must be an object of entity name to value")
            try:
                result = await _processor(state).trigger_intent(conversation, body["name"], entities)
            except ValueError as error:
                raise HTTPProblem(404, "NotFound", str(error)) from None
        except HTTPProblem as problem:
            return problem.response()
        return JSONResponse({
            "tracker": result.tracker.to_dict(),
            "messages": rest_messages(conversation, result.messages),
        })

    async def resume(request: Request) -> Response:
        conversation = request.path_params["conversation_id"]
        try:
            caller = require_caller(request, state, None)
            body = await read_json(request) if await request.body() else {}
            agent = body.get("agent") if isinstance(body, dict) else None
            by = str(agent or caller.username or "hr")
            processor = _processor(state)
            current = await processor.tracker(conversation)
            if not current.paused:
                raise HTTPProblem(409, "Conflict", f"conversation '{conversation}' is not with a human agent")
            found = await processor.append_events(
                conversation, [ConversationResumed(timestamp=None, metadata={"resumed_by": by})]
            )
            await _close_handoffs(state, conversation, by)
        except HTTPProblem as problem:
            return problem.response()
        return JSONResponse(found.to_dict(EventVerbosity.NONE))

    async def reviews(request: Request) -> Response:
        try:
            require_caller(request, state, None)
            if state.assistant is None:
                raise HTTPProblem(409, "Conflict", "no review log: the model has no dialogue part")
            kind = request.query_params.get("kind")
            if kind not in (None, "fallback", "handoff"):
                raise HTTPProblem(400, "BadRequest", "kind must be 'fallback' or 'handoff'")
            open_only = request.query_params.get("open", "false").lower() in ("1", "true", "yes")
            sender = request.query_params.get("sender_id")
            try:
                limit = int(request.query_params.get("limit", "100"))
                offset = int(request.query_params.get("offset", "0"))
            except ValueError:
                raise HTTPProblem(400, "BadRequest", "limit and offset must be whole numbers") from None
            if not 1 <= limit <= MAX_REVIEW_PAGE or offset < 0:
                raise HTTPProblem(400, "BadRequest", f"limit must be 1..{MAX_REVIEW_PAGE}, offset ≥ 0")
            log = state.assistant.stores.review_log
            items = await log.items(kind, open_only=open_only, sender_id=sender,  # type: ignore[arg-type]
                                    limit=limit, offset=offset)
            total = await log.count(kind, open_only=open_only, sender_id=sender)  # type: ignore[arg-type]
        except HTTPProblem as problem:
            return problem.response()
        return JSONResponse({"total": total, "items": [item.to_dict() for item in items]})

    async def clear_all(request: Request) -> Response:
        try:
            caller = require_caller(request, state, None)
            if not caller.is_admin:
                raise HTTPProblem(403, "NotAuthorized", "only an admin may delete every conversation")
            processor = _processor(state)
            assert state.assistant is not None
            await state.assistant.stores.tracker_store.clear()
            await state.assistant.stores.review_log.clear()
            processor.forget_cached()
        except HTTPProblem as problem:
            return problem.response()
        logger.warning("every conversation and review item was deleted (%s)", caller.kind)
        return JSONResponse({"status": "cleared"})

    return [
        Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
        Route("/conversations", clear_all, methods=["DELETE"]),
        Route("/conversations/{conversation_id}/tracker", tracker, methods=["GET"]),
        Route("/conversations/{conversation_id}/tracker/events", append_events, methods=["POST"]),
        Route("/conversations/{conversation_id}/messages", add_message, methods=["POST"]),
        Route("/conversations/{conversation_id}/trigger_intent", trigger_intent, methods=["POST"]),
        Route("/conversations/{conversation_id}/resume", resume, methods=["POST"]),
        Route("/reviews", reviews, methods=["GET"]),
    ]


async def _close_handoffs(state: ServerState, conversation: str, by: str) -> None:
    if state.assistant is None:
        return
    now = state.clock().timestamp()
    closed = await state.assistant.stores.review_log.close_handoff(conversation, by, now)
    logger.info("conversation %s returned to the bot by %s (%d handoff(s) closed)", conversation, by, closed)
