"""Fixtures of the console tests: one trained model for all of them, a fresh console (its own
SQLite database) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from console_support import Browser, Console, open_console, train_console_project

from hrbot.model.loading import LoadedModel


@pytest.fixture(scope="session")
def console_model(tmp_path_factory: pytest.TempPathFactory) -> LoadedModel:
    return train_console_project(tmp_path_factory.mktemp("console-project"))[1]


@pytest.fixture
def console(console_model: LoadedModel, tmp_path: Path) -> Iterator[Console]:
    served = open_console(tmp_path, console_model)
    yield served
    served.close()


@pytest.fixture
def browser(console: Console) -> Iterator[Browser]:
    client = console.client()
    yield client
    client.close()
