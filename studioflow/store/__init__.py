"""Persistence: SQLModel tables, the SQLite engine, schema migrations. No UI, no rules."""

from studioflow.store.db import Database, open_database

__all__ = ["Database", "open_database"]
