"""Fixtures shared by every test: a real studioflow database in pytest's tmp_path."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from postgres import postgres_server, postgres_url  # noqa: F401  (fixtures; tests/ is on sys.path)

from studioflow.store import Database, open_database
from studioflow.workflow.files import demo

DEMO_TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test reads its own config.toml (absent unless the test writes it), never the user's."""
    path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("STUDIOFLOW_CONFIG", str(path))
    monkeypatch.delenv("STUDIOFLOW_SMTP_PASSWORD", raising=False)
    return path


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "studioflow.db")
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data (due dates relative to DEMO_TODAY) in a fully checkpointed file.

    Made once per worker; tests copy it rather than writing the demo again.
    """
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    database = open_database(path)
    try:
        demo.write_demo(database, today=DEMO_TODAY)
    finally:
        database.close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert not path.with_name(path.name + "-wal").exists()
    return path
