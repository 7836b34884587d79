"""What the DingTalk tests share: robot messages in DingTalk's format, signatures computed
here (independently of the channel's code), a fake DingTalk API server on a real socket that
records what the bot sends, and a tiny trained chat project.

Imported by the test_dingtalk_*.py files (pytest puts this folder on sys.path for them).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from hrbot.assistant import Assistant, open_assistant
from hrbot.channels.dingtalk.settings import DingTalkSettings
from hrbot.model.loading import LoadedModel, load_model
from hrbot.model.training import train_project
from hrbot.shared.clock import fixed_clock
from hrbot.shared.endpoints import parse_endpoints
from hrbot_test_support import LIGHT_CONFIG, REFERENCE_TIME, TINY_DOMAIN, write_tiny_project

CLIENT_ID = "dingtestclientid"
SECRET = "test-app-secret-For-The-DingTalk-Channel"
ROBOT_CODE = "dingtestrobot"
NOW_MS = 1_795_000_000_000  # the wall clock the tests pin (Nov 2026)
SEND_MESSAGE = "dtmd://dingtalkclient/sendMessage?content="


def settings(api_base_url: str = "https://api.dingtalk.com", mode: str = "http") -> DingTalkSettings:
    kind = "http" if mode == "http" else "stream"
    return DingTalkSettings(CLIENT_ID, SECRET, ROBOT_CODE, kind, api_base_url)


def signed(timestamp_ms: int, secret: str = SECRET) -> dict[str, str]:
    """The headers DingTalk sends: sign = base64(HmacSHA256(secret, timestamp + "\\n" + secret))."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return {"timestamp": str(timestamp_ms), "sign": base64.b64encode(digest).decode()}


def robot_message(
    text: str | None = "我还有几天年假",
    *,
    msg_id: str = "msg-1",
    staff_id: str | None = "manager4521",
    group: bool = False,
    at_robot: bool = False,
    webhook: str | None = "https://oapi.dingtalk.com/robot/sendBySession?session=s1",
    expires_ms: int | None = NOW_MS + 90 * 60_000,
    msgtype: str = "text",
    **extra: Any,
) -> dict[str, Any]:
    """A robot message as DingTalk sends it (the HTTP body, and a stream frame's data)."""
    body: dict[str, Any] = {
        "conversationId": "cidGroup42==" if group else "cidPrivate7==",
        "atUsers": [{"dingtalkId": "$:LWCP_v1:$robot"}] if at_robot else [],
        "chatbotCorpId": "dingcorp",
        "chatbotUserId": "$:LWCP_v1:$robot",
        "msgId": msg_id,
        "senderNick": "张三",
        "isAdmin": False,
        "sessionWebhookExpiredTime": expires_ms,
        "createAt": NOW_MS - 1000,
        "senderCorpId": "dingcorp",
        "conversationType": "2" if group else "1",
        "senderId": "$:LWCP_v1:$sender",
        "isInAtList": at_robot,
        "sessionWebhook": webhook,
        "robotCode": ROBOT_CODE,
        "msgtype": msgtype,
    }
    if group:
        body["conversationTitle"] = "研发部"
    if staff_id is not None:
        body["senderStaffId"] = staff_id
    if msgtype == "text" and text is not None:
        body["text"] = {"content": text}
    elif msgtype == "picture":
        body["content"] = {"downloadCode": "abc", "pictureDownloadCode": "def"}
    body.update(extra)
    return {key: value for key, value in body.items() if value is not None}


def clicked(url: str) -> str:
    """The text a click on a `dtmd://dingtalkclient/sendMessage` button sends."""
    assert url.startswith(SEND_MESSAGE), url
    return unquote(url[len(SEND_MESSAGE):])


@dataclass
class Call:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeDingTalk:
    """DingTalk's APIs on a local port: access tokens, session webhooks (`/robot/sendBySession`)
    and the one-to-one send API. Sessions in `dead_sessions` answer an error; tokens in
    `revoked_tokens` are refused; `one_to_one_refusal` makes the one-to-one API refuse."""

    calls: list[Call] = field(default_factory=list)
    dead_sessions: set[str] = field(default_factory=set)
    revoked_tokens: set[str] = field(default_factory=set)
    one_to_one_refusal: dict[str, Any] | None = None
    tokens_issued: int = 0
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def webhook(self, session: str) -> str:
        return f"{self.base_url}/robot/sendBySession?session={session}"

    def sent(self, path: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.path == path]

    def webhook_posts(self, session: str | None = None) -> list[Any]:
        return [call.body for call in self.sent("/robot/sendBySession")
                if session is None or call.query.get("session") == [session]]

    def one_to_one(self) -> list[dict[str, Any]]:
        """The one-to-one messages sent, with msgParam decoded."""
        out = []
        for call in self.sent("/v1.0/robot/oToMessages/batchSend"):
            if call.headers.get("x-acs-dingtalk-access-token") in self.revoked_tokens:
                continue
            out.append({**call.body, "msgParam": json.loads(call.body["msgParam"])})
        return out

    def answer(self, call: Call) -> tuple[int, Any]:
        with self.lock:
            self.calls.append(call)
            if call.path == "/v1.0/oauth2/accessToken":
                if call.body != {"appKey": CLIENT_ID, "appSecret": SECRET}:
                    return 400, {"code": "invalidClientIdOrSecret", "message": "无效的clientId"}
                self.tokens_issued += 1
                return 200, {"accessToken": f"token-{self.tokens_issued}", "expireIn": 7200}
            if call.path == "/v1.0/robot/oToMessages/batchSend":
                token = call.headers.get("x-acs-dingtalk-access-token")
                if token is None or token in self.revoked_tokens:
                    return 401, {"code": "InvalidAuthentication", "message": "不合法的access_token"}
                if self.one_to_one_refusal is not None:
                    return 403, self.one_to_one_refusal
                return 200, {"processQueryKey": "pqk", "invalidStaffIdList": [],
                             "flowControlledStaffIdList": []}
            if call.path == "/robot/sendBySession":
                if call.query.get("session", [""])[0] in self.dead_sessions:
                    return 200, {"errcode": 300001, "errmsg": "session is expired"}
                return 200, {"errcode": 0, "errmsg": "ok"}
            return 404, {"code": "NotFound"}


@contextmanager
def fake_dingtalk() -> Iterator[FakeDingTalk]:
    """The fake DingTalk serving on a free local port for the duration of the block."""
    fake = FakeDingTalk()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            raw = self.rfile.read(length)
            parts = urlsplit(self.path)
            call = Call(parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()},
                        json.loads(raw.decode("utf-8")) if raw else None)
            status, body = fake.answer(call)
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# ---------------------------------------------------------------- a tiny trained chat project

GREETING = "您好，我是HR助手。\n想查什么？"
LEAVE_REPLY = "您的年假还剩 5 天。"
SALARY_REPLY = "10月实发 12,345.67 元。"
BUTTONS = [{"title": "查年假", "payload": "/leave_balance"}, {"title": "查工资", "payload": "/salary_query"}]

DOMAIN = TINY_DOMAIN + """
responses:
  utter_greet:
    - text: |-
        您好，我是HR助手。
        想查什么？
      buttons:
        - title: "查年假"
          payload: "/leave_balance"
        - title: "查工资"
          payload: "/salary_query"
  utter_leave_balance:
    - text: "您的年假还剩 5 天。"
  utter_salary:
    - text: "10月实发 12,345.67 元。"
  utter_goodbye:
    - text: "再见！"
"""

RULES = """\
version: "3.1"
rules:
  - rule: greet
    steps:
      - intent: greet
      - action: utter_greet
  - rule: leave balance
    steps:
      - intent: leave_balance
      - action: utter_leave_balance
  - rule: salary
    steps:
      - intent: salary_query
      - action: utter_salary
  - rule: goodbye
    steps:
      - intent: goodbye
      - action: utter_goodbye
"""


def train_chat_project(root: Path) -> tuple[Path, LoadedModel]:
    """The project written under `root` and its trained model (about a second: no jieba)."""
    files = {"domain.yml": DOMAIN, "data/rules.yml": RULES, "config.yml": LIGHT_CONFIG}
    project = write_tiny_project(root, files)
    return project, load_model(train_project(project, reference_time=REFERENCE_TIME).model)


def open_chat_assistant(model: LoadedModel, project: Path) -> Assistant:
    """The assistant on the project's SQLite conversations, at the reference time."""
    return open_assistant(model, project, parse_endpoints(""), fixed_clock(REFERENCE_TIME))


class Client:
    """Requests through an ASGI app on one event loop of its own (the stores stay on it)."""

    def __init__(self, app: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")

    def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()
