"""The `dingtalk:` section of credentials.yml, checked once at start-up.

    dingtalk:
      client_id: ${DINGTALK_CLIENT_ID}          # the app's Client ID / AppKey (alias: app_key)
      client_secret: ${DINGTALK_CLIENT_SECRET}  # its Client Secret / AppSecret (alias: app_secret)
      robot_code: ${DINGTALK_ROBOT_CODE}        # optional; DingTalk's default is the client id
      mode: stream                              # stream (default; no public URL) or http
      api_base_url: https://api.dingtalk.com    # optional; tests point it at a fake server

Every problem of the section is reported at once, each naming the key and what to write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hrbot.shared.credentials import Credentials
from hrbot.shared.errors import HrbotError

CHANNEL_NAME = "dingtalk"
DEFAULT_API_BASE_URL = "https://api.dingtalk.com"
MODES = ("stream", "http")
ALIASES = {"client_id": "app_key", "client_secret": "app_secret"}
KNOWN_KEYS = frozenset({"client_id", "client_secret", "robot_code", "mode", "api_base_url",
                        *ALIASES.values()})

Mode = Literal["stream", "http"]


class DingTalkSettingsError(HrbotError):
    """The `dingtalk:` section cannot be used; the message lists every problem."""


@dataclass(frozen=True)
class DingTalkSettings:
    """What the channel needs to talk to DingTalk. The secret signs HTTP-mode callbacks and
    buys access tokens, so it is kept out of `repr`."""

    client_id: str
    client_secret: str = field(repr=False)
    robot_code: str
    mode: Mode = "stream"
    api_base_url: str = DEFAULT_API_BASE_URL


def _text(section: Mapping[str, Any], key: str, problems: list[str]) -> str | None:
    value = section.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return value.strip()
    shown = "empty" if isinstance(value, str) else f"{type(value).__name__} {value!r}"
    problems.append(f"'{key}' must be a non-empty string, got {shown}: quote the value")
    return None


def _aliased(section: Mapping[str, Any], key: str, problems: list[str]) -> str | None:
    alias = ALIASES[key]
    value, other = _text(section, key, problems), _text(section, alias, problems)
    if value is not None and other is not None and value != other:
        problems.append(f"'{key}' and '{alias}' are two names for one setting and differ: keep one")
    return value or other


def dingtalk_settings(section: Mapping[str, Any], source: str = "credentials.yml") -> DingTalkSettings:
    """The settings of a `dingtalk:` section (already `${VAR}`-expanded); DingTalkSettingsError
    naming `source` and every bad key otherwise."""
    problems: list[str] = []
    unknown = sorted(str(key) for key in section if key not in KNOWN_KEYS)
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)}: the keys are {', '.join(sorted(KNOWN_KEYS))}")
    client_id = _aliased(section, "client_id", problems)
    secret = _aliased(section, "client_secret", problems)
    if client_id is None and not any(key in section for key in ("client_id", "app_key")):
        problems.append("'client_id' is missing: the Client ID (AppKey) of the DingTalk app")
    if secret is None and not any(key in section for key in ("client_secret", "app_secret")):
        problems.append("'client_secret' is missing: the Client Secret (AppSecret) of the DingTalk app, "
                        "best as ${DINGTALK_CLIENT_SECRET}")
    robot_code = _text(section, "robot_code", problems)
    mode = _text(section, "mode", problems) or "stream"
    if mode not in MODES:
        problems.append(f"'mode' is {mode!r}: write 'stream' (no public URL needed) or 'http'")
    base_url = (_text(section, "api_base_url", problems) or DEFAULT_API_BASE_URL).rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        problems.append(f"'api_base_url' {base_url!r} must start with https:// "
                        "(or http:// for a test server)")
    if problems or client_id is None or secret is None:
        raise DingTalkSettingsError(
            f"{source}: the '{CHANNEL_NAME}' section is not usable:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )
    return DingTalkSettings(
        client_id=client_id,
        client_secret=secret,
        robot_code=robot_code or client_id,
        mode="http" if mode == "http" else "stream",
        api_base_url=base_url,
    )


def settings_from_credentials(credentials: Credentials) -> DingTalkSettings | None:
    """The DingTalk settings of a project's credentials.yml, or None when it has no `dingtalk:`
    section (the channel is then off)."""
    section = credentials.channel(CHANNEL_NAME)
    if section is None:
        return None
    return dingtalk_settings(section, credentials.path or "credentials.yml")
