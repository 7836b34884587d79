"""Where the company's HR systems are and how the bot authenticates to them: the `hr_systems`
section of the project's endpoints.yml, overridden by environment variables.

    hr_systems:
      url: "http://127.0.0.1:8800"     # HR_SYSTEMS_URL overrides
      timeout: 5                       # seconds; HR_SYSTEMS_TIMEOUT overrides
      tokens:                          # HR_HRM_TOKEN, HR_ERP_TOKEN, ... override
        hrm: "demo-hrm-token"
        erp: "demo-erp-token"
        oa: "demo-oa-token"
        crm: "demo-crm-token"
        pms: "demo-pms-token"

The project folder is $HRBOT_PROJECT_DIR, or the folder holding the `actions` package. Every
problem raises `ConfigError` naming the file, the key and the environment variable to fix it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SYSTEMS: tuple[str, ...] = ("hrm", "erp", "oa", "crm", "pms")
SYSTEM_NAMES: Mapping[str, str] = {
    "hrm": "人事系统",
    "erp": "财务系统",
    "oa": "办公审批系统",
    "crm": "客服系统",
    "pms": "项目管理系统",
}
SECTION = "hr_systems"
PROJECT_DIR_ENV = "HRBOT_PROJECT_DIR"
URL_ENV = "HR_SYSTEMS_URL"
TIMEOUT_ENV = "HR_SYSTEMS_TIMEOUT"
DEFAULT_TIMEOUT = 5.0
DEFAULT_RETRIES = 2


def token_env_var(system: str) -> str:
    """The environment variable overriding a system's token, e.g. HR_HRM_TOKEN."""
    return f"HR_{system.upper()}_TOKEN"


class ConfigError(ValueError):
    """The `hr_systems` settings are missing or wrong; the message says where and how to fix it."""


@dataclass(frozen=True)
class SystemsConfig:
    """The base URL of the HR systems, the bearer token of each, the per-request timeout (seconds)
    and how many times an idempotent read is retried after a connection failure, timeout or 5xx."""

    url: str
    tokens: Mapping[str, str]
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ConfigError(f"hr_systems url {self.url!r} must start with http:// or https://")
        missing = [system for system in SYSTEMS if not self.tokens.get(system)]
        if missing:
            raise ConfigError(f"hr_systems has no token for {', '.join(missing)}")
        if not (self.timeout > 0 and math.isfinite(self.timeout)):
            raise ConfigError(f"hr_systems timeout must be a positive number of seconds, not {self.timeout}")
        if self.retries < 0:
            raise ConfigError(f"hr_systems retries must be 0 or more, not {self.retries}")

    def token(self, system: str) -> str:
        """The bearer token of `system` (one of SYSTEMS)."""
        if system not in SYSTEMS:
            raise KeyError(f"unknown HR system {system!r}; known: {', '.join(SYSTEMS)}")
        return self.tokens[system]


def project_dir(env: Mapping[str, str] | None = None) -> Path:
    """$HRBOT_PROJECT_DIR, or the project folder this `actions` package lives in."""
    source = os.environ if env is None else env
    configured = source.get(PROJECT_DIR_ENV)
    return Path(configured) if configured else Path(__file__).resolve().parents[2]


def load_systems_config(project: Path | None = None, env: Mapping[str, str] | None = None) -> SystemsConfig:
    """The settings from `<project>/endpoints.yml`'s `hr_systems` section and the environment.

    Environment variables win over the file; a value that neither gives is a ConfigError.
    """
    source = os.environ if env is None else env
    path = (project or project_dir(source)) / "endpoints.yml"
    section = _read_section(path)
    where = f"{path}: {SECTION}"

    url = source.get(URL_ENV) or _text(section, "url", where)
    if not url:
        raise ConfigError(f"{where}.url is missing: write the HR systems' base URL there or set ${URL_ENV}")
    timeout = _timeout(source.get(TIMEOUT_ENV), section.get("timeout"), where)
    retries = section.get("retries", DEFAULT_RETRIES)
    if isinstance(retries, bool) or not isinstance(retries, int):
        raise ConfigError(f"{where}.retries must be a whole number, not {retries!r}")

    file_tokens = section.get("tokens") or {}
    if not isinstance(file_tokens, dict):
        raise ConfigError(f"{where}.tokens must map each system (hrm, erp, ...) to its token")
    unknown = sorted(set(map(str, file_tokens)) - set(SYSTEMS))
    if unknown:
        raise ConfigError(f"{where}.tokens: unknown system {', '.join(unknown)}; known: {', '.join(SYSTEMS)}")
    tokens: dict[str, str] = {}
    for system in SYSTEMS:
        token = source.get(token_env_var(system)) or _text(file_tokens, system, f"{where}.tokens")
        if not token:
            raise ConfigError(
                f"{where}.tokens.{system} is missing: write the {system.upper()} token there "
                f"or set ${token_env_var(system)}"
            )
        tokens[system] = token
    try:
        return SystemsConfig(url=url.rstrip("/"), tokens=tokens, timeout=timeout, retries=retries)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None


def _read_section(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path} not found: the HR systems are configured in its '{SECTION}' section "
            f"(set ${PROJECT_DIR_ENV} to the project folder)"
        ) from None
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{path} cannot be read: {error}") from None
    section = document.get(SECTION) if isinstance(document, dict) else None
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: '{SECTION}' must be a mapping with url, timeout and tokens")
    return section


def _text(mapping: Mapping[Any, Any], key: str, where: str) -> str | None:
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}.{key} must be a string, not {value!r}")
    return value.strip() or None


def _timeout(from_env: str | None, from_file: Any, where: str) -> float:
    if from_env:
        try:
            return float(from_env)
        except ValueError:
            raise ConfigError(f"${TIMEOUT_ENV}={from_env!r} must be a number of seconds") from None
    if from_file is None:
        return DEFAULT_TIMEOUT
    if isinstance(from_file, bool) or not isinstance(from_file, int | float):
        raise ConfigError(f"{where}.timeout must be a number of seconds, not {from_file!r}")
    return float(from_file)
