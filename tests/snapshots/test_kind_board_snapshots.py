"""The board of a client, an invoice and an event pipeline (one picture each)."""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from studioflow.app import make_app
from studioflow.store import open_database
from studioflow.workflow.board import board
from studioflow.workflow.files import demo
from studioflow.workflow.jobs import jobs, pipelines, tracking
from studioflow.workflow.people import clients
from studioflow.workflow.schedule import events

SnapCompare = Callable[..., bool]


def test_demo_lead_follow_up_board(snap_compare: SnapCompare, tmp_path: Path) -> None:
    db = open_database(tmp_path / "studioflow.db")
    demo.write_demo(db)
    board.remember_pipeline(db, pipelines.get_pipeline(db, "Lead follow-up").id)
    assert snap_compare(make_app(db), terminal_size=(120, 35))


def test_demo_invoice_follow_up_board(snap_compare: SnapCompare, tmp_path: Path) -> None:
    db = open_database(tmp_path / "studioflow.db")
    demo.write_demo(db)
    board.remember_pipeline(db, pipelines.get_pipeline(db, "Invoice follow-up").id)
    assert snap_compare(make_app(db), terminal_size=(120, 35))


def test_session_prep_board(snap_compare: SnapCompare, tmp_path: Path) -> None:
    # Fixed dates (an event card shows its day and time), not the demo's relative ones.
    db = open_database(tmp_path / "studioflow.db")
    prep = pipelines.create_pipeline(db, "Session prep", ("Confirm", "Reminder 2 days before", "Shoot"), kind="events")
    clients.add_client(db, "Ava Martinez", email="ava@example.com")
    job = jobs.add_job(db, "Martinez-Lopez wedding", pipelines.create_pipeline(db, "Weddings", ("Booked",)).id)
    for title, day, where in (("Engagement session", 5, "Riverside Park"), ("Wedding day", 20, "Villa Rosa")):
        starts = datetime(2030, 6, day, 15).astimezone()
        event = events.add_event(db, title, starts, job=job.id, location=where)
        tracking.track(db, "events", event.id, "Session prep")
    board.remember_pipeline(db, prep.id)
    assert snap_compare(make_app(db), terminal_size=(120, 35))
