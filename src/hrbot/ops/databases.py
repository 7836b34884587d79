"""The SQL database an endpoints file keeps conversations in, for the operations commands."""

from __future__ import annotations

from pathlib import Path

from hrbot.shared.endpoints import read_endpoints
from hrbot.shared.errors import HrbotError
from hrbot.stores.factory import is_memory_store, open_database
from hrbot.stores.sql import SQLDatabase

DEFAULT_ENDPOINTS = Path("endpoints.yml")


def open_tracker_database(endpoints_file: Path | None, project_dir: Path) -> SQLDatabase:
    """The tracker store's database of `endpoints_file` (None: endpoints.yml in `project_dir`
    when there is one, else the default SQLite file). Connects and migrates the schema, so an
    empty PostgreSQL database gets its tables. HrbotError for a missing file or a memory store."""
    if endpoints_file is None:
        default = project_dir / DEFAULT_ENDPOINTS
        endpoints = read_endpoints(default if default.is_file() else None)
    elif not endpoints_file.is_file():
        raise HrbotError(f"{endpoints_file} does not exist: give the endpoints file whose tracker_store "
                         "to use (or leave --endpoints out for endpoints.yml / the default SQLite file)")
    else:
        endpoints = read_endpoints(endpoints_file)
    if is_memory_store(endpoints.tracker_store):
        raise HrbotError(f"{endpoints_file or DEFAULT_ENDPOINTS} keeps conversations in memory, so there is "
                         "nothing stored to export or import into: use an endpoints file with a SQL "
                         "tracker_store (or none, for the default SQLite file)")
    return open_database(endpoints.tracker_store, project_dir)
