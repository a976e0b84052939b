"""Live refresh: a move or a check-off made on another machine shows on the open board and
Tasks screen within about a second, on both engines. A second `open_database(db.target)`
is the other machine; what the screen shows is checked against the database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from studioflow.app import StudioflowApp, make_app
from studioflow.screens.board import BoardScreen
from studioflow.screens.dialogs import PickerDialog
from studioflow.screens.tasks import TasksScreen
from studioflow.store import Database, open_database
from studioflow.store.changes import Changes
from studioflow.workflow.board import board as studio_board
from studioflow.workflow.board.board import CardView
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.tasks import tasks

SIZE = (120, 35)
SHOWN_WITHIN = 1.5  # seconds from the other machine's commit to this screen


@dataclass(frozen=True)
class Studio:
    here: Database  # what the app runs on
    there: Database  # the other machine
    smith: int
    jones: int
    booked: int  # the second stage
    venue: int  # a task of Smith's, due today
    contract: int  # another, due today


@pytest.fixture(autouse=True)
def live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(StudioflowApp, "watch_changes", True)


@pytest.fixture
def studio(any_db: Database) -> Iterator[Studio]:
    pipeline = pipelines.create_pipeline(any_db, "Weddings", ["Enquiry", "Booked"])
    smith = jobs.add_job(any_db, "Smith wedding", pipeline.id)
    jones = jobs.add_job(any_db, "Jones wedding", pipeline.id)
    venue = tasks.add_task(any_db, "Call the venue", job=smith.id, due_on=date.today())
    contract = tasks.add_task(any_db, "Send the contract", job=smith.id, due_on=date.today())
    other = open_database(any_db.target)
    try:
        yield Studio(any_db, other, smith.id, jones.id, pipeline.stages[1].id, venue.id, contract.id)
    finally:
        other.close()


async def until(pilot: Pilot[Any], shown: Callable[[], bool], within: float = SHOWN_WITHIN) -> float:
    """Seconds until `shown()` holds; fails after `within`."""
    started = time.monotonic()
    while not shown():
        if time.monotonic() - started > within:
            raise AssertionError(f"not shown within {within} s")
        await pilot.pause(0.02)
    return time.monotonic() - started


async def watching(pilot: Pilot[Any]) -> None:
    """Wait for the watcher to listen (it starts once the write path is warm)."""
    await until(pilot, lambda: bool(pilot.app.watching), within=20)  # type: ignore[attr-defined]


def board(app: App[Any]) -> BoardScreen:
    assert isinstance(app.screen, BoardScreen)
    return app.screen


def counts(app: App[Any]) -> list[int]:
    return [column.count for column in board(app)._columns()]


def cards(app: App[Any]) -> list[CardView]:
    return [card for column in board(app)._columns() for i in range(column.count) if (card := column.card(i))]


def titles(app: App[Any]) -> list[str]:
    screen = app.screen
    assert isinstance(screen, TasksScreen)
    return [line.task.title for line in screen.task_list.lines if line.task is not None]


async def test_a_move_on_the_other_machine_shows_on_the_board(studio: Studio) -> None:
    app = make_app(studio.here)
    async with app.run_test(size=SIZE) as pilot:
        await watching(pilot)
        assert counts(app) == [2, 0]
        await pilot.press("j")  # the cursor on the second card; the other machine moves the first
        kept = board(app).focused_card()
        moved = board(app)._column(0).card(0)
        assert kept is not None
        assert moved is not None

        jobs.advance(studio.there, moved.id)
        took = await until(pilot, lambda: counts(app) == [1, 1])

        assert took < SHOWN_WITHIN
        assert jobs.get_job(studio.here, moved.id).stage_id == studio.booked  # what is shown is stored
        assert board(app)._column(1).card(0).id == moved.id  # type: ignore[union-attr]
        assert board(app).focused_card().id == kept.id  # type: ignore[union-attr]  # now the first card
        assert board(app).column_index == 0


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)  # a file says only that it changed
async def test_the_board_re_reads_only_for_what_it_shows(studio: Studio, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(studio.here)
    async with app.run_test(size=SIZE) as pilot:
        await watching(pilot)
        screen = board(app)
        reads: list[set[int] | None] = []
        refresh = screen._refresh

        def counted(stage_ids: set[int] | None = None) -> bool:
            reads.append(stage_ids)
            return refresh(stage_ids)

        monkeypatch.setattr(screen, "_refresh", counted)

        pipeline = screen.view.pipeline_id  # type: ignore[union-attr]
        studio_board.remember_pipeline(studio.there, pipeline)  # a setting: nothing on the board
        await pilot.pause(0.6)
        jobs.advance(studio.there, studio.jones)
        await until(pilot, lambda: counts(app) == [1, 1])

        assert reads == [None]  # one whole re-read: the move's, not the setting's


async def test_a_dialog_stays_open_and_keeps_the_keys_while_the_board_refreshes(studio: Studio) -> None:
    app = make_app(studio.here)
    async with app.run_test(size=SIZE) as pilot:
        await watching(pilot)
        beneath = board(app)
        await pilot.press("m")  # "move to stage": a dialog over the board
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PickerDialog)
        focused = app.focused

        jobs.advance(studio.there, studio.jones)
        await until(pilot, lambda: [c.count for c in beneath._columns()] == [1, 1])

        assert app.screen is dialog
        assert app.focused is focused
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is beneath


async def test_a_check_off_on_the_other_machine_shows_on_the_tasks_screen(studio: Studio) -> None:
    app = make_app(studio.here)
    async with app.run_test(size=SIZE) as pilot:
        await watching(pilot)
        await pilot.press("2")
        await until(pilot, lambda: titles(app) == ["Call the venue", "Send the contract"])
        await pilot.press("j")  # on "Send the contract"

        tasks.toggle_task(studio.there, studio.venue)
        took = await until(pilot, lambda: titles(app) == ["Send the contract"])

        assert took < SHOWN_WITHIN
        assert tasks.get_task(studio.here, studio.venue).done_at is not None
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        assert screen.task_list.current().id == studio.contract  # type: ignore[union-attr]


async def test_the_tasks_screen_shows_what_changed_while_it_was_away(studio: Studio) -> None:
    app = make_app(studio.here)
    async with app.run_test(size=SIZE) as pilot:
        await watching(pilot)
        await pilot.press("2")
        await until(pilot, lambda: len(titles(app)) == 2)
        await pilot.press("1")  # the board; the Tasks screen is not on view

        tasks.toggle_task(studio.there, studio.contract)
        smith_card = lambda app: next(c for c in cards(app) if c.id == studio.smith)  # noqa: E731
        await until(pilot, lambda: smith_card(app).tasks_open == 1)  # the board follows: Smith has 1 task open
        await pilot.press("2")
        await until(pilot, lambda: titles(app) == ["Call the venue"])
        assert tasks.get_task(studio.here, studio.contract).done_at is not None


async def test_quitting_stops_the_watcher_at_once(studio: Studio, monkeypatch: pytest.MonkeyPatch) -> None:
    closed = threading.Event()
    make = studio.here.changes

    def changes() -> Changes:
        watcher = make()
        close = watcher.close

        def closing() -> None:
            close()
            closed.set()

        monkeypatch.setattr(watcher, "close", closing)
        return watcher

    monkeypatch.setattr(studio.here, "changes", changes)
    app = make_app(studio.here)
    async with app.run_test(size=SIZE) as pilot:
        await watching(pilot)
        assert not closed.is_set()
        await pilot.press("q")
    assert closed.wait(1.5)  # the watcher's thread has left its loop and let its connection go
