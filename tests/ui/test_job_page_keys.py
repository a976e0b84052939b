"""The job page's own keys for the job: new task, advance/back/skip/move, status, undo and redo."""

from __future__ import annotations

import pytest

from studioflow.app import make_app
from studioflow.screens.board import BoardScreen
from studioflow.screens.dialogs import PickerDialog, TextDialog
from studioflow.screens.job import JobScreen
from studioflow.screens.task_dialogs import QuickAddDialog
from studioflow.store import Database
from studioflow.workflow.jobs import jobs
from studioflow.workflow.tasks import tasks
from tests.ui.test_board import SIZE, paste, press, steps
from tests.ui.test_job_page import martinez_id, open_job


async def test_n_adds_a_task_to_the_job(demo_db: Database) -> None:
    job_id = martinez_id(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, demo_db, "timeline")
        await press(pilot, "n")
        assert isinstance(app.screen, QuickAddDialog)
        await paste(pilot, "Confirm the florist !high")
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, JobScreen)
        assert screen.tab == "tasks"
        added = [t for t in tasks.list_tasks(demo_db, job=job_id) if t.title == "Confirm the florist"]
        assert [t.priority for t in added] == [3]
        await press(pilot, "u")
        assert not [t for t in tasks.list_tasks(demo_db, job=job_id) if t.title == "Confirm the florist"]


async def test_L_H_s_m_move_the_job_and_u_ctrl_r_walk_the_journal(demo_db: Database) -> None:
    job_id = martinez_id(demo_db)
    start = jobs.get_job(demo_db, job_id)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, demo_db, "tasks")
        await press(pilot, "L")
        advanced = jobs.get_job(demo_db, job_id)
        assert steps(advanced)[-2:] == [(start.stage, "completed"), (advanced.stage, "active")]
        await press(pilot, "H")
        assert jobs.get_job(demo_db, job_id).stage == start.stage
        await press(pilot, "s")
        assert steps(jobs.get_job(demo_db, job_id))[-2] == (start.stage, "skipped")
        await press(pilot, "m")
        assert isinstance(app.screen, PickerDialog)
        await paste(pilot, "inquiry")
        await press(pilot, "enter")
        assert jobs.get_job(demo_db, job_id).stage == "Inquiry"
        await press(pilot, "u")
        assert jobs.get_job(demo_db, job_id).stage != "Inquiry"
        await press(pilot, "ctrl+r")
        assert jobs.get_job(demo_db, job_id).stage == "Inquiry"
        assert "Inquiry" in str(app.screen.query_one("#job-summary").render())


async def test_t_sets_the_status_from_the_job_page(demo_db: Database) -> None:
    job_id = martinez_id(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, demo_db, "tasks")
        await press(pilot, "t")
        await paste(pilot, "client review")
        await press(pilot, "enter")
        assert jobs.get_job(demo_db, job_id).status == "Client review"


async def test_on_the_invoices_tab_s_and_m_stay_the_invoices_keys(demo_db: Database) -> None:
    job_id = martinez_id(demo_db)
    stage = jobs.get_job(demo_db, job_id).stage
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, demo_db, "invoices")
        await press(pilot, "s")
        assert isinstance(app.screen, PickerDialog)
        assert "; mark it" in app.screen.title_text  # the invoice's status picker
        await press(pilot, "escape")
        assert jobs.get_job(demo_db, job_id).stage == stage  # not skipped


async def test_notes_saved_say_u_to_undo_and_u_does(demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "true")
    job_id = martinez_id(demo_db)
    before = jobs.get_notes(demo_db, job_id)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, demo_db, "notes")
        await press(pilot, "e")
        assert isinstance(app.screen, TextDialog)
        await paste(pilot, "# Shot list")
        await press(pilot, "ctrl+s")
        assert jobs.get_notes(demo_db, job_id) != before
        await press(pilot, "u")
        assert jobs.get_notes(demo_db, job_id) == before
        await press(pilot, "escape")
        assert isinstance(app.screen, BoardScreen)


async def test_E_i_and_c_edit_a_draft_and_correct_a_sent_invoice(demo_db: Database) -> None:
    from textual.widgets import DataTable

    from studioflow.screens.dialogs import FormDialog
    from studioflow.workflow.money import invoices
    from tests.ui.test_job_page import fill

    job_id = martinez_id(demo_db)
    draft = invoices.add_invoice(demo_db, [("Album", 1, 950_00)], job=job_id)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, demo_db, "invoices")
        table = app.screen.query_one("#job-invoices", DataTable)
        table.move_cursor(row=table.row_count - 1)
        await press(pilot, "E")
        assert isinstance(app.screen, FormDialog)
        await fill(pilot, ["Marco Lopez", "2030-01-31", "GST 5; QST 9.975", "Merci"])
        await press(pilot, "ctrl+s")
        edited = invoices.get_invoice(demo_db, draft.id)
        assert (edited.client, edited.due_on.isoformat() if edited.due_on else None, edited.notes) == (
            "Marco Lopez",
            "2030-01-31",
            "Merci",
        )
        assert [(t.name, t.amount_cents) for t in edited.taxes] == [("GST", 47_50), ("QST", 94_76)]
        assert "QST 9.975 %" in str(app.screen.query_one("#job-invoice-lines").render())
        await press(pilot, "i")
        assert isinstance(app.screen, TextDialog)
        await paste(pilot, "2 | Album | 900\n10 | Prints | 12.50\n")  # above the line that was there
        await press(pilot, "ctrl+s")
        lines = invoices.get_invoice(demo_db, draft.id).lines
        assert [(li.description, li.quantity, li.unit_price_cents) for li in lines] == [
            ("Album", 2, 900_00),
            ("Prints", 10, 12_50),
            ("Album", 1, 950_00),
        ]
        invoices.set_status(demo_db, draft.id, "sent")
        await press(pilot, "c")
        assert invoices.get_invoice(demo_db, draft.id).status == "void"
        fresh = invoices.list_invoices(demo_db, job=job_id)[-1]
        assert (fresh.status, fresh.replaces) == ("draft", draft.number)
        await press(pilot, "u")
        assert invoices.get_invoice(demo_db, draft.id).status == "sent"
