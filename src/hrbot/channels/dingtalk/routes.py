"""The HTTP mode: DingTalk POSTs each robot message to the server (the app's message receiving
address, e.g. https://hr.example.com/webhooks/dingtalk/webhook).

    POST /webhooks/dingtalk/webhook   headers timestamp, sign; body: the robot message
    -> 200 {"msgtype": "empty"}       received; the answers follow through the session webhook
    -> 401 bad, missing or stale signature      -> 400 broken JSON or a bad field (named)
    -> 413 body over 1 MiB                      -> 409 the model cannot hold conversations

The signature is checked before the body is read. The answer is sent at once and the dialogue
runs after it (a Starlette background task), because DingTalk waits only a few seconds and
delivers again when it gets no answer; a message delivered again is answered once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hrbot.api.common import HTTPProblem, ServerState, read_json
from hrbot.channels.dingtalk.channel import DingTalkChannel
from hrbot.channels.dingtalk.engine import dialogue_handler
from hrbot.channels.dingtalk.settings import DingTalkSettings
from hrbot.channels.dingtalk.signature import SignatureError, verify_signature
from hrbot.channels.rest import ChannelPayloadError

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/dingtalk/webhook"
RECEIVED = {"msgtype": "empty"}  # DingTalk's "no answer in the HTTP response"


def dingtalk_routes(
    state: ServerState,
    settings: DingTalkSettings,
    *,
    channel: DingTalkChannel | None = None,
    now: Callable[[], float] = time.time,
) -> list[Route]:
    """The HTTP-mode route. `channel` defaults to one answering with `state`'s dialogue; `now`
    is the wall clock (seconds) the signature's timestamp is checked against."""
    channel = channel or DingTalkChannel(settings, dialogue_handler(state), now=now)

    async def webhook(request: Request) -> Response:
        client = request.client.host if request.client else "?"
        try:
            verify_signature(request.headers.get("timestamp"), request.headers.get("sign"),
                             settings.client_secret, now_ms=int(now() * 1000))
        except SignatureError as error:
            logger.warning("DingTalk callback from %s refused: %s", client, error)
            return HTTPProblem(401, "NotAuthenticated", str(error)).response()
        try:
            if state.assistant is None or state.assistant.processor is None:
                raise HTTPProblem(409, "Conflict", "the loaded model has no dialogue part: add domain.yml "
                                  "and stories or rules, then 'hrbot train'")
            reception = await channel.receive(await read_json(request))
        except HTTPProblem as problem:
            logger.warning("DingTalk callback from %s refused: %s", client, problem.message)
            return problem.response()
        except ChannelPayloadError as error:
            logger.warning("DingTalk callback from %s refused: %s", client, error)
            return HTTPProblem(400, "BadRequest", f"not a DingTalk robot message: {error}").response()
        if not reception.handling.answers:
            return JSONResponse(RECEIVED)
        return JSONResponse(RECEIVED, background=BackgroundTask(channel.respond, reception))

    return [Route(WEBHOOK_PATH, webhook, methods=["POST"])]
