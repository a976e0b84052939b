"""Clients edited, added, deleted and merged from the Clients screen (4) and a client's page; the
new-job dialog's picker and the board's filter follow the one matching rule. The database is checked."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any

from textual.widgets import DataTable, Label, OptionList

from studioflow.app import make_app
from studioflow.screens.board import BoardScreen
from studioflow.screens.clients import ClientScreen, ClientsScreen
from studioflow.screens.dialogs import FormDialog, JobDialog, PickerDialog
from studioflow.store import Database
from studioflow.workflow.jobs import jobs
from studioflow.workflow.people import clients
from tests.ui.test_board import SIZE, at, counts, paste, press, type_text
from tests.ui.test_job_page import fill


def client_rows(db: Database, name: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db.path)) as conn:
        return conn.execute(
            "SELECT id, name, email, phone, tags, notes FROM client WHERE name = ? COLLATE BINARY", (name,)
        ).fetchall()


async def to_client(pilot: Any, name: str) -> ClientsScreen:
    """The Clients screen with the cursor on `name` (found with the search line)."""
    await press(pilot, "4")
    screen = pilot.app.screen
    assert isinstance(screen, ClientsScreen)
    await press(pilot, "slash")
    await paste(pilot, name)
    await press(pilot, "enter")
    table = screen.query_one("#clients-table", DataTable)
    assert table.row_count == 1
    return screen


async def test_e_edits_every_field_and_u_undoes(demo_db: Database) -> None:
    (before,) = client_rows(demo_db, "Hugo Laurent")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await to_client(pilot, "hugo")
        await press(pilot, "e")
        assert isinstance(app.screen, FormDialog)
        await fill(pilot, ["Hugo Laurent-Petit", "hugo@example.com", "", "lead, VIP", "prefers texts"])
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ClientsScreen)
        assert client_rows(demo_db, "Hugo Laurent-Petit") == [
            (before[0], "Hugo Laurent-Petit", "hugo@example.com", "", '["lead", "vip"]', "prefers texts")
        ]
        await press(pilot, "u")
        assert client_rows(demo_db, "Hugo Laurent") == [before]


async def test_n_with_a_name_that_exists_asks_before_making_a_second(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "4", "n")
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        await paste(pilot, "grace KIM")
        await press(pilot, "ctrl+s")
        assert app.screen is dialog  # asked, not saved
        assert "already exists" in str(dialog.query_one("#form-error", Label).render())
        assert len(client_rows(demo_db, "grace KIM")) == 0
        await press(pilot, "ctrl+s")  # yes, a second one
        assert isinstance(app.screen, ClientsScreen)
        assert len(client_rows(demo_db, "grace KIM")) == 1
        assert len(client_rows(demo_db, "Grace Kim")) == 1


async def test_D_says_what_happens_deletes_and_u_brings_the_client_back(demo_db: Database) -> None:
    (marco,) = client_rows(demo_db, "Marco Lopez")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await to_client(pilot, "marco")
        await press(pilot, "D")
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        assert "leaves the 1 job(s) it has a role in" in picker.title_text
        assert "invoice(s)" in picker.title_text
        await press(pilot, "enter")  # the picker opens on "Keep"
        assert client_rows(demo_db, "Marco Lopez") == [marco]
        await press(pilot, "D", "up", "enter")
        assert client_rows(demo_db, "Marco Lopez") == []
        await press(pilot, "u")
        assert client_rows(demo_db, "Marco Lopez") == [marco]
        page = clients.client_page(demo_db, marco[0])
        assert [j.role for j in page.jobs] == ["groom, pays the album"]
        assert len(page.invoices) == 1


async def test_M_merges_a_duplicate_into_the_original(demo_db: Database) -> None:
    ava = clients.get_client(demo_db, "Ava Martinez")
    twin = clients.add_client(demo_db, "Ava Martínez", phone="555 0199", allow_duplicate=True)
    job = jobs.add_job(demo_db, "Ava's album", "Wedding Photography", client=twin.id)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "4")
        table = app.screen.query_one("#clients-table", DataTable)
        table.move_cursor(row=1)  # "Ava Martinez" sorts first, then its twin
        await pilot.pause()
        await press(pilot, "M")
        assert isinstance(app.screen, PickerDialog)
        await paste(pilot, "ava")
        await press(pilot, "enter")
        assert [c.id for c in clients.list_clients(demo_db) if c.name.startswith("Ava")] == [ava.id]
        assert jobs.get_job(demo_db, job.id).client_id == ava.id
        assert clients.get_client(demo_db, ava.id).phone == "+1 555 0101"  # the original's own is kept


async def test_the_client_page_edits_and_deletes(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await to_client(pilot, "farid")
        await press(pilot, "enter")
        assert isinstance(app.screen, ClientScreen)
        await press(pilot, "e")
        await fill(pilot, ["Farid Haddad", "farid@haddad.example"])
        await press(pilot, "ctrl+s")
        assert client_rows(demo_db, "Farid Haddad")[0][2] == "farid@haddad.example"
        assert "farid@haddad.example" in str(app.screen.query_one("#client-summary").render())
        await press(pilot, "D", "up", "enter")
        assert client_rows(demo_db, "Farid Haddad") == []
        assert isinstance(app.screen, ClientsScreen)


async def test_the_job_dialog_picks_an_accented_client_from_part_of_the_name(demo_db: Database) -> None:
    emilie = clients.add_client(demo_db, "Émilie Dubois")
    before = len(clients.list_clients(demo_db))
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n")
        assert isinstance(app.screen, JobDialog)
        await paste(pilot, "Dubois wedding")
        await press(pilot, "enter")
        await type_text(pilot, "emil")
        await press(pilot, "enter", "enter")
        assert isinstance(app.screen, BoardScreen)
        (added,) = [j for j in jobs.list_jobs(demo_db) if j.title == "Dubois wedding"]
        assert added.client_id == emilie.id
        assert len(clients.list_clients(demo_db)) == before  # no client "emil"

        await press(pilot, "slash")
        await paste(pilot, "EMILIE dubois")
        await press(pilot, "enter")
        assert sum(counts(app)) == 1
        assert at(app)[1] == "Dubois wedding"


async def test_undoing_a_new_job_removes_the_client_made_with_it(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n")
        await paste(pilot, "Lee portraits")
        await press(pilot, "tab")
        await paste(pilot, "Zed Studio")
        await press(pilot, "ctrl+s")
        assert len(client_rows(demo_db, "Zed Studio")) == 1
        await press(pilot, "u")
        assert client_rows(demo_db, "Zed Studio") == []
        await press(pilot, "ctrl+r")
        assert len(client_rows(demo_db, "Zed Studio")) == 1


async def test_t_offers_a_new_status_and_sets_it(db: Database) -> None:
    from studioflow.workflow.jobs import pipelines

    pipelines.create_pipeline(db, "Weddings", ["Inquiry"])
    made = jobs.add_job(db, "Ann", "weddings")
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "t")
        assert isinstance(app.screen, PickerDialog)
        await paste(pilot, "Waiting on documents")
        await press(pilot, "enter")  # "+ new status “Waiting on documents”" is the only choice
        assert [s.name for s in clients.list_statuses(db)] == ["Waiting on documents"]
        assert jobs.get_job(db, made.id).status == "Waiting on documents"
        await press(pilot, "t", "up", "enter")  # the last choice, "New status…", asks for the name
        await paste(pilot, "Paid")
        await press(pilot, "enter")
        assert jobs.get_job(db, made.id).status == "Paid"


async def test_the_statuses_dialog_renames_recolours_and_deletes(demo_db: Database) -> None:
    from studioflow.screens.statuses import StatusesDialog

    first = clients.list_statuses(demo_db)[-1]  # "On hold": no automation uses it
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "ctrl+t")
        assert isinstance(app.screen, StatusesDialog)
        await press(pilot, "end", "r", "ctrl+u")
        await paste(pilot, "Paused")
        await press(pilot, "enter")
        await press(pilot, "c", "ctrl+u")
        await paste(pilot, "red")
        await press(pilot, "enter")
        assert clients.get_status(demo_db, first.id).name == "Paused"
        assert clients.get_status(demo_db, first.id).colour == "red"
        await press(pilot, "D", "up", "enter")
        assert first.id not in [s.id for s in clients.list_statuses(demo_db)]
        await press(pilot, "u")
        assert clients.get_status(demo_db, first.id).name == "Paused"


async def test_A_shows_the_archived_jobs_and_a_brings_one_back(demo_db: Database) -> None:
    from studioflow.screens.archived import ArchivedDialog

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        title = at(app)[1]
        await press(pilot, "a")  # archive the first card
        (archived,) = [j for j in jobs.list_jobs(demo_db, include_archived=True) if j.title == title]
        assert archived.archived
        await press(pilot, "A")
        dialog = app.screen
        assert isinstance(dialog, ArchivedDialog)
        assert title in [j.title for j in dialog.rows]
        options = dialog.query_one("#archived-list", OptionList)
        options.highlighted = [j.title for j in dialog.rows].index(title)
        await press(pilot, "a")
        assert not jobs.get_job(demo_db, archived.id).archived
        assert title not in [j.title for j in dialog.rows]
        await press(pilot, "escape")
        assert isinstance(app.screen, BoardScreen)
        assert at(app)[1] == title  # the card is back where the cursor stands


async def test_the_cursor_follows_a_renamed_client_and_a_search_starts_at_the_top(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "4")
        screen = app.screen
        assert isinstance(screen, ClientsScreen)
        table = screen.query_one("#clients-table", DataTable)
        ava = screen.focused_client()
        assert ava is not None
        assert str(table.get_row_at(0)[0]) == "Ava Martinez"
        await press(pilot, "e")
        await fill(pilot, ["Zoe Martinez"])
        await press(pilot, "ctrl+s")
        # Renamed, the client sorts last; the cursor went with it, not stayed on the row now Ben's.
        assert table.cursor_row == table.row_count - 1
        assert screen.focused_client() == ava
        await press(pilot, "slash")
        await paste(pilot, "a")
        assert table.row_count > 1
        assert table.cursor_row == 0
