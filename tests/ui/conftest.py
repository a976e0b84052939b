"""UI fixtures: a private copy of the demo database per test, written once per worker."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from studioflow.store import Database, open_database
from studioflow.workflow import demo

DEMO_TODAY = date(2026, 3, 2)


@pytest.fixture(scope="session")
def board_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data in a fully checkpointed file; never opened by a test, only copied."""
    path = tmp_path_factory.mktemp("board-demo") / "demo.db"
    db = open_database(path)
    try:
        demo.write_demo(db, today=DEMO_TODAY)
    finally:
        db.close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def demo_db(board_demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """The demo database (3 pipelines, 25 jobs) in this test's own file."""
    path = tmp_path / "board.db"
    shutil.copyfile(board_demo_template, path)
    database = open_database(path)
    yield database
    database.close()
