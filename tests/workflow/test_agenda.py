"""A job's timeline and the agenda (today and the next 7 days), both in time order."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from studioflow.store import Database, open_database
from studioflow.store.models import OutboxMessage
from studioflow.workflow.jobs import jobs
from studioflow.workflow.schedule import agenda, events
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import PipelineView
from tests.conftest import DEMO_TODAY


def test_the_agenda_is_in_time_order_and_bounded(db: Database, wedding: PipelineView) -> None:
    today = date(2030, 5, 1)
    job = jobs.add_job(db, "Lee wedding", "Wedding", due_on=today + timedelta(days=2))
    at = datetime.combine(today + timedelta(days=2), time(15)).astimezone()
    events.add_event(db, "Ceremony", at, job=job.id)
    events.add_event(db, "Too late", at + timedelta(days=8), job=job.id)
    events.add_event(db, "Long past", at - timedelta(days=30), job=job.id)
    tasks.add_task(db, "Pack gear", job=job.id, due_on=today + timedelta(days=1))
    tasks.add_task(db, "Overdue, not on it", due_on=today - timedelta(days=1))
    done = tasks.add_task(db, "Done, not on it", due_on=today)
    tasks.complete_task(db, done.id)
    now = datetime.combine(today, time(9)).astimezone()
    with db.write() as session:
        for key, when in (("later", at + timedelta(hours=1)), ("earlier", now - timedelta(hours=1))):
            message = OutboxMessage(idempotency_key=key, to_addr="a@x.org", subject=key, send_at=when, job_id=job.id)
            session.add(message)
    items = agenda.agenda(db, today=today, now=now)
    assert [(i.kind, i.text.split(" (")[0].split(":")[-1].strip()) for i in items] == [
        ("task", "Pack gear"),
        ("job", "Lee wedding"),
        ("event", "Ceremony"),
        ("message", "later"),
    ]


def test_the_demo_wedding_timeline_has_its_visits(demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    db = open_database(path)
    items = agenda.timeline(db, "Martinez-Lopez wedding")
    assert [i.kind for i in items] == ["visit"] * 5
    assert [i.state for i in items] == ["completed"] * 4 + ["active"]
    assert items[-1].text == "Wedding Day"
    # Moving on fires the stage's automations: they and the messages appear in order.
    jobs.advance(db, "Martinez-Lopez wedding")  # Editing: makes the gallery tasks
    kinds = [(i.kind, i.state) for i in agenda.timeline(db, "Martinez-Lopez wedding")]
    assert kinds[-3:] == [("visit", "completed"), ("visit", "active"), ("automation", "fired")]
    jobs.advance(db, "Martinez-Lopez wedding")  # Delivered: sends "Gallery ready"
    last = agenda.timeline(db, "Martinez-Lopez wedding")[-2:]
    assert [(i.kind, i.state) for i in last] == [("automation", "fired"), ("message", "queued")]
    assert "ava.martinez@example.com" in last[-1].text
    upcoming = agenda.agenda(db, today=DEMO_TODAY, now=datetime.combine(DEMO_TODAY, time(), UTC))
    assert [i.text for i in upcoming if i.kind == "event"] == [
        "Contract call @ Phone (Okafor wedding)",
        "Engagement session @ Old Town harbour (Nguyen engagement + wedding)",
    ]


@pytest.mark.parametrize("days", [0, 7])
def test_the_agenda_covers_today_through_n_days(db: Database, wedding: PipelineView, days: int) -> None:
    today = date(2030, 5, 1)
    tasks.add_task(db, "Edge", due_on=today + timedelta(days=7))
    assert len(agenda.agenda(db, today=today, days=days)) == (1 if days == 7 else 0)
