"""Which agent has which waiting conversation.

A claim belongs to one handoff (the oldest open handoff of the conversation, by its review-log
id): after the conversation went back to the bot and was handed off again, the old claim no
longer counts. Claiming is one conditional UPDATE — "set the agent where there is none, or
where the claim is for an earlier handoff" — so of two agents claiming at the same moment,
in one process or in several, exactly one gets the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from hrbot.console.tables import ConsoleTables, insert_if_missing


@dataclass(frozen=True)
class Claim:
    sender_id: str
    handoff_id: int
    agent: str
    claimed_at: float


class ClaimStore:
    """Claims in `console_claims`."""

    def __init__(self, tables: ConsoleTables) -> None:
        self.tables = tables
        self.table = tables.claims

    async def claim(self, sender_id: str, handoff_id: int, agent: str, now: float) -> bool:
        """Give the conversation to `agent` unless another agent holds this handoff; True when
        `agent` holds it afterwards (also when it already did)."""
        table = self.table
        c = table.c

        def work(conn: sa.Connection) -> bool:
            insert_if_missing(conn, table, {"sender_id": sender_id, "handoff_id": handoff_id,
                                            "agent": None, "claimed_at": None})
            taken = conn.execute(
                table.update()
                .where(c.sender_id == sender_id,
                       sa.or_(c.agent.is_(None), c.handoff_id != handoff_id, c.agent == agent))
                .values(agent=agent, handoff_id=handoff_id, claimed_at=now)
            ).rowcount
            return bool(taken)

        return await self.tables.run(work)

    async def release(self, sender_id: str, agent: str | None = None) -> bool:
        """Give the conversation back to the queue (only `agent`'s claim, when given)."""
        c = self.table.c
        conditions = [c.sender_id == sender_id]
        if agent is not None:
            conditions.append(c.agent == agent)
        delete = self.table.delete().where(*conditions)
        return bool(await self.tables.run(lambda conn: conn.execute(delete).rowcount))

    async def current(self, sender_ids: list[str] | None = None) -> dict[str, Claim]:
        """The claims with an agent, by conversation (all, or those of `sender_ids`)."""
        c = self.table.c
        query = sa.select(self.table).where(c.agent.is_not(None))
        if sender_ids is not None:
            if not sender_ids:
                return {}
            query = query.where(c.sender_id.in_(sender_ids))
        rows = await self.tables.run(lambda conn: conn.execute(query).mappings().all())
        return {
            str(row["sender_id"]): Claim(str(row["sender_id"]), int(row["handoff_id"]), str(row["agent"]),
                                         float(row["claimed_at"] or 0.0))
            for row in rows
        }
