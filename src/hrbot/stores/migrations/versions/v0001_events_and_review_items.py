"""The `events` table (Rasa's SQLTrackerStore layout) and the `review_items` table.

Adopts a database created before migrations existed (by hrbot's create_all or by Rasa): an
existing table is kept with its rows, after checking it has the columns hrbot reads, and only
a missing sender_id index is added.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from hrbot.stores.base import StoreError

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

EVENT_COLUMNS = ("id", "sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
REVIEW_COLUMNS = ("id", "kind", "sender_id", "reason", "text", "timestamp", "details", "resolved_at",
                  "resolved_by")


def upgrade() -> None:
    schema = context.config.attributes.get("schema")
    inspector = sa.inspect(op.get_bind())
    if inspector.has_table("events", schema=schema):
        _check_columns(inspector, "events", EVENT_COLUMNS, schema)
    else:
        op.create_table(
            "events",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("sender_id", sa.String(255), nullable=False),
            sa.Column("type_name", sa.String(255), nullable=False),
            sa.Column("timestamp", sa.Float),
            sa.Column("intent_name", sa.String(255)),
            sa.Column("action_name", sa.String(255)),
            sa.Column("data", sa.Text),
            schema=schema,
        )
    _ensure_index(inspector, "events", "sender_id", schema)

    if inspector.has_table("review_items", schema=schema):
        _check_columns(inspector, "review_items", REVIEW_COLUMNS, schema)
    else:
        op.create_table(
            "review_items",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("sender_id", sa.String(255), nullable=False),
            sa.Column("reason", sa.Text, nullable=False),
            sa.Column("text", sa.Text),
            sa.Column("timestamp", sa.Float, nullable=False),
            sa.Column("details", sa.Text, nullable=False),
            sa.Column("resolved_at", sa.Float),
            sa.Column("resolved_by", sa.String(255)),
            schema=schema,
        )
    _ensure_index(inspector, "review_items", "kind", schema)
    _ensure_index(inspector, "review_items", "sender_id", schema)


def downgrade() -> None:
    raise NotImplementedError(
        "the first revision is not undone: its tables may hold conversations that existed before "
        "hrbot managed the schema; drop the tables by hand if that is really meant"
    )


def _check_columns(inspector: sa.Inspector, table: str, needed: tuple[str, ...], schema: str | None) -> None:
    present = {column["name"] for column in inspector.get_columns(table, schema=schema)}
    missing = [name for name in needed if name not in present]
    if missing:
        where = f"{schema}.{table}" if schema else table
        raise StoreError(
            f"the existing table {where} lacks the columns {', '.join(missing)}, so it was not made by "
            "Rasa or hrbot; rename it, or point tracker_store at another database or schema"
        )


def _ensure_index(inspector: sa.Inspector, table: str, column: str, schema: str | None) -> None:
    indexed = any(
        (index.get("column_names") or [None])[0] == column
        for index in inspector.get_indexes(table, schema=schema)
    )
    if not indexed:
        op.create_index(f"ix_{table}_{column}", table, [column], schema=schema)
