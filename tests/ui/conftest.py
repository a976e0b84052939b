"""UI fixtures: a private copy of the demo database per test, written once per worker."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from studioflow.app import StudioflowApp
from studioflow.store import Database, open_database


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """The demo database (3 pipelines, 25 jobs) in this test's own file."""
    path = tmp_path / "board.db"
    shutil.copyfile(demo_template, path)
    database = open_database(path)
    yield database
    database.close()


@pytest.fixture(autouse=True)
def no_background_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages stay as the keys left them unless a test asks for delivery (no race with a worker)."""
    monkeypatch.setattr(StudioflowApp, "deliver_in_background", False)
