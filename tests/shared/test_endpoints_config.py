"""endpoints.yml: Rasa 3.x sections, ${ENV} substitution and problems with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrbot.shared.endpoints import Endpoints, parse_endpoints, read_endpoints
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.problems import Location

RASA_ENDPOINTS = """\
action_endpoint:
  url: "http://localhost:5055/webhook"
  token: secret
  timeout: 30
  headers:
    X-Tenant: demo

tracker_store:
  type: SQL
  dialect: "postgresql"
  url: "db.internal"
  port: "5432"
  db: "rasa"
  username: hrbot
  password: 123456
  query:
    sslmode: require

lock_store:
  type: redis
  url: localhost
  port: 6379
  key_prefix: hrbot

event_broker:
  type: pika
  url: localhost
  queues: [rasa_events]

models:
  url: http://models.internal/model.tar.gz
  wait_time_between_pulls: 10

nlg:
  url: http://localhost:5056/nlg
"""


def problems_of(text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(InvalidProjectError) as caught:
        parse_endpoints(text, environ=environ or {})
    return [problem.format() for problem in caught.value.problems]


def test_endpoints_an_absent_file_gives_every_default(tmp_path: Path) -> None:
    assert read_endpoints(tmp_path / "endpoints.yml") == Endpoints()
    assert read_endpoints(None) == Endpoints()


def test_endpoints_an_empty_file_gives_every_default(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.yml"
    path.write_text("# everything commented out\n", encoding="utf-8")

    endpoints = read_endpoints(path)

    assert endpoints.tracker_store is None
    assert endpoints.action_endpoint is None
    assert endpoints.path == str(path)


def test_endpoints_read_rasa_sections_with_their_keys_and_lines() -> None:
    endpoints = parse_endpoints(RASA_ENDPOINTS, environ={})

    action = endpoints.action_endpoint
    assert action is not None
    assert action.url == "http://localhost:5055/webhook"
    assert action.token == "secret"
    assert action.timeout(default=5.0) == 30.0
    assert action.headers == {"X-Tenant": "demo"}
    assert action.source == Location("endpoints.yml", 1)
    assert endpoints.models is not None
    assert endpoints.models.kwargs == {"wait_time_between_pulls": 10}
    assert endpoints.nlg is not None and endpoints.nlg.url == "http://localhost:5056/nlg"


def test_endpoints_sql_tracker_store_is_normalised() -> None:
    store = parse_endpoints(RASA_ENDPOINTS, environ={}).tracker_store

    assert store is not None
    assert store.type == "sql"
    assert store.url == "db.internal"
    assert store.kwargs == {
        "dialect": "postgresql", "port": 5432, "db": "rasa", "username": "hrbot",
        "password": "123456", "query": {"sslmode": "require"},
    }
    assert store.where() == "endpoints.yml:8"


def test_endpoints_sql_tracker_store_without_dialect_is_sqlite() -> None:
    store = parse_endpoints("tracker_store:\n  type: sql\n  db: data/chats.db\n", environ={}).tracker_store

    assert store is not None
    assert store.kwargs == {"dialect": "sqlite", "db": "data/chats.db"}


@pytest.mark.parametrize("kind", ["postgresql", "postgres", "PostgreSQL"])
def test_endpoints_type_postgresql_means_sql_with_that_dialect(kind: str) -> None:
    text = f"tracker_store:\n  type: {kind}\n  url: localhost\n  db: rasa\n"

    store = parse_endpoints(text, environ={}).tracker_store

    assert store is not None
    assert (store.type, store.kwargs["dialect"]) == ("sql", "postgresql")


def test_endpoints_a_full_sqlalchemy_url_needs_no_type() -> None:
    text = "tracker_store:\n  url: postgresql://hrbot:pw@db:5432/rasa\n"

    store = parse_endpoints(text, environ={}).tracker_store

    assert store is not None
    assert store.type == "sql"
    assert store.url == "postgresql://hrbot:pw@db:5432/rasa"


@pytest.mark.parametrize("kind", ["memory", "in_memory", "InMemory"])
def test_endpoints_memory_stores_are_normalised(kind: str) -> None:
    endpoints = parse_endpoints(f"tracker_store:\n  type: {kind}\nlock_store:\n  type: {kind}\n", environ={})

    assert endpoints.tracker_store is not None and endpoints.tracker_store.type == "memory"
    assert endpoints.lock_store is not None and endpoints.lock_store.type == "memory"


def test_endpoints_redis_lock_store_and_event_broker_are_recorded() -> None:
    endpoints = parse_endpoints(RASA_ENDPOINTS, environ={})

    assert endpoints.lock_store is not None
    assert endpoints.lock_store.type == "redis"
    assert endpoints.lock_store.url == "localhost"
    assert endpoints.lock_store.kwargs == {"port": 6379, "key_prefix": "hrbot"}
    assert endpoints.event_broker is not None
    assert endpoints.event_broker.type == "pika"
    assert endpoints.event_broker.kwargs == {"queues": ["rasa_events"]}


def test_endpoints_environment_variables_are_substituted_everywhere() -> None:
    text = (
        "action_endpoint:\n  url: http://${ACTIONS_HOST}:5055/webhook\n"
        "tracker_store:\n  type: sql\n  dialect: postgresql\n  password: ${DB_PASSWORD}\n"
        "  query:\n    sslmode: ${SSL_MODE}\n"
    )

    endpoints = parse_endpoints(
        text, environ={"ACTIONS_HOST": "actions", "DB_PASSWORD": "p@ss", "SSL_MODE": "require"}
    )

    assert endpoints.action_endpoint is not None
    assert endpoints.action_endpoint.url == "http://actions:5055/webhook"
    assert endpoints.tracker_store is not None
    assert endpoints.tracker_store.kwargs["password"] == "p@ss"
    assert endpoints.tracker_store.kwargs["query"] == {"sslmode": "require"}


def test_endpoints_an_unset_environment_variable_names_the_variable_and_line() -> None:
    text = "tracker_store:\n  type: sql\n  dialect: postgresql\n  password: ${DB_PASSWORD}\n"

    problems = problems_of(text)

    assert len(problems) == 1
    assert problems[0].startswith("endpoints.yml:4: environment variable 'DB_PASSWORD' is not set")
    assert "export DB_PASSWORD=" in problems[0]


def test_endpoints_the_real_environment_is_used_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRBOT_TEST_ACTIONS_URL", "http://actions:5055/webhook")

    endpoints = parse_endpoints("action_endpoint:\n  url: ${HRBOT_TEST_ACTIONS_URL}\n")

    assert endpoints.action_endpoint is not None
    assert endpoints.action_endpoint.url == "http://actions:5055/webhook"


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("tracker_store:\n  type: mongod\n", 2, "tracker store type 'mongod' is not supported"),
        ("tracker_store:\n  type: my.module.Store\n", 2, "unknown tracker store type"),
        ("tracker_store:\n  url: localhost\n", 2, "tracker_store has a url ('localhost') but no type"),
        ("tracker_store:\n  type: sql\n  port: http\n", 3, "'tracker_store.port' must be a port number"),
        ("lock_store:\n  type: zookeeper\n", 2, "unknown lock store type 'zookeeper'"),
        ("action_endpoint:\n  token: x\n", 1, "'action_endpoint' has no 'url'"),
        ("action_endpoint:\n  url: localhost:5055\n", 2, "'action_endpoint.url' is not an http(s) URL"),
        ("action_endpoint:\n  url: http://a/webhook\n  timeout: -1\n", 3,
         "'action_endpoint.timeout' must be a positive number"),
        ("models:\n  url: ftp://models/model.tar.gz\n", 2, "'models.url' is not an http(s) URL"),
        ("action_endpoint: http://localhost:5055/webhook\n", 1, "'action_endpoint' must be a mapping"),
        ("- action_endpoint\n", 1, "endpoints.yml must be a mapping"),
    ],
)
def test_endpoints_problems_say_where_and_what(text: str, line: int, expected: str) -> None:
    problems = problems_of(text)

    assert problems[0].startswith(f"endpoints.yml:{line}: {expected}"), problems


def test_endpoints_every_problem_is_reported_at_once() -> None:
    text = "action_endpoint:\n  url: nowhere\ntracker_store:\n  type: cassandra\n  password: ${NOPE}\n"

    problems = problems_of(text)

    assert len(problems) == 3


def test_endpoints_sections_hrbot_does_not_know_are_listed_not_rejected() -> None:
    endpoints = parse_endpoints("vector_store:\n  type: faiss\naction_endpoint:\n  url: http://a:1/w\n",
                                environ={})

    assert endpoints.ignored_sections == ("vector_store",)
    assert endpoints.action_endpoint is not None


def test_endpoints_an_empty_section_counts_as_absent() -> None:
    endpoints = parse_endpoints("tracker_store:\nlock_store: {}\n", environ={})

    assert endpoints.tracker_store is None
    assert endpoints.lock_store is not None and endpoints.lock_store.type == "memory"


def test_endpoints_read_from_a_file_name_the_file_in_problems(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.yml"
    path.write_text("action_endpoint:\n  url: http://localhost:5055/webhook\n  timeout: soon\n",
                    encoding="utf-8")

    with pytest.raises(InvalidProjectError) as caught:
        read_endpoints(path, environ={})

    assert caught.value.problems[0].location == Location(str(path), 3)
