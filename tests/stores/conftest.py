"""The real services the store tests talk to: PostgreSQL, Redis and RabbitMQ on this machine.

    HRBOT_TEST_POSTGRES_URL  default postgresql://postgres@127.0.0.1:5432/test
    HRBOT_TEST_REDIS_URL     default redis://127.0.0.1:6379/1
    HRBOT_TEST_RABBITMQ_URL  default amqp://guest:guest@127.0.0.1:5672/

A test that needs a service is skipped when the service cannot be reached, unless $CI is set:
under CI an unreachable service fails the test, so CI cannot pass by skipping.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
DEFAULT_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"


def service_missing(service: str, url: str, error: BaseException, variable: str) -> None:
    """Skip the test, or fail it under CI."""
    reason = f"{service} is not reachable at {url} ({type(error).__name__}); start it or set {variable}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI is set, so {service} tests must run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test PostgreSQL server's URL; skip (fail under CI) when it cannot be reached."""
    url = os.environ.get("HRBOT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1),
                              connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:  # any failure to connect means "no server here"
        service_missing("PostgreSQL", url, error, "HRBOT_TEST_POSTGRES_URL")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A schema only this test uses, dropped with everything in it afterwards."""
    schema = f"hrbot_test_{uuid.uuid4().hex[:12]}"
    yield schema
    engine = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg2://", 1))
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis server's URL; skip (fail under CI) when it cannot be reached."""
    import redis

    url = os.environ.get("HRBOT_TEST_REDIS_URL", DEFAULT_REDIS_URL)
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except Exception as error:
        service_missing("Redis", url, error, "HRBOT_TEST_REDIS_URL")
    finally:
        client.close()
    return url


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    """The test RabbitMQ server's URL; skip (fail under CI) when it cannot be reached."""
    import aio_pika

    url = os.environ.get("HRBOT_TEST_RABBITMQ_URL", DEFAULT_RABBITMQ_URL)

    async def probe() -> None:
        connection = await aio_pika.connect(url, timeout=3)
        await connection.close()

    try:
        asyncio.run(probe())
    except Exception as error:
        service_missing("RabbitMQ", url, error, "HRBOT_TEST_RABBITMQ_URL")
    return url


@pytest.fixture
def unused_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
