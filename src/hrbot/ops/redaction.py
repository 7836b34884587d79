"""What a log line must not show: personal data (phone, ID card and bank account numbers,
salary-like amounts — the console's masking rules, hrbot.console.masking) and secrets that end
up in URLs and headers (`?token=...`, `Authorization: Bearer ...`, `user:password@` in a
database URL)."""

from __future__ import annotations

import re
from typing import Any

from hrbot.console.masking import MASK, mask_text, mask_value

_SECRET_PARAMETER = re.compile(
    r"(?i)\b((?:access_?)?token|secret|password|passwd|api_?key|sign(?:ature)?|code)=([^&\s\"']+)")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*):[^@/\s]+@")


def redact_secrets(text: str) -> str:
    """`text` with query-string secrets, bearer tokens and URL passwords replaced by ***."""
    text = _SECRET_PARAMETER.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _URL_CREDENTIALS.sub(lambda m: f"{m.group(1)}:{MASK}@", text)


def redact_text(text: str) -> str:
    """`text` safe to log: secrets removed, personal figures masked."""
    return mask_text(redact_secrets(text))


def redact_value(value: Any) -> Any:
    """Any JSON-like value with every string in it redacted (numbers are left alone)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {str(key): redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return mask_value(value)
