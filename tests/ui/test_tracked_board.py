"""A client pipeline (leads) on the board: the same keys as jobs, checked against the database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from studioflow.app import make_app
from studioflow.screens.dialogs import PickerDialog
from studioflow.store import Database, open_database
from studioflow.workflow.automations import automation_rules
from studioflow.workflow.board import board
from studioflow.workflow.jobs import jobs, pipelines, tracking
from studioflow.workflow.money import invoices
from studioflow.workflow.people import clients
from studioflow.workflow.schedule import events
from studioflow.workflow.tasks import tasks
from tests.ui.test_board import at, board_screen, counts, paste, press

SIZE = (120, 35)
LEAD_STAGES = ("Email Lead", "Call Lead After 2 Days", "Reattempt Call After 4 Days", "Send Final Email")


@pytest.fixture
def leads_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(tmp_path / "leads.db")
    with db.write():
        leads = pipelines.create_pipeline(db, "Leads", LEAD_STAGES, kind="clients")
        pipelines.set_stage_wait(db, "Leads", "Call Lead After 2 Days", 2)
        tasks.create_saved_list(db, "Call", [("Call lead", 2)])
        automation_rules.add_automation(
            db, "Leads", "Call Lead After 2 Days", "enter", "create_tasks", saved_list="Call"
        )
        for name in ("Ada Lovelace", "Ben Okafor", "Cleo Park"):
            clients.add_client(db, name, email=f"{name.split()[0].lower()}@example.com", tags=["lead"])
        tracking.track(db, "clients", "Ada Lovelace", "Leads")
        tracking.track(db, "clients", "Ben Okafor", "Leads")
        board.remember_pipeline(db, leads.id)
    yield db
    db.close()


def visits(db: Database) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db.path)) as conn:
        return conn.execute(
            "SELECT c.name, v.stage_name, v.state FROM stage_visit v JOIN client c ON c.id = v.client_id ORDER BY v.id"
        ).fetchall()


def column_titles(db: Database, stage: str) -> list[str]:
    return [t.title for t in tracking.list_tracked(db, "Leads", stage)]


async def test_a_lead_is_walked_through_the_stages_with_the_job_keys(leads_db: Database) -> None:
    app = make_app(leads_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert board_screen(app).view.kind == "clients"  # type: ignore[union-attr]
        assert counts(app) == [2, 0, 0, 0]
        assert at(app) == (0, "Ben Okafor")  # the newest card is on top
        await press(pilot, "J")  # reorder: Ben below Ada
        assert column_titles(leads_db, "Email Lead") == ["Ada Lovelace", "Ben Okafor"]
        assert at(app) == (0, "Ben Okafor")
        await press(pilot, "L")
        assert at(app) == (1, "Ben Okafor")
        assert counts(app) == [1, 1, 0, 0]
        card = board_screen(app).focused_card()
        assert card is not None
        assert card.due_on is not None  # the stage's two-day wait
        await press(pilot, "s")
        assert at(app) == (2, "Ben Okafor")
        await press(pilot, "H")
        assert at(app) == (1, "Ben Okafor")
        assert visits(leads_db)[-4:] == [
            ("Ben Okafor", "Email Lead", "completed"),
            ("Ben Okafor", "Call Lead After 2 Days", "skipped"),
            ("Ben Okafor", "Reattempt Call After 4 Days", "skipped"),
            ("Ben Okafor", "Call Lead After 2 Days", "active"),
        ]
        with closing(sqlite3.connect(leads_db.path)) as conn:
            # Two visits of the call stage: two call tasks, one per visit.
            assert conn.execute("SELECT title FROM task").fetchall() == [("Call lead — Ben Okafor",)] * 2
        await press(pilot, "u")  # undo the move back
        assert visits(leads_db)[-1] == ("Ben Okafor", "Reattempt Call After 4 Days", "active")
        await press(pilot, "ctrl+r")
        assert visits(leads_db)[-1] == ("Ben Okafor", "Call Lead After 2 Days", "active")
        await press(pilot, "a")  # takes the lead off the pipeline
        assert visits(leads_db)[-1] == ("Ben Okafor", "Call Lead After 2 Days", "untracked")
        assert counts(app) == [1, 0, 0, 0]


async def test_m_moves_and_n_puts_an_existing_or_a_new_client_on_the_board(leads_db: Database) -> None:
    app = make_app(leads_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await press(pilot, "m")
        assert isinstance(app.screen, PickerDialog)
        await paste(pilot, "final")
        await press(pilot, "enter")
        assert column_titles(leads_db, "Send Final Email") == ["Ben Okafor"]
        assert at(app) == (3, "Ben Okafor")
        await press(pilot, "h", "h", "h", "n")
        assert isinstance(app.screen, PickerDialog)
        await paste(pilot, "Cleo")
        await press(pilot, "enter")
        assert column_titles(leads_db, "Email Lead") == ["Cleo Park", "Ada Lovelace"]
        assert at(app) == (0, "Cleo Park")
        await press(pilot, "n")
        await paste(pilot, "Dora New")
        await press(pilot, "enter")  # no client matches: the only choice is "+ new client"
        assert "Dora New" in [c.name for c in clients.list_clients(leads_db)]
        assert column_titles(leads_db, "Email Lead") == ["Dora New", "Cleo Park", "Ada Lovelace"]
        assert at(app) == (0, "Dora New")


async def test_job_only_keys_say_so_and_leave_the_database_alone(leads_db: Database) -> None:
    app = make_app(leads_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = visits(leads_db)
        await press(pilot, "t")
        await press(pilot, "e")
        messages = [str(n.message) for n in app._notifications]
        assert "A status is for jobs; this pipeline tracks clients." in messages
        assert visits(leads_db) == before
        await press(pilot, "slash")
        await paste(pilot, "ada")
        assert counts(app) == [1, 0, 0, 0]
        assert at(app) == (0, "Ada Lovelace")


async def test_the_tasks_screen_lists_the_stage_waits_due_today(leads_db: Database) -> None:
    pipelines.set_stage_wait(leads_db, "Leads", "Email Lead", 0)  # both leads' waits end today
    app = make_app(leads_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await press(pilot, "2")
        line = app.screen.query_one("#tasks-waits", Static)
        assert line.display
        assert "Ben Okafor — Email Lead (Leads)" in str(line.render())
        assert "Ada Lovelace — Email Lead (Leads)" in str(line.render())
        tracking.advance(leads_db, "clients", "Ada Lovelace")
        tracking.advance(leads_db, "clients", "Ben Okafor")
        await press(pilot, "1", "2")
        assert not app.screen.query_one("#tasks-waits", Static).display


@pytest.fixture
def money_db(tmp_path: Path) -> Iterator[Database]:
    """An invoice follow-up pipeline (the default for new invoices) and a session prep pipeline."""
    db = open_database(tmp_path / "money.db")
    with db.write():
        follow = pipelines.create_pipeline(db, "Invoice follow-up", ("Sent", "Reminder", "Paid"), kind="invoices")
        pipelines.create_pipeline(db, "Session prep", ("Confirm", "Shoot"), kind="events")
        clients.add_client(db, "Ada Lovelace", email="ada@example.com")
        invoices.add_invoice(db, [("Session", 1, 50000)], client="Ada Lovelace")  # before the default: not on it
        pipelines.set_default_for_new(db, "Invoice follow-up", True)
        invoices.add_invoice(db, [("Album", 2, 20000)], client="Ada Lovelace")
        job = jobs.add_job(db, "Lee wedding", pipelines.create_pipeline(db, "Wedding", ("Booked",)).id)
        events.add_event(db, "Engagement shoot", datetime.now(UTC) + timedelta(days=4), job=job.id, location="Harbour")
        board.remember_pipeline(db, follow.id)
    yield db
    db.close()


def invoice_visits(db: Database) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db.path)) as conn:
        return conn.execute(
            "SELECT i.number, v.stage_name, v.state FROM stage_visit v JOIN invoice i ON i.id = v.invoice_id"
            " ORDER BY v.id"
        ).fetchall()


async def test_an_invoice_board_moves_picks_and_takes_off_invoices(money_db: Database) -> None:
    app = make_app(money_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert board_screen(app).view.kind == "invoices"  # type: ignore[union-attr]
        assert counts(app) == [1, 0, 0]
        assert at(app) == (0, "INV-0002")
        await press(pilot, "L")
        assert invoice_visits(money_db) == [("INV-0002", "Sent", "completed"), ("INV-0002", "Reminder", "active")]
        await press(pilot, "h", "n")  # the other invoice, picked by its number
        await paste(pilot, "INV-0001")
        await press(pilot, "enter")
        assert at(app) == (0, "INV-0001")
        assert invoice_visits(money_db)[-1] == ("INV-0001", "Sent", "active")
        await press(pilot, "a")
        assert invoice_visits(money_db)[-1] == ("INV-0001", "Sent", "untracked")
        assert counts(app) == [0, 1, 0]
        await press(pilot, "u")
        assert invoice_visits(money_db)[-1] == ("INV-0001", "Sent", "active")


async def test_an_event_board_shows_the_session_and_moves_it(money_db: Database) -> None:
    tracking.track(money_db, "events", "Engagement shoot", "Session prep")
    board.remember_pipeline(money_db, pipelines.get_pipeline(money_db, "Session prep").id)
    app = make_app(money_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card = board_screen(app).focused_card()
        assert card is not None
        assert (card.title, card.detail) == ("Engagement shoot", "Harbour")
        assert card.client is not None
        assert card.client.endswith("Lee wedding")
        await press(pilot, "s")
        (track,) = tracking.get_tracks(money_db, "events", "Engagement shoot")
        assert [(v.stage, v.state) for v in track.history] == [("Confirm", "skipped"), ("Shoot", "active")]
