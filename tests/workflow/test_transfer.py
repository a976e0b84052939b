"""The whole database to JSON and back (every row, every id), and online backups."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database, open_database
from studioflow.workflow.files import transfer
from studioflow.workflow.jobs import jobs, journal
from tests.workflow.conftest import dump_database


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Database:
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    return open_database(path)


def test_export_import_export_is_identical_and_reproduces_every_row(demo: Database, tmp_path: Path) -> None:
    # A deleted row leaves an autoincrement counter past the last id: it must survive too.
    job = jobs.add_job(demo, "Gone soon", "Leads")
    journal.undo(demo)
    seen: list[tuple[str, int, int]] = []
    first = tmp_path / "first.json"
    counts = transfer.export_json(demo, first, progress=lambda *step: seen.append(step))
    assert (counts["job"], counts["invoice"], counts["event"]) == (25, 2, 4)
    assert seen[-1][1] == seen[-1][2]  # progress ends at "all tables done"

    fresh = open_database(tmp_path / "fresh.db")
    transfer.import_json(fresh, first)
    second = tmp_path / "second.json"
    transfer.export_json(fresh, second)
    assert first.read_bytes() == second.read_bytes()
    assert dump_database(fresh) == dump_database(demo)
    with fresh.rows() as a, demo.rows() as b:  # the id counters too
        assert a.execute("SELECT * FROM sqlite_sequence ORDER BY name").fetchall() == b.execute(
            "SELECT * FROM sqlite_sequence ORDER BY name"
        ).fetchall()
    # The id of the deleted job is not handed out again after the import.
    assert jobs.add_job(fresh, "New", "Leads").id > job.id


def test_import_refuses_a_database_with_data(demo: Database, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    transfer.export_json(demo, path)
    with pytest.raises(StudioflowError, match="already has data"):
        transfer.import_json(demo, path)


def test_a_bad_file_is_refused_and_nothing_is_written(demo: Database, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    transfer.export_json(demo, path)
    data = json.loads(path.read_text())
    fresh = open_database(tmp_path / "fresh.db")
    before = dump_database(fresh)

    broken = tmp_path / "broken.json"
    data["tables"]["job"]["rows"][0][data["tables"]["job"]["columns"].index("stage_id")] = 9999
    broken.write_text(json.dumps(data))
    with pytest.raises(StudioflowError, match="job"):
        transfer.import_json(fresh, broken)
    assert dump_database(fresh) == before

    for text, match in [
        ("{", "not JSON"),
        ('{"format": "other"}', "not a studioflow export"),
        (json.dumps({**data, "schema": 999}), "schema 999"),
        (json.dumps({**data, "tables": {"nope": {}}}), "unknown table"),
    ]:
        broken.write_text(text)
        with pytest.raises(StudioflowError, match=match):
            transfer.import_json(fresh, broken)
    assert dump_database(fresh) == before


def test_a_check_constraint_is_refused_in_one_line(demo: Database, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    transfer.export_json(demo, path)
    data = json.loads(path.read_text())
    lines = data["tables"]["invoice_line"]
    lines["rows"][0][lines["columns"].index("quantity")] = -1
    path.write_text(json.dumps(data))
    with pytest.raises(StudioflowError, match="a row of invoice_line is refused") as info:
        transfer.import_json(open_database(tmp_path / "fresh.db"), path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("column", "value"), [("action", "launch_rocket"), ("trigger", "leave")])
def test_an_automation_the_registry_does_not_know_is_refused(
    demo: Database, tmp_path: Path, column: str, value: str
) -> None:
    """The table has no CHECK on these any more: the import asks the registry instead."""
    path = tmp_path / "x.json"
    transfer.export_json(demo, path)
    data = json.loads(path.read_text())
    rules = data["tables"]["automation"]
    rules["rows"][0][rules["columns"].index(column)] = value
    path.write_text(json.dumps(data))
    fresh = open_database(tmp_path / "fresh.db")
    with pytest.raises(StudioflowError, match=f"an automation's {column} '{value}' is not one of") as info:
        transfer.import_json(fresh, path)
    assert "\n" not in str(info.value)
    with fresh.rows() as conn:
        assert conn.execute("SELECT count(*) FROM automation").fetchone() == (0,)


def test_backup_is_a_consistent_copy_and_will_not_overwrite(demo: Database, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    transfer.backup(demo, target)
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM job").fetchone()[0] == 25
    with pytest.raises(StudioflowError, match="already exists"):
        transfer.backup(demo, target)
    with pytest.raises(StudioflowError, match=r"refusing to write .*: it is the database"):
        transfer.backup(demo, demo.path, overwrite=True)
    with pytest.raises(StudioflowError, match="no folder"):
        transfer.backup(demo, tmp_path / "missing" / "b.db")
