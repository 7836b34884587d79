"""Console accounts: who they are, their roles, their password hash and their lockout state.

A wrong password counts against the account (`failed_logins`); at `max_failed_logins` in a row
the account is locked until `locked_until` and not even a right password opens it until then.
A right password resets the count. Counting is one atomic UPDATE, so parallel guesses against one
account from several server processes are all counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from hrbot.console.roles import Permission, Role, parse_roles, permissions_of
from hrbot.console.tables import ConsoleTables

MAX_USERNAME_CHARS = 64


@dataclass(frozen=True)
class Account:
    """One console user. `username` is the employee id for accounts seeded from company.json."""

    username: str
    display_name: str
    roles: frozenset[Role]
    password_hash: str
    employee_id: str | None = None
    failed_logins: int = 0
    locked_until: float | None = None
    disabled: bool = False
    created_at: float = 0.0
    password_changed_at: float = 0.0

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles)

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions

    def locked(self, now: float) -> bool:
        return self.locked_until is not None and now < self.locked_until


def roles_text(roles: Iterable[Role]) -> str:
    return ",".join(sorted(role.value for role in roles))


def _account(row: sa.RowMapping) -> Account:
    return Account(
        username=str(row["username"]),
        display_name=str(row["display_name"]),
        roles=parse_roles(str(row["roles"]).split(",")),
        password_hash=str(row["password_hash"]),
        employee_id=row["employee_id"],
        failed_logins=int(row["failed_logins"] or 0),
        locked_until=row["locked_until"],
        disabled=bool(row["disabled"]),
        created_at=float(row["created_at"]),
        password_changed_at=float(row["password_changed_at"]),
    )


class AccountStore:
    """Accounts in `console_accounts`."""

    def __init__(self, tables: ConsoleTables) -> None:
        self.tables = tables
        self.table = tables.accounts

    async def get(self, username: str) -> Account | None:
        query = sa.select(self.table).where(self.table.c.username == username)
        row = await self.tables.run(lambda conn: conn.execute(query).mappings().first())
        return _account(row) if row is not None else None

    async def all(self) -> list[Account]:
        query = sa.select(self.table).order_by(self.table.c.username)
        rows = await self.tables.run(lambda conn: conn.execute(query).mappings().all())
        return [_account(row) for row in rows]

    async def save(self, account: Account) -> None:
        """Create the account, or replace its name, roles and password hash."""
        table = self.table
        values = {
            "display_name": account.display_name, "employee_id": account.employee_id,
            "roles": roles_text(account.roles), "password_hash": account.password_hash,
            "password_changed_at": account.password_changed_at, "disabled": account.disabled,
        }

        def work(conn: sa.Connection) -> None:
            where = table.c.username == account.username
            updated = conn.execute(table.update().where(where).values(**values))
            if not updated.rowcount:
                conn.execute(table.insert().values(
                    username=account.username, created_at=account.created_at, failed_logins=0,
                    locked_until=None, **values,
                ))

        await self.tables.run(work)

    async def update_profile(self, username: str, *, display_name: str, employee_id: str | None,
                             roles: frozenset[Role]) -> bool:
        """New name and roles for an existing account (its password stays); False if none."""
        update = self.table.update().where(self.table.c.username == username).values(
            display_name=display_name, employee_id=employee_id, roles=roles_text(roles))
        return bool(await self.tables.run(lambda conn: conn.execute(update).rowcount))

    async def set_password_hash(self, username: str, password_hash: str, now: float) -> bool:
        """A new password; also lifts a lockout. False when there is no such account."""
        update = self.table.update().where(self.table.c.username == username).values(
            password_hash=password_hash, password_changed_at=now, failed_logins=0, locked_until=None)
        return bool(await self.tables.run(lambda conn: conn.execute(update).rowcount))

    async def record_failure(self, username: str, now: float, *, limit: int, lock_seconds: float) -> bool:
        """Count a wrong password; at `limit` in a row lock the account. True when this failure
        locked it."""
        table = self.table
        where = table.c.username == username

        def work(conn: sa.Connection) -> bool:
            conn.execute(table.update().where(where).values(failed_logins=table.c.failed_logins + 1))
            count = conn.execute(sa.select(table.c.failed_logins).where(where)).scalar()
            if count is None or count < limit:
                return False
            conn.execute(table.update().where(where).values(failed_logins=0, locked_until=now + lock_seconds))
            return True

        return await self.tables.run(work)

    async def unlock(self, username: str) -> bool:
        """Forget wrong passwords and lift a lockout (after a right password, or by an admin)."""
        update = self.table.update().where(self.table.c.username == username).values(
            failed_logins=0, locked_until=None)
        return bool(await self.tables.run(lambda conn: conn.execute(update).rowcount))

    async def set_disabled(self, username: str, disabled: bool) -> bool:
        update = self.table.update().where(self.table.c.username == username).values(disabled=disabled)
        return bool(await self.tables.run(lambda conn: conn.execute(update).rowcount))
