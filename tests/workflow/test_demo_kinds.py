"""The demo's lead, session and invoice pipelines, walked as the issue's "done when" says."""

from __future__ import annotations

import shutil
from pathlib import Path

from studioflow.store import Database, open_database
from studioflow.workflow.jobs import jobs, pipelines, tracking
from studioflow.workflow.money import invoices
from studioflow.workflow.people import clients
from studioflow.workflow.schedule import agenda
from studioflow.workflow.tasks import tasks


def rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    with db.rows() as conn:
        return conn.execute(sql).fetchall()


def test_the_demo_has_a_pipeline_of_each_kind(demo_template: Path) -> None:
    db = open_database(demo_template)
    kinds = {p.name: p.kind for p in pipelines.list_pipelines(db)}
    db.close()
    assert kinds["Lead follow-up"] == "clients"
    assert kinds["Invoice follow-up"] == "invoices"
    assert kinds["Session prep"] == "events"
    assert kinds["Leads"] == "jobs"  # the demo's job pipeline of leads is kept as it was


def test_a_lead_a_job_made_invoice_and_its_follow_up_walk_through_the_demo(demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    db = open_database(path)
    assert rows(db, "SELECT count(*) FROM outbox_message") == [(0,)]  # the demo queues nothing by itself
    # A new lead through the seed's four stages: a welcome email, call tasks after 2 and 4 days, a final email.
    clients.add_client(db, "Zoe Quinn", email="zoe@example.com", tags=["lead"])
    tracking.track(db, "clients", "Zoe Quinn", "Lead follow-up")
    assert rows(db, "SELECT to_addr, subject FROM outbox_message") == [
        ("zoe@example.com", "Thanks for reaching out, Zoe")
    ]
    tracking.advance(db, "clients", "Zoe Quinn")
    call = [t for t in tasks.list_tasks(db, include_done=False) if t.title == "Call the lead — Zoe Quinn"]
    assert len(call) == 1
    assert call[0].due_on is not None
    assert any("Zoe Quinn — Call Lead After 2 Days" in text for text in agenda.waits_due(db, call[0].due_on))
    tracking.advance(db, "clients", "Zoe Quinn")
    tracking.advance(db, "clients", "Zoe Quinn")
    assert rows(db, "SELECT subject FROM outbox_message ORDER BY id")[-1] == ("Still interested, Zoe?",)
    # The wedding day makes the balance invoice and emails it; it enters the follow-up by itself.
    job = jobs.advance(db, "Nguyen engagement + wedding")
    assert job.stage == "Wedding Day"
    made = [line for line in job.fired if line.startswith("invoice ")]
    assert len(made) == 1
    number = made[0].split()[1]
    assert invoices.get_invoice(db, number).status == "sent"
    on = tracking.get_tracks(db, "invoices", number)
    assert [(t.pipeline, t.stage) for t in on] == [("Invoice follow-up", "Sent")]
    # Each reminder once; marked paid, the follow-up stops.
    before = len(rows(db, "SELECT * FROM outbox_message"))
    tracking.advance(db, "invoices", number)
    tracking.advance(db, "invoices", number)
    reminders = rows(db, f"SELECT subject FROM outbox_message WHERE body LIKE '%{number}%' ORDER BY id")
    assert reminders[-2:] == [("A reminder about your invoice",), ("Final notice: your invoice is overdue",)]
    assert len(rows(db, "SELECT * FROM outbox_message")) == before + 2
    invoices.set_status(db, number, "paid")
    assert tracking.get_tracks(db, "invoices", number)[0].tracked is False
    assert tracking.list_tracked(db, "Invoice follow-up", "Final notice after 14 days") == []
    db.close()
