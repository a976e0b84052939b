"""`backup` checks its copy: a damaged source is reported, and no file is left under the backup's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from studioflow.cli import main
from tests.conftest import sqlite_only

from .test_cli import damage_page, query


@sqlite_only  # a page of an SQLite file, damaged by hand
def test_a_backup_of_a_damaged_file_is_refused_and_leaves_nothing(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The task table's index pages: past the schema (which may sit anywhere in the file once it
    # has grown past a page), so opening still works.
    for (root,) in query(demo_db, "SELECT rootpage FROM sqlite_master WHERE tbl_name = 'task' AND type = 'index'"):
        damage_page(demo_db, root)
    target = demo_db.parent / "copy.db"
    code = main(["backup", str(target), "--db", str(demo_db)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "damaged" in err
    assert "no backup written" in err
    assert err.count("\n") == 1
    assert not target.exists()
    assert [p.name for p in demo_db.parent.iterdir() if p.name.startswith(".copy")] == []
