"""The WeCom channel's settings: the `wecom:` section of credentials.yml.

    wecom:
      corp_id: ${WECOM_CORP_ID}              # 企业ID (我的企业 → 企业信息)
      agent_id: ${WECOM_AGENT_ID}            # the self-built app's AgentId
      secret: ${WECOM_SECRET}                # the app's Secret (for gettoken)
      token: ${WECOM_TOKEN}                  # 接收消息 → API接收 → Token
      encoding_aes_key: ${WECOM_AES_KEY}     # ... → EncodingAESKey (43 characters)
      # optional:
      api_base_url: https://qyapi.weixin.qq.com/cgi-bin   # tests point it at a fake server
      webhook_path: /webhooks/wecom/webhook  # the callback URL's path set in WeCom
      markdown: true            # bot texts with **bold**, # headings or [links](...) go as markdown
      max_clock_skew_seconds: 300   # callbacks whose timestamp is further off are refused (replays)
      request_timeout_seconds: 10   # per WeCom API request

Secrets are kept out of `repr` so that a logged settings object leaks nothing.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from hrbot.channels.wecom.errors import WeComSettingsError

DEFAULT_API_BASE_URL = "https://qyapi.weixin.qq.com/cgi-bin"
DEFAULT_WEBHOOK_PATH = "/webhooks/wecom/webhook"
DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300.0
DEFAULT_REQUEST_TIMEOUT_SECONDS = 10.0
ENCODING_AES_KEY_LENGTH = 43

REQUIRED_KEYS = ("corp_id", "agent_id", "secret", "token", "encoding_aes_key")
OPTIONAL_KEYS = ("api_base_url", "webhook_path", "markdown", "max_clock_skew_seconds",
                 "request_timeout_seconds")

_BASE64_PATTERN = re.compile(r"[A-Za-z0-9+/]+")


def aes_key_of(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of an EncodingAESKey (base64 of the 43 characters plus '=');
    WeComSettingsError when it is not one."""
    if len(encoding_aes_key) != ENCODING_AES_KEY_LENGTH or not _BASE64_PATTERN.fullmatch(encoding_aes_key):
        raise WeComSettingsError(
            f"'encoding_aes_key' must be the {ENCODING_AES_KEY_LENGTH} letters and digits WeCom's admin "
            f"console shows as EncodingAESKey; got {len(encoding_aes_key)} characters"
        )
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as error:  # pragma: no cover - the pattern above rules this out
        raise WeComSettingsError(f"'encoding_aes_key' is not base64: {error}") from None
    return key


@dataclass(frozen=True)
class WeComSettings:
    """One WeCom self-built app (自建应用) and its callback URL."""

    corp_id: str
    agent_id: int
    secret: str = field(repr=False)
    token: str = field(repr=False)
    encoding_aes_key: str = field(repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    webhook_path: str = DEFAULT_WEBHOOK_PATH
    markdown: bool = True
    max_clock_skew_seconds: float = DEFAULT_MAX_CLOCK_SKEW_SECONDS
    request_timeout_seconds: float = DEFAULT_REQUEST_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if not self.corp_id.strip():
            raise WeComSettingsError("'corp_id' must not be empty: copy the 企业ID from WeCom's admin "
                                     "console")
        if self.agent_id <= 0:
            raise WeComSettingsError(f"'agent_id' must be the app's positive AgentId, got {self.agent_id}")
        if not self.secret.strip():
            raise WeComSettingsError("'secret' must not be empty: copy the app's Secret")
        if not self.token or any(char.isspace() for char in self.token):
            raise WeComSettingsError(
                "'token' must be the Token set under the app's 接收消息 (API接收) settings, without spaces"
            )
        aes_key_of(self.encoding_aes_key)
        parts = urlsplit(self.api_base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise WeComSettingsError(
                f"'api_base_url' must be an http(s) URL such as {DEFAULT_API_BASE_URL}, "
                f"got {self.api_base_url!r}"
            )
        if not self.webhook_path.startswith("/"):
            raise WeComSettingsError(f"'webhook_path' must start with '/', got {self.webhook_path!r}")
        if self.max_clock_skew_seconds <= 0 or self.request_timeout_seconds <= 0:
            raise WeComSettingsError(
                "'max_clock_skew_seconds' and 'request_timeout_seconds' must be positive numbers of seconds"
            )

    @property
    def aes_key(self) -> bytes:
        return aes_key_of(self.encoding_aes_key)

    @property
    def scope(self) -> str:
        """The app's name in shared records (deduplication): its CorpID and AgentId."""
        return f"wecom:{self.corp_id}:{self.agent_id}"

    @classmethod
    def from_credentials(cls, section: Mapping[str, Any], where: str = "credentials.yml") -> WeComSettings:
        """The settings of a `wecom:` section (environment variables already expanded);
        WeComSettingsError naming `where`, the key and the fix otherwise."""
        try:
            return cls._from_section(section)
        except WeComSettingsError as error:
            raise WeComSettingsError(f"{where}: wecom: {error}") from None

    @classmethod
    def _from_section(cls, section: Mapping[str, Any]) -> WeComSettings:
        unknown = sorted(str(key) for key in section if key not in REQUIRED_KEYS + OPTIONAL_KEYS)
        if unknown:
            raise WeComSettingsError(
                f"unknown key(s) {', '.join(unknown)}; the section takes "
                f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}"
            )
        missing = [key for key in REQUIRED_KEYS if section.get(key) in (None, "")]
        if missing:
            raise WeComSettingsError(
                f"missing {', '.join(missing)}: set them (e.g. 'corp_id: ${{WECOM_CORP_ID}}') from the "
                "app's page in WeCom's admin console"
            )
        options: dict[str, Any] = {}
        for key in ("api_base_url", "webhook_path"):
            if section.get(key) is not None:
                options[key] = _text(section, key)
        if section.get("markdown") is not None:
            value = section["markdown"]
            if not isinstance(value, bool):
                raise WeComSettingsError(f"'markdown' must be true or false, got {value!r}")
            options["markdown"] = value
        for key in ("max_clock_skew_seconds", "request_timeout_seconds"):
            if section.get(key) is not None:
                options[key] = _number(section, key)
        return cls(
            corp_id=_text(section, "corp_id"),
            agent_id=_agent_id(section["agent_id"]),
            secret=_text(section, "secret"),
            token=_text(section, "token"),
            encoding_aes_key=_text(section, "encoding_aes_key"),
            **options,
        )


def _text(section: Mapping[str, Any], key: str) -> str:
    value = section[key]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise WeComSettingsError(f"'{key}' must be a string, got {type(value).__name__}")
    return str(value).strip()


def _number(section: Mapping[str, Any], key: str) -> float:
    value = section[key]
    if isinstance(value, bool):
        raise WeComSettingsError(f"'{key}' must be a number of seconds, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise WeComSettingsError(f"'{key}' must be a number of seconds, got {value!r}") from None


def _agent_id(value: Any) -> int:
    """AgentId is a number; from an environment variable it arrives as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise WeComSettingsError(f"'agent_id' must be the app's numeric AgentId, got {value!r}")
