"""Structured logs: one JSON object per line, for a log shipper (journald, Loki, ELK) to read.

    {"time": "2026-11-21T02:00:00.123Z", "level": "INFO", "logger": "hrbot.dialogue.processor",
     "message": "...", "request_id": "…", "sender_id": "E1001", "channel": "rest"}

Fields bound with `hrbot.ops.log_context.log_fields` (request id, sender id) and a call's
`extra={...}` are added; uvicorn's access lines become `client`, `method`, `path`, `status`.
Every string is redacted (hrbot.ops.redaction): no phone, ID card or bank account number, no
salary figure, no token or password reaches the log.

Opt in with `--log-format json` or HRBOT_LOG_FORMAT=json; the default stays uvicorn's text."""

from __future__ import annotations

import json
import logging
import logging.config
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hrbot.ops.log_context import current_log_fields
from hrbot.ops.redaction import redact_text, redact_value
from hrbot.shared.errors import HrbotError

LOG_FORMAT_ENV = "HRBOT_LOG_FORMAT"
LOG_FORMATS = ("text", "json")

# what every LogRecord has; anything else on a record came from `extra=`
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}
_ACCESS_LOGGER = "uvicorn.access"


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON, redacted."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
                    .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_text(record.getMessage()),
        }
        fields: dict[str, Any] = dict(current_log_fields())
        fields.update({key: value for key, value in vars(record).items()
                       if key not in _RECORD_ATTRIBUTES and not key.startswith("_")})
        if record.name == _ACCESS_LOGGER:
            fields.update(_access_fields(record.args))
        for key, value in fields.items():
            if key not in payload:
                payload[key] = redact_value(_jsonable(value))
        if record.exc_info:
            payload["exception"] = redact_text(self.formatException(record.exc_info))
        if record.stack_info:
            payload["stack"] = redact_text(self.formatStack(record.stack_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


def _access_fields(args: Any) -> dict[str, Any]:
    """uvicorn's access record args: (client, method, path with query, HTTP version, status)."""
    if not isinstance(args, tuple) or len(args) != 5:
        return {}
    client, method, path, _, status = args
    return {"client": str(client), "method": str(method), "path": str(path), "status": status}


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def log_format(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The log format: `option` (--log-format), else $HRBOT_LOG_FORMAT, else "text"."""
    source = os.environ if environ is None else environ
    chosen = (option or source.get(LOG_FORMAT_ENV) or "text").strip().lower()
    if chosen not in LOG_FORMATS:
        where = "--log-format" if option else LOG_FORMAT_ENV
        raise HrbotError(f"{where} is {chosen!r}: use one of {', '.join(LOG_FORMATS)}")
    return chosen


def logging_config(fmt: str, level: str = "INFO") -> dict[str, Any] | None:
    """A `logging.config.dictConfig` dict (also uvicorn's `log_config`) sending every logger,
    uvicorn's included, as JSON lines to stderr; None for "text" (keep uvicorn's own)."""
    if fmt == "text":
        return None
    if fmt != "json":
        raise ValueError(f"unknown log format {fmt!r}: use one of {', '.join(LOG_FORMATS)}")
    propagate = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {name: dict(propagate) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }


def configure_logging(fmt: str, level: str = "INFO") -> None:
    """Apply `logging_config(fmt, level)` to this process (nothing for "text")."""
    config = logging_config(fmt, level)
    if config is not None:
        logging.config.dictConfig(config)
