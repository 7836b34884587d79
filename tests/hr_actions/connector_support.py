"""Helpers for the connector tests: the demo backend (``hr_backend``) importable and running
in-process on a fresh database, a SystemsConfig pointing at it, and running a coroutine.

The backend is independent of hrbot; ``demo/backend`` goes on the path here, as the backend's
own tests do (tests/demo_backend/backend_test_support.py).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx

REPO = Path(__file__).resolve().parents[2]
COMPANY_JSON = REPO / "demo" / "company.json"
BACKEND_DIR = REPO / "demo" / "backend"
if str(BACKEND_DIR) not in sys.path:
    sys.path.insert(0, str(BACKEND_DIR))
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from actions.audit import AuditLog  # noqa: E402
from actions.connectors.client import HRSystemsClient  # noqa: E402
from actions.connectors.config import SYSTEMS, SystemsConfig  # noqa: E402
from hr_backend.app import create_app  # noqa: E402
from hr_backend.backend import open_backend  # noqa: E402
from hr_backend.clock import parse_now  # noqa: E402
from hr_backend.settings import Settings  # noqa: E402

T = TypeVar("T")
IN_PROCESS_URL = "http://backend"


def demo_config(url: str = IN_PROCESS_URL, *, timeout: float = 5.0, retries: int = 2) -> SystemsConfig:
    """The demo backend's default tokens at `url`."""
    return SystemsConfig(
        url=url, tokens={s: f"demo-{s}-token" for s in SYSTEMS}, timeout=timeout, retries=retries
    )


@contextmanager
def backend_app(db_path: Path, today: str | None = None) -> Iterator[Any]:
    """The demo backend's ASGI app on company.json and a fresh database (closed afterwards)."""
    settings = Settings(data_path=COMPANY_JSON, db_path=db_path, now=parse_now(today) if today else None)
    backend = open_backend(settings)
    try:
        yield create_app(backend)
    finally:
        backend.close()


def in_process_client(
    app: Any,
    *,
    audit: AuditLog | None = None,
    config: SystemsConfig | None = None,
) -> HRSystemsClient:
    """A client calling `app` through httpx's ASGI transport (no socket, no retry delay)."""
    return HRSystemsClient(
        config or demo_config(), audit=audit, transport=httpx.ASGITransport(app=app), retry_delay=0
    )


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs one test's coroutine to completion on a fresh event loop."""
    return asyncio.run(coroutine)
