"""The console's append-only audit log: every login, every view of a transcript and every
action, as a hash chain.

Entry n stores `hash = SHA-256(prev_hash + canonical JSON of {id, at, actor, action, target,
details})` with `prev_hash` = the hash of entry n-1 (64 zeros for entry 1), and ids run 1, 2, 3
without gaps. Editing an entry breaks its own hash; deleting one leaves a gap or a broken
`prev_hash`; deleting the newest ones disagrees with the chain head (`console_audit_head`,
written in the same transaction as each entry). `verify` walks the chain and names the first
broken link. (Someone who can rewrite the database can rebuild a consistent chain: keep a copy
of the head hash that `hrbot audit verify` prints somewhere else to rule that out.)

Appending is a compare-and-swap on the head row, so entries from several processes interleave
without forking the chain.

This is not `actions/audit.py`, the log of the bot's HR-system accesses.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from hrbot.console.tables import ConsoleTables, insert_if_missing
from hrbot.stores.base import StoreError

GENESIS_HASH = "0" * 64
APPEND_ATTEMPTS = 8
MAX_TEXT = {"actor": 64, "action": 64, "target": 255}


def canonical_json(value: Any) -> str:
    """One spelling of a JSON value: sorted keys, no spaces, UTF-8 characters as they are."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def entry_hash(prev_hash: str, entry_id: int, at: str, actor: str, action: str, target: str,
               details: Mapping[str, Any]) -> str:
    body = canonical_json({"id": entry_id, "at": at, "actor": actor, "action": action,
                           "target": target, "details": dict(details)})
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def iso_time(timestamp: float) -> str:
    """The entry time as stored: ISO 8601 in UTC with microseconds (always 32 characters)."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    target: str
    details: dict[str, Any]
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "actor": self.actor, "action": self.action,
                "target": self.target, "details": self.details, "prev_hash": self.prev_hash,
                "hash": self.hash}


@dataclass(frozen=True)
class ChainCheck:
    """What `verify` found: `broken_id` is the first entry whose link does not hold (None when
    the whole chain holds) and `problem` says how it is broken."""

    entries: int
    head_hash: str
    broken_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


@dataclass(frozen=True)
class AuditFilter:
    """What the admin's audit page narrows the log to (empty: everything)."""

    actor: str | None = None
    action: str | None = None
    target: str | None = None

    def conditions(self, table: sa.Table) -> list[sa.ColumnElement[bool]]:
        found: list[sa.ColumnElement[bool]] = []
        if self.actor:
            found.append(table.c.actor == self.actor)
        if self.action:
            found.append(table.c.action.startswith(self.action, autoescape=True))
        if self.target:
            found.append(table.c.target == self.target)
        return found


def _clip(name: str, value: str) -> str:
    return value[: MAX_TEXT[name]]


def _entry(row: sa.RowMapping) -> AuditEntry:
    try:
        details = json.loads(row["details"])
    except (TypeError, ValueError):
        details = {"unreadable": str(row["details"])}
    return AuditEntry(int(row["id"]), str(row["at"]), str(row["actor"]), str(row["action"]),
                      str(row["target"]), details if isinstance(details, dict) else {"value": details},
                      str(row["prev_hash"]), str(row["hash"]))


@dataclass
class _Walk:
    """The state of a walk along the chain."""

    expected_id: int = 1
    prev_hash: str = GENESIS_HASH
    count: int = 0
    broken: list[tuple[int, str]] = field(default_factory=list)

    def check(self, row: sa.RowMapping) -> None:
        entry_id = int(row["id"])
        if entry_id != self.expected_id:
            self.broken.append((self.expected_id, f"entry {self.expected_id} is missing: the ids jump "
                                                  f"from {self.expected_id - 1} to {entry_id}"))
            return
        if row["prev_hash"] != self.prev_hash:
            self.broken.append((entry_id, f"entry {entry_id}'s prev_hash does not match the hash of "
                                          f"entry {entry_id - 1}: an entry before it was changed or removed"))
            return
        try:
            details = json.loads(row["details"])
        except (TypeError, ValueError):
            self.broken.append((entry_id, f"entry {entry_id}'s details are not JSON: it was edited"))
            return
        expected = entry_hash(self.prev_hash, entry_id, str(row["at"]), str(row["actor"]),
                              str(row["action"]), str(row["target"]), details)
        if expected != row["hash"]:
            self.broken.append((entry_id, f"entry {entry_id}'s contents do not match its hash: "
                                          "it was edited"))
            return
        self.prev_hash = str(row["hash"])
        self.expected_id += 1
        self.count += 1


class AuditLog:
    """The chain in `console_audit` and its head in `console_audit_head`."""

    def __init__(self, tables: ConsoleTables) -> None:
        self.tables = tables
        self.table = tables.audit
        self.head = tables.audit_head

    async def record(self, actor: str, action: str, target: str = "",
                     details: Mapping[str, Any] | None = None, *, now: float) -> AuditEntry:
        """Append one entry. StoreError when the details are not JSON or the head row is gone
        (someone tampered with the log: `hrbot audit verify` says where)."""
        details = dict(details or {})
        try:
            canonical_json(details)
        except (TypeError, ValueError) as error:
            raise StoreError(f"audit details must be JSON values: {error}") from None
        actor, action, target = _clip("actor", actor), _clip("action", action), _clip("target", target)
        at = iso_time(now)
        for _ in range(APPEND_ATTEMPTS):
            entry = await self.tables.run(lambda conn: self._append(conn, actor, action, target, details, at))
            if entry is not None:
                return entry
        raise StoreError(f"could not append to the audit log in {APPEND_ATTEMPTS} attempts: "
                         "too many writers at once; try again")

    def _append(self, conn: sa.Connection, actor: str, action: str, target: str,
                details: dict[str, Any], at: str) -> AuditEntry | None:
        head = conn.execute(sa.select(self.head).where(self.head.c.id == 1)).mappings().first()
        if head is None:  # a new log (or a concurrent writer is creating the head right now)
            created = insert_if_missing(conn, self.head, {"id": 1, "last_id": 0, "last_hash": GENESIS_HASH})
            if created and conn.execute(sa.select(sa.func.count()).select_from(self.table)).scalar_one():
                raise StoreError("the audit log's head row is missing although it has entries (tampering?): "
                                 "run 'hrbot audit verify'")  # the transaction, and the new head, roll back
            head = conn.execute(sa.select(self.head).where(self.head.c.id == 1)).mappings().one()
        last_id, last_hash = int(head["last_id"]), str(head["last_hash"])
        entry_id = last_id + 1
        digest = entry_hash(last_hash, entry_id, at, actor, action, target, details)
        moved = conn.execute(
            self.head.update().where(self.head.c.id == 1, self.head.c.last_id == last_id)
            .values(last_id=entry_id, last_hash=digest)
        ).rowcount
        if not moved:
            return None  # another writer appended first: read the head again
        conn.execute(self.table.insert().values(
            id=entry_id, at=at, actor=actor, action=action, target=target,
            details=canonical_json(details), prev_hash=last_hash, hash=digest,
        ))
        return AuditEntry(entry_id, at, actor, action, target, details, last_hash, digest)

    async def entries(self, where: AuditFilter = AuditFilter(), *, limit: int = 50,
                      offset: int = 0) -> list[AuditEntry]:
        """Entries newest first."""
        query = (sa.select(self.table).where(*where.conditions(self.table))
                 .order_by(self.table.c.id.desc()).limit(limit).offset(offset))
        rows = await self.tables.run(lambda conn: conn.execute(query).mappings().all())
        return [_entry(row) for row in rows]

    async def count(self, where: AuditFilter = AuditFilter()) -> int:
        query = sa.select(sa.func.count()).select_from(self.table).where(*where.conditions(self.table))
        return int(await self.tables.run(lambda conn: conn.execute(query).scalar_one()))

    async def oldest_first(self, where: AuditFilter = AuditFilter(),
                           batch: int = 500) -> AsyncIterator[AuditEntry]:
        """Every entry, oldest first, read in batches (for exports)."""
        after = 0
        while True:
            rows = await self.tables.run(self._page(after, batch, where))
            for row in rows:
                yield _entry(row)
            if len(rows) < batch:
                return
            after = int(rows[-1]["id"])

    def _page(self, after: int, batch: int,
              where: AuditFilter = AuditFilter()) -> Callable[[sa.Connection], Sequence[sa.RowMapping]]:
        """The query for up to `batch` entries after id `after`, oldest first."""
        query = (sa.select(self.table).where(self.table.c.id > after, *where.conditions(self.table))
                 .order_by(self.table.c.id).limit(batch))
        return lambda conn: conn.execute(query).mappings().all()

    async def verify(self, batch: int = 1000) -> ChainCheck:
        """Walk the whole chain; the first broken link, if any."""
        walk = _Walk()
        last_seen = 0
        while not walk.broken:
            rows = await self.tables.run(self._page(last_seen, batch))
            for row in rows:
                walk.check(row)
                if walk.broken:
                    break
            if len(rows) < batch:
                break
            last_seen = int(rows[-1]["id"])
        if walk.broken:
            broken_id, problem = walk.broken[0]
            return ChainCheck(walk.count, walk.prev_hash, broken_id, problem)
        head = await self.tables.run(
            lambda conn: conn.execute(sa.select(self.head).where(self.head.c.id == 1)).mappings().first())
        last_id = walk.expected_id - 1
        if head is None:
            if last_id == 0:
                return ChainCheck(0, GENESIS_HASH)
            return ChainCheck(walk.count, walk.prev_hash, last_id,
                              "the chain head (console_audit_head) is missing: it was deleted")
        if int(head["last_id"]) != last_id or head["last_hash"] != walk.prev_hash:
            recorded = int(head["last_id"])
            if recorded > last_id:
                problem = (f"entries {last_id + 1}..{recorded} are missing: the chain head records "
                           f"{recorded} entries, the log ends at {last_id}")
                return ChainCheck(walk.count, walk.prev_hash, last_id + 1, problem)
            return ChainCheck(walk.count, walk.prev_hash, last_id,
                              f"entry {last_id} does not match the chain head: the log or its head "
                              "was edited")
        return ChainCheck(walk.count, walk.prev_hash)
