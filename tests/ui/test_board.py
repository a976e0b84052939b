"""The board, driven from the keyboard as a user would (Pilot), checked against the database.

Every test runs the real app on its own SQLite file (usually the demo data: three
pipelines, 25 jobs), presses keys, then asks the workflow services what was stored and
where the board's cursor stands. Demo "Wedding Photography", column by column:

    Inquiry: Berg-Olsen wedding, Harbour House open day · Consultation: Kim wedding enquiry
    Contract Sent: Okafor wedding · Engagement Session: Nguyen engagement + wedding
    Wedding Day: Martinez-Lopez wedding · Editing: Murphy elopement · Delivered: Rossi anniversary shoot
"""

from __future__ import annotations

import io
import sqlite3
from contextlib import closing
from datetime import date
from typing import Any

import pytest
from rich.console import Console
from textual import events
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList

from studioflow.app import make_app
from studioflow.screens.board import BoardScreen
from studioflow.screens.dialogs import JobDialog, PickerDialog, PromptDialog
from studioflow.screens.job import JobScreen
from studioflow.screens.stages import StageEditor
from studioflow.store import Database, open_database
from studioflow.widgets.board.column import CARD_HEIGHT, CardColumn
from studioflow.workflow.board import board
from studioflow.workflow.files import demo
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.people import clients
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import JobView

from .conftest import effects_done

SIZE = (120, 35)
WEDDING = "Wedding Photography"
TAX = "1040 Tax Return"
LEADS = "Leads"
WEDDING_STAGES = demo.PIPELINES[WEDDING]

BERG = "Berg-Olsen wedding"  # Inquiry, first card, status "On hold"
HARBOUR = "Harbour House open day"  # Inquiry, second card
KIM = "Kim wedding enquiry"  # Consultation
OKAFOR = "Okafor wedding"  # Contract Sent
MARTINEZ = "Martinez-Lopez wedding"  # Wedding Day, has tasks
ROSSI = "Rossi anniversary shoot"  # Delivered (the last stage)


# Reading the screen


def board_screen(app: App[Any]) -> BoardScreen:
    screen = app.screen
    assert isinstance(screen, BoardScreen), f"expected the board on top, found {type(screen).__name__}"
    return screen


def at(app: App[Any]) -> tuple[int, str | None]:
    """(focused column, title of the focused card) as the board shows them."""
    screen = board_screen(app)
    card = screen.focused_card()
    return screen.column_index, None if card is None else card.title


def columns(app: App[Any]) -> list[CardColumn]:
    return list(board_screen(app).query(CardColumn))


def counts(app: App[Any]) -> list[int]:
    return [column.count for column in columns(app)]


def cursors(app: App[Any]) -> list[int | None]:
    return [column.cursor for column in columns(app)]


def notices(app: App[Any]) -> list[tuple[str, str]]:
    """The notifications on show (Textual keeps them on the app; they expire after 5 s)."""
    return [(str(n.message), n.severity) for n in app._notifications]


def last_notice(app: App[Any]) -> Notification | None:
    shown = list(app._notifications)
    return shown[-1] if shown else None


def problems(app: App[Any]) -> list[str]:
    return [message for message, severity in notices(app) if severity in ("warning", "error")]


def label_text(label: Label) -> str:
    return str(label.render())


# Reading the database


def job(db: Database, title: str) -> JobView:
    """The job of that title (archived ones too), with its history."""
    found = [j for j in jobs.list_jobs(db, include_archived=True) if j.title == title]
    assert len(found) == 1, f"{len(found)} jobs titled {title!r}"
    return jobs.get_job(db, found[0].id)


def steps(view: JobView) -> list[tuple[str, str]]:
    return [(visit.stage, visit.state) for visit in view.history]


def stage_titles(db: Database, pipeline: str, stage: str) -> list[str]:
    """The titles of a column, in the stored board order."""
    return [j.title for j in jobs.list_jobs(db, pipeline, stage)]


def stage_names(db: Database, pipeline: str | int) -> list[str]:
    return [s.name for s in pipelines.get_pipeline(db, pipeline).stages]


def pipeline_id(db: Database, name: str) -> int:
    return pipelines.get_pipeline(db, name).id


def dump(db: Database, *tables: str) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of the given tables (default: all), read through a separate raw connection."""
    with closing(sqlite3.connect(db.path)) as conn:
        names = tables or tuple(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in sorted(names)}


def expected_counts(db: Database, pipeline: str, text: str) -> list[int]:
    """What each column should hold under a filter: every word in the title, client or status."""
    words = text.casefold().split()
    result = []
    for stage in pipelines.get_pipeline(db, pipeline).stages:
        shown = [
            j
            for j in jobs.list_jobs(db, pipeline, stage.id)
            if all(any(w in (f or "").casefold() for f in (j.title, j.client, j.status)) for w in words)
        ]
        result.append(len(shown))
    return result


# Pressing


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)
    await pilot.pause()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()
    await effects_done(pilot)


async def paste(pilot: Pilot[Any], text: str) -> None:
    """Text into the focused input in one event, as a terminal paste (typing costs a frame a key)."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def replace_text(pilot: Pilot[Any], text: str) -> None:
    """Replace the whole value of the focused input."""
    await pilot.press("end", "ctrl+u")
    await paste(pilot, text)


# Moving the focus


async def test_arrows_and_hjkl_move_the_focus_between_cards_and_columns(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = dump(demo_db)
        assert board_screen(app).view is not None
        assert board_screen(app).view.pipeline == WEDDING
        assert at(app) == (0, BERG)
        await press(pilot, "down")
        assert at(app) == (0, HARBOUR)
        await press(pilot, "j")  # already the last card: stays
        assert at(app) == (0, HARBOUR)
        await press(pilot, "up")
        assert at(app) == (0, BERG)
        await press(pilot, "j", "k")
        assert at(app) == (0, BERG)
        await press(pilot, "j", "right")  # from the second card to a one-card column
        assert at(app) == (1, KIM)
        await press(pilot, "l")
        assert at(app) == (2, OKAFOR)
        assert cursors(app) == [None, None, 0, None, None, None, None]
        await press(pilot, "left")
        assert at(app) == (1, KIM)
        await press(pilot, "h", "h")  # the first column is as far left as it goes
        assert at(app) == (0, BERG)
        await press(pilot, *["l"] * 7)  # one more than there are columns to the right
        assert at(app) == (len(WEDDING_STAGES) - 1, ROSSI)
        assert dump(demo_db) == before  # looking around writes nothing


async def test_a_theme_picked_while_the_board_is_open_recolours_the_cards(demo_db: Database) -> None:
    def client_colour(column: CardColumn) -> str | None:  # a card's second line: its client, muted
        segment = next(s for s in column.render_line(1) if s.text.strip())
        assert segment.style is not None
        assert segment.style.color is not None
        return segment.style.color.name

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.theme = "textual-dark"
        await pilot.pause()
        dark = client_colour(columns(app)[1])
        app.theme = "textual-light"  # what picking it in the palette does
        await pilot.pause()
        light = client_colour(columns(app)[1])
        assert light != dark
        app.theme = "textual-dark"
        await pilot.pause()
        assert client_colour(columns(app)[1]) == dark


async def test_g_and_G_go_to_the_first_and_last_card_of_the_column(demo_db: Database) -> None:
    order = stage_titles(demo_db, TAX, "Review Docs")
    assert len(order) == 3
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "]")
        assert board_screen(app).view.pipeline == TAX
        assert at(app) == (0, order[0])
        await press(pilot, "G")
        assert at(app) == (0, order[-1])
        assert columns(app)[0].cursor == 2
        await press(pilot, "g")
        assert at(app) == (0, order[0])
        await press(pilot, "j", "g")
        assert at(app) == (0, order[0])


# Moving jobs through the stages


async def test_L_and_shift_right_advance_the_job_and_the_focus_follows_it(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "L")
        moved = job(demo_db, BERG)
        assert moved.stage == "Consultation"
        assert steps(moved) == [("Inquiry", "completed"), ("Consultation", "active")]
        assert at(app) == (1, BERG)
        assert stage_titles(demo_db, WEDDING, "Consultation") == [BERG, KIM]  # a card arrives on top
        assert counts(app)[:2] == [1, 2]

        await press(pilot, "shift+right")
        moved = job(demo_db, BERG)
        assert moved.stage == "Contract Sent"
        assert steps(moved) == [
            ("Inquiry", "completed"),
            ("Consultation", "completed"),
            ("Contract Sent", "active"),
        ]
        assert at(app) == (2, BERG)
        assert counts(app)[:3] == [1, 1, 2]
        assert not problems(app)


async def test_H_and_shift_left_move_the_job_back_one_stage(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "l", "H")
        back = job(demo_db, KIM)
        assert back.stage == "Inquiry"
        assert steps(back) == [("Inquiry", "completed"), ("Consultation", "skipped"), ("Inquiry", "active")]
        assert at(app) == (0, KIM)
        assert counts(app)[:2] == [3, 0]

        await press(pilot, "l", "l", "shift+left")
        back = job(demo_db, OKAFOR)
        assert back.stage == "Consultation"
        assert steps(back) == [
            ("Inquiry", "completed"),
            ("Consultation", "completed"),
            ("Contract Sent", "skipped"),
            ("Consultation", "active"),
        ]
        assert at(app) == (1, OKAFOR)
        assert not problems(app)


async def test_s_skips_the_active_stage(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "s")
        skipped = job(demo_db, BERG)
        assert skipped.stage == "Consultation"
        assert steps(skipped) == [("Inquiry", "skipped"), ("Consultation", "active")]
        assert at(app) == (1, BERG)
        assert not problems(app)


async def test_J_and_K_reorder_the_card_and_the_order_is_stored(demo_db: Database) -> None:
    assert stage_titles(demo_db, WEDDING, "Inquiry") == [BERG, HARBOUR]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "J")
        assert stage_titles(demo_db, WEDDING, "Inquiry") == [HARBOUR, BERG]
        assert at(app) == (0, BERG)
        assert columns(app)[0].cursor == 1
        await press(pilot, "K")
        assert stage_titles(demo_db, WEDDING, "Inquiry") == [BERG, HARBOUR]
        assert at(app) == (0, BERG)
        assert columns(app)[0].cursor == 0
        await press(pilot, "j", "K")
        assert stage_titles(demo_db, WEDDING, "Inquiry") == [HARBOUR, BERG]
        assert at(app) == (0, HARBOUR)
        assert not problems(app)
    # A new app on the file shows the stored order.
    again = make_app(demo_db)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert at(again) == (0, HARBOUR)
        await press(pilot, "j")
        assert at(again) == (0, BERG)


async def test_m_moves_the_job_to_a_stage_picked_by_typing(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "m")
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        assert picker.query_one(OptionList).option_count == len(WEDDING_STAGES)
        await type_text(pilot, "wedd")
        assert picker.query_one(OptionList).option_count == 1  # only "Wedding Day" is left
        await press(pilot, "enter")
        moved = job(demo_db, BERG)
        assert moved.stage == "Wedding Day"
        assert steps(moved) == [
            ("Inquiry", "completed"),
            ("Consultation", "skipped"),
            ("Contract Sent", "skipped"),
            ("Engagement Session", "skipped"),
            ("Wedding Day", "active"),
        ]
        assert at(app) == (4, BERG)

        before = dump(demo_db)
        await press(pilot, "m", "escape")  # cancelled: nothing moves
        assert dump(demo_db) == before
        assert at(app) == (4, BERG)


async def test_t_sets_a_status_and_no_status_clears_it(demo_db: Database) -> None:
    assert job(demo_db, HARBOUR).status is None
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "j", "t")
        assert isinstance(app.screen, PickerDialog)
        await type_text(pilot, "pay")
        await press(pilot, "enter")
        assert job(demo_db, HARBOUR).status == "Waiting on payment"
        assert at(app) == (0, HARBOUR)
        assert board_screen(app).focused_card().status == "Waiting on payment"

        await press(pilot, "t")
        await type_text(pilot, "no st")
        await press(pilot, "enter")
        assert job(demo_db, HARBOUR).status is None
        assert at(app) == (0, HARBOUR)
        assert board_screen(app).focused_card().status is None
        assert job(demo_db, HARBOUR).stage == "Inquiry"


async def test_P_moves_the_job_to_another_pipeline(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "P")
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        assert picker.query_one(OptionList).option_count == 2  # the other pipelines only
        await type_text(pilot, "leads")
        await press(pilot, "enter")
        moved = job(demo_db, BERG)
        assert (moved.pipeline, moved.stage) == (LEADS, "Email Lead")
        assert steps(moved) == [("Inquiry", "completed"), ("Email Lead", "active")]
        assert board_screen(app).view.pipeline == WEDDING  # the board stays where it was
        assert counts(app)[0] == 1
        assert at(app) == (0, HARBOUR)
        assert stage_titles(demo_db, LEADS, "Email Lead")[0] == BERG

        await press(pilot, "u")
        back = job(demo_db, BERG)
        assert (back.pipeline, back.stage, steps(back)) == (WEDDING, "Inquiry", [("Inquiry", "active")])
        assert counts(app)[0] == 2
        assert not problems(app)


# New and edited jobs


async def test_n_adds_a_job_with_a_client_picked_by_typing_part_of_the_name(demo_db: Database) -> None:
    clients_before = len(clients.list_clients(demo_db))
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "l", "n")
        assert isinstance(app.screen, JobDialog)
        await paste(pilot, "Smith wedding")
        await press(pilot, "enter")  # on to the client
        await type_text(pilot, "marti")
        await press(pilot, "enter")  # on to the due date
        await paste(pilot, "2026-06-01")
        await press(pilot, "enter")  # saves
        added = job(demo_db, "Smith wedding")
        assert (added.pipeline, added.stage) == (WEDDING, "Consultation")
        assert added.client == "Ava Martinez"
        assert added.due_on == date(2026, 6, 1)
        assert steps(added) == [("Consultation", "active")]
        assert len(clients.list_clients(demo_db)) == clients_before
        assert at(app) == (1, "Smith wedding")
        assert counts(app)[1] == 2


async def test_n_creates_a_new_client_inline(demo_db: Database) -> None:
    assert "Zed Studio" not in [c.name for c in clients.list_clients(demo_db)]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n")
        await paste(pilot, "Lee portraits")
        await press(pilot, "tab")
        await paste(pilot, "Zed Studio")
        await press(pilot, "ctrl+s")
        assert "Zed Studio" in [c.name for c in clients.list_clients(demo_db)]
        added = job(demo_db, "Lee portraits")
        assert (added.stage, added.client, added.due_on) == ("Inquiry", "Zed Studio", None)
        assert at(app) == (0, "Lee portraits")
        assert counts(app)[0] == 3

        await press(pilot, "u")  # adding a job is undone too
        assert "Lee portraits" not in [j.title for j in jobs.list_jobs(demo_db, include_archived=True)]
        assert counts(app)[0] == 2
        assert not problems(app)


async def test_the_job_dialog_refuses_an_empty_title_and_a_bad_date_without_closing(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = dump(demo_db)
        await press(pilot, "n", "ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, JobDialog)
        assert "title" in label_text(dialog.query_one("#job-error", Label))
        assert dump(demo_db) == before

        await paste(pilot, "Lee portraits")
        await press(pilot, "enter", "enter")  # past the client, to the due date
        await paste(pilot, "2026-13-45")
        await press(pilot, "ctrl+s")
        assert app.screen is dialog
        refusal = "the due date '2026-13-45' is not a date (YYYY-MM-DD)"
        assert label_text(dialog.query_one("#job-error", Label)) == refusal
        assert dialog.query_one("#job-title", Input).value == "Lee portraits"  # what was typed is kept
        assert dump(demo_db) == before

        await replace_text(pilot, "2026-12-24")
        await press(pilot, "enter")
        added = job(demo_db, "Lee portraits")
        assert (added.due_on, added.client) == (date(2026, 12, 24), None)
        assert at(app) == (0, "Lee portraits")


async def test_escape_cancels_the_new_job_dialog(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = dump(demo_db)
        await press(pilot, "n")
        await paste(pilot, "Never saved")
        await press(pilot, "escape")
        assert at(app) == (0, BERG)
        assert dump(demo_db) == before


async def test_e_edits_title_client_and_due_date(demo_db: Database) -> None:
    original = job(demo_db, BERG)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "e")
        dialog = app.screen
        assert isinstance(dialog, JobDialog)
        assert dialog.query_one("#job-title", Input).value == BERG
        assert dialog.query_one("#job-client", Input).value == "Jonas Berg"
        await replace_text(pilot, "Berg-Olsen elopement")
        await press(pilot, "enter", "enter")  # the client is kept
        await paste(pilot, "2026-09-12")
        await press(pilot, "enter")
        edited = job(demo_db, "Berg-Olsen elopement")
        assert edited.id == original.id
        assert (edited.client, edited.due_on, edited.stage) == ("Jonas Berg", date(2026, 9, 12), "Inquiry")
        assert at(app) == (0, "Berg-Olsen elopement")

        await press(pilot, "e", "enter")
        await replace_text(pilot, "okafor")
        await press(pilot, "ctrl+s")
        edited = jobs.get_job(demo_db, original.id)
        assert (edited.title, edited.client, edited.due_on) == ("Berg-Olsen elopement", "Ben Okafor", date(2026, 9, 12))
        assert at(app) == (0, "Berg-Olsen elopement")


async def test_e_keeps_a_client_whose_name_is_part_of_another_clients_name(demo_db: Database) -> None:
    """The dialog opens on the job's own client, and saving without touching it keeps it."""
    kim = clients.add_client(demo_db, "Kim")  # "Grace Kim" sorts before it and contains it
    added = jobs.add_job(demo_db, "Kim studio visit", WEDDING, client=kim.id, stage="Inquiry")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert at(app) == (0, "Kim studio visit")
        await press(pilot, "e")
        await replace_text(pilot, "Kim studio day")
        await press(pilot, "ctrl+s")
        edited = jobs.get_job(demo_db, added.id)
        assert edited.title == "Kim studio day"
        assert (edited.client_id, edited.client) == (kim.id, "Kim")


# Archive, undo, redo


async def test_a_archives_u_undoes_and_ctrl_r_redoes(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "a")
        assert job(demo_db, BERG).archived
        assert stage_titles(demo_db, WEDDING, "Inquiry") == [HARBOUR]
        assert counts(app)[0] == 1
        assert at(app) == (0, HARBOUR)
        assert any("Archived" in message for message, _ in notices(app))

        await press(pilot, "u")
        assert not job(demo_db, BERG).archived
        assert stage_titles(demo_db, WEDDING, "Inquiry") == [BERG, HARBOUR]
        assert counts(app)[0] == 2

        await press(pilot, "ctrl+r")
        assert job(demo_db, BERG).archived
        assert counts(app)[0] == 1
        assert at(app) == (0, HARBOUR)
        assert not problems(app)


async def test_undo_and_redo_walk_back_moves_reorders_status_and_edits(demo_db: Database) -> None:
    tracked = ("job", "stage_visit")
    start = dump(demo_db, *tracked)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "j", "K")  # reorder: Harbour first
        await press(pilot, "t")
        await type_text(pilot, "hold")
        await press(pilot, "enter")  # status: On hold
        await press(pilot, "e")
        await replace_text(pilot, "Harbour House gala")
        await press(pilot, "ctrl+s")  # edit
        await press(pilot, "L")  # move
        done = dump(demo_db, *tracked)
        gala = job(demo_db, "Harbour House gala")
        assert (gala.stage, gala.status) == ("Consultation", "On hold")
        assert at(app) == (1, "Harbour House gala")

        await press(pilot, "u")
        assert job(demo_db, "Harbour House gala").stage == "Inquiry"
        await press(pilot, "u")
        assert job(demo_db, HARBOUR).status == "On hold"
        await press(pilot, "u")
        assert job(demo_db, HARBOUR).status is None
        assert stage_titles(demo_db, WEDDING, "Inquiry") == [HARBOUR, BERG]
        await press(pilot, "u")
        assert stage_titles(demo_db, WEDDING, "Inquiry") == [BERG, HARBOUR]
        assert dump(demo_db, *tracked) == start
        assert not problems(app)

        await press(pilot, "u")  # nothing left: a warning, nothing changes
        assert any("nothing to undo" in message for message in problems(app))
        assert dump(demo_db, *tracked) == start

        await press(pilot, "ctrl+r", "ctrl+r", "ctrl+r", "ctrl+r")
        assert dump(demo_db, *tracked) == done
        await press(pilot, "ctrl+r")
        assert any("nothing to redo" in message for message in problems(app))
        assert dump(demo_db, *tracked) == done


async def test_undo_still_works_after_a_restart(demo_db: Database) -> None:
    first = make_app(demo_db)
    async with first.run_test(size=SIZE) as pilot:
        await press(pilot, "L")
        assert job(demo_db, BERG).stage == "Consultation"
    demo_db.close()

    reopened = open_database(demo_db.path)
    try:
        second = make_app(reopened)
        async with second.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await press(pilot, "u")
            back = job(reopened, BERG)
            assert back.stage == "Inquiry"
            assert steps(back) == [("Inquiry", "active")]
            assert counts(second)[:2] == [2, 1]
            await press(pilot, "ctrl+r")
            again = job(reopened, BERG)
            assert steps(again) == [("Inquiry", "completed"), ("Consultation", "active")]
            assert counts(second)[:2] == [1, 2]
            assert not problems(second)
    finally:
        reopened.close()


# Filter


async def test_slash_filters_the_cards_live_and_escape_clears_it(demo_db: Database) -> None:
    full = expected_counts(demo_db, WEDDING, "")
    assert full == [2, 1, 1, 1, 1, 1, 1]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "slash")
        field = board_screen(app).query_one("#board-filter", Input)
        assert field.display
        assert field.has_focus

        await type_text(pilot, "hold")  # a status
        assert counts(app) == expected_counts(demo_db, WEDDING, "hold") == [1, 0, 0, 0, 0, 0, 0]
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert counts(app) == full
        await type_text(pilot, "jonas")  # a client
        assert counts(app) == expected_counts(demo_db, WEDDING, "jonas") == [2, 0, 0, 0, 0, 0, 0]
        await type_text(pilot, " ols")  # and a title: every word must match
        assert counts(app) == expected_counts(demo_db, WEDDING, "jonas ols") == [1, 0, 0, 0, 0, 0, 0]

        await press(pilot, "enter")  # back to the board, still filtered
        assert not field.has_focus
        assert counts(app) == [1, 0, 0, 0, 0, 0, 0]
        assert at(app) == (0, BERG)

        await press(pilot, "escape")
        assert counts(app) == full
        assert not field.display
        assert field.value == ""
        assert at(app) == (0, BERG)


async def test_escape_in_the_filter_line_clears_it_at_once(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "slash")
        await type_text(pilot, "rossi")
        assert counts(app) == [0, 0, 0, 0, 0, 0, 1]
        await press(pilot, "escape")
        assert counts(app) == [2, 1, 1, 1, 1, 1, 1]
        assert not board_screen(app).query_one("#board-filter", Input).display
        await press(pilot, "j")  # keys move the board again, not the filter line
        assert at(app) == (0, HARBOUR)


# Pipelines


async def test_p_and_brackets_switch_pipeline_and_the_last_one_is_remembered(demo_db: Database) -> None:
    tax, leads, wedding = (pipeline_id(demo_db, name) for name in (TAX, LEADS, WEDDING))
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "p")
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        assert picker.query_one(OptionList).option_count == len(demo.PIPELINES) + len(demo.KIND_PIPELINES)
        await type_text(pilot, "1040")
        assert picker.query_one(OptionList).option_count == 1
        await press(pilot, "enter")
        assert board_screen(app).view.pipeline_id == tax
        assert len(columns(app)) == len(demo.PIPELINES[TAX])
        assert at(app) == (0, stage_titles(demo_db, TAX, "Review Docs")[0])

        await press(pilot, "]")
        assert board_screen(app).view.pipeline_id == leads
        await press(pilot, "]", "]", "]", "]")  # past the lead, invoice and session pipelines, it wraps round
        assert board_screen(app).view.pipeline_id == wedding
        await press(pilot, "[", "[", "[", "[")
        assert board_screen(app).view.pipeline_id == leads
        assert counts(app) == [3, 2, 2, 1]
        assert at(app) == (0, stage_titles(demo_db, LEADS, "Email Lead")[0])
    assert board.last_pipeline(demo_db) == leads

    again = make_app(demo_db)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert board_screen(again).view.pipeline_id == leads
        assert len(columns(again)) == len(demo.PIPELINES[LEADS])


# The job screen


async def test_enter_opens_the_job_and_space_toggles_a_task(demo_db: Database) -> None:
    martinez = job(demo_db, MARTINEZ)
    listed = tasks.list_tasks(demo_db, include_done=True, job=martinez.id)
    first = listed[0]
    assert not first.done
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "l", "l", "l", "l")
        assert at(app) == (4, MARTINEZ)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, JobScreen)
        assert screen.job_id == martinez.id

        await press(pilot, "space")
        assert {t.id: t.done for t in tasks.list_tasks(demo_db, include_done=True, job=martinez.id)}[first.id]
        others = [t for t in tasks.list_tasks(demo_db, include_done=True, job=martinez.id) if t.id != first.id]
        assert [t.done for t in others] == [t.done for t in listed[1:]]  # only that one task

        await press(pilot, "escape")
        assert at(app) == (4, MARTINEZ)


async def test_x_on_the_same_task_again_reopens_it(demo_db: Database) -> None:
    """Toggling twice gives the task back as it was: the cursor stays on the toggled task."""
    martinez = job(demo_db, MARTINEZ)
    before = {t.id: t.done for t in tasks.list_tasks(demo_db, include_done=True, job=martinez.id)}
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "l", "l", "l", "l", "enter")
        assert isinstance(app.screen, JobScreen)
        await press(pilot, "space")
        assert {t.id: t.done for t in tasks.list_tasks(demo_db, include_done=True, job=martinez.id)} != before
        await press(pilot, "x")
        assert {t.id: t.done for t in tasks.list_tasks(demo_db, include_done=True, job=martinez.id)} == before


async def test_the_card_shows_fresh_task_counts_after_the_job_screen(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "l", "l", "l", "l")
        card = board_screen(app).focused_card()
        await press(pilot, "enter", "space", "escape")
        stored = job(demo_db, MARTINEZ)
        assert stored.tasks_open == card.tasks_open - 1
        assert board_screen(app).focused_card().tasks_open == stored.tasks_open


# Help and quit


async def test_question_mark_shows_and_hides_the_keys(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "question_mark")
        assert app.screen.query("HelpPanel")
        console = Console(width=80, record=True, file=io.StringIO())
        console.print(app.screen.query_one("HelpPanel BindingsTable").render())
        shown = console.export_text()
        missing = [b.description for b in BoardScreen.BINDINGS if b.description not in shown]
        assert not missing, f"the help panel does not show {missing}"
        await press(pilot, "question_mark")
        assert not app.screen.query("HelpPanel")
        assert at(app) == (0, BERG)


async def test_q_quits(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "q")
        assert not app.is_running
    assert app.return_code == 0


# Stage editor


async def test_stage_editor_adds_a_stage_after_the_highlighted_one(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "S")
        assert isinstance(app.screen, StageEditor)
        await press(pilot, "a")
        assert isinstance(app.screen, PromptDialog)
        await paste(pilot, "Call back")
        await press(pilot, "enter")
        assert stage_names(demo_db, WEDDING) == ["Inquiry", "Call back", *WEDDING_STAGES[1:]]
        await press(pilot, "escape")
        assert len(columns(app)) == len(WEDDING_STAGES) + 1
        assert counts(app)[:3] == [2, 0, 1]


async def test_stage_editor_renames_a_stage(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "S", "down", "r")
        prompt = app.screen
        assert isinstance(prompt, PromptDialog)
        assert prompt.query_one(Input).value == "Consultation"
        await replace_text(pilot, "First call")
        await press(pilot, "enter")
        assert stage_names(demo_db, WEDDING) == ["Inquiry", "First call", *WEDDING_STAGES[2:]]
        assert job(demo_db, KIM).stage == "First call"
        await press(pilot, "escape")
        assert board_screen(app).view.columns[1].name == "First call"


async def test_stage_editor_reorders_stages_with_J_and_K(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "S", "J")
        assert stage_names(demo_db, WEDDING) == ["Consultation", "Inquiry", *WEDDING_STAGES[2:]]
        await press(pilot, "J")  # the highlight followed Inquiry
        assert stage_names(demo_db, WEDDING) == ["Consultation", "Contract Sent", "Inquiry", *WEDDING_STAGES[3:]]
        await press(pilot, "K")
        assert stage_names(demo_db, WEDDING) == ["Consultation", "Inquiry", *WEDDING_STAGES[2:]]
        await press(pilot, "escape")
        assert [c.name for c in board_screen(app).view.columns] == stage_names(demo_db, WEDDING)
        assert counts(app)[:2] == [1, 2]


async def test_stage_editor_deletes_an_empty_stage_after_confirming(demo_db: Database) -> None:
    pipelines.add_stage(demo_db, WEDDING, "Spare")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "S", "end")
        editor = app.screen
        assert isinstance(editor, StageEditor)
        assert editor.query_one(OptionList).highlighted == len(WEDDING_STAGES)
        await press(pilot, "d")
        assert isinstance(app.screen, PickerDialog)
        await press(pilot, "down", "enter")  # "Keep it"
        assert stage_names(demo_db, WEDDING) == [*WEDDING_STAGES, "Spare"]
        await press(pilot, "d", "enter")  # "Delete"
        assert stage_names(demo_db, WEDDING) == WEDDING_STAGES
        await press(pilot, "escape")
        assert len(columns(app)) == len(WEDDING_STAGES)


async def test_stage_editor_moves_the_jobs_of_a_deleted_stage_where_asked(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "S", "d")
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        assert picker.query_one(OptionList).option_count == len(WEDDING_STAGES) - 1
        await type_text(pilot, "cons")
        await press(pilot, "enter")
        assert stage_names(demo_db, WEDDING) == WEDDING_STAGES[1:]
        for title in (BERG, HARBOUR):
            moved = job(demo_db, title)
            assert moved.stage == "Consultation"
            assert steps(moved) == [("Inquiry", "skipped"), ("Consultation", "active")]
        await press(pilot, "escape")
        assert counts(app)[0] == 3
        assert len(columns(app)) == len(WEDDING_STAGES) - 1


async def test_stage_editor_renames_the_pipeline(demo_db: Database) -> None:
    wedding = pipeline_id(demo_db, WEDDING)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "S", "R")
        prompt = app.screen
        assert isinstance(prompt, PromptDialog)
        assert prompt.query_one(Input).value == WEDDING
        await replace_text(pilot, "Weddings")
        await press(pilot, "enter", "escape")
        assert pipelines.get_pipeline(demo_db, wedding).name == "Weddings"
        assert board_screen(app).view.pipeline == "Weddings"
        assert job(demo_db, BERG).pipeline == "Weddings"


async def test_stage_editor_creates_a_pipeline_and_the_board_shows_it(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "S", "N")
        await paste(pilot, "Portraits")
        await press(pilot, "enter", "a")
        await paste(pilot, "Booking")
        await press(pilot, "enter", "escape")
        portraits = pipelines.get_pipeline(demo_db, "Portraits")
        assert [s.name for s in portraits.stages] == ["Booking"]
        assert board_screen(app).view.pipeline_id == portraits.id
        assert board.last_pipeline(demo_db) == portraits.id
        assert counts(app) == [0]
        await press(pilot, "n")
        await paste(pilot, "Headshots")
        await press(pilot, "ctrl+s")
        assert job(demo_db, "Headshots").pipeline == "Portraits"
        assert at(app) == (0, "Headshots")


@pytest.mark.parametrize(
    ("keys", "text"),
    [
        pytest.param(["a"], "", id="add-a-stage-without-a-name"),
        pytest.param(["down", "r"], "inquiry", id="rename-a-stage-to-a-taken-name"),
        pytest.param(["R"], "leads", id="rename-the-pipeline-to-a-taken-name"),
    ],
)
async def test_stage_editor_refusals_notify_and_change_nothing(demo_db: Database, keys: list[str], text: str) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = dump(demo_db)
        await press(pilot, "S", *keys)
        assert isinstance(app.screen, PromptDialog)
        await replace_text(pilot, text)
        await press(pilot, "enter")
        assert isinstance(app.screen, StageEditor)
        assert problems(app)
        await press(pilot, "escape")
        assert dump(demo_db) == before
        assert [c.name for c in board_screen(app).view.columns] == WEDDING_STAGES


# Refusals: a notification, nothing written, the focus where it was


@pytest.mark.parametrize(
    ("keys", "key", "focus"),
    [
        pytest.param(["l"] * 6, "L", (6, ROSSI), id="L-on-the-last-stage"),
        pytest.param(["l"] * 6, "shift+right", (6, ROSSI), id="shift+right-on-the-last-stage"),
        pytest.param(["l"] * 6, "s", (6, ROSSI), id="s-on-the-last-stage"),
        pytest.param([], "H", (0, BERG), id="H-on-the-first-stage"),
        pytest.param([], "shift+left", (0, BERG), id="shift+left-on-the-first-stage"),
        pytest.param([], "K", (0, BERG), id="K-on-the-first-card"),
        pytest.param(["j"], "J", (0, HARBOUR), id="J-on-the-last-card"),
        pytest.param(["l"], "m", (1, KIM), id="m-to-the-stage-it-is-in"),
    ],
)
async def test_a_refused_key_notifies_and_changes_nothing(
    demo_db: Database, keys: list[str], key: str, focus: tuple[int, str]
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, *keys)
        assert at(app) == focus
        before = dump(demo_db)
        await press(pilot, key)
        if isinstance(app.screen, PickerDialog):
            await press(pilot, "enter")  # the stage the job is already in
        assert dump(demo_db) == before
        assert problems(app), f"{key} was refused without a word"
        assert at(app) == focus


async def test_card_keys_on_an_empty_column_only_warn(demo_db: Database) -> None:
    pipelines.add_stage(demo_db, WEDDING, "Spare", place=2)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "l")
        assert at(app) == (1, None)
        before = dump(demo_db)
        for key in ["L", "H", "s", "J", "K", "m", "t", "e", "a", "P", "enter"]:
            shown = last_notice(app)
            await press(pilot, key)
            assert isinstance(app.screen, BoardScreen), f"{key} opened {type(app.screen).__name__}"
            notice = last_notice(app)
            assert notice is not shown, f"{key} on an empty column said nothing"
            assert notice is not None
            assert notice.severity == "warning"
            assert at(app) == (1, None)
        await press(pilot, "g", "G", "j", "k")
        assert at(app) == (1, None)
        assert dump(demo_db) == before


# Empty databases


# Every board key but q and S, ending in the filter line (x typed there) and escape.
BOARD_KEYS = [
    "h", "l", "j", "k", "g", "G", "L", "H", "J", "K", "s", "m", "t", "e", "a", "P",
    "enter", "p", "[", "]", "u", "ctrl+r", "slash", "x", "escape",
]  # fmt: skip


async def test_an_empty_database_shows_how_to_start_and_keys_do_nothing(db: Database) -> None:
    before = dump(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = board_screen(app)
        assert screen.view is None
        assert "No pipelines" in str(screen.query_one("#board-empty").render())
        for key in BOARD_KEYS:
            await press(pilot, key)
            if not isinstance(app.screen, BoardScreen):
                await press(pilot, "escape")
            assert isinstance(app.screen, BoardScreen), f"{key} left {type(app.screen).__name__} open"
        await press(pilot, "n")
        assert isinstance(app.screen, BoardScreen)  # nowhere to put a job: a warning, no dialog
        assert problems(app)
        await press(pilot, "S")
        assert isinstance(app.screen, StageEditor)
        await press(pilot, "a", "d", "r", "J", "R", "escape")
        assert isinstance(app.screen, BoardScreen)
        assert board_screen(app).view is None
    assert dump(db) == before


async def test_a_pipeline_without_stages_opens_and_keys_do_nothing(db: Database) -> None:
    empty = pipelines.create_pipeline(db, "Empty")
    pipelines.create_pipeline(db, "Other", ["Only"])
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = board_screen(app)
        assert screen.view is not None
        assert screen.view.pipeline_id == empty.id
        assert columns(app) == []
        assert "no stages" in str(screen.query_one("#board-empty").render())
        before = dump(db)
        for key in BOARD_KEYS:
            if key in ("[", "]", "p"):
                continue  # they would leave this pipeline
            await press(pilot, key)
            if not isinstance(app.screen, BoardScreen):
                await press(pilot, "escape")
            assert isinstance(app.screen, BoardScreen), f"{key} left {type(app.screen).__name__} open"
        await press(pilot, "n")
        assert isinstance(app.screen, BoardScreen)
        assert dump(db) == before

        await press(pilot, "S", "a")  # the stage editor fills it
        await paste(pilot, "Booking")
        await press(pilot, "enter", "escape")
        assert stage_names(db, empty.id) == ["Booking"]
        assert board_screen(app).view.pipeline_id == empty.id
        assert counts(app) == [0]


async def test_the_first_pipeline_can_be_made_from_an_empty_database(db: Database) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "S", "N")
        await paste(pilot, "Portraits")
        await press(pilot, "enter", "a")
        await paste(pilot, "Booking")
        await press(pilot, "enter", "escape")
        assert [p.name for p in pipelines.list_pipelines(db)] == ["Portraits"]
        assert stage_names(db, "Portraits") == ["Booking"]
        assert board_screen(app).view.pipeline == "Portraits"
        assert len(columns(app)) == 1


async def test_a_new_pipeline_left_without_stages_shows_how_to_add_them(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "S", "N")
        await paste(pilot, "Portraits")
        await press(pilot, "enter", "escape")
        portraits = pipelines.get_pipeline(demo_db, "Portraits")
        assert portraits.stages == ()
        screen = board_screen(app)
        assert screen.view is not None
        assert screen.view.pipeline_id == portraits.id
        assert columns(app) == []
        assert "no stages" in str(screen.query_one("#board-empty").render())
        await press(pilot, "[", "[", "[", "[")  # and the other pipelines are still there
        assert board_screen(app).view.pipeline == LEADS  # before the demo's session, invoice and lead pipelines


# Layout


async def test_on_a_small_terminal_the_focused_column_stays_in_view(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen_region = app.screen.region
        for index in range(len(WEDDING_STAGES)):
            if index:
                await press(pilot, "l")
            assert board_screen(app).column_index == index
            column = columns(app)[index].parent
            assert column is not None
            assert screen_region.contains_region(column.region), f"column {index} at {column.region}"
            assert column.region.width > 0
        await press(pilot, "h", "h", "h", "h", "h", "h")
        assert board_screen(app).column_index == 0
        assert screen_region.contains_region(columns(app)[0].parent.region)


async def test_G_in_a_long_column_scrolls_the_card_into_view(demo_db: Database) -> None:
    for number in range(15):
        jobs.add_job(demo_db, f"Extra {number}", WEDDING, stage="Inquiry")
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "G")
        column = columns(app)[0]
        assert at(app) == (0, stage_titles(demo_db, WEDDING, "Inquiry")[-1])
        top = column.cursor * CARD_HEIGHT
        assert column.scroll_offset.y <= top
        assert top + CARD_HEIGHT - 1 <= column.scroll_offset.y + column.scrollable_content_region.height
        await press(pilot, "g")
        assert column.scroll_offset.y == 0


# Command palette


async def test_the_command_palette_offers_every_key_of_the_board(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        offered = {command.title for command in app.get_system_commands(board_screen(app))}
        described = {b.description for b in BoardScreen.BINDINGS if b.description}
        assert described <= offered


async def test_the_command_palette_advances_the_focused_job(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "Advance")
        results = app.screen.query_one(CommandList)
        for _ in range(50):  # the palette searches in the background
            if results.highlighted is not None:
                break
            await pilot.pause(0.05)
        assert results.highlighted is not None
        assert "Advance" in str(results.get_option_at_index(results.highlighted).prompt)
        await press(pilot, "enter")
        await pilot.pause()
        moved = job(demo_db, BERG)
        assert steps(moved) == [("Inquiry", "completed"), ("Consultation", "active")]
        assert at(app) == (1, BERG)


async def test_key_1_from_the_job_screen_goes_back_to_the_board(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "l", "l", "l", "l", "enter")
        assert isinstance(app.screen, JobScreen)
        await press(pilot, "1")
        assert isinstance(app.screen, BoardScreen)
        assert at(app) == (4, MARTINEZ)
