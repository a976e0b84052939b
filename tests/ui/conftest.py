"""UI fixtures: a private copy of the demo database per test, written once per worker."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

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
    """Messages stay as the keys left them unless a test asks for delivery (no race with a worker);
    and no live refresh redraws a screen under a test that does not ask for it."""
    monkeypatch.setattr(StudioflowApp, "deliver_in_background", False)
    monkeypatch.setattr(StudioflowApp, "watch_changes", False)


async def effects_done(pilot: Pilot[Any]) -> None:
    """Wait for the writes keys started (they run in a thread worker, one after another) and what they redraw."""
    while pilot.app.effects.busy:  # type: ignore[attr-defined]
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
