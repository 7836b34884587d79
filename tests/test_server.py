"""The HTTP API in Rasa 3.x shapes: in-process through ASGI, and once over a real socket."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from hrbot import __version__
from hrbot.server import MAX_TEXT_CHARS, ServerState, create_app
from hrbot.shared.clock import fixed_clock
from hrbot_test_support import REFERENCE_TIME, REFERENCE_TIME_TEXT, free_port

OTHER_DAY = datetime.fromisoformat("2026-01-10T09:00:00+08:00")


def request(app: Any, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request through the ASGI app, without a server."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(send())


@pytest.fixture(scope="module")
def app(loaded_model: Any) -> Any:
    return create_app(ServerState(loaded_model, fixed_clock(REFERENCE_TIME)))


@pytest.fixture(scope="module")
def secured_app(loaded_model: Any) -> Any:
    return create_app(ServerState(loaded_model, fixed_clock(REFERENCE_TIME), "s3cret"))


def assert_rasa_error(response: httpx.Response, status: int, reason: str) -> dict[str, Any]:
    assert response.status_code == status
    body: dict[str, Any] = response.json()
    assert body["status"] == "failure"
    assert body["code"] == status
    assert body["reason"] == reason
    assert body["version"] == __version__
    assert body["message"]
    return body


def test_server_root_says_hello(app: Any) -> None:
    response = request(app, "GET", "/")

    assert response.status_code == 200
    assert response.text == f"Hello from hrbot: {__version__}"


def test_server_version(app: Any) -> None:
    response = request(app, "GET", "/version")

    assert response.json() == {"version": __version__, "minimum_compatible_version": "0.1.0"}


def test_server_status_names_the_model(app: Any, loaded_model: Any) -> None:
    body = request(app, "GET", "/status").json()

    assert body["model_file"] == loaded_model.path.name
    assert body["model_id"] == loaded_model.fingerprint[:32]
    assert len(body["model_id"]) == 32
    assert body["num_active_training_jobs"] == 0


def test_server_parse_returns_rasa_shape(app: Any) -> None:
    response = request(app, "POST", "/model/parse", json={"text": "我想明天请一天病假"})

    assert response.status_code == 200
    body = response.json()
    assert body["text"] == "我想明天请一天病假"
    assert body["intent"]["name"] == "request_leave"
    assert set(body["intent"]) == {"name", "confidence"}
    assert body["intent_ranking"][0] == body["intent"]
    assert len(body["intent_ranking"]) == 6
    for entity in body["entities"]:
        assert {"entity", "start", "end", "value", "extractor", "confidence"} <= set(entity)
        assert body["text"][entity["start"] : entity["end"]]


def test_server_parse_resolves_dates_against_the_reference_time_in_the_body(
    loaded_model: Any,
) -> None:
    app = create_app(ServerState(loaded_model, fixed_clock(OTHER_DAY)))

    with_time = request(app, "POST", "/model/parse",
                        json={"text": "我想明天请一天病假", "reference_time": REFERENCE_TIME_TEXT})
    without = request(app, "POST", "/model/parse", json={"text": "我想明天请一天病假"})

    dates = [next(e for e in r.json()["entities"] if e["entity"] == "date")
             for r in (with_time, without)]
    assert dates[0]["value"] == "2026-11-22"
    assert (dates[0]["start"], dates[0]["end"]) == (2, 4)
    assert dates[1]["value"] == "2026-01-11"


def test_server_parse_reference_time_without_offset_is_read_in_the_clock_zone(
    app: Any,
) -> None:
    body = request(app, "POST", "/model/parse",
                   json={"text": "明天请假", "reference_time": "2026-03-01"}).json()

    assert {e["entity"]: e["value"] for e in body["entities"]}["date"] == "2026-03-02"


def test_server_parse_echoes_the_message_id(app: Any) -> None:
    body = request(app, "POST", "/model/parse", json={"text": "你好", "message_id": "m-1"}).json()

    assert body["message_id"] == "m-1"


@pytest.mark.parametrize(
    "content", [b"{not json", b"", "你好".encode("gbk"), b'{"text": "\xff"}'],
    ids=["broken", "empty", "gbk", "bad-utf8"],
)
def test_server_parse_invalid_json_is_400_with_rasa_error_body(app: Any, content: bytes) -> None:
    response = request(app, "POST", "/model/parse", content=content,
                       headers={"content-type": "application/json"})

    body = assert_rasa_error(response, 400, "BadRequest")
    assert "JSON" in body["message"]


@pytest.mark.parametrize(
    "payload", [{}, {"message": "你好"}, {"text": 3}, {"text": None}, ["你好"], "你好"],
)
def test_server_parse_without_text_is_400(app: Any, payload: Any) -> None:
    response = request(app, "POST", "/model/parse", json=payload)

    body = assert_rasa_error(response, 400, "BadRequest")
    assert '"text"' in body["message"]


def test_server_parse_bad_reference_time_is_400(app: Any) -> None:
    response = request(app, "POST", "/model/parse",
                       json={"text": "你好", "reference_time": "tomorrow-ish"})

    body = assert_rasa_error(response, 400, "BadRequest")
    assert body["message"].startswith("reference_time:")


def test_server_parse_too_long_text_is_413(app: Any) -> None:
    response = request(app, "POST", "/model/parse", json={"text": "好" * (MAX_TEXT_CHARS + 1)})

    assert_rasa_error(response, 413, "PayloadTooLarge")


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x7f", "😂👍🏻", "a\u2028b"])
def test_server_parse_handles_empty_and_control_characters(app: Any, text: str) -> None:
    response = request(app, "POST", "/model/parse", json={"text": text})

    assert response.status_code == 200
    assert response.json()["text"] == text


def test_server_parse_handles_a_lone_surrogate_escaped_in_json(app: Any) -> None:
    response = request(app, "POST", "/model/parse", content=b'{"text": "\\ud800\\u4f60\\u597d"}',
                       headers={"content-type": "application/json"})

    assert response.status_code == 200
    assert response.json()["text"] == "\ufffd你好"
    assert response.json()["intent"]["name"] is not None


def test_server_parse_only_accepts_post(app: Any) -> None:
    assert request(app, "GET", "/model/parse").status_code == 405


@pytest.mark.parametrize(("method", "url"), [("GET", "/status"), ("POST", "/model/parse")])
def test_server_token_auth_refuses_requests_without_the_token(
    secured_app: Any, method: str, url: str
) -> None:
    payload = {"json": {"text": "你好"}} if method == "POST" else {}

    missing = request(secured_app, method, url, **payload)
    wrong = request(secured_app, method, url + "?token=guess", **payload)
    right = request(secured_app, method, url + "?token=s3cret", **payload)

    assert_rasa_error(missing, 401, "NotAuthenticated")
    assert_rasa_error(wrong, 401, "NotAuthenticated")
    assert right.status_code == 200


def test_server_token_auth_leaves_hello_and_version_open(secured_app: Any) -> None:
    assert request(secured_app, "GET", "/").status_code == 200
    assert request(secured_app, "GET", "/version").status_code == 200


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off", ws="none", http="h11")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped before it started"
        assert time.monotonic() < deadline, "uvicorn did not start in 20 s"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive()


@pytest.mark.integration
def test_server_answers_parse_requests_over_a_real_socket(live_server: str) -> None:
    with httpx.Client(base_url=live_server, timeout=10) as client:
        hello = client.get("/")
        response = client.post("/model/parse", json={
            "text": "我想明天请一天病假", "reference_time": REFERENCE_TIME_TEXT})

    assert hello.text.startswith("Hello from hrbot")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["intent"]["name"] == "request_leave"
    assert {e["entity"]: e["value"] for e in body["entities"]}["date"] == "2026-11-22"
