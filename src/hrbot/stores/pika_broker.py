"""Every tracker event published to RabbitMQ (`event_broker: type: pika`), as Rasa's
PikaEventBroker does: a JSON message per event (Rasa's event dict with `sender_id`) sent to a
fanout exchange (`exchange_name`, default "rasa-exchange") to which the durable `queues` are
bound; messages are persistent.

hrbot adds what Rasa leaves out:

- publisher confirms: an event counts as published only when RabbitMQ confirmed it;
- RabbitMQ down (or a confirm not arriving within `publish_timeout`): the events go to the
  on-disk buffer (event_buffer.py) instead, the broker reconnects every
  `retry_delay_in_seconds` and resends them in order; while anything is buffered, new events
  queue up behind it, so the order of a conversation's events is kept across an outage;
- each message carries a `message_id` that stays the same when it is resent, so consumers can
  drop the rare repeat (a confirm lost just as the connection broke).

`raise_on_failure: true` makes a failed publish raise StoreUnavailableError after the events
were buffered (the HTTP API then answers 503); by default the failure is logged and the turn
goes on. `should_keep_unpublished_messages: false` drops undeliverable events instead of
buffering them, with an error in the log for each batch.

The broker uses aio-pika on the running event loop; publishing waits for RabbitMQ's confirm
(a fraction of a millisecond on a LAN), never blocking the loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from hrbot.shared.endpoints import EndpointConfig
from hrbot.shared.errors import MissingDependencyError
from hrbot.shared.problems import Location
from hrbot.stores.base import StoreUnavailableError, run_to_completion
from hrbot.stores.event_buffer import BufferedMessage, DiskEventBuffer

logger = logging.getLogger(__name__)

DEFAULT_PORT = 5672
DEFAULT_EXCHANGE = "rasa-exchange"  # Rasa's RABBITMQ_EXCHANGE
DEFAULT_QUEUE = "rasa_core_events"  # Rasa's DEFAULT_QUEUE_NAME
DEFAULT_BUFFER_FOLDER = "event_buffer"
DEFAULT_RETRY_DELAY = 5.0  # seconds, Rasa's retry_delay_in_seconds
DEFAULT_PUBLISH_TIMEOUT = 10.0
_RESEND_BATCH = 200


@dataclass(frozen=True)
class PikaSettings:
    """Where RabbitMQ is and how hrbot publishes to it."""

    url: str  # amqp(s):// URL with credentials
    display_url: str  # the same with the password hidden
    buffer_folder: Path
    queues: tuple[str, ...] = (DEFAULT_QUEUE,)
    exchange_name: str = DEFAULT_EXCHANGE
    raise_on_failure: bool = False
    keep_unpublished: bool = True
    retry_delay: float = DEFAULT_RETRY_DELAY
    publish_timeout: float = DEFAULT_PUBLISH_TIMEOUT
    source: Location | None = None

    def where(self) -> str:
        return f" (configured at {self.source})" if self.source else ""


def pika_settings(config: EndpointConfig, project_dir: Path) -> PikaSettings:
    """The settings of a validated `event_broker` section. As in Rasa, `url` is the host
    (default localhost) and username/password/port are separate keys; an amqp:// or amqps://
    URL is accepted too (the separate keys win over what it holds)."""
    kwargs = config.kwargs
    host = config.url or "localhost"
    scheme, vhost, url_user, url_password, url_port = "amqp", "", None, None, None
    if "://" in host:
        parts = urlsplit(host)
        scheme, vhost = parts.scheme, parts.path.lstrip("/")
        url_user = unquote(parts.username) if parts.username else None
        url_password = unquote(parts.password) if parts.password else None
        url_port = parts.port
        host = parts.hostname or "localhost"
    username = str(kwargs.get("username") or url_user or "guest")
    password = str(kwargs.get("password") or url_password or "guest")
    port = int(kwargs.get("port") or url_port or DEFAULT_PORT)
    path = f"/{quote(vhost, safe='')}" if vhost else ""
    queues = kwargs.get("queues") or kwargs.get("queue") or [DEFAULT_QUEUE]
    folder = Path(str(kwargs.get("buffer_folder") or DEFAULT_BUFFER_FOLDER))
    return PikaSettings(
        url=f"{scheme}://{quote(username, safe='')}:{quote(password, safe='')}@{host}:{port}{path}",
        display_url=f"{scheme}://{quote(username, safe='')}:***@{host}:{port}{path}",
        buffer_folder=folder if folder.is_absolute() else Path(project_dir).resolve() / folder,
        queues=tuple([queues] if isinstance(queues, str) else (str(queue) for queue in queues)),
        exchange_name=str(kwargs.get("exchange_name") or DEFAULT_EXCHANGE),
        raise_on_failure=bool(kwargs.get("raise_on_failure", False)),
        keep_unpublished=bool(kwargs.get("should_keep_unpublished_messages", True)),
        retry_delay=float(kwargs.get("retry_delay_in_seconds", DEFAULT_RETRY_DELAY)),
        publish_timeout=float(kwargs.get("publish_timeout", DEFAULT_PUBLISH_TIMEOUT)),
        source=config.source,
    )


def _aio_pika() -> Any:
    try:
        import aio_pika
    except ImportError:
        raise MissingDependencyError(
            "aio-pika", "the RabbitMQ event broker (event_broker: type: pika)"
        ) from None
    return aio_pika


class PikaEventBroker:
    """Publishes message bodies to RabbitMQ with confirms, buffering them on disk while it is
    unreachable. One connection and channel per process (per event loop)."""

    def __init__(self, settings: PikaSettings, *, buffer: DiskEventBuffer | None = None) -> None:
        self.settings = settings
        self.buffer = buffer if buffer is not None else DiskEventBuffer(settings.buffer_folder)
        self._aio_pika = _aio_pika()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connection: Any = None
        self._channel: Any = None
        self._exchange: Any = None
        self._connect_lock: asyncio.Lock | None = None
        self._resender: asyncio.Task[None] | None = None
        self._more_buffered = False
        self._in_outage = False

    # -- public -----------------------------------------------------------------------------

    async def connect(self) -> None:
        """Connect now rather than at the first event, and resend what an earlier run left in
        the buffer. An unreachable broker raises StoreUnavailableError with
        `raise_on_failure`, else it is logged and retried in the background."""
        self._use_running_loop()
        try:
            await self._ready_exchange()
        except Exception as error:
            self._drop_connection()
            self._report_outage(error)
            if self.settings.raise_on_failure:
                raise self._unavailable(error) from None
        if self.buffer.has_backlog():
            self._start_resending()

    async def publish(self, bodies: Sequence[dict[str, Any]]) -> None:
        """Publish each body in order, or buffer what could not be published; returns once
        every body is confirmed by RabbitMQ or safely on disk (even if the caller is
        cancelled meanwhile)."""
        if not bodies:
            return
        self._use_running_loop()
        messages = [BufferedMessage(uuid.uuid4().hex, dict(body)) for body in bodies]
        await run_to_completion(lambda: self._publish(messages))

    async def wait_until_sent(self, timeout: float) -> bool:
        """Wait (at most `timeout` seconds) until nothing is buffered any more; whether so."""
        self._use_running_loop()
        try:
            async with asyncio.timeout(timeout):
                while self._resender is not None and not self._resender.done():
                    await asyncio.shield(self._resender)
        except TimeoutError:
            return False
        return not self.buffer.has_backlog()

    async def close(self) -> None:
        """Stop resending and close the connection; buffered events stay on disk and are
        resent by the next process that starts with this buffer folder."""
        resender, self._resender = self._resender, None
        if resender is not None and not resender.done():
            resender.cancel()
            await asyncio.wait([resender])
        if self.buffer.has_backlog():
            logger.warning(
                "event broker %s: %d events are still buffered in %s; they are sent when hrbot "
                "starts again and RabbitMQ is reachable", self.settings.display_url,
                self.buffer.pending(), self.settings.buffer_folder,
            )
        connection, self._connection, self._exchange = self._connection, None, None
        if connection is not None and self._loop is asyncio.get_running_loop():
            with suppress(Exception):
                await connection.close()
        self.buffer.close()

    # -- publishing ---------------------------------------------------------------------------

    async def _publish(self, messages: list[BufferedMessage]) -> None:
        if self.buffer.has_backlog():
            await self._buffer(messages, reason="earlier events are still waiting to be resent")
            return
        sent = 0
        try:
            exchange = await self._ready_exchange()
            for message in messages:
                await self._send(exchange, message)
                sent += 1
        except Exception as error:
            self._drop_connection()
            self._report_outage(error)
            await self._buffer(messages[sent:], reason=str(error))
            if self.settings.raise_on_failure:
                raise self._unavailable(error) from None

    async def _send(self, exchange: Any, message: BufferedMessage) -> None:
        aio_pika = self._aio_pika
        await exchange.publish(
            aio_pika.Message(
                json.dumps(message.body).encode("utf-8"),
                message_id=message.message_id,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key="",
            mandatory=False,
            timeout=self.settings.publish_timeout,
        )

    async def _buffer(self, messages: list[BufferedMessage], *, reason: str) -> None:
        if not self.settings.keep_unpublished:
            logger.error(
                "event broker %s: dropped %d events that could not be published (%s), because "
                "should_keep_unpublished_messages is false", self.settings.display_url, len(messages), reason,
            )
            return
        try:
            path = await asyncio.to_thread(self.buffer.append, messages)
        except OSError as error:
            logger.error(
                "event broker %s: %d events could neither be published nor buffered (%s); they are "
                "lost: %s", self.settings.display_url, len(messages), error,
                json.dumps([message.body for message in messages], ensure_ascii=False),
            )
            raise self._unavailable(error) from None
        logger.debug("event broker: buffered %d events in %s", len(messages), path)
        self._more_buffered = True
        self._start_resending()

    # -- the connection -----------------------------------------------------------------------

    def _use_running_loop(self) -> None:
        """Connections belong to one event loop; a call from another loop starts afresh (the
        old loop's connection cannot be used, or closed, from here)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._connection = self._exchange = self._resender = None
            self._connect_lock = asyncio.Lock()

    async def _ready_exchange(self) -> Any:
        assert self._connect_lock is not None
        async with self._connect_lock:
            if self._exchange is not None and not self._channel.is_closed and not self._connection.is_closed:
                return self._exchange
            self._drop_connection()
            aio_pika = self._aio_pika
            connection = await aio_pika.connect(self.settings.url, timeout=self.settings.publish_timeout)
            try:
                channel = await connection.channel(publisher_confirms=True)
                exchange = await channel.declare_exchange(
                    self.settings.exchange_name, aio_pika.ExchangeType.FANOUT
                )
                for name in self.settings.queues:
                    queue = await channel.declare_queue(name, durable=True)
                    await queue.bind(exchange, routing_key="")
            except BaseException:
                with suppress(Exception):
                    await connection.close()
                raise
            self._connection, self._channel, self._exchange = connection, channel, exchange
            if self._in_outage:
                logger.info("event broker %s is reachable again", self.settings.display_url)
                self._in_outage = False
            else:
                logger.info("event broker: connected to RabbitMQ at %s", self.settings.display_url)
            return exchange

    def _drop_connection(self) -> None:
        connection, self._connection, self._channel, self._exchange = self._connection, None, None, None
        if connection is not None and not connection.is_closed:
            task = asyncio.ensure_future(connection.close())
            task.add_done_callback(_ignore_result)

    def _report_outage(self, error: BaseException) -> None:
        if self._in_outage:
            logger.debug("event broker %s still unreachable: %s", self.settings.display_url, error)
            return
        self._in_outage = True
        keep = (f"events are kept in {self.settings.buffer_folder} and resent in order when it is back "
                f"(retrying every {self.settings.retry_delay:g} s)" if self.settings.keep_unpublished
                else "events are dropped (should_keep_unpublished_messages is false)")
        logger.error("event broker %s%s cannot be used: %s: %s; %s", self.settings.display_url,
                     self.settings.where(), type(error).__name__, error or "no reason given", keep)

    def _unavailable(self, error: BaseException) -> StoreUnavailableError:
        kept = (f"events are buffered in {self.settings.buffer_folder} and resent when RabbitMQ is "
                "reachable" if self.settings.keep_unpublished else "events are dropped meanwhile")
        return StoreUnavailableError(
            f"cannot publish to the event broker {self.settings.display_url}{self.settings.where()}: "
            f"{type(error).__name__}: {error}; {kept}; check that RabbitMQ is running and that url, "
            "port, username and password of event_broker in endpoints.yml are right"
        )

    # -- resending ----------------------------------------------------------------------------

    def _start_resending(self) -> None:
        self._more_buffered = True
        if self._resender is None or self._resender.done():
            self._resender = asyncio.create_task(self._resend(), name="hrbot-event-broker-resend")

    async def _resend(self) -> None:
        """Send the buffer, oldest first, until it is empty; on failure wait and try again."""
        resent = 0
        while True:
            try:
                exchange = await self._ready_exchange()
                while True:
                    self._more_buffered = False
                    batch = await asyncio.to_thread(self.buffer.peek, _RESEND_BATCH)
                    if not batch:
                        if self._more_buffered:
                            continue  # something was buffered while we looked
                        break
                    for message, position in batch:
                        await self._send(exchange, message)
                        self.buffer.mark_sent(position)
                        resent += 1
                if resent:
                    logger.info("event broker %s: resent %d buffered events; the buffer is empty",
                                self.settings.display_url, resent)
                await asyncio.to_thread(self.buffer.rescan)
                if not self.buffer.has_backlog():
                    return
            except Exception as error:
                self._drop_connection()
                self._report_outage(error)
                await asyncio.sleep(self.settings.retry_delay)


def _ignore_result(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()
