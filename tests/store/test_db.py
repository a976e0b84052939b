"""The SQLite file itself: pragmas, transactions, refusing foreign files, migrations, constraints."""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from studioflow.errors import StudioflowError
from studioflow.store import Database, open_database
from studioflow.store import db as dbmodule
from studioflow.store.db import APPLICATION_ID, schema_version
from studioflow.store.models import Client, Job, Pipeline, Stage, StageVisit


def raw(path: Path) -> closing[sqlite3.Connection]:
    """A plain sqlite3 connection that fails at once instead of waiting on a lock."""
    return closing(sqlite3.connect(path, timeout=0, isolation_level=None))


def pragma(path: Path, name: str) -> int:
    with raw(path) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


def columns(path: Path, table: str) -> list[str]:
    with raw(path) as conn:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def add_pipeline(db: Database, name: str, stages: tuple[str, ...] = ("One", "Two")) -> tuple[int, list[int]]:
    """A pipeline and its stages written through the ORM; returns their ids."""
    with db.write() as session:
        pipeline = Pipeline(name=name)
        session.add(pipeline)
        session.flush()
        rows = [Stage(pipeline_id=pipeline.id, name=s, position=i) for i, s in enumerate(stages)]  # type: ignore[arg-type]
        session.add_all(rows)
        session.flush()
        return pipeline.id, [s.id for s in rows]  # type: ignore[misc]


def pipeline_names(path: Path) -> list[str]:
    with raw(path) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM pipeline ORDER BY id")]


# Pragmas and transactions


@pytest.mark.parametrize("kind", ["read", "write"])
def test_pragmas_are_in_effect_on_a_session_connection(db: Database, kind: str) -> None:
    with getattr(db, kind)() as session:
        conn = session.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_write_begins_immediate_so_a_second_writer_is_locked_out(db: Database) -> None:
    with db.write() as session:
        session.connection()  # the transaction starts here, before anything is written
        with raw(db.path) as other:
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("INSERT INTO setting (key, value) VALUES ('k', 'v')")
    with raw(db.path) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")


def test_read_does_not_lock_out_a_writer(db: Database) -> None:
    with db.read() as session:
        session.exec(select(Pipeline)).all()
        with raw(db.path) as other:
            other.execute("INSERT INTO setting (key, value) VALUES ('k', 'v')")
    with raw(db.path) as other:
        assert other.execute("SELECT value FROM setting").fetchall() == [("v",)]


def test_write_commits_on_success(db: Database) -> None:
    add_pipeline(db, "Kept")
    assert pipeline_names(db.path) == ["Kept"]


class Boom(Exception):
    pass


def _write_then_fail(db: Database) -> None:
    with db.write() as session:
        session.add(Pipeline(name="Doomed"))
        session.flush()
        session.add(Client(name="Also doomed"))
        session.flush()
        before = session.exec(select(Pipeline).where(Pipeline.name == "Before")).one()
        before.name = "Renamed"
        session.flush()
        raise Boom


def test_write_rolls_back_everything_on_an_exception(db: Database) -> None:
    add_pipeline(db, "Before")
    with pytest.raises(Boom):
        _write_then_fail(db)
    assert pipeline_names(db.path) == ["Before"]
    with raw(db.path) as conn:
        assert conn.execute("SELECT count(*) FROM client").fetchone()[0] == 0


def _nest_then_fail(db: Database) -> None:
    with db.write() as outer:
        outer.add(Pipeline(name="Outer"))
        outer.flush()
        add_pipeline(db, "Inner")  # a nested write()
        raise Boom


def test_nested_write_joins_the_outer_transaction(db: Database) -> None:
    with pytest.raises(Boom):
        _nest_then_fail(db)
    assert pipeline_names(db.path) == []


def _add_then_fail(db: Database) -> None:
    with db.write() as inner:
        inner.add(Pipeline(name="Inner"))
        inner.flush()
        raise Boom


def test_a_failed_nested_write_rolls_back_only_itself(db: Database) -> None:
    with db.write() as outer:
        outer.add(Pipeline(name="Outer"))
        outer.flush()
        with pytest.raises(Boom):
            _add_then_fail(db)
    assert pipeline_names(db.path) == ["Outer"]


# A new file


def test_a_new_file_gets_version_and_application_id(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "new.db"
    database = open_database(path)
    database.close()
    assert pragma(path, "user_version") == schema_version() == 1 + len(dbmodule.MIGRATIONS)
    assert pragma(path, "application_id") == APPLICATION_ID
    assert {"client", "pipeline", "stage", "job", "stage_visit", "task", "outbox_message"} <= set(_tables(path))


def test_an_empty_file_is_made_a_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    open_database(path).close()
    assert pragma(path, "application_id") == APPLICATION_ID


def test_reopening_keeps_data_and_takes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "studioflow.db"
    database = open_database(path)
    add_pipeline(database, "Kept")
    database.close()
    open_database(path).close()
    assert pipeline_names(path) == ["Kept"]
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == []


def _tables(path: Path) -> list[str]:
    with raw(path) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


# Files that are refused, byte for byte untouched


def _refused_untouched(path: Path, match: str | None = None) -> str:
    before = path.read_bytes()
    with pytest.raises(StudioflowError, match=match) as info:
        open_database(path)
    assert path.read_bytes() == before
    assert "\n" not in str(info.value)
    return str(info.value)


@pytest.mark.parametrize(
    "content",
    [
        random.Random(1).randbytes(8192),
        b"name,email\nAnn,ann@example.com\n" * 50,
        b"hello",
        b"\0" * 4096,
    ],
    ids=["random", "text", "short", "zeros"],
)
def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    _refused_untouched(path, match="not a studioflow database")


def _foreign_sqlite(path: Path, application_id: int, with_table: bool) -> None:
    with raw(path) as conn:
        if with_table:
            conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
            conn.execute("INSERT INTO contacts (name) VALUES ('Ann')")
        conn.execute(f"PRAGMA application_id={application_id}")
        conn.execute("PRAGMA user_version=1")


def test_a_sqlite_file_of_another_program_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "contacts.db"
    _foreign_sqlite(path, application_id=0, with_table=True)
    _refused_untouched(path, match="another program")
    assert _tables(path) == ["contacts"]


def test_a_sqlite_file_with_another_application_id_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    _foreign_sqlite(path, application_id=0x12345678, with_table=False)
    _refused_untouched(path, match="another program")


def test_a_file_from_a_newer_studioflow_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "studioflow.db"
    database = open_database(path)
    add_pipeline(database, "Kept")
    database.close()
    with raw(path) as conn:
        conn.execute(f"PRAGMA user_version={schema_version() + 1}")
    message = _refused_untouched(path, match="newer")
    assert str(schema_version() + 1) in message
    assert pragma(path, "user_version") == schema_version() + 1
    assert pipeline_names(path) == ["Kept"]


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StudioflowError, match="directory"):
        open_database(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_path_under_a_file_is_refused(tmp_path: Path) -> None:
    parent = tmp_path / "notes.txt"
    parent.write_text("not a directory")
    with pytest.raises(StudioflowError):
        open_database(parent / "studioflow.db")
    assert parent.read_text() == "not a directory"


# Migrations


def _add_nickname(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE client ADD COLUMN nickname TEXT NOT NULL DEFAULT ''")


def _version_1_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Written as if no migration existed yet: these tests install migrations of their own.
    monkeypatch.setattr(dbmodule, "MIGRATIONS", [])
    path = tmp_path / "studioflow.db"
    database = open_database(path)
    add_pipeline(database, "Kept")
    database.close()
    assert pragma(path, "user_version") == 1
    return path


def test_a_migration_brings_a_file_forward_after_a_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _version_1_file(tmp_path, monkeypatch)
    monkeypatch.setattr(dbmodule, "MIGRATIONS", [_add_nickname])
    assert schema_version() == 2

    database = open_database(path)
    database.close()

    assert pragma(path, "user_version") == 2
    assert pragma(path, "application_id") == APPLICATION_ID
    assert "nickname" in columns(path, "client")
    assert pipeline_names(path) == ["Kept"]
    backup = tmp_path / "studioflow.db.v1-backup"
    assert backup.is_file()
    with closing(sqlite3.connect(f"{backup.as_uri()}?mode=ro", uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT name FROM pipeline").fetchall() == [("Kept",)]
        assert "nickname" not in [row[1] for row in conn.execute("PRAGMA table_info(client)")]


def test_a_new_file_is_created_at_the_latest_version_without_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbmodule, "MIGRATIONS", [_add_nickname])
    path = tmp_path / "studioflow.db"
    open_database(path).close()
    assert pragma(path, "user_version") == 2
    assert [p.name for p in tmp_path.iterdir() if "backup" in p.name] == []


def _failing_sql(conn: Connection) -> None:
    conn.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")


class MigrationBug(Exception):
    pass


def _failing_python(conn: Connection) -> None:
    raise MigrationBug("half-way")


@pytest.mark.parametrize(
    ("migrations", "error"),
    [
        ([lambda c: (_add_nickname(c), _failing_sql(c))], StudioflowError),
        ([_add_nickname, _failing_sql], StudioflowError),
        ([_add_nickname, _failing_python], MigrationBug),
    ],
    ids=["one-fails-half-way", "second-fails-sql", "second-raises"],
)
def test_a_failing_migration_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrations: list[object], error: type[Exception]
) -> None:
    path = _version_1_file(tmp_path, monkeypatch)
    monkeypatch.setattr(dbmodule, "MIGRATIONS", migrations)
    with pytest.raises(error):
        open_database(path)
    assert pragma(path, "user_version") == 1
    assert "nickname" not in columns(path, "client")
    assert pipeline_names(path) == ["Kept"]
    # And once the migrations are fixed, the same file opens at version 1 as before.
    monkeypatch.setattr(dbmodule, "MIGRATIONS", [])
    open_database(path).close()
    assert pipeline_names(path) == ["Kept"]


# Constraints the database itself enforces


def insert(db: Database, *rows: SQLModel) -> None:
    with db.write() as session:
        for row in rows:
            session.add(row)
            session.flush()


def _job_in(db: Database, pipeline_id: int, stage_id: int, stage_name: str) -> int:
    with db.write() as session:
        job = Job(title="Smith", pipeline_id=pipeline_id, stage_id=stage_id)
        session.add(job)
        session.flush()
        session.add(StageVisit(job_id=job.id, stage_id=stage_id, stage_name=stage_name))  # type: ignore[arg-type]
        session.flush()
        return job.id  # type: ignore[return-value]


def test_a_second_active_visit_for_a_job_is_refused(db: Database) -> None:
    pipeline_id, (first, second) = add_pipeline(db, "Wedding")
    job_id = _job_in(db, pipeline_id, first, "One")
    with pytest.raises(IntegrityError):
        insert(db, StageVisit(job_id=job_id, stage_id=second, stage_name="Two"))
    with raw(db.path) as conn:
        assert conn.execute("SELECT count(*) FROM stage_visit").fetchone()[0] == 1


def test_a_second_closed_visit_is_allowed(db: Database) -> None:
    pipeline_id, (first, second) = add_pipeline(db, "Wedding")
    job_id = _job_in(db, pipeline_id, first, "One")
    visit = StageVisit(job_id=job_id, stage_id=second, stage_name="Two", state="skipped")
    visit.left_at = visit.entered_at
    insert(db, visit)
    with raw(db.path) as conn:
        assert conn.execute("SELECT count(*) FROM stage_visit").fetchone()[0] == 2


@pytest.mark.parametrize(("state", "closed"), [("active", True), ("completed", False), ("paused", True)])
def test_a_visit_state_must_be_known_and_open_iff_active(db: Database, state: str, closed: bool) -> None:
    pipeline_id, (first, second) = add_pipeline(db, "Wedding")
    job_id = _job_in(db, pipeline_id, first, "One")
    visit = StageVisit(job_id=job_id, stage_id=second, stage_name="Two", state=state)
    visit.left_at = visit.entered_at if closed else None
    with pytest.raises(IntegrityError):
        insert(db, visit)


def test_a_job_in_a_stage_of_another_pipeline_is_refused(db: Database) -> None:
    wedding, _ = add_pipeline(db, "Wedding")
    _, (tax_stage, _) = add_pipeline(db, "Tax", ("Intake", "File"))
    with pytest.raises(IntegrityError):
        insert(db, Job(title="Smith", pipeline_id=wedding, stage_id=tax_stage))
    with raw(db.path) as conn:
        assert conn.execute("SELECT count(*) FROM job").fetchone()[0] == 0


@pytest.mark.parametrize("name", ["", "   "])
def test_a_client_with_an_empty_name_is_refused(db: Database, name: str) -> None:
    with pytest.raises(IntegrityError):
        insert(db, Client(name=name))
    with raw(db.path) as conn:
        assert conn.execute("SELECT count(*) FROM client").fetchone()[0] == 0


def test_pipeline_names_are_unique_regardless_of_case(db: Database) -> None:
    add_pipeline(db, "Wedding")
    with pytest.raises(IntegrityError):
        add_pipeline(db, "WEDDING")
    assert pipeline_names(db.path) == ["Wedding"]


# Health


def test_health_is_empty_on_a_good_database(db: Database) -> None:
    pipeline_id, (first, _) = add_pipeline(db, "Wedding")
    _job_in(db, pipeline_id, first, "One")
    assert db.health() == []


def test_health_reports_a_broken_foreign_key(db: Database) -> None:
    add_pipeline(db, "Wedding")
    with raw(db.path) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("INSERT INTO stage (pipeline_id, name, position, auto_move) VALUES (999, 'Orphan', 0, 0)")
    problems = db.health()
    assert len(problems) == 1
    assert "stage" in problems[0]
    assert "pipeline" in problems[0]
