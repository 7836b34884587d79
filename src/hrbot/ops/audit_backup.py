"""Backup and restore of the HR console's hash-chained audit log (hrbot.console.audit).

The backup is `hrbot audit export --format jsonl`: every entry with its `prev_hash` and `hash`,
oldest first. `check_backup` verifies such a file on its own, with no database: ids 1, 2, 3
without gaps, each `prev_hash` the previous entry's hash, each hash matching the entry's
contents. `restore_audit` writes a verified backup into a database whose audit log is empty or
holds the backup's first entries unchanged (a restore after the newest entries were lost), then
walks the restored chain in the database and checks that it ends in the backup's head hash.
Nothing is written when the backup is broken or disagrees with what is stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from hrbot.console.audit import GENESIS_HASH, AuditEntry, AuditLog, ChainCheck, canonical_json, entry_hash
from hrbot.console.tables import ConsoleTables, insert_if_missing
from hrbot.shared.errors import HrbotError

RESTORE_BATCH = 500
_FIELDS = ("id", "at", "actor", "action", "target", "details", "prev_hash", "hash")


class AuditBackupError(HrbotError):
    """A backup that cannot be read or verified, or that does not fit the stored log."""


@dataclass(frozen=True)
class AuditRestore:
    entries: int  # in the backup
    already_stored: int  # the first entries the database had already
    restored: int
    head_hash: str


def read_backup(path: Path) -> Iterator[AuditEntry]:
    """The entries of a JSON Lines backup, one at a time; AuditBackupError naming the line."""
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as error:
        raise AuditBackupError(f"cannot read {path}: {error.strerror or error}") from None
    with handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield _entry(text, f"{path}:{number}")


def _entry(text: str, where: str) -> AuditEntry:
    try:
        data: Any = json.loads(text)
    except ValueError as error:
        raise AuditBackupError(f"{where}: not JSON ({error}); is this an 'hrbot audit export "
                               "--format jsonl' file?") from None
    missing = [name for name in _FIELDS if not isinstance(data, dict) or name not in data]
    if missing:
        raise AuditBackupError(f"{where}: an audit entry needs {', '.join(missing)}")
    if not isinstance(data["id"], int) or not isinstance(data["details"], dict):
        raise AuditBackupError(f"{where}: 'id' must be a number and 'details' an object")
    return AuditEntry(data["id"], str(data["at"]), str(data["actor"]), str(data["action"]),
                      str(data["target"]), data["details"], str(data["prev_hash"]), str(data["hash"]))


def check_backup(path: Path) -> ChainCheck:
    """Walk the chain of the backup at `path`; the first broken link, if any."""
    expected_id, prev_hash, count = 1, GENESIS_HASH, 0
    for entry in read_backup(path):
        problem = _link_problem(entry, expected_id, prev_hash)
        if problem is not None:
            return ChainCheck(count, prev_hash, min(entry.id, expected_id), problem)
        expected_id, prev_hash, count = expected_id + 1, entry.hash, count + 1
    return ChainCheck(count, prev_hash)


def _link_problem(entry: AuditEntry, expected_id: int, prev_hash: str) -> str | None:
    if entry.id != expected_id:
        return f"entry {expected_id} is missing: the ids jump from {expected_id - 1} to {entry.id}"
    if entry.prev_hash != prev_hash:
        return f"entry {entry.id}'s prev_hash does not match the hash of entry {entry.id - 1}"
    digest = entry_hash(prev_hash, entry.id, entry.at, entry.actor, entry.action, entry.target, entry.details)
    if digest != entry.hash:
        return f"entry {entry.id}'s contents do not match its hash: it was edited"
    return None


async def restore_audit(tables: ConsoleTables, path: Path) -> AuditRestore:
    """Restore the backup at `path` into `tables`' audit log (see the module docstring)."""
    backup = check_backup(path)
    if not backup.ok:
        raise AuditBackupError(f"{path} is broken at entry {backup.broken_id}: {backup.problem}; "
                               "nothing was restored")
    log = AuditLog(tables)
    stored = await log.count()
    if stored > backup.entries:
        raise AuditBackupError(f"the database's audit log has {stored} entries, the backup only "
                               f"{backup.entries}: restore into an empty audit log (or a newer backup)")
    await _check_stored_prefix(log, path, stored)
    restored = 0
    batch: list[AuditEntry] = []
    for entry in read_backup(path):
        if entry.id <= stored:
            continue
        batch.append(entry)
        if len(batch) == RESTORE_BATCH:
            restored += await _append(tables, batch)
            batch = []
    if batch:
        restored += await _append(tables, batch)
    check = await log.verify()
    if not check.ok or check.head_hash != backup.head_hash:
        problem = check.problem or "it ends in another head hash"
        raise AuditBackupError(f"the restored audit log does not verify ({problem}); "
                               "run 'hrbot audit verify' and restore into an empty database")
    return AuditRestore(backup.entries, stored, restored, check.head_hash)


async def _check_stored_prefix(log: AuditLog, path: Path, stored: int) -> None:
    """The database's `stored` entries must be the backup's first ones, unchanged."""
    if stored == 0:
        return
    backup = read_backup(path)
    async for entry in log.oldest_first():
        copy = next(backup, None)
        if copy is None or copy.hash != entry.hash or copy.id != entry.id:
            raise AuditBackupError(f"the database's audit entry {entry.id} differs from the backup's: "
                                   "this backup is not of this log; restore into an empty audit log")


async def _append(tables: ConsoleTables, entries: list[AuditEntry]) -> int:
    """Insert `entries` (consecutive, verified) and move the head, in one transaction; the head
    must still be where the previous batch left it."""

    def work(conn: Connection) -> int:
        head = tables.audit_head
        insert_if_missing(conn, head, {"id": 1, "last_id": 0, "last_hash": GENESIS_HASH})
        first = entries[0]
        moved = conn.execute(
            head.update().where(head.c.id == 1, head.c.last_id == first.id - 1,
                                head.c.last_hash == first.prev_hash)
            .values(last_id=entries[-1].id, last_hash=entries[-1].hash)
        ).rowcount
        if not moved:
            raise AuditBackupError("the audit log changed during the restore (is a console running on "
                                   "this database?): stop it and restore again")
        conn.execute(tables.audit.insert(), [
            {"id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "target": e.target,
             "details": canonical_json(e.details), "prev_hash": e.prev_hash, "hash": e.hash}
            for e in entries
        ])
        return len(entries)

    return await tables.run(work)
