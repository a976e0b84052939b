"""Writes from three screens while another process holds the write lock: a task check-off,
a job-page edit and a board add. Each waits off the UI thread, the app stays up and says
so in one line, nothing is half-written; once the lock is let go the same keys land."""

from __future__ import annotations

import subprocess
import time
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Label

from studioflow.app import make_app
from studioflow.screens.dialogs import FormDialog, JobDialog
from studioflow.screens.job import JobScreen
from studioflow.screens.tasks import TasksScreen
from studioflow.store import Database
from studioflow.workflow.jobs import jobs
from studioflow.workflow.people import clients
from studioflow.workflow.schedule import events
from studioflow.workflow.tasks import tasks

from .conftest import effects_done
from .test_board import SIZE, paste, press
from .test_job_page import fill, martinez_id, open_job
from .test_locked_database import locker, release, said  # noqa: F401  (locker: the fixture)

BUSY = "the database is busy"


def one_busy_line(pilot: Pilot[Any]) -> None:
    lines = [line for line in said(pilot) if BUSY in line]
    assert lines, said(pilot)
    assert all("\n" not in line for line in lines)


async def test_a_task_check_off_waits_off_the_ui_thread_then_lands(
    demo_db: Database, locker: subprocess.Popen[str]  # noqa: F811
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2")
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        task = screen.task_list.current()
        assert task is not None
        assert not task.done
        await pilot.press("space")  # waits for the lock in a thread
        start = time.monotonic()
        await pilot.press("j")
        await pilot.pause()
        assert time.monotonic() - start < 3, "the UI waited for the database"
        await effects_done(pilot)
        one_busy_line(pilot)
        assert app.is_running
        assert tasks.get_task(demo_db, task.id).done_at is None

        release(locker)
        await press(pilot, "k", "space")
        assert tasks.get_task(demo_db, task.id).done_at is not None


async def test_a_job_page_edit_is_refused_in_the_form_then_saved(
    demo_db: Database, locker: subprocess.Popen[str]  # noqa: F811
) -> None:
    job_id = martinez_id(demo_db)
    before = [(e.id, e.location) for e in events.list_events(demo_db, job=job_id)]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, demo_db, "events")
        await press(pilot, "e", "tab", "tab", "tab")  # the first event's location
        await fill(pilot, ["The Orangery"])
        await press(pilot, "ctrl+s")
        # The form stays open with the one line, to try again; nothing was written.
        assert isinstance(app.screen, FormDialog)
        error = str(app.screen.query_one("#form-error", Label).render())
        assert BUSY in error
        assert "\n" not in error
        assert app.is_running
        assert [(e.id, e.location) for e in events.list_events(demo_db, job=job_id)] == before

        release(locker)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, JobScreen)
        assert events.list_events(demo_db, job=job_id)[0].location == "The Orangery"
        assert app.screen.query_one("#job-events", DataTable).get_row_at(0)[3].plain == "The Orangery"


async def test_a_board_add_with_a_new_client_writes_nothing_until_it_can_write_both(
    demo_db: Database, locker: subprocess.Popen[str]  # noqa: F811
) -> None:
    names = {c.name for c in clients.list_clients(demo_db)}
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:

        async def add() -> None:
            await press(pilot, "n")
            assert isinstance(app.screen, JobDialog)
            await paste(pilot, "Okafor headshots")
            await press(pilot, "enter")  # on to the client
            await paste(pilot, "Nia Okafor")
            await press(pilot, "enter")  # on to the due date
            await press(pilot, "enter")  # saves: the new client and the job, in one write

        await add()
        one_busy_line(pilot)
        assert app.is_running
        assert "Okafor headshots" not in {j.title for j in jobs.list_jobs(demo_db)}
        assert {c.name for c in clients.list_clients(demo_db)} == names  # no client left behind

        release(locker)
        await add()
        added = next(j for j in jobs.list_jobs(demo_db) if j.title == "Okafor headshots")
        assert added.client == "Nia Okafor"
        assert {c.name for c in clients.list_clients(demo_db)} == names | {"Nia Okafor"}
