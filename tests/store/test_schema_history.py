"""A file made by an older release, migrated, must have the schema a new file gets."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from studioflow.store.db import APPLICATION_ID, open_database, schema_version

SCHEMAS = Path(__file__).parent / "schemas"


def shape(path: Path) -> dict[str, object]:
    """Columns, indexes and foreign keys of every table (column order aside: ALTER TABLE appends)."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        result: dict[str, object] = {}
        for table in tables:
            cols = sorted((r[1], r[2], r[3], r[5]) for r in conn.execute(f"PRAGMA table_info('{table}')"))
            indexes = sorted(
                (r[2], tuple(c[2] for c in conn.execute(f"PRAGMA index_info('{r[1]}')")))
                for r in conn.execute(f"PRAGMA index_list('{table}')")
            )
            fks = sorted((r[2], r[3], r[4], r[6]) for r in conn.execute(f"PRAGMA foreign_key_list('{table}')"))
            result[table] = (cols, indexes, fks)
        return result


def test_a_version_1_file_migrates_to_the_schema_of_a_new_file(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    with closing(sqlite3.connect(old)) as conn:
        conn.executescript((SCHEMAS / "v1.sql").read_text())
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute("PRAGMA user_version=1")
    open_database(old).close()
    fresh = tmp_path / "fresh.db"
    open_database(fresh).close()

    with closing(sqlite3.connect(old)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version()
    assert shape(old) == shape(fresh)


def test_saved_task_items_of_a_version_1_file_get_no_priority(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    with closing(sqlite3.connect(old)) as conn:
        conn.executescript((SCHEMAS / "v1.sql").read_text())
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute("PRAGMA user_version=1")
        conn.execute("INSERT INTO saved_task_list (id, name) VALUES (1, 'Intake')")
        conn.execute("INSERT INTO saved_task_item (list_id, title, position) VALUES (1, 'Call', 0)")
        conn.commit()
    open_database(old).close()
    with closing(sqlite3.connect(old)) as conn:
        assert conn.execute("SELECT title, priority FROM saved_task_item").fetchall() == [("Call", 0)]
        try:
            conn.execute("UPDATE saved_task_item SET priority = 9")
        except sqlite3.IntegrityError:
            pass
        else:
            raise AssertionError("a priority of 9 was accepted")
