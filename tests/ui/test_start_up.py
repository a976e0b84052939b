"""The board's first frame comes before the write path is loaded; keys pressed before it is
ready wait for it, and each runs exactly once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from studioflow.app import make_app
from studioflow.store import Database
from studioflow.store import db as store_db
from studioflow.widgets.board.column import CardColumn
from studioflow.workflow.jobs import jobs

SIZE = (120, 35)
BERG = "Berg-Olsen wedding"  # first card of the demo's first column (Inquiry)


@pytest.fixture
def slow_write_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening the engine takes 2 s, so a key can surely be pressed before it is ready."""
    make = store_db._make_engine

    def slow(path: Path):  # type: ignore[no-untyped-def]
        time.sleep(2)
        return make(path)

    monkeypatch.setattr(store_db, "_make_engine", slow)


async def test_L_pressed_at_the_first_frame_waits_for_the_write_path_and_moves_once(
    demo_db: Database, slow_write_path: None
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        while not app.screen.query(CardColumn):
            await asyncio.sleep(0.001)
        assert demo_db._engine is None  # no engine (so no write) yet: the board was read without it
        assert app.screen.focused_card().title == BERG  # type: ignore[attr-defined]
        await pilot.press("L")
        for _ in range(1000):
            if jobs.get_job(demo_db, BERG).stage != "Inquiry":
                break
            await pilot.pause(0.01)
        moved = jobs.get_job(demo_db, BERG)
        assert moved.stage == "Consultation"
        history = [(visit.stage, visit.state) for visit in jobs.get_job(demo_db, moved.id).history]
        assert history == [("Inquiry", "completed"), ("Consultation", "active")]  # once, not twice
        for _ in range(100):  # the board follows the job once the move's worker is done
            if app.screen.column_index == 1:  # type: ignore[attr-defined]
                break
            await pilot.pause(0.01)
        assert app.screen.column_index == 1  # type: ignore[attr-defined]
        assert app.screen.focused_card().title == BERG  # type: ignore[attr-defined]


async def test_the_first_frame_writes_nothing_and_delivery_starts_after_it(
    demo_db: Database, slow_write_path: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studioflow.app import StudioflowApp

    engine_when_delivering: list[bool] = []
    deliver = StudioflowApp.deliver

    def recorded(self: StudioflowApp, *, asked: bool = False) -> None:
        engine_when_delivering.append(demo_db._engine is not None)
        deliver(self, asked=asked)

    wal = demo_db.path.with_name(demo_db.path.name + "-wal")
    before = demo_db.path.read_bytes()
    # What stood at the first frame, taken when the board asks for the write path after drawing
    # it: a test polling for the frame could wake only after the 2 s warm-up on a loaded machine.
    at_first_frame: list[tuple[list[bool], bool, int]] = []
    warm_up = StudioflowApp.warm_up

    def first_frame(self: StudioflowApp) -> None:
        if not at_first_frame:
            written = wal.stat().st_size if wal.exists() else 0
            at_first_frame.append((list(engine_when_delivering), demo_db.path.read_bytes() == before, written))
        warm_up(self)

    monkeypatch.setattr(StudioflowApp, "deliver_in_background", True)
    monkeypatch.setattr(StudioflowApp, "deliver", recorded)
    monkeypatch.setattr(StudioflowApp, "warm_up", first_frame)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        while not at_first_frame:
            await asyncio.sleep(0.001)
        assert app.screen.query(CardColumn)  # the frame had the cards
        # No delivery yet, the file as it was, nothing even in the WAL.
        assert at_first_frame == [([], True, 0)]
        for _ in range(1000):
            if engine_when_delivering:
                break
            await pilot.pause(0.01)
        assert engine_when_delivering == [True]  # started once, after the write path was warm
