"""Warn before it happens: a stage that would write to nobody asks first; `D` shows the dry run."""

from __future__ import annotations

from studioflow.app import make_app
from studioflow.screens.dialogs import PickerDialog
from studioflow.screens.dry_run import DryRunPanel
from studioflow.store import Database
from studioflow.workflow.automations import outbox
from studioflow.workflow.jobs import jobs

SIZE = (120, 35)


async def test_a_move_that_would_email_nobody_asks_first_and_undo_refreshes_the_badge(demo_db: Database) -> None:
    walk_in = jobs.add_job(demo_db, "Walk-in portraits", "Wedding Photography", stage="Consultation")  # no client
    held_before = outbox.counts(demo_db)["held"]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "L")  # the new card is on top of Consultation; Contract Sent emails the client
        await pilot.pause()
        assert isinstance(app.screen, PickerDialog)
        assert "Move “Walk-in portraits” to Contract Sent?\nA message would go to nobody:" in app.screen.title_text
        assert "email held: the job has no client" in app.screen.title_text
        await pilot.press("down", "enter")  # Cancel
        await pilot.pause()
        assert jobs.get_job(demo_db, walk_in.id).stage == "Consultation"
        assert outbox.counts(demo_db)["held"] == held_before

        await pilot.press("L")
        await pilot.pause()
        await pilot.press("up", "enter")  # Move anyway
        await pilot.pause()
        assert jobs.get_job(demo_db, walk_in.id).stage == "Contract Sent"
        assert app.outbox_counts["held"] == held_before + 1  # type: ignore[attr-defined]

        await pilot.press("u")
        await pilot.pause()
        assert jobs.get_job(demo_db, walk_in.id).stage == "Consultation"
        assert outbox.counts(demo_db)["held"] == held_before
        assert app.outbox_counts["held"] == held_before  # type: ignore[attr-defined]  # the badge, at once


async def test_d_shows_the_dry_run_rendered_and_writes_nothing(demo_db: Database) -> None:
    kim = next(j for j in jobs.list_jobs(demo_db) if j.title == "Kim wedding enquiry")
    before = (len(outbox.list_messages(demo_db)), kim.tasks_total)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "D")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, DryRunPanel)
        shown = panel.body.plain
        await pilot.press("escape")
        await pilot.pause()
    assert shown.startswith("Kim wedding enquiry would be at Wedding Photography › Contract Sent")
    assert "email queued to grace.kim@example.com" in shown
    assert "To: grace.kim@example.com" in shown
    assert "Subject: " in shown
    assert "task(s) from 'Contract checklist'" in shown
    after = jobs.get_job(demo_db, kim.id)
    assert (len(outbox.list_messages(demo_db)), after.tasks_total, after.stage) == (*before, "Consultation")
