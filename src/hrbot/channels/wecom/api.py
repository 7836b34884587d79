"""The part of WeCom's server API the channel uses, on async httpx (never blocking the loop).

    GET  gettoken?corpid=…&corpsecret=…        -> {"errcode": 0, "access_token": "…", "expires_in": 7200}
    POST message/send?access_token=…           {"touser", "agentid", "msgtype", …}
    POST message/update_template_card?access_token=…   after a card button was clicked

The access token is cached for its lifetime (refreshed a little before it runs out) and fetched
by one request at a time however many messages are waiting for it. When WeCom says a token is
expired or invalid (errcode 42001, 40014, 40001) the token is dropped and the call is made once
more with a fresh one. A connection that could not be opened is tried once more; a request that
may have reached WeCom is never repeated, so no message is sent twice.

The access token and the secret travel in URLs, so the `httpx` logger's request lines are
redacted (see `redact_secrets`) before anything can print them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from hrbot import __version__
from hrbot.channels.wecom.errors import WeComAPIError
from hrbot.channels.wecom.settings import WeComSettings

logger = logging.getLogger(__name__)

TOKEN_REJECTED_CODES = frozenset({40001, 40014, 42001})  # invalid credential, invalid / expired token
DEFAULT_TOKEN_LIFETIME_SECONDS = 7200
MAX_REFRESH_MARGIN_SECONDS = 300.0
CONNECT_ATTEMPTS = 2
RECONNECT_DELAY_SECONDS = 0.2

HINTS = {
    40001: "the secret is wrong: copy the app's Secret into credentials.yml",
    40013: "corp_id is wrong: copy the 企业ID from WeCom's admin console",
    40056: "agent_id is wrong: copy the app's AgentId",
    41001: "the request had no access token",
    45009: "WeCom's rate limit for this API was reached; messages will go through again shortly",
    60020: "this server's IP address is not in the app's 企业可信IP list in WeCom's admin console",
    81013: "the user is not in the app's visible range (可见范围)",
}

_SECRET_IN_URL = re.compile(r"((?:access_token|corpsecret)=)[^&\s\"']+")


def redact_secrets(text: str) -> str:
    """`text` with access tokens and secrets in URLs replaced by '***'."""
    return _SECRET_IN_URL.sub(r"\1***", text)


class _RedactingFilter(logging.Filter):
    """Keeps WeCom's access token and app secret out of httpx's request log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact_secrets(str(arg)) if isinstance(arg, httpx.URL | str) else arg
                                for arg in args)
        return True


def _redact_httpx_log() -> None:
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(existing, _RedactingFilter) for existing in httpx_logger.filters):
        httpx_logger.addFilter(_RedactingFilter())


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    refresh_after: float  # on the API's monotonic clock


def _errcode(data: Mapping[str, Any]) -> int:
    code = data.get("errcode", 0)
    return code if isinstance(code, int) and not isinstance(code, bool) else -1


def _error(call: str, data: Mapping[str, Any]) -> WeComAPIError:
    code = _errcode(data)
    hint = HINTS.get(code, "")
    if call != "gettoken" and code == 40001:
        hint = "the access token was rejected twice; check the app's secret"
    return WeComAPIError(call, code, str(data.get("errmsg", "no errmsg")), hint)


class WeComAPI:
    """One app's client. `transport` replaces the network (tests); `monotonic` is the clock the
    token's lifetime is measured on. Close with `aclose()`."""

    def __init__(
        self,
        settings: WeComSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        _redact_httpx_log()
        self.settings = settings
        self._monotonic = monotonic
        self._client = httpx.AsyncClient(
            base_url=settings.api_base_url.rstrip("/") + "/",
            timeout=settings.request_timeout_seconds,
            transport=transport,
            headers={"User-Agent": f"hrbot/{__version__}"},
        )
        self._token: AccessToken | None = None
        self._token_lock = asyncio.Lock()
        self.tokens_fetched = 0

    async def aclose(self) -> None:
        await self._client.aclose()

    # ------------------------------------------------------------------------------ the token

    def _valid_token(self) -> str | None:
        token = self._token
        if token is not None and self._monotonic() < token.refresh_after:
            return token.value
        return None

    async def access_token(self) -> str:
        """The app's access token, from the cache while it is valid."""
        cached = self._valid_token()
        if cached is not None:
            return cached
        async with self._token_lock:  # one gettoken however many callers are waiting
            cached = self._valid_token()
            if cached is not None:
                return cached
            self._token = await self._fetch_token()
            return self._token.value

    def _discard(self, value: str) -> None:
        """Forget `value` unless another caller already replaced it."""
        if self._token is not None and self._token.value == value:
            self._token = None

    async def _fetch_token(self) -> AccessToken:
        settings = self.settings
        data = await self._request("GET", "gettoken",
                                   params={"corpid": settings.corp_id, "corpsecret": settings.secret})
        if _errcode(data) != 0:
            raise _error("gettoken", data)
        value = data.get("access_token")
        if not isinstance(value, str) or not value:
            raise WeComAPIError("gettoken", None, "the answer has no access_token")
        lifetime = data.get("expires_in", DEFAULT_TOKEN_LIFETIME_SECONDS)
        if not isinstance(lifetime, int | float) or lifetime <= 0:
            lifetime = DEFAULT_TOKEN_LIFETIME_SECONDS
        margin = min(MAX_REFRESH_MARGIN_SECONDS, lifetime / 10)
        self.tokens_fetched += 1
        logger.info("fetched a WeCom access token for app %s (valid for %d s)", settings.agent_id, lifetime)
        return AccessToken(value, self._monotonic() + lifetime - margin)

    # ------------------------------------------------------------------------------ calls

    async def _request(self, method: str, call: str, *, params: Mapping[str, str],
                       json: Any = None) -> dict[str, Any]:
        """One request's JSON answer; WeComAPIError when WeCom cannot be reached or answers
        something that is not a JSON object."""
        where = self.settings.api_base_url
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            try:
                response = await self._client.request(method, call, params=params, json=json)
                break
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:  # nothing was sent
                if attempt == CONNECT_ATTEMPTS:
                    reason = redact_secrets(str(error)) or type(error).__name__
                    raise WeComAPIError(call, None, f"cannot connect to {where}: {reason}") from None
                await asyncio.sleep(RECONNECT_DELAY_SECONDS)
            except httpx.HTTPError as error:
                reason = f"{type(error).__name__} talking to {where}: {redact_secrets(str(error))}"
                raise WeComAPIError(call, None, reason) from None
        if response.status_code != 200:
            raise WeComAPIError(call, None, f"HTTP {response.status_code} from {where}")
        try:
            data = response.json()
        except ValueError:
            raise WeComAPIError(call, None, "the answer is not JSON") from None
        if not isinstance(data, dict):
            raise WeComAPIError(call, None, "the answer is not a JSON object")
        return data

    async def call(self, call: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST `body` to the API `call` with the access token; the answer when errcode is 0.
        A rejected token is replaced and the call made once more."""
        for attempt in (1, 2):
            token = await self.access_token()
            data = await self._request("POST", call, params={"access_token": token}, json=dict(body))
            code = _errcode(data)
            if code == 0:
                return data
            if code in TOKEN_REJECTED_CODES and attempt == 1:
                logger.info("WeCom rejected the access token (errcode %d: %s); fetching a new one",
                            code, data.get("errmsg"))
                self._discard(token)
                continue
            raise _error(call, data)
        raise AssertionError("unreachable")  # pragma: no cover

    async def send_message(self, to_user: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Send one app message (`body` has its msgtype and content) to the user `to_user`."""
        message = {"touser": to_user, "agentid": self.settings.agent_id, **body}
        answer = await self.call("message/send", message)
        if answer.get("invaliduser"):
            logger.warning("WeCom did not deliver a %s message to %r: invaliduser %r (not in the app's "
                           "visible range, or no such user)",
                           body.get("msgtype"), to_user, answer["invaliduser"])
        return answer

    async def update_card_button(self, user: str, response_code: str, replace_name: str) -> None:
        """Turn the buttons of a clicked card into one inactive button `replace_name` for `user`."""
        await self.call("message/update_template_card", {
            "userids": [user], "agentid": self.settings.agent_id, "response_code": response_code,
            "button": {"replace_name": replace_name},
        })
