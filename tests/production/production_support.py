"""What the production tests are made of: switchable TCP forwarders in front of the real
PostgreSQL, Redis and RabbitMQ, a fake HR backend that fails, real `hrbot run` processes, a
client that behaves as a careful REST client does, and readers of what PostgreSQL and RabbitMQ
hold afterwards.

Outages are simulated, never caused: the bots talk to the services through forwarders on
loopback, and switching a forwarder off cuts every open connection and refuses new ones, which
is what the bots see when a server restarts or goes away. The machine's services keep running.

Imported by conftest.py and the test modules of tests/production."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import sqlalchemy as sa

from hrbot_test_support import free_port, subprocess_env

T = TypeVar("T")
JSON = dict[str, Any]
WEBHOOK = "/webhooks/rest/webhook"
STARTUP_TIMEOUT_S = 60.0


def host_port(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def via(url: str, port: int) -> str:
    """`url` with its host and port replaced by the forwarder's 127.0.0.1:`port`."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{port}" if credentials else f"127.0.0.1:{port}"
    return parts._replace(netloc=netloc).geturl()


# ------------------------------------------------------------------------------ forwarders


class BackgroundLoop:
    """An event loop in a thread of its own, so that forwarders keep forwarding while a test
    blocks or runs its own loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="forwarders", daemon=True)
        self._thread.start()

    def call(self, work: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def close(self) -> None:
        async def cancel_the_rest() -> None:
            current = asyncio.current_task()
            tasks = [task for task in asyncio.all_tasks() if task is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.call(cancel_the_rest())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


class Forwarder:
    """A TCP forwarder from 127.0.0.1:`port` to `target` that can be switched off (open
    connections are cut, new ones refused: nothing listens) and on again on the same port."""

    def __init__(self, name: str, target: tuple[str, int], loop: BackgroundLoop) -> None:
        self.name = name
        self.target = target
        self.port = free_port()
        self._loop = loop
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self.connections = 0

    @property
    def is_on(self) -> bool:
        return self._server is not None

    def on(self) -> None:
        if self._server is None:
            self._server = self._loop.call(
                asyncio.start_server(self._link, "127.0.0.1", self.port, reuse_address=True)
            )

    def off(self) -> None:
        if self._server is not None:
            self._loop.call(self._stop())

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """The service is unreachable inside the block (and reachable again after it)."""
        self.off()
        try:
            yield
        finally:
            self.on()

    async def _stop(self) -> None:
        server, self._server = self._server, None
        assert server is not None
        server.close()
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()
        await server.wait_closed()

    async def _link(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        if self._server is None:  # switched off while connecting
            client_writer.transport.abort()
            server_writer.transport.abort()
            return
        self._links.update((client_writer, server_writer))

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.transport.abort()
                self._links.discard(writer)

        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))


# ------------------------------------------------------------------------------ fake HR backend


class FailingHRBackend:
    """An HR backend that answers every request with HTTP 500, counting them."""

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _fail(self) -> None:
                owner.requests.append(f"{self.command} {self.path}")
                body = json.dumps({"error": "internal", "message": "database is on fire"}).encode()
                self.send_response(500)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _fail

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


# ------------------------------------------------------------------------------ the bots


@dataclass
class Bot:
    """One `hrbot run` process of the project, on its own port."""

    name: str
    project: Path
    endpoints: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.project / f"{self.name}.log"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        env = subprocess_env(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hrbot.cli.main", "run", "--endpoints", str(self.endpoints),
                 "--port", str(self.port), "--trust-sender"],
                cwd=self.project, env=env, stdout=log, stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/status", timeout=1.0).status_code == 200:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer /status within {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine or the OOM killer ends it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def log_tail(self, lines: int = 60) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def start_bots(bots: Sequence[Bot]) -> None:
    """Start the bots side by side and wait until every one answers."""
    for bot in bots:
        bot.start()
    for bot in bots:
        bot.wait_ready()


# ------------------------------------------------------------------------------ the cluster


@dataclass(frozen=True)
class Services:
    """The real services' URLs (the bots reach them through the forwarders)."""

    postgres: str
    redis: str
    rabbitmq: str


@dataclass
class Forwarders:
    """One switchable forwarder in front of each service."""

    postgres: Forwarder
    redis: Forwarder
    rabbitmq: Forwarder

    def all(self) -> list[Forwarder]:
        return [self.postgres, self.redis, self.rabbitmq]


@dataclass
class Cluster:
    """The bots and everything they share. `schema`, `key_prefix`, `exchange` and `queue` are
    this run's own names in PostgreSQL, Redis and RabbitMQ."""

    bots: list[Bot]
    forwarders: Forwarders
    services: Services
    database: sa.Engine  # straight to PostgreSQL, not through the forwarder
    schema: str
    key_prefix: str
    exchange: str
    queue: str
    buffer_folder: Path

    def urls(self) -> list[str]:
        return [bot.url for bot in self.bots]

    def make_healthy(self) -> None:
        """Every service reachable and every bot running (a killed one is started again)."""
        for forwarder in self.forwarders.all():
            forwarder.on()
        dead = [bot for bot in self.bots if not bot.alive]
        if dead:
            start_bots(dead)


# ------------------------------------------------------------------------------ the client


RETRYABLE_STATUS = frozenset({503})
RETRYABLE_ERRORS = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


@dataclass
class Delivery:
    """What became of one user message: every attempt's outcome ("200", "503",
    "ConnectError", ...), the bot's messages (from the answer, or read back from the tracker
    when the answer was lost) and, for a failure no client could retry, what went wrong."""

    sender: str
    text: str
    message_id: str
    attempts: list[str] = field(default_factory=list)
    replies: list[JSON] | None = None
    recovered: bool = False
    error: str | None = None
    refusals: list[str] = field(default_factory=list)  # the bodies of 503 answers

    @property
    def reply_text(self) -> str:
        return "\n".join(str(reply.get("text") or "") for reply in self.replies or [])


class CarefulClient:
    """A REST client as a production front end would be: at most `concurrency` requests in
    flight; a retryable failure (connection refused or reset, HTTP 503) is retried on the next
    bot, but only after the conversation was read back and the message found missing, so a
    message the bot stored before its answer was lost is not sent twice."""

    def __init__(self, urls: Callable[[], Sequence[str]], concurrency: int, *,
                 patience: float = 30.0) -> None:
        self._urls = urls
        self._slots = asyncio.Semaphore(concurrency)
        self._patience = patience
        limits = httpx.Limits(max_connections=concurrency + 8, max_keepalive_connections=concurrency + 8)
        self.http = httpx.AsyncClient(timeout=30.0, limits=limits)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def send(self, sender: str, text: str, message_id: str, *, first: int = 0) -> Delivery:
        delivery = Delivery(sender, text, message_id)
        deadline = time.monotonic() + self._patience
        target = first
        while True:
            urls = self._urls()
            outcome, replies = await self._post(urls[target % len(urls)], delivery)
            delivery.attempts.append(outcome)
            if replies is not None:
                delivery.replies = replies
                return delivery
            if outcome.startswith("failed"):
                delivery.error = outcome
                return delivery
            # retryable: find out whether the bot stored the message before trying again
            while True:
                if time.monotonic() > deadline:
                    delivery.error = f"still failing after {self._patience} s: {delivery.attempts}"
                    return delivery
                await asyncio.sleep(0.2)
                found = await self.stored_reply(sender, message_id)
                if found is not None:
                    break
            stored, replies = found
            if stored:
                delivery.replies, delivery.recovered = replies, True
                return delivery
            target += 1

    async def _post(self, url: str, delivery: Delivery) -> tuple[str, list[JSON] | None]:
        body = {"sender": delivery.sender, "message": delivery.text, "message_id": delivery.message_id}
        async with self._slots:
            try:
                response = await self.http.post(url + WEBHOOK, json=body)
            except RETRYABLE_ERRORS as error:
                return type(error).__name__, None
            except httpx.HTTPError as error:
                return f"failed: {type(error).__name__}: {error}", None
        if response.status_code in RETRYABLE_STATUS:
            delivery.refusals.append(response.text)
            return str(response.status_code), None
        if response.status_code != 200:
            return f"failed: HTTP {response.status_code}: {response.text[:300]}", None
        answer = response.json()
        if not isinstance(answer, list) or not answer:
            return f"failed: answer {answer!r} is not a non-empty list of messages", None
        return "200", answer

    async def stored_reply(self, sender: str, message_id: str) -> tuple[bool, list[JSON]] | None:
        """(False, []) when the conversation does not hold the message, (True, the bot's
        messages after it) when it does, None when no bot can tell right now."""
        for url in self._urls():
            try:
                response = await self.http.get(f"{url}/conversations/{sender}/tracker",
                                               params={"include_events": "ALL"})
            except httpx.HTTPError:
                continue
            if response.status_code != 200:
                continue
            events = response.json().get("events") or []
            return replies_after(events, message_id)
        return None


def replies_after(events: Sequence[JSON], message_id: str) -> tuple[bool, list[JSON]]:
    """Whether the user message `message_id` is among `events`, and the bot's messages that
    answered it (the `bot` events up to the next user message)."""
    for index, event in enumerate(events):
        if event.get("event") == "user" and event.get("message_id") == message_id:
            replies = []
            for later in events[index + 1:]:
                if later.get("event") == "user":
                    break
                if later.get("event") == "bot":
                    replies.append({"text": later.get("text")})
            return True, replies
    return False, []


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine function on a fresh loop of the test's thread."""
    async def main() -> T:
        return await work()

    return asyncio.run(main())


# ------------------------------------------------------------------------------ what the services hold


def stored_conversations(engine: sa.Engine, schema: str, prefix: str) -> dict[str, list[JSON]]:
    """Every conversation whose sender starts with `prefix`, read straight from PostgreSQL:
    sender -> its events in insertion order."""
    query = sa.text(
        f'SELECT sender_id, data FROM "{schema}".events WHERE sender_id LIKE :prefix ORDER BY id'
    )
    found: dict[str, list[JSON]] = {}
    with engine.connect() as connection:
        for sender, data in connection.execute(query, {"prefix": prefix + "%"}):
            found.setdefault(sender, []).append(json.loads(data))
    return found


async def bind_queue(rabbitmq_url: str, exchange: str, queue: str) -> None:
    """A queue of the test's own, bound to the bots' exchange (which exists once a bot
    started). RabbitMQ deletes it by itself ten minutes after its last use, should the test
    run end before deleting it."""
    import aio_pika

    connection = await aio_pika.connect(rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        found = await channel.declare_exchange(exchange, aio_pika.ExchangeType.FANOUT)
        declared = await channel.declare_queue(queue, durable=True, arguments={"x-expires": 600_000})
        await declared.bind(found, routing_key="")


async def delete_queue(rabbitmq_url: str, queue: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)


Received = list[tuple[str, JSON]]


async def drain_queue(rabbitmq_url: str, queue: str, *, settle: float = 1.0, wait: float = 20.0,
                      enough: Callable[[Received], bool] = lambda got: True) -> Received:
    """(message id, body) of every message in `queue`, in order, once `enough` says so (or
    after `wait` seconds) and nothing more arrived for `settle` seconds."""
    import aio_pika

    got: list[tuple[str, JSON]] = []
    connection = await aio_pika.connect(rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=1000)
        found = await channel.get_queue(queue)
        arrived = asyncio.Event()

        async def take(message: Any) -> None:
            got.append((str(message.message_id), json.loads(message.body)))
            arrived.set()
            await message.ack()

        tag = await found.consume(take)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while loop.time() < deadline:
            arrived.clear()
            try:
                await asyncio.wait_for(arrived.wait(), settle)
            except TimeoutError:
                if enough(got):
                    break
        await found.cancel(tag)
    return got


def pythonpath(*paths: Path) -> str:
    """`paths` ahead of the current PYTHONPATH."""
    return os.pathsep.join(p for p in [*(str(path) for path in paths), os.environ.get("PYTHONPATH", "")] if p)
