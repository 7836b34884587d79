"""Building stores from endpoints.yml: defaults, Rasa's SQL keys, and errors that say what to fix."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

import pytest

from hrbot.shared.endpoints import EndpointConfig, parse_endpoints
from hrbot.shared.errors import InvalidProjectError, MissingDependencyError
from hrbot.shared.problems import Location
from hrbot.stores.base import StoreUnavailableError
from hrbot.stores.factory import create_review_log, create_stores, create_tracker_store
from hrbot.stores.memory import InMemoryTrackerStore
from hrbot.stores.review import InMemoryReviewLog
from hrbot.stores.sql import SQLTrackerStore, database_url


def tracker_config(text: str) -> EndpointConfig:
    config = parse_endpoints(text, environ={}).tracker_store
    assert config is not None
    return config


def test_store_factory_default_is_a_sqlite_file_in_the_project(tmp_path: Path) -> None:
    store = create_tracker_store(None, tmp_path)
    try:
        assert isinstance(store, SQLTrackerStore)
        assert store.database.display_url == f"sqlite:///{tmp_path.resolve() / 'hrbot.db'}"
    finally:
        asyncio.run(store.close())


def test_store_factory_memory_type_keeps_everything_in_memory(tmp_path: Path) -> None:
    config = tracker_config("tracker_store:\n  type: in_memory\n")

    stores = create_stores(parse_endpoints("tracker_store:\n  type: memory\n", environ={}), tmp_path)

    assert isinstance(create_tracker_store(config, tmp_path), InMemoryTrackerStore)
    assert isinstance(create_review_log(config, tmp_path), InMemoryReviewLog)
    assert stores.database is None and isinstance(stores.review_log, InMemoryReviewLog)
    assert list(tmp_path.iterdir()) == []


def test_store_factory_relative_sqlite_paths_are_relative_to_the_project(tmp_path: Path) -> None:
    config = tracker_config("tracker_store:\n  type: sql\n  db: data/chats.db\n")

    store = create_tracker_store(config, tmp_path)
    asyncio.run(store.close())

    assert (tmp_path / "data" / "chats.db").is_file()


def test_store_factory_builds_the_url_from_rasa_keys(tmp_path: Path) -> None:
    config = tracker_config(
        "tracker_store:\n  type: sql\n  dialect: postgresql\n  url: db.internal:6543\n  port: 5432\n"
        "  db: rasa\n  username: hrbot\n  password: 'p@ss:/word'\n  query:\n    sslmode: require\n"
    )

    url = database_url(config, tmp_path)

    assert (url.drivername, url.host, url.port, url.database) == ("postgresql", "db.internal", 6543, "rasa")
    assert (url.username, url.password) == ("hrbot", "p@ss:/word")
    assert dict(url.query) == {"sslmode": "require"}


def test_store_factory_a_full_url_is_taken_as_it_is(tmp_path: Path) -> None:
    config = tracker_config("tracker_store:\n  url: postgresql://u:pw@db:5432/rasa?sslmode=disable\n")

    url = database_url(config, tmp_path)

    assert url.render_as_string(hide_password=False) == "postgresql://u:pw@db:5432/rasa?sslmode=disable"


def test_store_factory_an_unreachable_database_names_the_url_but_not_the_password(tmp_path: Path) -> None:
    config = tracker_config("tracker_store:\n  url: postgres://hrbot:topsecret@127.0.0.1:1/rasa\n")

    with pytest.raises(StoreUnavailableError) as caught:
        create_tracker_store(config, tmp_path)

    message = str(caught.value)
    assert "postgresql+psycopg2://hrbot:***@127.0.0.1:1/rasa" in message
    assert "configured at endpoints.yml:1" in message
    assert "topsecret" not in message


def test_store_factory_an_unknown_dialect_points_at_endpoints_yml(tmp_path: Path) -> None:
    config = tracker_config("tracker_store:\n  type: sql\n  dialect: cockroach\n  url: localhost\n")

    with pytest.raises(InvalidProjectError) as caught:
        create_tracker_store(config, tmp_path)

    problem = caught.value.problems[0]
    assert problem.location == Location("endpoints.yml", 1)
    assert "unknown database dialect 'cockroach'" in problem.message


def test_store_factory_schema_is_refused_for_sqlite(tmp_path: Path) -> None:
    config = tracker_config("tracker_store:\n  type: sql\n  schema: hrbot\n")

    with pytest.raises(InvalidProjectError, match="'schema' is not supported with SQLite"):
        create_tracker_store(config, tmp_path)


def test_store_factory_a_missing_postgresql_driver_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec",
        lambda name, *args: None if name in ("psycopg2", "psycopg") else real_find_spec(name, *args),
    )
    config = tracker_config("tracker_store:\n  type: postgresql\n  url: localhost\n  db: rasa\n")

    with pytest.raises(MissingDependencyError, match="pip install psycopg2-binary"):
        create_tracker_store(config, tmp_path)
