"""The backend over a real socket (uvicorn in a thread), and its command line."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from backend_test_support import COMPANY_JSON, token
from hr_backend.__main__ import main, parse_args, settings_from_args
from hr_backend.app import create_app
from hr_backend.backend import open_backend
from hr_backend.clock import COMPANY_TZ
from hr_backend.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    backend = open_backend(Settings(data_path=COMPANY_JSON, db_path=tmp_path / "served.db"))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(backend), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    backend.close()


@pytest.mark.integration
def test_the_backend_serves_reads_and_writes_over_http(served: str) -> None:
    headers = {"Authorization": f"Bearer {token('oa')}", "X-Acting-Employee": "E1008"}
    with httpx.Client(base_url=served, timeout=10) as client:
        assert client.get("/health").json()["today"] == "2026-11-21"
        filed = client.post(
            "/oa/leave-requests",
            headers=headers,
            json={"leave_type": "annual", "start": "2026-11-24", "days": 1},
        )
        refused = client.post(
            "/oa/leave-requests", headers=headers, json={"leave_type": "annual", "start": "2026-11-23"}
        )

    assert filed.status_code == 201
    assert filed.headers["content-type"] == "application/json"
    assert refused.status_code == 422
    assert refused.json()["error"] == "insufficient_notice"


def test_the_command_line_reads_options_and_environment(tmp_path: Path) -> None:
    env = {"HR_BACKEND_HRM_TOKEN": "from-env", "HR_BACKEND_TODAY": "2026-11-23"}
    args = parse_args(
        ["--data", str(COMPANY_JSON), "--db", str(tmp_path / "x.db"), "--erp-token", "from-flag"], env
    )

    settings = settings_from_args(args, env)
    assert settings.tokens.for_system("hrm") == "from-env"
    assert settings.tokens.for_system("erp") == "from-flag"
    assert settings.tokens.for_system("oa") == "demo-oa-token"
    assert settings.now == datetime(2026, 11, 23, 10, 0, tzinfo=COMPANY_TZ)
    assert args.port == 8800


def test_the_command_line_explains_a_missing_data_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data", str(tmp_path / "missing.json"), "--db", str(tmp_path / "x.db")]) == 2

    assert "pass --data PATH" in capsys.readouterr().err


def test_the_command_line_explains_a_bad_today(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data", str(COMPANY_JSON), "--db", str(tmp_path / "x.db"), "--today", "soon"]) == 2

    assert "YYYY-MM-DD" in capsys.readouterr().err
