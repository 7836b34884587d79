"""The RabbitMQ event broker: every stored event is published in Rasa's shape with publisher
confirms; while RabbitMQ is unreachable events wait on disk and arrive later, in order, once.

Outages are made with a TCP forwarder in front of the real RabbitMQ that the test switches off
(refusing and cutting connections) and on again. Tests that need RabbitMQ skip without it
(fail under CI); the rest need no server."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import pytest
from store_test_support import greeting_processor

from hrbot.dialogue.messages import UserMessage
from hrbot.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from hrbot.shared.endpoints import parse_endpoints
from hrbot.shared.errors import InvalidProjectError
from hrbot.stores.base import StoreUnavailableError
from hrbot.stores.event_buffer import BufferedMessage, DiskEventBuffer
from hrbot.stores.factory import Stores, create_event_broker, create_stores
from hrbot.stores.memory import InMemoryTrackerStore
from hrbot.stores.pika_broker import PikaEventBroker, pika_settings
from hrbot.stores.streaming import StreamingTrackerStore

pytestmark = pytest.mark.timeout(20)


class Forwarder:
    """A TCP forwarder on `port` to RabbitMQ that can be switched off (new connections are
    refused, open ones are cut) and on again."""

    def __init__(self, port: int, target: str) -> None:
        parts = urlsplit(target)
        self.port = port
        self.target = (parts.hostname or "127.0.0.1", parts.port or 5672)
        self._server: asyncio.Server | None = None
        self._links: list[asyncio.StreamWriter] = []

    async def on(self) -> None:
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def off(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._links:
            writer.transport.abort()
        self._links.clear()
        await self._server.wait_closed()

    async def _link(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._links += [client_writer, server_writer]

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.transport.abort()

        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))


@pytest.fixture
def names(rabbitmq_url: str) -> Iterator[tuple[str, str]]:
    """(queue, exchange) only this test uses; deleted afterwards."""
    queue, exchange = f"hrbot_test_{uuid.uuid4().hex[:10]}", f"hrbot_test_ex_{uuid.uuid4().hex[:10]}"
    yield queue, exchange

    async def delete() -> None:
        connection = await aio_pika.connect(rabbitmq_url)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(queue)
            await channel.exchange_delete(exchange)

    asyncio.run(delete())


def broker_section(names: tuple[str, str], buffer: Path, *, url: str = "127.0.0.1", port: int | None = None,
                   extra: str = "") -> str:
    queue, exchange = names
    return (
        f"event_broker:\n  type: pika\n  url: {url}\n"
        + (f"  port: {port}\n" if port else "")
        + f"  username: guest\n  password: guest\n  queues: [{queue}]\n  exchange_name: {exchange}\n"
        f"  retry_delay_in_seconds: 0.05\n  publish_timeout: 3\n  buffer_folder: {buffer}\n{extra}"
    )


def open_stores(text: str, project: Path) -> Stores:
    return create_stores(parse_endpoints("tracker_store:\n  type: memory\n" + text, environ={}), project)


async def received(rabbitmq_url: str, queue_name: str, count: int, wait: float = 5.0) -> list[Any]:
    """The messages in the queue once there are `count` (or what came within `wait` seconds),
    and anything more that arrives in the next moment."""
    connection = await aio_pika.connect(rabbitmq_url)
    messages: list[Any] = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name)
        deadline = asyncio.get_running_loop().time() + wait
        while asyncio.get_running_loop().time() < deadline:
            message = await queue.get(no_ack=True, fail=False)
            if message is None:
                if len(messages) >= count:
                    await asyncio.sleep(0.1)  # a late duplicate would show up now
                    if (late := await queue.get(no_ack=True, fail=False)) is not None:
                        messages.append(late)
                    break
                await asyncio.sleep(0.02)
                continue
            messages.append(message)
    return messages


def bodies(messages: list[Any]) -> list[dict[str, Any]]:
    return [json.loads(message.body) for message in messages]


def said(number: int) -> Event:
    return UserUttered(timestamp=1700000000.0 + number, text=f"第{number}条消息")


def texts(messages: list[Any]) -> list[str]:
    return [body["text"] for body in bodies(messages)]


def buffer_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("events-*.jsonl")) if folder.is_dir() else []


# ---------------------------------------------------------------------------------------------
# publishing


def test_store_event_broker_every_event_of_a_turn_is_published_as_rasa_does(
    rabbitmq_url: str, names: tuple[str, str], tmp_path: Path
) -> None:
    stores = open_stores(broker_section(names, tmp_path / "buffer", url=rabbitmq_url), tmp_path)
    bot = greeting_processor(tmp_path, stores.tracker_store, stores.lock_store)

    async def scenario() -> tuple[list[Event], list[Any]]:
        await stores.start()
        result = await bot.handle_message(UserMessage("你好", "alice"))
        # publishing waited for RabbitMQ's confirms: everything is in the queue already
        arrived = await received(rabbitmq_url, names[0], len(result.tracker.events), wait=0.5)
        await stores.close()
        return list(result.tracker.events), arrived

    events, arrived = asyncio.run(scenario())

    assert bodies(arrived) == [{"sender_id": "alice", **event.to_dict()} for event in events]
    assert {"user", "action", "bot"} <= {body["event"] for body in bodies(arrived)}
    assert all(isinstance(body["timestamp"], float) for body in bodies(arrived))
    assert len({message.message_id for message in arrived}) == len(arrived)
    assert {message.delivery_mode for message in arrived} == {aio_pika.DeliveryMode.PERSISTENT}
    assert buffer_files(tmp_path / "buffer") == []


def test_store_event_broker_an_event_stored_without_a_timestamp_is_published_with_one(
    rabbitmq_url: str, names: tuple[str, str], tmp_path: Path
) -> None:
    stores = open_stores(broker_section(names, tmp_path / "buffer", url=rabbitmq_url), tmp_path)

    async def scenario() -> list[Any]:
        await stores.tracker_store.append("alice", [SlotSet(timestamp=None, name="dept", value="HR")])
        arrived = await received(rabbitmq_url, names[0], 1)
        await stores.close()
        return arrived

    (body,) = bodies(asyncio.run(scenario()))

    assert body["sender_id"] == "alice" and body["event"] == "slot" and body["value"] == "HR"
    assert isinstance(body["timestamp"], float) and body["timestamp"] > 1.7e9


# ---------------------------------------------------------------------------------------------
# outages


def test_store_event_broker_events_stored_while_rabbitmq_is_down_arrive_in_order_once_it_is_back(
    rabbitmq_url: str, names: tuple[str, str], tmp_path: Path, unused_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    buffer = tmp_path / "buffer"
    stores = open_stores(broker_section(names, buffer, port=unused_port), tmp_path)
    rabbitmq = Forwarder(unused_port, rabbitmq_url)

    async def scenario() -> tuple[list[Path], int, list[Any]]:
        step = ActionExecuted(timestamp=5.0, name="x")
        for number in range(3):  # RabbitMQ is down: nothing listens on the port
            await stores.tracker_store.append("alice", [said(number), step])
        files = buffer_files(buffer)
        lines = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in files)
        await rabbitmq.on()
        await stores.tracker_store.append("alice", [said(3)])  # queues up behind the buffered ones
        assert stores.event_broker is not None
        assert await stores.event_broker.wait_until_sent(5)  # type: ignore[attr-defined]
        arrived = await received(rabbitmq_url, names[0], 7)
        await stores.close()
        await rabbitmq.off()
        return files, lines, arrived

    with caplog.at_level(logging.INFO, logger="hrbot.stores.pika_broker"):
        files, lines, arrived = asyncio.run(scenario())

    assert len(files) == 1 and lines == 6
    assert [body.get("text") or body.get("name") for body in bodies(arrived)] == [
        "第0条消息", "x", "第1条消息", "x", "第2条消息", "x", "第3条消息"]
    assert buffer_files(buffer) == []
    assert f"amqp://guest:***@127.0.0.1:{unused_port}" in caplog.text
    assert f"events are kept in {buffer}" in caplog.text
    assert "resent 7 buffered events" in caplog.text


def test_store_event_broker_a_connection_lost_while_running_loses_nothing_and_repeats_nothing(
    rabbitmq_url: str, names: tuple[str, str], tmp_path: Path, unused_port: int,
) -> None:
    stores = open_stores(broker_section(names, tmp_path / "buffer", port=unused_port), tmp_path)
    rabbitmq = Forwarder(unused_port, rabbitmq_url)

    async def scenario() -> list[Any]:
        await rabbitmq.on()
        await stores.tracker_store.append("alice", [said(0)])
        await rabbitmq.off()  # cuts the open connection
        await stores.tracker_store.append("alice", [said(1)])
        await stores.tracker_store.append("bob", [said(2)])
        assert len(buffer_files(tmp_path / "buffer")) == 1
        await rabbitmq.on()
        await stores.tracker_store.append("alice", [said(3)])
        assert await stores.event_broker.wait_until_sent(5)  # type: ignore[union-attr]
        await stores.tracker_store.append("alice", [said(4)])
        arrived = await received(rabbitmq_url, names[0], 5)
        await stores.close()
        await rabbitmq.off()
        return arrived

    arrived = asyncio.run(scenario())

    assert texts(arrived) == ["第0条消息", "第1条消息", "第2条消息", "第3条消息", "第4条消息"]
    assert [body["sender_id"] for body in bodies(arrived)] == ["alice", "alice", "bob", "alice", "alice"]


def test_store_event_broker_events_left_on_disk_by_an_ended_process_are_sent_by_the_next(
    rabbitmq_url: str, names: tuple[str, str], tmp_path: Path, unused_port: int,
) -> None:
    buffer = tmp_path / "buffer"
    first = open_stores(broker_section(names, buffer, port=unused_port), tmp_path)

    async def first_run() -> None:
        await first.tracker_store.append("alice", [said(0), said(1)])
        await first.close()  # RabbitMQ never came back while it ran

    async def second_run() -> list[Any]:
        second = open_stores(broker_section(names, buffer, url=rabbitmq_url), tmp_path)
        await second.start()
        await second.tracker_store.append("alice", [said(2)])
        arrived = await received(rabbitmq_url, names[0], 3)
        await second.close()
        return arrived

    asyncio.run(first_run())
    left = buffer_files(buffer)
    arrived = asyncio.run(second_run())

    assert len(left) == 1
    assert texts(arrived) == ["第0条消息", "第1条消息", "第2条消息"]
    assert buffer_files(buffer) == []


def test_store_event_broker_raise_on_failure_raises_but_still_keeps_the_events(
    tmp_path: Path, unused_port: int
) -> None:
    text = broker_section(("q", "ex"), tmp_path / "buffer", port=unused_port,
                          extra="  raise_on_failure: true\n")
    stores = open_stores(text, tmp_path)

    async def scenario() -> tuple[int, int]:
        with pytest.raises(StoreUnavailableError, match=f"amqp://guest:\\*\\*\\*@127.0.0.1:{unused_port}"):
            await stores.start()
        with pytest.raises(StoreUnavailableError, match="events are buffered in"):
            await stores.tracker_store.append("alice", [said(0), said(1)])
        pending = stores.event_broker.buffer.pending()  # type: ignore[union-attr]
        stored = await stores.tracker_store.retrieve("alice")
        await stores.close()
        return pending, len(stored or [])

    pending, stored = asyncio.run(scenario())

    assert (pending, stored) == (2, 2)  # kept in the tracker store and in the buffer


def test_store_event_broker_may_be_told_to_drop_what_it_cannot_send_and_says_so(
    tmp_path: Path, unused_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    text = broker_section(("q", "ex"), tmp_path / "buffer", port=unused_port,
                          extra="  should_keep_unpublished_messages: false\n")
    stores = open_stores(text, tmp_path)

    async def scenario() -> None:
        await stores.tracker_store.append("alice", [said(0)])
        await stores.close()

    with caplog.at_level(logging.ERROR, logger="hrbot.stores.pika_broker"):
        asyncio.run(scenario())

    assert "dropped 1 events" in caplog.text
    assert buffer_files(tmp_path / "buffer") == []


# ---------------------------------------------------------------------------------------------
# the disk buffer


def message(number: int) -> BufferedMessage:
    return BufferedMessage(f"id-{number}", {"sender_id": "alice", "event": "user", "text": f"第{number}条"})


def test_store_event_broker_buffer_of_a_live_process_is_not_taken_by_another(tmp_path: Path) -> None:
    running, starting = DiskEventBuffer(tmp_path), DiskEventBuffer(tmp_path)
    running.append([message(0), message(1)])

    taken_while_running = starting.has_backlog()
    running.close()  # the process ends with its events unsent
    starting.rescan()
    adopted = [found.body["text"] for found, _position in starting.peek(10)]
    starting.close()

    assert taken_while_running is False
    assert adopted == ["第0条", "第1条"]


def test_store_event_broker_buffer_skips_the_half_written_last_line_of_a_dead_process(tmp_path: Path) -> None:
    (tmp_path / "events-00000000000000000001-1-dead.jsonl").write_bytes(
        message(0).to_line() + b"not json\n" + message(1).to_line() + message(2).to_line()[:20]
    )
    buffer = DiskEventBuffer(tmp_path)

    assert buffer.has_backlog()
    batch = buffer.peek(10)
    for _message, position in batch:
        buffer.mark_sent(position)

    assert [found.message_id for found, _position in batch] == ["id-0", "id-1"]
    assert buffer.peek(10) == []
    assert not buffer.has_backlog() and buffer_files(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# configuration


def test_store_event_broker_reads_rasas_keys(tmp_path: Path) -> None:
    config = parse_endpoints(
        "event_broker:\n  type: pika\n  url: mq.internal\n  port: '5673'\n  username: hrbot\n"
        "  password: 'p@ss'\n  queue: hr_events\n  exchange_name: hr-exchange\n  raise_on_failure: true\n"
        "  retry_delay_in_seconds: 2\n  buffer_folder: var/events\n",
        environ={},
    ).event_broker
    assert config is not None

    settings = pika_settings(config, tmp_path)

    assert settings.url == "amqp://hrbot:p%40ss@mq.internal:5673"
    assert settings.display_url == "amqp://hrbot:***@mq.internal:5673"
    assert (settings.queues, settings.exchange_name) == (("hr_events",), "hr-exchange")
    assert settings.raise_on_failure is True and settings.retry_delay == 2.0
    assert settings.buffer_folder == tmp_path.resolve() / "var" / "events"


def test_store_event_broker_defaults_follow_rasa(tmp_path: Path) -> None:
    config = parse_endpoints("event_broker:\n  url: localhost\n", environ={}).event_broker
    assert config is not None and config.type == "pika"  # no type means pika, as in Rasa

    settings = pika_settings(config, tmp_path)

    assert settings.url == "amqp://guest:guest@localhost:5672"
    assert (settings.queues, settings.exchange_name) == (("rasa_core_events",), "rasa-exchange")
    assert settings.buffer_folder == tmp_path.resolve() / "event_buffer"


def test_store_event_broker_absent_means_no_broker_and_a_plain_tracker_store(tmp_path: Path) -> None:
    stores = open_stores("", tmp_path)
    with_broker = open_stores(broker_section(("q", "ex"), tmp_path / "buffer"), tmp_path)

    assert stores.event_broker is None and isinstance(stores.tracker_store, InMemoryTrackerStore)
    assert create_event_broker(None, tmp_path) is None
    assert isinstance(with_broker.event_broker, PikaEventBroker)
    assert isinstance(with_broker.tracker_store, StreamingTrackerStore)
    assert list(tmp_path.iterdir()) == []  # nothing connects or writes until an event comes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("event_broker:\n  type: kafka\n", "endpoints.yml:2: event broker type 'kafka' is not supported"),
        ("event_broker:\n  type: my.Broker\n", "endpoints.yml:2: unknown event broker type 'my.Broker'"),
        ("event_broker:\n  type: pika\n  queues: {a: 1}\n", "endpoints.yml:3: 'event_broker.queues' must be"),
        ("event_broker:\n  type: pika\n  retry_delay_in_seconds: -1\n",
         "endpoints.yml:3: 'event_broker.retry_delay_in_seconds' must be a positive number"),
        ("event_broker:\n  url: http://mq\n", "endpoints.yml:2: 'event_broker.url' is not an AMQP URL"),
    ],
)
def test_store_event_broker_bad_sections_point_at_their_line(text: str, expected: str) -> None:
    with pytest.raises(InvalidProjectError) as caught:
        parse_endpoints(text, environ={})

    assert caught.value.problems[0].format().startswith(expected)
