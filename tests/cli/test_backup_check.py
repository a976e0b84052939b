"""`backup` checks its copy: a damaged source is reported, and no file is left under the backup's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from studioflow.cli import main

from .test_cli import damage_page, query


def test_a_backup_of_a_damaged_file_is_refused_and_leaves_nothing(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = demo_db.stat().st_size // query(demo_db, "PRAGMA page_size")[0][0]
    (root,) = query(demo_db, "SELECT rootpage FROM sqlite_master WHERE name = 'task'")[0]
    damage_page(demo_db, root + 1, min(root + 3, pages))  # pages past the schema: opening still works
    target = demo_db.parent / "copy.db"
    code = main(["backup", str(target), "--db", str(demo_db)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "damaged" in err
    assert "no backup written" in err
    assert err.count("\n") == 1
    assert not target.exists()
    assert [p.name for p in demo_db.parent.iterdir() if p.name.startswith(".copy")] == []
