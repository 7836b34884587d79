"""Structured logs: one JSON object per line with time, level, logger, message and the request's
fields, and no phone, ID card or bank account number, salary figure or token in any of it."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ops_bot_project import Client, ops_app, train_ops_project

from hrbot.assistant import open_assistant
from hrbot.ops.log_context import log_fields
from hrbot.ops.logs import JsonFormatter, log_format, logging_config
from hrbot.server import ServerState
from hrbot.shared.clock import fixed_clock
from hrbot.shared.endpoints import parse_endpoints
from hrbot.shared.errors import HrbotError
from hrbot_test_support import REFERENCE_TIME, subprocess_env

PHONE, ID_NUMBER, BANK_ACCOUNT = "13812345678", "330106198802014700", "6222021234567895661"
IDENTIFIERS = (PHONE, ID_NUMBER, BANK_ACCOUNT, "12,345.67", "s3cr3t-token")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Every record of the 'hrbot' loggers, formatted as JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("hrbot")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(previous)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def assert_nothing_personal(text: str) -> None:
    for identifier in IDENTIFIERS:
        assert identifier not in text


def test_a_record_is_one_json_line_with_its_fields_and_no_identifiers_anywhere(captured: io.StringIO) -> None:
    logger = logging.getLogger("hrbot.test")
    with log_fields(request_id="req-1", sender_id="E1001"):
        try:
            raise ValueError(f"bank account {BANK_ACCOUNT} rejected")
        except ValueError:
            logger.exception("employee with phone %s and ID %s asked for 12,345.67 元",
                             PHONE, ID_NUMBER, extra={"detail": {"phone": PHONE}})

    text = captured.getvalue()
    assert text.count("\n") == 1
    line = lines(captured)[0]
    assert line["level"] == "ERROR" and line["logger"] == "hrbot.test"
    assert line["time"].endswith("Z")
    assert (line["request_id"], line["sender_id"]) == ("req-1", "E1001")
    assert line["message"] == "employee with phone 138****5678 and ID 3301**********4700 asked for ***元"
    assert line["detail"] == {"phone": "138****5678"}
    assert "ValueError" in line["exception"] and "5661" in line["exception"]
    assert_nothing_personal(text)


def test_secrets_in_access_lines_and_urls_are_hidden() -> None:
    formatter = JsonFormatter()
    access = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("10.0.0.7:5123", "GET", "/conversations/x/tracker?token=s3cr3t-token",
                                "1.1", 200), None)
    database = logging.LogRecord("hrbot.stores", logging.WARNING, __file__, 1,
                                 "cannot use postgresql://hrbot:s3cr3t-token@db:5432/hrbot; "
                                 "Authorization: Bearer s3cr3t-token", None, None)

    access_line = json.loads(formatter.format(access))
    database_line = json.loads(formatter.format(database))

    assert access_line["path"] == "/conversations/x/tracker?token=***"
    assert (access_line["method"], access_line["status"]) == ("GET", 200)
    assert access_line["client"] == "10.0.0.7:5123"
    assert "postgresql://hrbot:***@db:5432/hrbot" in database_line["message"]
    assert "Bearer ***" in database_line["message"]
    assert_nothing_personal(json.dumps([access_line, database_line]))


def test_the_log_lines_of_a_turn_carry_its_request_id_and_sender(
    captured: io.StringIO, tmp_path: Path
) -> None:
    project, model = train_ops_project(tmp_path / "project")
    clock = fixed_clock(REFERENCE_TIME)
    assistant = open_assistant(model, project, parse_endpoints(""), clock)
    state = ServerState(model, clock, assistant=assistant, trust_sender=True)
    client = Client(ops_app(state))
    try:
        response = client.call("POST", "/webhooks/rest/webhook", headers={"x-request-id": "nginx-42"},
                               json={"sender": PHONE, "message": f"查工资 我的卡号 {BANK_ACCOUNT}"})
        generated = client.call("GET", "/health/live").headers["x-request-id"]
    finally:
        client.run(assistant.close())
        client.close()

    assert response.headers["x-request-id"] == "nginx-42"
    assert len(generated) == 32
    failure = next(line for line in lines(captured) if "action_show_salary" in line["message"])
    assert failure["level"] == "ERROR"
    assert (failure["request_id"], failure["channel"]) == ("nginx-42", "rest")
    assert failure["sender_id"] == "138****5678"
    assert_nothing_personal(captured.getvalue())


def test_the_log_format_comes_from_the_option_then_the_environment() -> None:
    assert log_format(None, {}) == "text"
    assert log_format(None, {"HRBOT_LOG_FORMAT": "JSON"}) == "json"
    assert log_format("text", {"HRBOT_LOG_FORMAT": "json"}) == "text"
    with pytest.raises(HrbotError, match="HRBOT_LOG_FORMAT is 'xml': use one of text, json"):
        log_format(None, {"HRBOT_LOG_FORMAT": "xml"})
    assert logging_config("text") is None


def test_the_json_logging_configuration_turns_every_logger_of_a_process_into_json_lines() -> None:
    program = (
        "import logging\n"
        "from hrbot.ops.logs import configure_logging\n"
        "configure_logging('json')\n"
        "logging.getLogger('hrbot.x').info('phone %s', '13812345678')\n"
        "logging.getLogger('uvicorn.access').info('%s - \"%s %s HTTP/%s\" %d', "
        "'1.2.3.4:5', 'POST', '/webhooks/rest/webhook?token=abc', '1.1', 200)\n"
        "logging.getLogger('uvicorn.error').info('Application startup complete.')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          env=subprocess_env(), timeout=60, check=True)

    records = [json.loads(line) for line in done.stderr.splitlines()]
    assert [record["logger"] for record in records] == ["hrbot.x", "uvicorn.access", "uvicorn.error"]
    assert records[0]["message"] == "phone 138****5678"
    assert records[1]["path"] == "/webhooks/rest/webhook?token=***"
