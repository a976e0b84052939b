"""The job page as a container, the Clients screen (4) and the Agenda (3), driven by keys; the database is checked."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Label, TabbedContent

from studioflow.app import make_app
from studioflow.screens.agenda import AgendaScreen
from studioflow.screens.board import BoardScreen
from studioflow.screens.clients import ClientScreen, ClientsScreen
from studioflow.screens.dialogs import FormDialog, PickerDialog, PromptDialog, TextDialog
from studioflow.screens.export import ExportDialog
from studioflow.screens.job import JobScreen
from studioflow.store import Database
from studioflow.workflow.jobs import jobs
from studioflow.workflow.money import invoices, mileage
from studioflow.workflow.people import jobclients
from studioflow.workflow.schedule import agenda, events
from tests.conftest import outside
from tests.ui.test_board import paste, press

SIZE = (120, 35)
MARTINEZ = "Martinez-Lopez wedding"


def martinez_id(db: Database) -> int:
    return next(j.id for j in jobs.list_jobs(db) if j.title == MARTINEZ)


async def open_job(pilot: Pilot[Any], db: Database, tab: str) -> JobScreen:
    """The Martinez job page (the board's fifth column, Enter), then `]` until `tab` shows."""
    await press(pilot, "l", "l", "l", "l", "enter")
    screen = pilot.app.screen
    assert isinstance(screen, JobScreen)
    assert screen.job_id == martinez_id(db)
    for _ in range(8):
        if screen.tab == tab:
            break
        await press(pilot, "right_square_bracket")
    assert screen.query_one(TabbedContent).active == f"tab-{tab}"
    return screen


async def fill(pilot: Pilot[Any], values: list[str]) -> None:
    """Type each value over a form field's starting text, going on with tab."""
    for value in values:
        await press(pilot, "ctrl+a", "ctrl+k")  # Input: home, then delete to the end
        if value:
            await paste(pilot, value)
        await press(pilot, "tab")


async def test_clients_tab_adds_with_a_role_sets_primary_and_removes(demo_db: Database) -> None:
    job_id = martinez_id(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, demo_db, "clients")
        await press(pilot, "down", "p")  # Marco Lopez becomes primary
        assert jobs.get_job(demo_db, job_id).client == "Marco Lopez"
        await press(pilot, "a")
        assert isinstance(app.screen, PickerDialog)
        await paste(pilot, "Ben Oka")
        await press(pilot, "enter")
        assert isinstance(app.screen, PromptDialog)
        await paste(pilot, "second shooter")
        await press(pilot, "enter")
        listed = {c.name: (c.role, c.primary) for c in jobclients.list_job_clients(demo_db, job_id)}
        assert listed["Ben Okafor"] == ("second shooter", False)
        assert listed["Marco Lopez"] == ("groom, pays the album", True)
        table = app.screen.query_one("#job-clients", DataTable)
        table.move_cursor(row=[str(table.get_row_at(r)[1]) for r in range(table.row_count)].index("Ben Okafor"))
        await press(pilot, "r", "ctrl+a", "ctrl+k")
        await paste(pilot, "assistant")
        await press(pilot, "enter")
        assert {c.name: c.role for c in jobclients.list_job_clients(demo_db, job_id)}["Ben Okafor"] == "assistant"
        await press(pilot, "d")
        assert isinstance(app.screen, PickerDialog)  # asked first: taking a client off cannot be undone
        await press(pilot, "enter")
        assert "Ben Okafor" not in {c.name for c in jobclients.list_job_clients(demo_db, job_id)}


async def test_events_tab_adds_an_event_and_shows_a_refusal_in_the_form(demo_db: Database) -> None:
    job_id = martinez_id(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, demo_db, "events")
        await press(pilot, "a")
        assert isinstance(app.screen, FormDialog)
        await fill(pilot, ["Rehearsal dinner", "2030-06-12 18:00", "2030-06-12 17:00", "Villa Rosa"])
        await press(pilot, "ctrl+s")
        error = str(app.screen.query_one("#form-error", Label).render())
        assert "before it starts" in error
        assert [e.title for e in events.list_events(demo_db, job=job_id)] == ["Engagement session", "Wedding day"]
        await press(pilot, "shift+tab", "shift+tab")  # back to the end time
        await fill(pilot, ["2030-06-12 21:00"])
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, JobScreen)
        added = events.list_events(demo_db, job=job_id)[-1]
        assert (added.title, added.location, added.client) == ("Rehearsal dinner", "Villa Rosa", "Ava Martinez")
        table = app.screen.query_one("#job-events", DataTable)
        assert table.row_count == 3
        table.move_cursor(row=2)  # the new one: events are in time order
        await press(pilot, "e", "tab", "tab", "tab")
        await fill(pilot, ["The Orangery"])
        await press(pilot, "ctrl+s")
        assert events.list_events(demo_db, job=job_id)[-1].location == "The Orangery"


async def test_invoices_tab_adds_a_draft_and_marks_it_sent(demo_db: Database) -> None:
    job_id = martinez_id(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, demo_db, "invoices")
        await press(pilot, "a")
        await fill(pilot, ["Marco Lopez", "Extra hour", "2", "150", "8.25", "2030-01-31"])
        await press(pilot, "ctrl+s")
        made = invoices.list_invoices(demo_db, job=job_id)[-1]
        assert (made.number, made.client, made.status, made.total_cents) == ("INV-0003", "Marco Lopez", "draft", 32475)
        table = app.screen.query_one("#job-invoices", DataTable)
        table.move_cursor(row=table.row_count - 1)
        await press(pilot, "l")  # a second line on the draft
        await fill(pilot, ["Travel", "x", "40"])
        await press(pilot, "ctrl+s")
        assert "not a whole number" in str(app.screen.query_one("#form-error", Label).render())
        await press(pilot, "shift+tab", "shift+tab")
        await fill(pilot, ["1"])
        await press(pilot, "ctrl+s")
        lines = invoices.get_invoice(demo_db, "INV-0003").lines
        assert [(li.description, li.quantity, li.unit_price_cents) for li in lines][-1] == ("Travel", 1, 4000)
        await press(pilot, "s")
        assert isinstance(app.screen, PickerDialog)
        await press(pilot, "enter")  # the first choice from draft: sent
        assert invoices.get_invoice(demo_db, "INV-0003").status == "sent"
        await press(pilot, "up", "m")  # INV-0002, to Marco: the letter is the demo's "Contract sent" email
        assert isinstance(app.screen, PickerDialog)
        await paste(pilot, "contract")
        await press(pilot, "enter")
        queued = [i for i in agenda.timeline(demo_db, job_id) if i.kind == "message"]
        assert [(i.state, i.text.split(":")[0]) for i in queued] == [("queued", "email to marco.lopez@example.com")]


async def test_mileage_tab_logs_a_trip_for_an_event(demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIOFLOW_CONFIG", "/nonexistent/config.toml")
    job_id = martinez_id(demo_db)
    wedding_day = events.list_events(demo_db, job=job_id)[-1]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, demo_db, "mileage")
        await press(pilot, "a")
        await fill(pilot, ["2030-06-13", "7.5", "hotel to venue", str(wedding_day.id)])
        await press(pilot, "ctrl+s")
        trip = mileage.list_trips(demo_db, job=job_id)[-1]
        assert (trip.distance, trip.event, trip.purpose, trip.unit) == (7.5, "Wedding day", "hotel to venue", "mi")
        total = str(app.screen.query_one("#job-mileage-total").render())
        assert "3 trip(s), 67.9 mi" in total


async def test_notes_are_edited_in_place_without_a_terminal(demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "true")  # headless: the app cannot hand the terminal over, so the editor is not run
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, demo_db, "notes")
        await press(pilot, "e")
        assert isinstance(app.screen, TextDialog)
        await paste(pilot, "# Shot list\n- first look")
        await press(pilot, "ctrl+s")
        assert jobs.get_notes(demo_db, martinez_id(demo_db)) == "# Shot list\n- first look"
        assert isinstance(app.screen, JobScreen)
        assert "Shot list" in str(app.screen.query_one("#job-notes").source)  # type: ignore[attr-defined]


async def test_keys_4_and_3_open_clients_and_agenda_from_anywhere(demo_db: Database) -> None:
    # The demo's dates are relative to DEMO_TODAY; the agenda reads the real today.
    tomorrow = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    events.add_event(demo_db, "Album design call", tomorrow, job=martinez_id(demo_db))
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "4")
        assert isinstance(app.screen, ClientsScreen)
        await press(pilot, "slash")
        await paste(pilot, "lopez")
        await press(pilot, "enter")
        table = app.screen.query_one("#clients-table", DataTable)
        assert [str(table.get_row_at(r)[0]) for r in range(table.row_count)] == ["Marco Lopez"]
        await press(pilot, "enter")
        page = app.screen
        assert isinstance(page, ClientScreen)
        assert "1,634.58" in str(page.query_one("#client-summary").render())
        await press(pilot, "enter")  # the client's job
        assert isinstance(app.screen, JobScreen)
        assert app.screen.job_id == martinez_id(demo_db)
        await press(pilot, "3")
        assert isinstance(app.screen, AgendaScreen)
        agenda_table = app.screen.query_one("#agenda-table", DataTable)
        shown = [str(agenda_table.get_row_at(r)[3]) for r in range(agenda_table.row_count)]
        assert f"Album design call ({MARTINEZ})" in shown
        agenda_table.move_cursor(row=shown.index(f"Album design call ({MARTINEZ})"))
        await press(pilot, "enter")
        assert isinstance(app.screen, JobScreen)
        await press(pilot, "4")
        assert isinstance(app.screen, JobScreen)  # the clients mode kept its stack
        await press(pilot, "4")
        assert isinstance(app.screen, ClientsScreen)  # pressed again: back to its first screen


async def test_export_and_backup_from_the_palette_run_in_a_worker(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "ctrl+p")
        await paste(pilot, "Export to JSON")
        await press(pilot, "enter")
        assert isinstance(app.screen, ExportDialog)
        await press(pilot, "ctrl+a", "ctrl+k")
        await paste(pilot, str(tmp_path / "all.json"))
        await press(pilot, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)  # done: closed, with a notice
        assert json.loads((tmp_path / "all.json").read_text())["tables"]["invoice"]["rows"]
        app.push_screen(ExportDialog(demo_db, "backup"))
        await pilot.pause()
        await press(pilot, "ctrl+a", "ctrl+k")
        await paste(pilot, str(tmp_path / "all.json"))  # exists: refused in the dialog, which stays open
        await press(pilot, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "already exists" in str(app.screen.query_one("#export-status", Label).render())
        await press(pilot, "ctrl+a", "ctrl+k")
        await paste(pilot, str(tmp_path / "copy.db"))
        await press(pilot, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        with closing(sqlite3.connect(tmp_path / "copy.db")) as conn:
            assert conn.execute("SELECT count(*) FROM job").fetchone()[0] == 25


async def test_back_from_the_job_page_the_board_shows_what_changed_meanwhile(demo_db: Database) -> None:
    """The board reads itself again when a screen over it closes (not only when it starts)."""
    job_id = martinez_id(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_job(pilot, demo_db, "clients")
        with outside(demo_db) as conn:  # another window renames it while the page is open
            conn.execute("UPDATE job SET title = 'Martinez renamed' WHERE id = ?", (job_id,))
        await press(pilot, "escape")
        board = app.screen
        assert isinstance(board, BoardScreen)
        card = board.focused_card()
        assert card is not None
        assert card.title == "Martinez renamed"
