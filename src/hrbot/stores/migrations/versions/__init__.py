"""Alembic revisions of hrbot's SQL database, oldest first."""
