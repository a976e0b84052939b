"""The command palette (ctrl+p): every screen by name, and jobs, clients and projects by (part of) their name."""

from __future__ import annotations

from typing import Any

import pytest
from textual.command import CommandList, CommandPalette

from studioflow.app import make_app
from studioflow.screens.clients import ClientScreen
from studioflow.screens.job import JobScreen
from studioflow.screens.outbox import OutboxScreen
from studioflow.screens.projects import ProjectsScreen
from studioflow.screens.statuses import StatusesDialog
from studioflow.screens.tasks import ProjectTasksScreen, TasksScreen
from studioflow.store import Database
from studioflow.workflow.board.search import find_records
from studioflow.workflow.jobs import jobs
from studioflow.workflow.people import clients
from studioflow.workflow.tasks import tasks
from tests.ui.test_board import SIZE, press, type_text


async def run_palette(pilot: Any, typed: str, expect: str) -> None:
    """ctrl+p, type, wait for a highlighted result that shows `expect`, enter."""
    await press(pilot, "ctrl+p")
    assert isinstance(pilot.app.screen, CommandPalette)
    await type_text(pilot, typed)
    results = pilot.app.screen.query_one(CommandList)
    for _ in range(60):  # the palette searches in the background
        if results.highlighted is not None and expect in str(results.get_option_at_index(results.highlighted).prompt):
            break
        await pilot.pause(0.05)
    assert results.highlighted is not None
    assert expect in str(results.get_option_at_index(results.highlighted).prompt)
    await press(pilot, "enter")
    await pilot.pause()


@pytest.mark.parametrize(
    ("typed", "expect", "screen"),
    [
        ("outbox", "Outbox", OutboxScreen),
        ("tasks", "Tasks", TasksScreen),
        ("projects", "Projects", ProjectsScreen),
        ("statuses", "Statuses", StatusesDialog),
    ],
)
async def test_every_screen_opens_by_name(demo_db: Database, typed: str, expect: str, screen: type) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await run_palette(pilot, typed, expect)
        assert isinstance(app.screen, screen)


async def test_a_client_a_job_and_a_project_open_by_part_of_their_name(demo_db: Database) -> None:
    emilie = clients.add_client(demo_db, "Émilie Dubois")
    wedding = jobs.add_job(demo_db, "Château wedding", "Wedding Photography", client=emilie.id)
    album = tasks.add_project(demo_db, "Album for Émilie")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await run_palette(pilot, "emilie dub", "Émilie Dubois")
        assert isinstance(app.screen, ClientScreen)
        assert app.screen.client_id == emilie.id
        await run_palette(pilot, "chateau", "Château wedding")
        assert isinstance(app.screen, JobScreen)
        assert app.screen.job_id == wedding.id
        await run_palette(pilot, "album for", "Album for Émilie")
        assert isinstance(app.screen, ProjectTasksScreen)
        assert app.screen.project_id == album.id


def test_find_records_ignores_case_and_accents_and_puts_prefixes_first(demo_db: Database) -> None:
    clients.add_client(demo_db, "Émilie Dubois")
    jobs.add_job(demo_db, "Wedding for emilie", "Wedding Photography")
    found = [(f.kind, f.name) for f in find_records(demo_db, "EMILIE")]
    assert found == [("client", "Émilie Dubois"), ("job", "Wedding for emilie")]
    assert find_records(demo_db, "   ") == []
    assert find_records(demo_db, "zzzz") == []
