"""The WeCom self-built app channel: the callback URL and the replies through the message API.

    GET  <webhook_path>?msg_signature&timestamp&nonce&echostr   WeCom checks the URL: answer the
                                                                decrypted echostr
    POST <webhook_path>?msg_signature&timestamp&nonce           a message or event: answer an
                                                                empty 200 at once, handle it in
                                                                the background, reply with
                                                                message/send

Every callback is checked in this order, and the first failure is answered with its status and a
log line naming what is wrong (WeCom retries, so nothing valid is lost): the parameters are there,
the timestamp is within `max_clock_skew_seconds` of this server's clock (an old request replayed
is refused), the body is at most MAX_CALLBACK_BYTES, the XML has an `Encrypt`, the signature
matches (nothing is decrypted before), the payload decrypts for this CorpID, and the message
inside is well-formed. A message for another AgentId is logged and ignored.

Then the message's key is claimed (`MessageDeduplicator`): WeCom's retries of a message that was
already claimed, here or by another process, are answered 200 and dropped. If the claim cannot be
recorded (the database is down) the answer is 503, so WeCom tries again later.

The sender is FromUserName, the WeCom userid, which the action server maps to an employee (HRM's
wecom_userid). Text is handled as typed; a template card click as the clicked button's payload;
pictures, voice and other media get a note that only text is understood.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from hrbot.channels.rest import MAX_MESSAGE_CHARS, clean_text
from hrbot.channels.wecom.api import WeComAPI
from hrbot.channels.wecom.crypto import WeComCrypto
from hrbot.channels.wecom.dedup import MessageDeduplicator
from hrbot.channels.wecom.dispatch import DispatcherClosed, SerialDispatcher
from hrbot.channels.wecom.errors import (
    CallbackRejected,
    CallbackTooLarge,
    MalformedCallback,
    StaleCallback,
    WeComAPIError,
)
from hrbot.channels.wecom.inbound import InboundMessage, read_envelope, read_message
from hrbot.channels.wecom.outbound import (
    is_mapped_key,
    new_task_id,
    offered_payloads,
    resolve_key,
    wecom_bodies,
)
from hrbot.channels.wecom.settings import WeComSettings
from hrbot.dialogue.messages import BotMessage, UserMessage

logger = logging.getLogger(__name__)

CHANNEL_NAME = "wecom"
MAX_CALLBACK_BYTES = 64 * 1024  # an encrypted text message of 2048 bytes is under 4 KB
CLAIM_RETENTION_SECONDS = 2 * 24 * 3600.0  # WeCom retries within seconds; two days is ample
PURGE_INTERVAL_SECONDS = 3600.0
DEFAULT_SHUTDOWN_GRACE_SECONDS = 10.0


class Dialogue(Protocol):
    """What the channel needs of the bot."""

    async def respond(self, message: UserMessage) -> list[BotMessage]:
        """The bot's answers to `message`."""
        ...

    async def recent_bot_messages(self, sender_id: str) -> list[BotMessage]:
        """The bot's latest messages to `sender_id`, newest last (to resolve mapped button keys)."""
        ...


@dataclass(frozen=True)
class ChannelReplies:
    """What the channel itself says, when the bot cannot be asked."""

    unsupported: str = "目前我只能看懂文字消息,请直接用文字描述您的问题,比如「我还有几天年假」。"
    failure: str = "抱歉,系统暂时出了点问题,您的消息没有处理成功,请稍后再试。"
    expired_choice: str = "这个选项已经失效了,请直接告诉我您要办理的事情。"
    clicked_button: str = "已选择"


EMPTY_OK = b""


def _empty() -> Response:
    """WeCom's "received, no passive reply": 200 with an empty body."""
    return Response(EMPTY_OK, status_code=200)


class WeComChannel:
    """One WeCom app's callback routes and the background work that answers its users."""

    def __init__(
        self,
        settings: WeComSettings,
        dialogue: Dialogue,
        api: WeComAPI,
        deduplicator: MessageDeduplicator,
        *,
        now: Callable[[], float] = time.time,
        replies: ChannelReplies = ChannelReplies(),
        task_ids: Callable[[], str] = new_task_id,
        shutdown_grace: float = DEFAULT_SHUTDOWN_GRACE_SECONDS,
    ) -> None:
        self.settings = settings
        self.dialogue = dialogue
        self.api = api
        self.deduplicator = deduplicator
        self.replies = replies
        self.crypto = WeComCrypto(settings.token, settings.encoding_aes_key, settings.corp_id)
        self.dispatcher = SerialDispatcher(CHANNEL_NAME)
        self._now = now
        self._task_ids = task_ids
        self._shutdown_grace = shutdown_grace
        self._background: set[asyncio.Task[None]] = set()
        self._next_purge = 0.0

    def routes(self) -> list[Route]:
        return [Route(self.settings.webhook_path, self.endpoint, methods=["GET", "POST"])]

    async def endpoint(self, request: Request) -> Response:
        try:
            if request.method == "GET":
                return await self._verify_url(request)
            return await self._receive(request)
        except CallbackRejected as rejected:
            client = request.client.host if request.client else "unknown"
            logger.warning("WeCom callback %s from %s refused with %d: %s",
                           request.method, client, rejected.status, rejected.message)
            return PlainTextResponse(rejected.message, status_code=rejected.status)

    # ------------------------------------------------------------------------------ checks

    def _params(self, request: Request, *names: str) -> dict[str, str]:
        values = {name: request.query_params.get(name, "") for name in names}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise MalformedCallback(
                f"the callback URL lacks {', '.join(missing)}, which WeCom always sends: is this the URL "
                "set under the app's 接收消息 (API接收) settings?"
            )
        return values

    def _check_fresh(self, timestamp: str) -> None:
        if not timestamp.isdigit():
            raise MalformedCallback(f"timestamp must be a Unix time in seconds, got {timestamp[:40]!r}")
        skew = self._now() - int(timestamp)
        limit = self.settings.max_clock_skew_seconds
        if abs(skew) > limit:
            direction = "older" if skew > 0 else "newer"
            raise StaleCallback(
                f"the callback's timestamp {timestamp} is {abs(skew):.0f} s {direction} than this "
                f"server's clock (at most {limit:.0f} s are allowed): a replayed request, or this "
                "server's clock is wrong"
            )

    async def _body(self, request: Request) -> bytes:
        too_large = CallbackTooLarge(
            f"the body is larger than {MAX_CALLBACK_BYTES} bytes, which no WeCom callback is"
        )
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_CALLBACK_BYTES:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_CALLBACK_BYTES:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    # ------------------------------------------------------------------------------ handlers

    async def _verify_url(self, request: Request) -> Response:
        """WeCom's check of the callback URL: answer the decrypted echostr as plain text."""
        params = self._params(request, "msg_signature", "timestamp", "nonce", "echostr")
        self._check_fresh(params["timestamp"])
        echostr = params["echostr"].replace(" ", "+")  # an unencoded '+' arrives as a space
        self.crypto.verify(params["msg_signature"], params["timestamp"], params["nonce"], echostr)
        plaintext = self.crypto.decrypt(echostr)
        logger.info("WeCom verified the callback URL of app %s", self.settings.agent_id)
        return PlainTextResponse(plaintext)

    async def _receive(self, request: Request) -> Response:
        params = self._params(request, "msg_signature", "timestamp", "nonce")
        self._check_fresh(params["timestamp"])
        envelope = read_envelope(await self._body(request))
        self.crypto.verify(params["msg_signature"], params["timestamp"], params["nonce"], envelope.encrypted)
        inbound = read_message(self.crypto.decrypt(envelope.encrypted))
        if inbound.agent_id is not None and inbound.agent_id != str(self.settings.agent_id):
            logger.error("WeCom %s is for app %s, not this app (%s); ignored: give each app its own "
                         "callback URL, or check agent_id in credentials.yml",
                         inbound.describe(), inbound.agent_id, self.settings.agent_id)
            return _empty()
        if not (inbound.is_text or inbound.is_card_click or inbound.is_media):
            logger.debug("WeCom %s needs no answer", inbound.describe())
            return _empty()
        return await self._accept(inbound)

    async def _accept(self, inbound: InboundMessage) -> Response:
        """Claim the message and queue it behind the sender's earlier ones."""
        try:
            place = self.dispatcher.reserve(inbound.from_user)
        except DispatcherClosed:
            return PlainTextResponse("the server is shutting down; WeCom will retry", status_code=503)
        with place:
            try:
                fresh = await self.deduplicator.claim(self.settings.scope, inbound.dedup_key(), self._now())
            except Exception as error:
                logger.error("cannot record WeCom %s as received (%s); answered 503 so that WeCom sends it "
                             "again", inbound.describe(), error)
                return PlainTextResponse("cannot record the message right now; retry", status_code=503)
            if not fresh:
                logger.info("WeCom delivered %s again; it was already taken, so this copy is dropped",
                            inbound.describe())
                return _empty()
            place.fill(functools.partial(self._process, inbound))
        self._purge_now_and_then()
        return _empty()

    # ------------------------------------------------------------------------------ background

    async def _process(self, inbound: InboundMessage) -> None:
        user = inbound.from_user
        if inbound.is_media:
            await self._deliver(user, [BotMessage(self.replies.unsupported)])
            return
        if inbound.is_card_click:
            text = await self._clicked_payload(inbound)
            if text is None:
                await self._deliver(user, [BotMessage(self.replies.expired_choice)])
                return
        else:
            text = clean_text(inbound.content or "")
            if len(text) > MAX_MESSAGE_CHARS:
                logger.warning("WeCom %s is %d characters long; only the first %d are read",
                               inbound.describe(), len(text), MAX_MESSAGE_CHARS)
                text = text[:MAX_MESSAGE_CHARS]
            if not text.strip():
                return
        message = UserMessage(text=text, sender_id=user, input_channel=CHANNEL_NAME,
                              metadata=self._metadata(inbound), message_id=inbound.msg_id)
        try:
            replies = await self.dialogue.respond(message)
        except Exception:
            logger.exception("handling WeCom %s failed; the user is asked to try again", inbound.describe())
            replies = [BotMessage(self.replies.failure)]
        await self._deliver(user, replies)

    def _metadata(self, inbound: InboundMessage) -> dict[str, Any]:
        metadata: dict[str, Any] = {
            "corp_id": self.settings.corp_id, "agent_id": inbound.agent_id or str(self.settings.agent_id),
            "chat_type": "single",  # a self-built app talks to one member at a time
            "msg_type": inbound.msg_type, "create_time": inbound.create_time,
        }
        if inbound.msg_id:
            metadata["msg_id"] = inbound.msg_id
        if inbound.is_card_click:
            metadata.update(event=inbound.event, event_key=inbound.event_key, task_id=inbound.task_id,
                            card_type=inbound.card_type)
        return metadata

    async def _clicked_payload(self, inbound: InboundMessage) -> str | None:
        """The payload of the clicked button (None when it cannot be known any more)."""
        if inbound.response_code:
            self._spawn(self._mark_clicked(inbound.from_user, inbound.response_code))
        key = inbound.event_key or ""
        if not key:
            logger.warning("WeCom %s has no EventKey; nothing to answer", inbound.describe())
            return None
        if not is_mapped_key(key):
            return key
        recent = await self.dialogue.recent_bot_messages(inbound.from_user)
        payload = resolve_key(key, offered_payloads(recent))
        if payload is None:
            logger.warning("WeCom %s clicked %r, which matches no button recently offered to the user",
                           inbound.describe(), key)
        return payload

    async def _mark_clicked(self, user: str, response_code: str) -> None:
        """Make the clicked card's buttons inactive for the user, so a choice is made once."""
        try:
            await self.api.update_card_button(user, response_code, self.replies.clicked_button)
        except WeComAPIError as error:
            logger.warning("could not mark a clicked WeCom card as answered for %r: %s", user, error)

    async def _deliver(self, user: str, replies: list[BotMessage]) -> None:
        for reply in replies:
            for body in wecom_bodies(reply, markdown=self.settings.markdown, task_ids=self._task_ids):
                try:
                    await self.api.send_message(user, body)
                except WeComAPIError as error:
                    logger.error("a %s reply to WeCom user %r was not sent: %s",
                                 body.get("msgtype"), user, error)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("WeCom background work failed", exc_info=task.exception())

    def _purge_now_and_then(self) -> None:
        now = self._now()
        if now >= self._next_purge:
            self._next_purge = now + PURGE_INTERVAL_SECONDS
            self._spawn(self._purge(now - CLAIM_RETENTION_SECONDS))

    async def _purge(self, cutoff: float) -> None:
        try:
            forgotten = await self.deduplicator.forget_before(cutoff)
        except Exception as error:
            logger.warning("could not purge old WeCom message claims: %s", error)
            return
        if forgotten:
            logger.debug("purged %d WeCom message claims", forgotten)

    # ------------------------------------------------------------------------------ lifecycle

    async def wait_idle(self, timeout: float | None = None) -> None:
        """Wait until every accepted message has been answered (tests; TimeoutError after `timeout`)."""
        async with asyncio.timeout(timeout):
            await self.dispatcher.wait_idle()
            while self._background:
                await asyncio.wait(list(self._background))

    async def aclose(self) -> None:
        """Finish the messages already accepted (up to the shutdown grace), then close the API
        client and the deduplicator. Call before the stores close: the work needs them."""
        await self.dispatcher.aclose(self._shutdown_grace)
        if self._background:
            _, pending = await asyncio.wait(list(self._background), timeout=self._shutdown_grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self.api.aclose()
        await self.deduplicator.close()
