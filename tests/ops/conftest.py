"""The real PostgreSQL the migration and readiness tests use (as tests/stores does):

    HRBOT_TEST_POSTGRES_URL  default postgresql://postgres@127.0.0.1:5432/test

Skipped when it cannot be reached, unless $CI is set: under CI an unreachable server fails."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1),
                            connect_args={"connect_timeout": 3})


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("HRBOT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:  # any failure to connect means "no server here"
        reason = (f"PostgreSQL is not reachable at {url} ({type(error).__name__}); start it or set "
                  "HRBOT_TEST_POSTGRES_URL")
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI is set, so PostgreSQL tests must run: {reason}")
        pytest.skip(reason)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A schema only this test uses, dropped with everything in it afterwards."""
    schema = f"hrbot_ops_{uuid.uuid4().hex[:12]}"
    yield schema
    engine = _engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis (HRBOT_TEST_REDIS_URL, default redis://127.0.0.1:6379/1), as postgres_url."""
    import redis

    url = os.environ.get("HRBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except Exception as error:
        reason = (f"Redis is not reachable at {url} ({type(error).__name__}); start it or set "
                  "HRBOT_TEST_REDIS_URL")
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI is set, so Redis tests must run: {reason}")
        pytest.skip(reason)
    finally:
        client.close()
    return url
