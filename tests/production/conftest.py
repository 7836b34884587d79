"""Three real `hrbot run` processes sharing one PostgreSQL, one Redis and one RabbitMQ (each
behind a switchable forwarder), an action server and a failing HR backend, started once for
the folder.

    HRBOT_TEST_POSTGRES_URL  default postgresql://postgres@127.0.0.1:5432/test
    HRBOT_TEST_REDIS_URL     default redis://127.0.0.1:6379/1
    HRBOT_TEST_RABBITMQ_URL  default amqp://guest:guest@127.0.0.1:5672/

Without the services the tests are skipped, unless $CI is set: then they fail, so CI cannot
pass by skipping. Everything the run leaves in the services (a PostgreSQL schema, Redis keys
under a prefix, a RabbitMQ queue and exchange) has a name of its own and is removed afterwards.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from production_project import ACTION_TIMEOUT_S, train_production_project, write_action_server
from production_support import (
    BackgroundLoop,
    Bot,
    Cluster,
    FailingHRBackend,
    Forwarder,
    Forwarders,
    Services,
    bind_queue,
    delete_queue,
    host_port,
    pythonpath,
    run,
    start_bots,
    via,
)

from hrbot.actions.sdk_server import ActionServerProcess, start_action_server
from hrbot_test_support import REPO_ROOT, SRC_DIR, subprocess_env

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
DEFAULT_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
BOTS = 3
LOCK_LIFETIME_S = 2.0


def _missing(service: str, url: str, error: BaseException, variable: str) -> None:
    reason = f"{service} is not reachable at {url} ({type(error).__name__}); start it or set {variable}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI is set, so the production tests must run: {reason}")
    pytest.skip(reason)


def _psycopg2(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


@pytest.fixture(scope="session")
def services() -> Services:
    """The real services' URLs; skip (fail under CI) when one cannot be reached."""
    import aio_pika
    import redis

    found = Services(
        os.environ.get("HRBOT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        os.environ.get("HRBOT_TEST_REDIS_URL", DEFAULT_REDIS_URL),
        os.environ.get("HRBOT_TEST_RABBITMQ_URL", DEFAULT_RABBITMQ_URL),
    )
    engine = sa.create_engine(_psycopg2(found.postgres), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:
        _missing("PostgreSQL", found.postgres, error, "HRBOT_TEST_POSTGRES_URL")
    finally:
        engine.dispose()
    client = redis.Redis.from_url(found.redis, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except Exception as error:
        _missing("Redis", found.redis, error, "HRBOT_TEST_REDIS_URL")
    finally:
        client.close()

    async def probe() -> None:
        connection = await aio_pika.connect(found.rabbitmq, timeout=3)
        await connection.close()

    try:
        asyncio.run(probe())
    except Exception as error:
        _missing("RabbitMQ", found.rabbitmq, error, "HRBOT_TEST_RABBITMQ_URL")
    return found


@pytest.fixture(scope="session")
def forwarders(services: Services) -> Iterator[Forwarders]:
    loop = BackgroundLoop()
    found = Forwarders(
        Forwarder("postgresql", host_port(services.postgres, 5432), loop),
        Forwarder("redis", host_port(services.redis, 6379), loop),
        Forwarder("rabbitmq", host_port(services.rabbitmq, 5672), loop),
    )
    for forwarder in found.all():
        forwarder.on()
    yield found
    for forwarder in found.all():
        forwarder.off()
    loop.close()


@pytest.fixture(scope="session")
def hr_backend() -> Iterator[FailingHRBackend]:
    backend = FailingHRBackend()
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def action_server(tmp_path_factory: pytest.TempPathFactory,
                  hr_backend: FailingHRBackend) -> Iterator[ActionServerProcess]:
    """`hrbot run actions` for the probe actions and the real `action_salary_query`."""
    folder = write_action_server(tmp_path_factory.mktemp("action-server"), hr_backend.url)
    env = subprocess_env(PYTHONPATH=pythonpath(SRC_DIR, REPO_ROOT), HRBOT_PROJECT_DIR=str(folder),
                         HRBOT_AUDIT_LOG=str(folder / "audit.jsonl"))
    server = start_action_server(folder, actions_package="probe_actions", env=env)
    yield server
    server.stop()


def _endpoints(cluster_names: dict[str, str], services: Services, forwarders: Forwarders,
               action_url: str, buffer: Path) -> str:
    return f"""\
tracker_store:
  type: sql
  url: "{via(services.postgres, forwarders.postgres.port)}"
  schema: {cluster_names["schema"]}
lock_store:
  type: redis
  url: "{via(services.redis, forwarders.redis.port)}"
  key_prefix: {cluster_names["key_prefix"]}
  lock_lifetime: {LOCK_LIFETIME_S}
  socket_timeout: 2
event_broker:
  type: pika
  url: "{via(services.rabbitmq, forwarders.rabbitmq.port)}"
  queues: [{cluster_names["queue"]}]
  exchange_name: {cluster_names["exchange"]}
  retry_delay_in_seconds: 0.2
  publish_timeout: 3
  buffer_folder: {buffer}
action_endpoint:
  url: "{action_url}"
  timeout: {ACTION_TIMEOUT_S}
"""


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory, services: Services, forwarders: Forwarders,
            action_server: ActionServerProcess) -> Iterator[Cluster]:
    run = uuid.uuid4().hex[:10]
    names = {"schema": f"hrbot_prod_{run}", "key_prefix": f"hrbot_prod_{run}",
             "exchange": f"hrbot_prod_ex_{run}", "queue": f"hrbot_prod_{run}"}
    project = train_production_project(tmp_path_factory.mktemp("production-project"))
    buffer = project / "event_buffer"
    endpoints = project / "endpoints.yml"
    endpoints.write_text(_endpoints(names, services, forwarders, action_server.webhook_url, buffer),
                         encoding="utf-8")
    bots = [Bot(f"bot{number}", project, endpoints) for number in range(1, BOTS + 1)]
    engine = sa.create_engine(_psycopg2(services.postgres))
    found = Cluster(bots, forwarders, services, engine, names["schema"], names["key_prefix"],
                    names["exchange"], names["queue"], buffer)
    try:
        # The first bot creates the schema alone: bots starting together on a fresh database
        # collide while creating the console's tables (see the report of this folder).
        start_bots(bots[:1])
        start_bots(bots[1:])
        yield found
    finally:
        for bot in bots:
            bot.stop()
        _remove_traces(found)


def _remove_traces(cluster: Cluster) -> None:
    import aio_pika
    import redis

    try:
        with cluster.database.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{cluster.schema}" CASCADE'))
    finally:
        cluster.database.dispose()
    client = redis.Redis.from_url(cluster.services.redis)
    try:
        keys = list(client.scan_iter(match=f"{cluster.key_prefix}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()

    async def delete() -> None:
        connection = await aio_pika.connect(cluster.services.rabbitmq)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(cluster.queue)
            await channel.exchange_delete(cluster.exchange)

    asyncio.run(delete())


@pytest.fixture
def healthy_cluster(cluster: Cluster) -> Cluster:
    """The cluster with every service up and every bot running, as each test expects to find it."""
    cluster.make_healthy()
    return cluster


@pytest.fixture
def run_id() -> str:
    """A prefix for this test's senders, so its conversations are its own."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def event_queue(healthy_cluster: Cluster, run_id: str) -> Iterator[str]:
    """A queue of this test's own, bound to the bots' exchange: it receives every event the
    bots publish from now on."""
    queue = f"{healthy_cluster.queue}_check_{run_id}"
    rabbitmq = healthy_cluster.services.rabbitmq
    run(lambda: bind_queue(rabbitmq, healthy_cluster.exchange, queue))
    yield queue
    run(lambda: delete_queue(rabbitmq, queue))
