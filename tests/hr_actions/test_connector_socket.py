"""The client over real sockets: a backend served by uvicorn, a port nothing listens on (down)
and a server that accepts but never answers (timeout)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from actions.connectors import HRSession, HRSystemsClient, SystemTimeout, SystemUnavailable
from connector_support import backend_app, demo_config, run

from hrbot_test_support import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    with backend_app(tmp_path / "served.db") as app:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def silent() -> Iterator[str]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def balances(url: str, timeout: float = 5.0, retries: int = 0) -> object:
    async def go() -> object:
        async with HRSystemsClient(
            demo_config(url, timeout=timeout, retries=retries), retry_delay=0
        ) as client:
            return await HRSession(client, "E1008").hrm.leave_balances()

    return run(go())


def test_the_client_talks_to_a_backend_over_http(served: str) -> None:
    answer = balances(served)

    assert isinstance(answer, dict) and answer["employee_id"] == "E1008"


def test_a_port_nothing_listens_on_is_an_unavailable_system() -> None:
    with pytest.raises(SystemUnavailable) as raised:
        balances(f"http://127.0.0.1:{free_port()}", retries=1)

    assert raised.value.user_message.startswith("人事系统暂时连不上")
    assert "ConnectError" in raised.value.detail


def test_a_server_that_never_answers_is_a_timeout(silent: str) -> None:
    started = time.monotonic()

    with pytest.raises(SystemTimeout) as raised:
        balances(silent, timeout=0.2, retries=1)

    assert raised.value.user_message == "人事系统响应太慢,这次没能查到结果,请稍后再试。"
    assert 0.4 <= time.monotonic() - started < 3
