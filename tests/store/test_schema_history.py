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


def _version_4_file(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript((SCHEMAS / "v4.sql").read_text())
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute("PRAGMA user_version=4")
        conn.executescript(
            """
            INSERT INTO pipeline (id, name, position, archived, created_at) VALUES (1, 'Weddings', 0, 0, '2026-01-01');
            INSERT INTO stage (id, pipeline_id, name, position, auto_move)
                VALUES (1, 1, 'Inquiry', 0, 0), (2, 1, 'Booked', 1, 0);
            INSERT INTO job (id, title, pipeline_id, stage_id, position, archived, created_at, updated_at, notes)
                VALUES (1, 'Smith wedding', 1, 2, 0, 0, '2026-01-01', '2026-01-01', '');
            INSERT INTO stage_visit (id, job_id, stage_id, stage_name, state, entered_at, left_at) VALUES
                (1, 1, 1, 'Inquiry', 'completed', '2026-01-01', '2026-01-02'),
                (7, 1, 2, 'Booked', 'active', '2026-01-02', NULL);
            DELETE FROM sqlite_sequence WHERE name = 'stage_visit';
            INSERT INTO sqlite_sequence (name, seq) VALUES ('stage_visit', 9);
            INSERT INTO automation (id, stage_id, "trigger", action, params, delay_minutes, required_tags,
                keep_on_leave, enabled, position) VALUES (1, 2, 'enter', 'archive', '{}', 0, '[]', 0, 1, 0);
            INSERT INTO automation_run (id, automation_id, visit_id, ran_at, outcome)
                VALUES (1, 1, 7, '2026-01-02', 'ok');
            INSERT INTO outbox_message (idempotency_key, channel, to_addr, subject, body, visit_id, cancel_on_leave,
                state, send_at, attempts, last_error, message_id, created_at, reply)
                VALUES ('k1', 'email', 'a@example.com', 's', 'b', 7, 0, 'sent', '2026-01-02', 1, '', '',
                    '2026-01-02', '');
            INSERT INTO journal_entry (label, "before", "after", effects, undone, created_at)
                VALUES ('advance', '{}', '{}', '{}', 0, '2026-01-02');
            """
        )
        conn.commit()


def test_a_version_4_file_migrates_to_the_schema_of_a_new_file(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    _version_4_file(old)
    open_database(old).close()
    fresh = tmp_path / "fresh.db"
    open_database(fresh).close()
    assert shape(old) == shape(fresh)


def test_version_4_visits_runs_and_messages_survive_the_visit_table_rebuild(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    _version_4_file(old)
    open_database(old).close()
    with closing(sqlite3.connect(old)) as conn:
        visits = conn.execute(
            "SELECT id, job_id, client_id, pipeline_id, stage_id, state, position FROM stage_visit ORDER BY id"
        ).fetchall()
        assert visits == [(1, 1, None, None, 1, "completed", 0), (7, 1, None, None, 2, "active", 0)]
        # The ledger and the outbox still point at the same visits (nothing cascaded away).
        assert conn.execute("SELECT visit_id FROM automation_run").fetchall() == [(7,)]
        assert conn.execute("SELECT visit_id FROM outbox_message").fetchall() == [(7,)]
        assert conn.execute("SELECT kind, default_for_new FROM pipeline").fetchall() == [("jobs", 0)]
        # A deleted visit's id never comes back.
        assert conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'stage_visit'").fetchone() == (9,)
        # Old undo snapshots describe visit rows without the new columns: cleared.
        assert conn.execute("SELECT count(*) FROM journal_entry").fetchone() == (0,)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_migrated_visit_table_keeps_one_active_visit_per_job(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    _version_4_file(old)
    db = open_database(old)
    with db.engine.connect() as conn:  # the connection that migrated has its foreign keys back on
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    db.close()
    with closing(sqlite3.connect(old)) as conn:
        try:
            conn.execute(
                "INSERT INTO stage_visit (job_id, stage_id, stage_name, state, entered_at) "
                "VALUES (1, 1, 'Inquiry', 'active', '2026-01-03')"
            )
        except sqlite3.IntegrityError:
            pass
        else:
            raise AssertionError("a second active visit of job 1 was accepted")
        try:
            conn.execute(
                "INSERT INTO stage_visit (stage_id, stage_name, state, entered_at) "
                "VALUES (1, 'x', 'active', '2026-01-03')"
            )
        except sqlite3.IntegrityError:
            pass
        else:
            raise AssertionError("a visit of no resource was accepted")


def test_version_4_automations_survive_and_their_actions_are_no_fixed_list(tmp_path: Path) -> None:
    """Actions are checked by the registry, not by a CHECK: a new one needs no migration."""
    old = tmp_path / "old.db"
    _version_4_file(old)
    open_database(old).close()
    with closing(sqlite3.connect(old)) as conn:
        assert conn.execute(
            "SELECT id, stage_id, \"trigger\", action, params, enabled, reentry FROM automation"
        ).fetchall() == [(1, 2, "enter", "archive", "{}", 1, "every")]
        assert conn.execute("SELECT automation_id, visit_id FROM automation_run").fetchall() == [(1, 7)]
        conn.execute("UPDATE automation SET action = 'add_note'")  # an action newer than the file
        assert conn.execute("SELECT action FROM automation").fetchall() == [("add_note",)]
        try:  # the checks that are not lists of names stay
            conn.execute("UPDATE automation SET \"trigger\" = 'status'")
        except sqlite3.IntegrityError:
            pass
        else:
            raise AssertionError("a status trigger without its status was accepted")
