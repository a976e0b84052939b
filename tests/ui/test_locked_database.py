"""Another process holding the write lock: the board stays up and answers keys, and says so in one line."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from textual.pilot import Pilot

from studioflow.app import make_app
from studioflow.store import Database
from studioflow.workflow.jobs import jobs

from .conftest import effects_done
from .test_board import SIZE, board_screen, press

HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()  # until the test lets go
conn.execute("ROLLBACK")
"""


@pytest.fixture
def locker(demo_db: Database) -> Iterator[subprocess.Popen[str]]:
    """A second process holding BEGIN IMMEDIATE on the database until its stdin closes."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(demo_db.path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "locked\n"
    yield child
    if child.poll() is None:
        child.kill()
    child.wait()


def release(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None
    child.stdin.close()
    child.wait(timeout=10)


def said(pilot: Pilot[Any]) -> list[str]:
    return [n.message for n in pilot.app._notifications]


def stage_of(db: Database, job_id: int) -> str:
    return jobs.get_job(db, job_id).stage


async def test_a_move_waiting_on_the_lock_leaves_the_ui_free_and_ends_in_a_notice(
    demo_db: Database, locker: subprocess.Popen[str]
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card = board_screen(app).focused_card()
        assert card is not None
        before = stage_of(demo_db, card.id)
        await pilot.press("L")  # waits for the lock in a thread
        start = time.monotonic()
        await pilot.press("j")
        await pilot.pause()
        assert time.monotonic() - start < 3, "the UI waited for the database"
        assert board_screen(app).focused_card() != card  # the key was taken while the write waited
        await effects_done(pilot)
        assert any("the database is busy" in line for line in said(pilot)), said(pilot)
        assert app.is_running
        assert stage_of(demo_db, card.id) == before

        release(locker)
        await press(pilot, "k", "L")
        assert stage_of(demo_db, card.id) != before


async def test_undo_on_a_locked_database_is_a_notice(demo_db: Database, locker: subprocess.Popen[str]) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "u")
        assert any("the database is busy" in line for line in said(pilot)), said(pilot)
        assert app.is_running


async def test_any_database_error_met_by_a_key_is_one_line_and_the_app_goes_on(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def damaged(*_: object) -> None:
        raise OperationalError("SELECT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(jobs, "get_job", damaged)  # `e` reads the job without a guard of its own
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "e")
        assert any("disk I/O error" in line and "\n" not in line for line in said(pilot)), said(pilot)
        assert app.is_running
        await press(pilot, "j")
        assert board_screen(app).focused_card() is not None


def test_the_cli_says_busy_in_one_line(demo_db: Database, locker: subprocess.Popen[str], tmp_path: Path) -> None:
    from studioflow.cli import main

    code = main(["job", "advance", "1", "--db", str(demo_db.path)])
    assert code == 1
