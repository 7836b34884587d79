"""What the console is configured with, and where each setting comes from when the server
does not pass settings of its own (`ConsoleSettings.from_environment`):

    callback_url        credentials.yml `callback: {url: ...}` (Rasa's callback channel); the
                        file is $HRBOT_CONSOLE_CREDENTIALS or ./credentials.yml
    company_file        $HRBOT_CONSOLE_COMPANY or ./demo/company.json: the employee directory
                        behind the (masked) profiles in the inbox
    handbook_file       $HRBOT_CONSOLE_HANDBOOK or ./demo/handbook.md: the canned replies
    secure_cookies      off only with HRBOT_CONSOLE_INSECURE_COOKIES=1 (plain-http development)
    allowed_origins     $HRBOT_CONSOLE_ORIGINS (comma-separated), for a console reached through
                        a proxy under another host name than the one the server sees
    timezone            $HRBOT_TIMEZONE or Asia/Shanghai: how times are shown

Timings are plain numbers so tests can shorten them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hrbot.shared.clock import DEFAULT_TIMEZONE
from hrbot.shared.errors import HrbotError

CREDENTIALS_FILE = "credentials.yml"
DEFAULT_COMPANY_FILE = Path("demo") / "company.json"
DEFAULT_HANDBOOK_FILE = Path("demo") / "handbook.md"


@dataclass(frozen=True)
class ConsoleSettings:
    """The console's knobs. Sessions end after `session_idle_seconds` without a request and
    after `session_max_seconds` in any case; `max_failed_logins` wrong passwords in a row lock an
    account for `lockout_seconds`. The live inbox is re-read every `live_poll_seconds`; one
    event stream lasts `live_stream_seconds` before the browser reconnects (so proxies and
    server restarts never leave a page stuck)."""

    callback_url: str | None = None
    company_file: Path | None = None
    handbook_file: Path | None = None
    secure_cookies: bool = True
    allowed_origins: tuple[str, ...] = ()
    session_idle_seconds: float = 8 * 3600
    session_max_seconds: float = 12 * 3600
    max_failed_logins: int = 5
    lockout_seconds: float = 15 * 60
    live_poll_seconds: float = 1.0
    live_stream_seconds: float = 300.0
    last_messages: int = 3
    timezone: str = DEFAULT_TIMEZONE

    @classmethod
    def from_environment(cls, project_dir: Path, environ: Mapping[str, str] | None = None) -> ConsoleSettings:
        """Settings from the project folder and HRBOT_CONSOLE_* variables (see the module)."""
        env = os.environ if environ is None else environ
        credentials = Path(env.get("HRBOT_CONSOLE_CREDENTIALS") or project_dir / CREDENTIALS_FILE)
        return cls(
            callback_url=callback_url(credentials),
            company_file=_existing(env.get("HRBOT_CONSOLE_COMPANY"), project_dir / DEFAULT_COMPANY_FILE),
            handbook_file=_existing(env.get("HRBOT_CONSOLE_HANDBOOK"), project_dir / DEFAULT_HANDBOOK_FILE),
            secure_cookies=env.get("HRBOT_CONSOLE_INSECURE_COOKIES", "") not in ("1", "true", "yes"),
            timezone=env.get("HRBOT_TIMEZONE") or DEFAULT_TIMEZONE,
            allowed_origins=tuple(
                origin.strip().rstrip("/") for origin in env.get("HRBOT_CONSOLE_ORIGINS", "").split(",")
                if origin.strip()
            ),
        )


def _existing(named: str | None, default: Path) -> Path | None:
    """The file a variable names (which must exist), else `default` if it exists."""
    if named:
        path = Path(named)
        if not path.is_file():
            raise HrbotError(f"the console's file {path} does not exist: fix the HRBOT_CONSOLE_* variable")
        return path
    return default if default.is_file() else None


def callback_url(credentials_file: Path) -> str | None:
    """The `url` of credentials.yml's `callback` section (Rasa's callback channel), if any."""
    from hrbot.shared.credentials import read_credentials

    section = read_credentials(credentials_file).channel("callback")
    if section is None:
        return None
    url = section.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise HrbotError(
            f"{credentials_file}: callback: url must be the http(s) address the bot posts its "
            f"messages to, got {url!r}"
        )
    return url
