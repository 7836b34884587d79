"""Alembic's environment for hrbot: migrations always run on a connection hrbot opened
(`upgrade_to_head` passes it in `config.attributes`), inside that connection's transaction."""

from __future__ import annotations

from alembic import context

from hrbot.stores.migrations import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "hrbot's migrations run from hrbot (hrbot.stores.migrations.upgrade_to_head), "
        "not from the alembic command line"
    )
context.configure(
    connection=connection,
    version_table=VERSION_TABLE,
    version_table_schema=context.config.attributes.get("schema"),
)
with context.begin_transaction():
    context.run_migrations()
