"""Leftovers and edge values: each ends in one line and exit 2 (or just works), never a traceback."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Connection

from studioflow.cli import main
from studioflow.store import db as dbmodule
from studioflow.store import open_database
from studioflow.workflow.jobs import pipelines
from tests.conftest import outside_at, rows_at


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as usage:  # argparse's own refusal, already one line
        code = int(usage.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") <= 1, err
    return code, err


@pytest.fixture
def studio(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "studioflow.db"
    shutil.copyfile(demo_template, path)
    return path


def _add_probe(conn: Connection) -> None:
    conn.exec_driver_sql("CREATE TABLE probe (id INTEGER PRIMARY KEY)")


@pytest.mark.parametrize("leftover", ["half-written", "folder"])
def test_a_leftover_migration_backup_does_not_block_an_old_file(
    leftover: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.db"
    old = dbmodule.schema_version()
    database = open_database(path)
    pipelines.create_pipeline(database, "Kept", ["One"])
    database.close()
    # A studioflow one step newer than this file: opening it migrates, after a backup.
    monkeypatch.setattr(dbmodule, "MIGRATIONS", [*dbmodule.MIGRATIONS, _add_probe])
    stale = tmp_path / f"old.db.v{old}-backup"
    if leftover == "folder":
        stale.mkdir()
    else:
        stale.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)  # a crash stopped it early
    code, err = run(capsys, "pipeline", "list", "--db", str(path))
    assert code == 0, err
    fresh = tmp_path / f"old.db.v{old}-backup-2"
    with rows_at(fresh) as conn:
        assert conn.execute("SELECT name FROM pipeline").fetchall() == [("Kept",)]
    assert stale.is_dir() if leftover == "folder" else stale.stat().st_size == 66  # left as it was
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(
    "argv",
    [
        ["job", "show", "\udcff"],
        ["client", "add", "\udcffnna"],
        ["task", "add", "call \x00 Anna"],
        ["mileage", "list", "--year", "99999999999999999999"],
        ["mileage", "csv", "t.csv", "--year", "-1"],
        ["stage", "wait", "Weddings", "Inquiry", "99999999999999999999999"],
        ["event", "add", "Late", "--start", "9999-12-31 23:59"],
        ["event", "add", "Early", "--start", "0001-01-01 00:00"],
        ["export", "x" * 10_000],
        ["export", "no/such/folder/out.json"],
        ["export", "bad\x00name.json"],
        ["backup", "x" * 10_000],
        ["event", "ics", "."],
    ],
)
def test_an_edge_value_is_one_line_and_exit_2(
    argv: list[str], demo_db: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(capsys, *argv, "--db", str(demo_db))
    assert code == 2, err
    assert err.startswith("studio")


def test_undecodable_bytes_from_a_real_terminal(studio: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "studioflow", "job", "show", os.fsdecode(b"\xff"), "--db", str(studio)],
        capture_output=True,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": ""},
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count(b"\n") == 1


def test_a_stored_event_at_the_end_of_time_still_exports(
    demo_db: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with outside_at(demo_db) as conn:
        conn.execute("UPDATE event SET starts_at = '9999-12-31 23:59:00.000000', ends_at = NULL")
    target = tmp_path / "all.ics"
    code, err = run(capsys, "event", "ics", str(target), "--job", "1", "--db", str(demo_db))
    assert code == 0, err
    assert b"99991231T235900" in target.read_bytes()


def test_a_folder_where_the_delivery_lock_goes(studio: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (studio.parent / f"{studio.name}.delivery-lock").mkdir()
    code, err = run(capsys, "outbox", "send", "--db", str(studio))
    assert code == 2
    assert "delivery lock" in err


def _small_files() -> None:
    # A disk that fills: no file may grow past 64 KiB (EFBIG, as ENOSPC would end a write).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


@pytest.mark.parametrize("command", ["export", "backup"])
def test_a_full_disk_leaves_no_partial_file(command: str, studio: Path) -> None:
    with outside_at(studio) as conn:  # far more than the disk has room for
        conn.execute("UPDATE client SET notes = hex(randomblob(20000))")
    target = studio.parent / "out" / "copy"
    target.parent.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "studioflow", command, str(target), "--db", str(studio)],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_small_files,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert list(target.parent.iterdir()) == []
