"""Server-side sessions. The browser holds only a random session id (256 bits) in a Secure,
HttpOnly, SameSite=Strict cookie; the database holds its SHA-256, so a copy of the table does not
let anyone in. Each session carries its own CSRF token (synchronizer token pattern).

A visitor who has not logged in gets a session without a user, so that the login form itself
is CSRF-protected; logging in always ends that session and starts a new one with a new id, so a
session id planted before login (session fixation) never becomes a logged-in session.
Sessions end after a period without requests, after a maximum age, at logout, and all of a
user's at once at "logout everywhere" or a password change.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from hrbot.console.tables import ConsoleTables

TOUCH_EVERY_SECONDS = 60.0  # last_seen is written at most this often per session
VISITOR_IDLE_SECONDS = 3600.0  # a login form left open longer needs a reload


@dataclass(frozen=True)
class Session:
    id_hash: str
    username: str | None  # None: a visitor who has not logged in
    csrf_token: str
    created_at: float
    last_seen: float

    def csrf_matches(self, offered: str | None) -> bool:
        """Whether `offered` is this session's CSRF token (compared in constant time)."""
        return bool(offered) and hmac.compare_digest(self.csrf_token.encode(), (offered or "").encode())


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


def _session(row: sa.RowMapping) -> Session:
    return Session(str(row["id_hash"]), row["username"], str(row["csrf_token"]),
                   float(row["created_at"]), float(row["last_seen"]))


class SessionStore:
    """Sessions in `console_sessions`."""

    def __init__(self, tables: ConsoleTables, *, idle_seconds: float, max_seconds: float) -> None:
        self.tables = tables
        self.table = tables.sessions
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds

    def _expired(self, now: float) -> sa.ColumnElement[bool]:
        c = self.table.c
        return sa.or_(
            c.created_at < now - self.max_seconds,
            c.last_seen < now - self.idle_seconds,
            sa.and_(c.username.is_(None), c.last_seen < now - VISITOR_IDLE_SECONDS),
        )

    async def start(self, username: str | None, now: float) -> tuple[str, Session]:
        """A new session (and its id for the cookie); expired sessions are cleared on the way."""
        session_id = secrets.token_urlsafe(32)
        session = Session(hash_session_id(session_id), username, secrets.token_urlsafe(32), now, now)
        table = self.table

        def work(conn: sa.Connection) -> None:
            conn.execute(table.delete().where(self._expired(now)))
            conn.execute(table.insert().values(
                id_hash=session.id_hash, username=username, csrf_token=session.csrf_token,
                created_at=now, last_seen=now,
            ))

        await self.tables.run(work)
        return session_id, session

    async def find(self, session_id: str | None, now: float) -> Session | None:
        """The live session with this id (None when unknown, ended or expired)."""
        if not session_id or len(session_id) > 128:
            return None
        table = self.table
        id_hash = hash_session_id(session_id)
        query = sa.select(table).where(table.c.id_hash == id_hash, sa.not_(self._expired(now)))
        row = await self.tables.run(lambda conn: conn.execute(query).mappings().first())
        if row is None:
            return None
        session = _session(row)
        if now - session.last_seen >= TOUCH_EVERY_SECONDS:
            touch = table.update().where(table.c.id_hash == id_hash).values(last_seen=now)
            await self.tables.run(lambda conn: conn.execute(touch))
        return session

    async def end(self, session: Session) -> None:
        delete = self.table.delete().where(self.table.c.id_hash == session.id_hash)
        await self.tables.run(lambda conn: conn.execute(delete))

    async def end_all(self, username: str) -> int:
        """End every session of `username` (logout everywhere); returns how many."""
        delete = self.table.delete().where(self.table.c.username == username)
        return int(await self.tables.run(lambda conn: conn.execute(delete).rowcount))

    async def count(self, username: str, now: float) -> int:
        """How many live sessions `username` has (for the accounts page)."""
        table = self.table
        query = sa.select(sa.func.count()).select_from(table).where(
            table.c.username == username, sa.not_(self._expired(now)))
        return int(await self.tables.run(lambda conn: conn.execute(query).scalar_one()))
