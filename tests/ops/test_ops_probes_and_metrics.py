"""/metrics after real turns through the REST webhook, and the liveness and readiness probes —
including readiness failing for real when the tracker store's database or Redis goes away."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from ops_bot_project import GIBBERISH, Client, ops_app, train_ops_project
from ops_tcp_proxy import TcpProxy
from prometheus_client.parser import text_string_to_metric_families

from hrbot.assistant import Assistant, open_assistant
from hrbot.model.loading import LoadedModel
from hrbot.ops.readiness import health_url, readiness_probe
from hrbot.ops.routes import Operations, operations
from hrbot.server import ServerState
from hrbot.shared.clock import fixed_clock
from hrbot.shared.endpoints import parse_endpoints
from hrbot_test_support import REFERENCE_TIME


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LoadedModel]:
    return train_ops_project(tmp_path_factory.mktemp("ops-project"))


class Bot:
    """One served bot: its assistant, app (with the ops routes) and client."""

    def __init__(self, model: LoadedModel, project: Path, endpoints: str = "",
                 ops: Any = None) -> None:
        clock = fixed_clock(REFERENCE_TIME)
        self.assistant: Assistant = open_assistant(model, project, parse_endpoints(endpoints), clock)
        self.state = ServerState(model, clock, assistant=self.assistant, trust_sender=True)
        self.ops: Operations = ops(self.state) if ops else operations(self.state)
        self.client = Client(ops_app(self.state, self.ops))

    def metric(self, name: str, **labels: str) -> float:
        """The value of sample `name` with `labels` in /metrics (0 when absent)."""
        response = self.client.call("GET", "/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        for family in text_string_to_metric_families(response.text):
            for sample in family.samples:
                if sample.name == name and sample.labels == labels:
                    return float(sample.value)
        return 0.0

    def close(self) -> None:
        self.client.run(self.assistant.close())
        self.client.close()


@pytest.fixture
def bot(trained: tuple[Path, LoadedModel], tmp_path: Path) -> Iterator[Bot]:
    served = Bot(trained[1], tmp_path)
    yield served
    served.close()


def test_metrics_count_messages_replies_fallbacks_handoffs_and_failed_actions_of_real_turns(bot: Bot) -> None:
    bot.client.say("E1001", "你好")
    bot.client.say("E1001", "查工资")  # action_show_salary has no action server: it fails
    bot.client.say("E1002", GIBBERISH)  # nlu_fallback -> action_default_fallback
    bot.client.say("E1003", "/human_handoff")
    assert bot.client.say("E1003", "你好") == []  # with a human now: received, nothing sent

    assert bot.metric("hrbot_messages_received_total", channel="rest") == 5
    assert bot.metric("hrbot_bot_messages_sent_total", channel="rest") == 4
    assert bot.metric("hrbot_fallbacks_total", stage="nlu") == 1
    assert bot.metric("hrbot_fallbacks_total", stage="core") == 1
    assert bot.metric("hrbot_handoffs_total", reason="requested") == 1
    assert bot.metric("hrbot_action_errors_total", action="action_show_salary") == 1
    assert bot.metric("hrbot_message_failures_total", channel="rest") == 0
    assert bot.metric("hrbot_message_handling_seconds_count", channel="rest") == 5
    assert 0 < bot.metric("hrbot_message_handling_seconds_sum", channel="rest") < 5
    assert bot.metric("hrbot_message_handling_seconds_bucket", channel="rest", le="+Inf") == 5


def test_two_apps_in_one_process_keep_their_own_metrics(
    trained: tuple[Path, LoadedModel], tmp_path: Path
) -> None:
    first, second = Bot(trained[1], tmp_path / "a"), Bot(trained[1], tmp_path / "b")
    try:
        first.client.say("E1001", "你好")
        first.client.say("E1001", "你好")
        second.client.say("E1001", "你好")
        assert first.metric("hrbot_messages_received_total", channel="rest") == 2
        assert second.metric("hrbot_messages_received_total", channel="rest") == 1
    finally:
        first.close()
        second.close()


def test_readiness_lists_every_dependency_and_is_ready_with_sqlite_and_in_process_locks(bot: Bot) -> None:
    response = bot.client.call("GET", "/health/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    checks = body["checks"]
    assert checks["model"]["status"] == "ok"
    assert checks["model"]["detail"].endswith("(NLU and dialogue)")
    assert checks["tracker_store"] == {"status": "ok", "detail": "sqlite answered"}
    assert checks["lock_store"]["status"] == "ok"
    assert checks["action_server"]["status"] == "skipped"
    assert bot.client.call("GET", "/health/live").json() == {"status": "alive"}


def test_readiness_asks_the_action_server_for_its_health_and_fails_while_it_is_down(
    trained: tuple[Path, LoadedModel], tmp_path: Path
) -> None:
    asked: list[str] = []
    status = {"code": 200}

    def action_server(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(status["code"], json={"status": "ok"})

    def ops(state: ServerState) -> Operations:
        probe = readiness_probe(state, action_server_url="http://actions:5055/webhook",
                                transport=httpx.MockTransport(action_server))
        return Operations(operations(state).metrics, probe)

    served = Bot(trained[1], tmp_path, ops=ops)
    try:
        assert served.client.call("GET", "/health/ready").json()["checks"]["action_server"]["status"] == "ok"
        status["code"] = 503
        response = served.client.call("GET", "/health/ready")
        assert response.status_code == 503
        assert response.json()["checks"]["action_server"]["status"] == "failed"
        assert asked == ["http://actions:5055/health"] * 2
    finally:
        served.close()


def test_the_action_servers_health_url_sits_next_to_its_webhook() -> None:
    assert health_url("http://localhost:5055/webhook") == "http://localhost:5055/health"
    assert health_url("https://bot.example.com/actions/webhook/") == "https://bot.example.com/actions/health"
    assert health_url("http://actions:5055") == "http://actions:5055/health"


def test_readiness_fails_with_503_while_the_tracker_stores_postgresql_is_unreachable_and_liveness_does_not(
    trained: tuple[Path, LoadedModel], tmp_path: Path, postgres_url: str, postgres_schema: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    parts = urlsplit(postgres_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    through_proxy = postgres_url.replace(parts.netloc, f"{parts.username}@127.0.0.1:{proxy.port}")
    endpoints = f"tracker_store:\n  type: sql\n  url: {through_proxy}\n  schema: {postgres_schema}\n"
    served = Bot(trained[1], tmp_path, endpoints)
    try:
        served.client.say("E1001", "你好")
        ready = served.client.call("GET", "/health/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["tracker_store"] == {"status": "ok", "detail": "postgresql answered"}

        proxy.cut()
        with caplog.at_level(logging.WARNING, logger="hrbot.ops.readiness"):
            first = served.client.call("GET", "/health/ready")
            second = served.client.call("GET", "/health/ready")

        assert first.status_code == second.status_code == 503
        body = first.json()
        assert body["status"] == "not_ready"
        assert body["checks"]["tracker_store"]["status"] == "failed"
        assert body["checks"]["model"]["status"] == body["checks"]["lock_store"]["status"] == "ok"
        assert str(proxy.port) not in first.text  # where the database is stays in the log
        assert len([r for r in caplog.records if "tracker_store failed" in r.getMessage()]) == 1
        assert served.client.call("GET", "/health/live").status_code == 200

        response = served.client.call("POST", "/webhooks/rest/webhook",
                                      json={"sender": "E1001", "message": "你好"})
        assert response.status_code == 503
        assert served.metric("hrbot_message_failures_total", channel="rest") == 1
        assert served.metric("hrbot_messages_received_total", channel="rest") == 2
    finally:
        proxy.cut()
        served.close()


def test_readiness_fails_while_the_redis_lock_store_is_unreachable(
    trained: tuple[Path, LoadedModel], tmp_path: Path, redis_url: str
) -> None:
    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    endpoints = (f"lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: {proxy.port}\n  db: 1\n"
                 "  socket_timeout: 2\n")
    served = Bot(trained[1], tmp_path, endpoints)
    try:
        assert served.client.call("GET", "/health/ready").json()["checks"]["lock_store"] == {
            "status": "ok", "detail": "redis answered"}
        proxy.cut()
        response = served.client.call("GET", "/health/ready")
        assert response.status_code == 503
        assert response.json()["checks"]["lock_store"]["status"] == "failed"
        assert response.json()["checks"]["tracker_store"]["status"] == "ok"
    finally:
        proxy.cut()
        served.close()
