"""Fixtures of the demo backend's tests: company.json loaded once, a fresh database per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from backend_test_support import COMPANY_JSON, Api
from hr_backend.backend import Backend, open_backend
from hr_backend.clock import parse_now
from hr_backend.data.dataset import Dataset, load_dataset
from hr_backend.settings import Settings


@pytest.fixture(scope="session")
def company() -> Dataset:
    return load_dataset(COMPANY_JSON)


@pytest.fixture
def open_api(tmp_path: Path, company: Dataset) -> Iterator[Callable[..., Api]]:
    """``open_api(today="2026-11-20", db=path)``: an Api on a backend (closed after the test)."""
    opened: list[Backend] = []

    def open_(today: str | None = None, db: Path | None = None, reset: bool = False) -> Api:
        settings = Settings(
            data_path=COMPANY_JSON,
            db_path=db or tmp_path / "backend.db",
            now=parse_now(today) if today else None,
        )
        backend = open_backend(settings, company, reset=reset)
        opened.append(backend)
        return Api(backend)

    yield open_
    for backend in opened:
        backend.close()


@pytest.fixture
def api(open_api: Callable[..., Api]) -> Api:
    """The backend on the reference date (Saturday 2026-11-21, 10:00) with an empty database."""
    return open_api()
