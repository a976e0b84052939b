"""A studio in PostgreSQL: opened by URL, its schema versioned, foreign and newer databases refused,
writers one at a time, one deliverer at a time, the read path's SQL and values as on SQLite."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database, open_database, postgres
from studioflow.store.db import schema_version
from studioflow.store.postgres import adapt, ask_password, conninfo, redact
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.people import clients


def test_a_new_database_gets_the_schema_and_its_version(postgres_url: str) -> None:
    db = open_database(postgres_url)
    try:
        with db.rows() as conn:
            assert conn.execute("SELECT version FROM studioflow_schema").fetchall() == [(schema_version(),)]
            folded = conn.execute("SELECT casefold(?)", (" Émilie  DUBOIS straße ",)).fetchone()
            assert folded == ("emilie dubois strasse",)
        assert db.engine_name == "postgresql"
        assert db.health() == []
    finally:
        db.close()


def test_a_database_of_another_program_is_refused_untouched(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices_of_someone_else (id integer)")
    with pytest.raises(StudioflowError, match="tables of another program"):
        open_database(postgres_url)
    with psycopg.connect(postgres_url) as conn:
        tables = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        assert [name for (name,) in tables] == ["invoices_of_someone_else"]


def test_two_machines_opening_a_new_database_at_once_make_the_schema_once(postgres_url: str) -> None:
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            open_database(postgres_url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT count(*) FROM studioflow_schema").fetchone() == (1,)


def test_writers_go_one_at_a_time_so_no_change_is_lost(postgres_url: str) -> None:
    """Each machine reads a number and writes it back plus one, slowly, in one write: without the
    write lock, both would read the same number and an increment would be lost."""
    machines = [open_database(postgres_url), open_database(postgres_url)]
    client = clients.add_client(machines[0], "Counter", notes="0")

    def count(db: Database) -> None:
        for _ in range(10):
            with db.write():
                now = int(clients.get_client(db, client.id).notes)
                time.sleep(0.005)
                clients.edit_client(db, client.id, notes=str(now + 1))

    try:
        threads = [threading.Thread(target=count, args=(machine,)) for machine in machines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert clients.get_client(machines[0], client.id).notes == "20"
    finally:
        for machine in machines:
            machine.close()


def test_one_machine_delivers_at_a_time(postgres_url: str) -> None:
    here, there = open_database(postgres_url), open_database(postgres_url)
    try:
        with here.delivery_lock() as mine:
            assert mine
            with there.delivery_lock() as theirs:
                assert not theirs
        with there.delivery_lock() as theirs:
            assert theirs  # released when the first one was done
    finally:
        here.close()
        there.close()


def test_names_are_unique_whatever_the_case_in_the_database_itself(postgres_url: str) -> None:
    db = open_database(postgres_url)
    try:
        pipelines.create_pipeline(db, "Wedding", ["Inquiry"])
        with psycopg.connect(postgres_url) as conn, pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(
                "INSERT INTO pipeline (name, position, archived, kind, default_for_new, created_at)"
                " VALUES ('WEDDING', 9, false, 'jobs', false, now())"
            )
        assert [p.name for p in pipelines.list_pipelines(db)] == ["Wedding"]
        assert jobs.list_jobs(db) == []
    finally:
        db.close()


def test_the_read_paths_placeholders_become_psycopgs_and_quoted_text_is_left_alone() -> None:
    assert adapt("SELECT '?', \"a?\" FROM t WHERE a = ? AND b LIKE '%x' AND c = :name AND d LIKE ?") == (
        "SELECT '?', \"a?\" FROM t WHERE a = %s AND b LIKE '%%x' AND c = %(name)s AND d LIKE %s"
    )
    assert adapt("SELECT 'it''s ?' WHERE x = ?") == "SELECT 'it''s ?' WHERE x = %s"


def test_a_password_is_asked_once_by_command_and_never_shown() -> None:
    url = "postgresql://jo@db.example.com:5433/studio"
    password = ask_password(url, "printf 's3cret/@:'")
    assert password == "s3cret/@:"
    assert conninfo(url, password) == "postgresql://jo:s3cret%2F%40%3A@db.example.com:5433/studio"
    assert redact(conninfo(url, password)) == url
    assert ask_password("postgresql://jo:given@db/studio", "false") is None  # the URL's own is used
    with pytest.raises(StudioflowError, match=r"password_command failed \(exit 1\)"):
        ask_password(url, "false")


def test_a_connection_that_sat_idle_through_a_server_restart_is_replaced_before_use(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(postgres_url)
    try:
        clients.add_client(db, "Before")
        # Every connection of the studio ends, as a restarted server ends them.
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        monkeypatch.setattr(postgres, "IDLE_CHECK_S", 0.0)  # as after a long idle spell
        clients.add_client(db, "After")
        assert [c.name for c in clients.list_clients(db)] == ["After", "Before"]
    finally:
        db.close()
