"""DingTalk's HTTP APIs the channel answers through, all asynchronous (httpx), so a slow
DingTalk never blocks the event loop the dialogue runs on.

    POST <sessionWebhook>                                 answer in the conversation (no token;
                                                          valid until sessionWebhookExpiredTime)
    POST /v1.0/oauth2/accessToken  {appKey, appSecret}    -> {accessToken, expireIn}
    POST /v1.0/robot/oToMessages/batchSend                the robot's one-to-one message
         x-acs-dingtalk-access-token: <token>
         {robotCode, userIds: [staff id], msgKey, msgParam: "<JSON>"}

The access token is cached for its lifetime (less five minutes) and bought again once when
DingTalk says it is no longer valid. Each call opens its own short-lived client (sharing one
TLS context), so there is nothing to close. A session webhook is only posted to on DingTalk's
own hosts (or the configured API server): a forged callback cannot make the bot send answers
elsewhere.
Every failure is a DeliveryError that names the API and DingTalk's reason.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from hrbot.channels.dingtalk.settings import DingTalkSettings
from hrbot.shared.errors import HrbotError

TOKEN_PATH = "/v1.0/oauth2/accessToken"
ONE_TO_ONE_PATH = "/v1.0/robot/oToMessages/batchSend"
TOKEN_HEADER = "x-acs-dingtalk-access-token"
TOKEN_MARGIN_SECONDS = 300.0
DINGTALK_DOMAIN = "dingtalk.com"
TOKEN_REJECTED = frozenset({"InvalidAuthentication", "invalidAuthentication", "Unauthorized", "40014", "88"})


class DeliveryError(HrbotError):
    """DingTalk did not take a message (or a token request); the message says why."""


def _json(response: httpx.Response) -> Any:
    """The JSON answer, or None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def _reason(response: httpx.Response) -> str:
    body = _json(response)
    if body is None:
        return f"HTTP {response.status_code}: {response.text[:200]!r}"
    if isinstance(body, dict):
        code = body.get("code") or body.get("errcode")
        message = body.get("message") or body.get("errmsg")
        if code or message:
            return f"HTTP {response.status_code} {code}: {message}"
    return f"HTTP {response.status_code}: {str(body)[:200]}"


class DingTalkApi:
    """The calls the channel makes. `transport` is for tests (httpx.MockTransport); `now`
    reads the wall clock in seconds (the token's lifetime)."""

    def __init__(
        self,
        settings: DingTalkSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        self.settings = settings
        self._transport = transport
        self._now = now
        self._timeout = timeout
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()
        self._tls: ssl.SSLContext | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._transport is not None:
            return httpx.AsyncClient(transport=self._transport, timeout=self._timeout)
        if self._tls is None:  # building one costs tens of milliseconds: once per channel
            self._tls = httpx.create_ssl_context()
        return httpx.AsyncClient(verify=self._tls, timeout=self._timeout)

    async def _post(
        self, what: str, url: str, body: Any, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        try:
            async with self._client() as client:
                return await client.post(url, json=body, headers=headers)
        except httpx.HTTPError as error:
            problem = f"{type(error).__name__}: {error}"
            raise DeliveryError(f"{what}: DingTalk could not be reached ({problem})") from None

    def allows_webhook(self, url: str) -> bool:
        """Whether `url` is a session webhook the bot may post to: https on a DingTalk host, or
        on the configured API server (a test's fake DingTalk)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme == "https" and (host == DINGTALK_DOMAIN or host.endswith("." + DINGTALK_DOMAIN)):
            return True
        base = urlsplit(self.settings.api_base_url)
        return (parts.scheme, parts.netloc) == (base.scheme, base.netloc)

    async def post_to_webhook(self, url: str, body: dict[str, Any]) -> None:
        """Send one message through a conversation's session webhook."""
        if not self.allows_webhook(url):
            host = urlsplit(url).hostname or url[:60]
            raise DeliveryError(f"the session webhook is on {host!r}, not a DingTalk host: not posting to it")
        response = await self._post("session webhook", url, body)
        answer = _json(response)
        if response.status_code != 200 or not isinstance(answer, dict) or answer.get("errcode", 0) != 0:
            raise DeliveryError(f"the session webhook refused the message ({_reason(response)})")

    async def access_token(self) -> str:
        """The app's access token, bought once per lifetime."""
        async with self._token_lock:
            if self._token is not None and self._now() < self._token_expires:
                return self._token
            response = await self._post(
                "access token", self.settings.api_base_url + TOKEN_PATH,
                {"appKey": self.settings.client_id, "appSecret": self.settings.client_secret},
            )
            answer = _json(response) if response.status_code == 200 else None
            if not isinstance(answer, dict) or not isinstance(answer.get("accessToken"), str):
                raise DeliveryError(f"DingTalk refused an access token ({_reason(response)}): check "
                                    "client_id and client_secret in credentials.yml")
            lifetime = answer.get("expireIn")
            lifetime = float(lifetime) if isinstance(lifetime, int | float) else 7200.0
            self._token = answer["accessToken"]
            self._token_expires = self._now() + max(lifetime - TOKEN_MARGIN_SECONDS, lifetime / 2)
            return self._token

    def forget_token(self) -> None:
        self._token = None

    async def send_one_to_one(self, user_id: str, msg_key: str, msg_param: dict[str, str]) -> None:
        """Send one message to an employee's one-to-one chat with the robot."""
        body = {
            "robotCode": self.settings.robot_code,
            "userIds": [user_id],
            "msgKey": msg_key,
            "msgParam": json.dumps(msg_param, ensure_ascii=False),
        }
        for attempt in (1, 2):
            token = await self.access_token()
            response = await self._post("one-to-one message", self.settings.api_base_url + ONE_TO_ONE_PATH,
                                        body, {TOKEN_HEADER: token})
            if attempt == 1 and _token_rejected(response):
                self.forget_token()
                continue
            break
        if response.status_code != 200:
            raise DeliveryError(f"the one-to-one API refused the message ({_reason(response)}): the app "
                                "needs the robot's one-to-one message permission and the right robot_code")
        answer = _json(response)
        for key, why in (("invalidStaffIdList", "is not a valid staff id for this robot"),
                         ("flowControlledStaffIdList", "was flow-controlled (too many messages)")):
            if isinstance(answer, dict) and user_id in (answer.get(key) or []):
                raise DeliveryError(f"the one-to-one API did not deliver: {user_id!r} {why}")


def _token_rejected(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return True
    if response.status_code not in (400, 403):
        return False
    body = _json(response)
    return isinstance(body, dict) and str(body.get("code")) in TOKEN_REJECTED
