"""What the WeCom tests share: WeCom's published sample values, callbacks encrypted and signed the
way WeCom sends them, a fake WeCom API (gettoken, message/send, update_template_card, token
expiry) that runs in-process or on a real socket, and a server thread for ASGI apps.

Imported by the test_wecom_*.py files next to it (pytest puts this folder on sys.path for them).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hrbot.channels.wecom.crypto import WeComCrypto
from hrbot.channels.wecom.settings import WeComSettings
from hrbot_test_support import free_port

# WeCom's sample values (its callback sample code)
SAMPLE_TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
SAMPLE_AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
SAMPLE_CORP_ID = "ww1436e0e65a779aee"
SAMPLE_AGENT_ID = 1000002
URL_CHECK = {
    "msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
    "timestamp": "1476416373",
    "nonce": "47744683",
    "echostr": "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
}
URL_CHECK_PLAINTEXT = "1288432023552776189"
MESSAGE_CHECK = {
    "msg_signature": "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
    "timestamp": "1476422779",
    "nonce": "1597212914",
}
MESSAGE_ENCRYPT = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBh"
    "zTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z"
    "5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0"
    "cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiy"
    "pE+"
)
SAMPLE_SECRET = "test-app-secret-not-a-real-one"
WEBHOOK = "/webhooks/wecom/webhook"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def sample_settings(api_base_url: str = "http://wecom.test/cgi-bin", **options: Any) -> WeComSettings:
    """The sample app's settings, talking to `api_base_url`."""
    return WeComSettings(corp_id=SAMPLE_CORP_ID, agent_id=SAMPLE_AGENT_ID, secret=SAMPLE_SECRET,
                         token=SAMPLE_TOKEN, encoding_aes_key=SAMPLE_AES_KEY, api_base_url=api_base_url,
                         **options)


def sample_crypto(receiver_id: str = SAMPLE_CORP_ID) -> WeComCrypto:
    return WeComCrypto(SAMPLE_TOKEN, SAMPLE_AES_KEY, receiver_id)


def envelope(encrypted: str, to_user: str = SAMPLE_CORP_ID, agent_id: int = SAMPLE_AGENT_ID) -> bytes:
    return (f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName>"
            f"<AgentID><![CDATA[{agent_id}]]></AgentID>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>").encode()


def text_xml(content: str, *, from_user: str = "ChenJiaShun", msg_id: str = "1456453720",
             create_time: int = 1476422779, agent_id: int = SAMPLE_AGENT_ID) -> str:
    return (f"<xml><ToUserName><![CDATA[{SAMPLE_CORP_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{from_user}]]></FromUserName><CreateTime>{create_time}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
            f"<MsgId>{msg_id}</MsgId><AgentID>{agent_id}</AgentID></xml>")


def click_xml(event_key: str, *, from_user: str = "ChenJiaShun", create_time: int = 1476422800,
              task_id: str = "hrbot-task", response_code: str = "response-code-1",
              agent_id: int = SAMPLE_AGENT_ID) -> str:
    return (f"<xml><ToUserName><![CDATA[{SAMPLE_CORP_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{from_user}]]></FromUserName><CreateTime>{create_time}</CreateTime>"
            f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>"
            f"<EventKey><![CDATA[{event_key}]]></EventKey><TaskId><![CDATA[{task_id}]]></TaskId>"
            f"<CardType><![CDATA[button_interaction]]></CardType>"
            f"<ResponseCode><![CDATA[{response_code}]]></ResponseCode>"
            f"<AgentID>{agent_id}</AgentID></xml>")


def media_xml(msg_type: str = "image", *, from_user: str = "ChenJiaShun", msg_id: str = "777") -> str:
    return (f"<xml><ToUserName><![CDATA[{SAMPLE_CORP_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{from_user}]]></FromUserName><CreateTime>1476422779</CreateTime>"
            f"<MsgType><![CDATA[{msg_type}]]></MsgType><PicUrl><![CDATA[https://p.test/1.jpg]]></PicUrl>"
            f"<MediaId><![CDATA[media]]></MediaId><MsgId>{msg_id}</MsgId>"
            f"<AgentID>{SAMPLE_AGENT_ID}</AgentID></xml>")


def event_xml(event: str, *, from_user: str = "ChenJiaShun") -> str:
    return (f"<xml><ToUserName><![CDATA[{SAMPLE_CORP_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{from_user}]]></FromUserName><CreateTime>1476422779</CreateTime>"
            f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>"
            f"<EventKey><![CDATA[]]></EventKey><AgentID>{SAMPLE_AGENT_ID}</AgentID></xml>")


def callback(plaintext: str, timestamp: int, crypto: WeComCrypto | None = None) -> tuple[str, bytes]:
    """(URL with query, body) of a callback POST carrying `plaintext`, as WeCom sends it: a fresh
    nonce, the payload encrypted and signed."""
    crypto = crypto or sample_crypto()
    encrypted = crypto.encrypt(plaintext)
    nonce = str(secrets.randbelow(10**10))
    query = {"msg_signature": crypto.sign(str(timestamp), nonce, encrypted), "timestamp": str(timestamp),
             "nonce": nonce}
    return f"{WEBHOOK}?{urlencode(query)}", envelope(encrypted)


# ------------------------------------------------------------------------------ the fake WeCom API

_TASK_ID = re.compile(r"[A-Za-z0-9_\-@]{1,128}")
_CONTENT_TYPES = {"text": "text", "markdown": "markdown", "template_card": "template_card", "news": "news"}


@dataclass
class FakeWeCom:
    """WeCom's API as far as the channel uses it. Tokens live `token_lifetime` seconds (as WeCom
    says in expires_in) but are only really expired by `expire_tokens()`; every call is recorded.
    Thread-safe: it may serve from a uvicorn thread while the test reads."""

    corp_id: str = SAMPLE_CORP_ID
    secret: str = SAMPLE_SECRET
    agent_id: int = SAMPLE_AGENT_ID
    token_lifetime: int = 7200
    sent: list[dict[str, Any]] = field(default_factory=list)
    card_updates: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    tokens_issued: list[str] = field(default_factory=list)
    send_delay: float = 0.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._valid: set[str] = set()
        self._expired: set[str] = set()
        self.app = Starlette(routes=[
            Route("/cgi-bin/gettoken", self._gettoken, methods=["GET"]),
            Route("/cgi-bin/message/send", self._send, methods=["POST"]),
            Route("/cgi-bin/message/update_template_card", self._update_card, methods=["POST"]),
        ])

    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self.app)

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (errcode 42001), as after two hours."""
        with self._lock:
            self._expired |= self._valid
            self._valid.clear()

    def revoke_tokens(self) -> None:
        """Every token issued so far is now unknown to WeCom (errcode 40014)."""
        with self._lock:
            self._valid.clear()
            self._expired.clear()

    def wait_for_sent(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The sent messages once there are at least `count` (from another thread)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.sent) >= count:
                    return list(self.sent)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} sent message(s) within {timeout} s, got {self.sent}")

    async def _gettoken(self, request: Request) -> Response:
        params = request.query_params
        if params.get("corpid") != self.corp_id:
            return JSONResponse({"errcode": 40013, "errmsg": "invalid corpid"})
        if params.get("corpsecret") != self.secret:
            return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})
        token = f"token-{uuid.uuid4().hex}"
        with self._lock:
            self._valid.add(token)
            self.tokens_issued.append(token)
        return JSONResponse({"errcode": 0, "errmsg": "ok", "access_token": token,
                             "expires_in": self.token_lifetime})

    def _token_problem(self, request: Request) -> dict[str, Any] | None:
        token = request.query_params.get("access_token", "")
        with self._lock:
            if token in self._valid:
                return None
            if token in self._expired:
                return {"errcode": 42001, "errmsg": "access_token expired"}
        return {"errcode": 40014, "errmsg": "invalid access_token"}

    async def _send(self, request: Request) -> Response:
        problem = self._token_problem(request)
        body = await request.json()
        problem = problem or self._message_problem(body)
        if problem is not None:
            with self._lock:
                self.refused.append({"body": body, **problem})
            return JSONResponse(problem)
        if self.send_delay:
            await asyncio.sleep(self.send_delay)
        with self._lock:
            self.sent.append(body)
        return JSONResponse({"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": uuid.uuid4().hex})

    def _message_problem(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """WeCom's checks of a message/send body, as far as the channel's messages go."""
        if body.get("agentid") != self.agent_id:
            return {"errcode": 40056, "errmsg": "invalid agentid"}
        if not isinstance(body.get("touser"), str) or not body["touser"]:
            return {"errcode": 40031, "errmsg": "invalid user list"}
        kind = body.get("msgtype")
        if kind not in _CONTENT_TYPES or not isinstance(body.get(kind), dict):
            return {"errcode": 40008, "errmsg": "invalid message type"}
        if kind in ("text", "markdown"):
            content = body[kind].get("content")
            if not isinstance(content, str) or not content or len(content.encode()) > 2048:
                return {"errcode": 44004, "errmsg": "text content is empty or too long"}
        if kind == "template_card":
            card = body["template_card"]
            keys = [button.get("key") for button in card.get("button_list", [])]
            task_id = card.get("task_id", "")
            if card.get("card_type") != "button_interaction" or not _TASK_ID.fullmatch(task_id):
                return {"errcode": 40058, "errmsg": "invalid card_type or task_id"}
            if not 1 <= len(keys) <= 6 or len(set(keys)) != len(keys) or any(
                    not isinstance(key, str) or not key or len(key.encode()) > 1024 for key in keys):
                return {"errcode": 42039, "errmsg": "key Missing or Invalid"}
            if not card.get("main_title", {}).get("title") and not card.get("sub_title_text"):
                return {"errcode": 40058, "errmsg": "main_title.title or sub_title_text is required"}
        return None

    async def _update_card(self, request: Request) -> Response:
        problem = self._token_problem(request)
        if problem is not None:
            return JSONResponse(problem)
        body = await request.json()
        with self._lock:
            self.card_updates.append(body)
        return JSONResponse({"errcode": 0, "errmsg": "ok"})


# ------------------------------------------------------------------------------ servers


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """`app` on a real socket (uvicorn in a thread, with its lifespan); yields its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                            ws="none", http="h11")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped before it started"
        assert time.monotonic() < deadline, "uvicorn did not start in 20 s"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        assert not thread.is_alive(), "uvicorn did not stop in 15 s"


# ------------------------------------------------------------------------------ PostgreSQL


def postgres_url_or_skip() -> str:
    """The test PostgreSQL server's URL ($HRBOT_TEST_POSTGRES_URL or the default), by the rule of
    tests/stores: skipped when unreachable, except under CI, where that fails the test."""
    url = os.environ.get("HRBOT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1),
                              connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:  # any failure to connect means "no server here"
        reason = f"PostgreSQL is not reachable at {url} ({type(error).__name__}); " \
                 "start it or set HRBOT_TEST_POSTGRES_URL"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI is set, so PostgreSQL tests must run: {reason}")
        pytest.skip(reason)
    finally:
        engine.dispose()
    return url


def drop_schema(url: str, schema: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()
