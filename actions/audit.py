"""The audit trail of the bot's access to the HR systems: one JSON line per backend call.

Every call the connectors make is recorded, with the time, the employee the bot acted for, the
system, method and path (never a token), the employee whose data was read when that is somebody
else (a manager reading a report's attendance), and the outcome. ID card, phone and bank account
numbers are masked wherever they appear in the path or the parameters (handbook 8.1).

The file is $HRBOT_AUDIT_LOG, by default `logs/audit.jsonl` in the project folder. Writing is
serialised by a lock and each entry is one `write` in append mode, so threads, tasks and processes
sharing the file do not interleave lines. An I/O error is logged, never raised into the action:
failing to audit must not fail the employee's request.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

AUDIT_LOG_ENV = "HRBOT_AUDIT_LOG"
PROJECT_DIR_ENV = "HRBOT_PROJECT_DIR"  # as in actions.connectors.config, which imports this module
DEFAULT_AUDIT_LOG = Path("logs") / "audit.jsonl"

logger = logging.getLogger(__name__)

_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_BANK_ACCOUNT = re.compile(r"(?<![\d*])(\d{4})(?:[ -]?\d){8,11}[ -]?(\d{4})(?![\d*])")
_PHONE = re.compile(r"(?<![\d*])(1[3-9]\d)\d{4}(\d{4})(?![\d*])")


def mask_identifiers(text: str) -> str:
    """`text` with ID card, bank account and mobile numbers masked as the HR systems mask them:
    330106********4700, 6222********5661, 132****4755."""
    text = _ID_CARD.sub(r"\1********\2", text)
    text = _BANK_ACCOUNT.sub(r"\1********\2", text)
    return _PHONE.sub(r"\1****\2", text)


def audit_log_path(env: Mapping[str, str] | None = None) -> Path:
    """$HRBOT_AUDIT_LOG, or logs/audit.jsonl in the project folder."""
    source = os.environ if env is None else env
    configured = source.get(AUDIT_LOG_ENV)
    if configured:
        return Path(configured)
    project = source.get(PROJECT_DIR_ENV)
    return (Path(project) if project else Path(__file__).resolve().parents[1]) / DEFAULT_AUDIT_LOG


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AuditEntry:
    """One backend call. `target_employee` is set only when it differs from `acting_employee`;
    `outcome` is "ok" or the name of the error class (RequestRefused, NotFound, ...)."""

    time: str
    acting_employee: str | None
    system: str
    method: str
    path: str
    status: int | None
    outcome: str
    params: Mapping[str, str] = field(default_factory=dict)
    target_employee: str | None = None
    error_code: str | None = None
    attempts: int = 1
    duration_ms: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "params": dict(self.params)}


class AuditLog:
    """Appends `AuditEntry` lines to a file; safe to share between threads and tasks."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AuditLog:
        """The audit log at $HRBOT_AUDIT_LOG (default: logs/audit.jsonl in the project folder)."""
        return cls(audit_log_path(env))

    def record(
        self,
        *,
        acting_employee: str | None,
        system: str,
        method: str,
        path: str,
        status: int | None,
        outcome: str,
        params: Mapping[str, Any] | None = None,
        target_employee: str | None = None,
        error_code: str | None = None,
        attempts: int = 1,
        duration_ms: int = 0,
    ) -> AuditEntry:
        """Masks identifiers, appends the entry and returns it (also when it could not be written)."""
        target = None if target_employee in (None, "me", acting_employee) else target_employee
        entry = AuditEntry(
            time=self._clock().isoformat(timespec="milliseconds"),
            acting_employee=acting_employee,
            system=system,
            method=method.upper(),
            path=mask_identifiers(path),
            status=status,
            outcome=outcome,
            params={str(k): mask_identifiers(str(v)) for k, v in (params or {}).items() if v is not None},
            target_employee=None if target is None else mask_identifiers(target),
            error_code=error_code,
            attempts=attempts,
            duration_ms=duration_ms,
        )
        self.write(entry)
        return entry

    def write(self, entry: AuditEntry) -> None:
        """Appends one line; an I/O error is logged (with the entry) and swallowed."""
        line = json.dumps(entry.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as file:
                    file.write(line)
        except OSError as error:
            logger.error("could not write the audit log %s (%s); entry: %s", self.path, error, line.rstrip())

    def entries(self) -> list[AuditEntry]:
        """Every entry written so far (for reviews and tests); an unreadable file reads as empty."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        return [AuditEntry(**json.loads(line)) for line in lines if line.strip()]
