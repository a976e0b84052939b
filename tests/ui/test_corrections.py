"""Corrections on the board: `L`, `H`, `L` inside the send delay sends one email; `M` moves without automations."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from mail.conftest import smtp_settings  # tests/ is on sys.path: its packages import each other
from mail.smtpd import Inbox, start

from studioflow.app import make_app
from studioflow.mail.delivery import deliver_due
from studioflow.screens.tasks import TasksScreen
from studioflow.store import Database
from studioflow.store.models import utcnow
from studioflow.workflow.automations import outbox
from studioflow.workflow.jobs import jobs
from studioflow.workflow.tasks import tasks

SIZE = (120, 35)


async def test_l_h_l_within_the_send_delay_sends_one_email(demo_db: Database, tmp_path: Path) -> None:
    before = {m.id for m in outbox.list_messages(demo_db)}
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")  # Consultation: Kim wedding enquiry
        for key in ("L", "H", "L"):
            await pilot.press(key)
            await pilot.pause()
    made = [m for m in outbox.list_messages(demo_db) if m.id not in before]
    assert sorted(m.state for m in made) == ["cancelled", "queued"]
    inbox = Inbox()
    server = start(inbox)
    try:
        settings = smtp_settings(tmp_path, server.port)
        assert deliver_due(demo_db, settings).sent == 0  # nothing is due within the delay
        later = utcnow() + timedelta(minutes=3)
        assert deliver_due(demo_db, settings, now=lambda: later).sent == 1
    finally:
        server.stop()
    assert [m["To"] for m in inbox.received] == ["grace.kim@example.com"]


async def test_m_moves_a_job_without_automations_and_the_history_says_so(demo_db: Database) -> None:
    before = len(outbox.list_messages(demo_db))
    kim = next(j for j in jobs.list_jobs(demo_db) if j.title == "Kim wedding enquiry")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "M")  # Consultation: Kim wedding enquiry
        await pilot.pause()
        await pilot.press(*"contract", "enter")
        await pilot.pause()
        notices = [n.message for n in app._notifications]
    moved = jobs.get_job(demo_db, kim.id)
    assert (moved.stage, moved.tasks_total) == ("Contract Sent", 0)  # its email and task list did not fire
    assert len(outbox.list_messages(demo_db)) == before
    assert moved.history[-1].automations_off is True
    assert "Moved without automations: nothing fired (u to undo)." in notices


async def test_checking_off_a_stages_last_task_says_the_job_moved_on_and_the_header_counts_it(
    demo_db: Database,
) -> None:
    kim = next(j for j in jobs.list_jobs(demo_db) if j.title == "Kim wedding enquiry")
    jobs.advance(demo_db, kim.id)  # Contract Sent: its checklist, and auto-move on
    made = tasks.list_tasks(demo_db, job=kim.id)
    for task in made[:-1]:
        tasks.complete_task(demo_db, task.id)
    last = made[-1]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "a", "slash", *last.title, "enter")  # all open tasks, filtered to the last one
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        assert screen.task_list.current() is not None
        assert screen.task_list.current().id == last.id  # type: ignore[union-attr]
        await pilot.press("space")
        await pilot.pause()
        [group] = [line.group for line in screen.task_list.lines if line.task is None and line.group.id == kim.id]
        notices = [n.message for n in app._notifications]
    assert (group.done, group.total) == (len(made), len(made))  # "n/n done" at once, not "n-1/n"
    assert jobs.get_job(demo_db, kim.id).stage == "Engagement Session"
    assert any("all tasks done: moved on to Engagement Session" in n for n in notices)
