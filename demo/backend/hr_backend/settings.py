"""Run-time settings: where the data and database live, the clock and the systems' tokens.

Each of the five systems has its own bearer token, plus one for ``/admin``. The demo defaults
below are public on purpose (this is a demo); override them with command-line options or the
``HR_BACKEND_<SYSTEM>_TOKEN`` environment variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

SYSTEMS = ("hrm", "erp", "oa", "crm", "pms", "admin")
DEFAULT_TOKENS: Mapping[str, str] = {system: f"demo-{system}-token" for system in SYSTEMS}
ENV_PREFIX = "HR_BACKEND_"


def token_env_var(system: str) -> str:
    """The environment variable that overrides ``system``'s token, e.g. HR_BACKEND_HRM_TOKEN."""
    return f"{ENV_PREFIX}{system.upper()}_TOKEN"


@dataclass(frozen=True)
class Tokens:
    """The bearer token each system (and /admin) accepts."""

    by_system: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TOKENS))

    def __post_init__(self) -> None:
        missing = [system for system in SYSTEMS if not self.by_system.get(system)]
        if missing:
            raise ValueError(f"no token for {', '.join(missing)}: every system needs a non-empty token")

    def for_system(self, system: str) -> str:
        return self.by_system[system]

    @classmethod
    def from_env(cls, env: Mapping[str, str], overrides: Mapping[str, str | None] | None = None) -> Tokens:
        """Defaults, replaced by ``HR_BACKEND_<SYSTEM>_TOKEN``, replaced by non-empty ``overrides``."""
        tokens = dict(DEFAULT_TOKENS)
        for system in SYSTEMS:
            tokens[system] = env.get(token_env_var(system)) or tokens[system]
            override = (overrides or {}).get(system)
            if override:
                tokens[system] = override
        return cls(tokens)


@dataclass(frozen=True)
class Settings:
    """Everything the backend needs to start. ``now=None`` means the company's reference date."""

    data_path: Path
    db_path: Path
    tokens: Tokens = field(default_factory=Tokens)
    now: datetime | None = None


def env_or(name: str, default: str, env: Mapping[str, str] | None = None) -> str:
    """``HR_BACKEND_<name>`` from ``env`` (default: the process environment) or ``default``."""
    source = os.environ if env is None else env
    return source.get(ENV_PREFIX + name) or default
