"""Processes starting together on a fresh PostgreSQL schema create the console's tables once:
table creation waits for the same lock as the migrations, instead of racing on
pg_type_typname_nsp_index."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from hrbot.console.tables import console_tables
from hrbot.stores.sql import SQLDatabase

STARTING_TOGETHER = 6


def test_processes_starting_together_create_the_console_tables_once(
    postgres_url: str, postgres_schema: str
) -> None:
    url = postgres_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.schema.CreateSchema(postgres_schema, if_not_exists=True))
    engine.dispose()

    def start() -> None:
        database = SQLDatabase(url, schema=postgres_schema)
        try:
            console_tables(database)
        finally:
            database.dispose()

    with ThreadPoolExecutor(STARTING_TOGETHER) as pool:
        for started in [pool.submit(start) for _ in range(STARTING_TOGETHER)]:
            started.result()  # re-raises a process's failure
