"""add_note, the action added through the registry: a rendered line appended to the card's notes.

Real SQLite files in tmp_path; the notes are read back from the file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from studioflow.store import Database
from studioflow.workflow.automations import automation_rules
from studioflow.workflow.jobs import jobs, journal, pipelines, tracking
from studioflow.workflow.money import invoices
from studioflow.workflow.people import clients
from studioflow.workflow.schedule import events
from studioflow.workflow.views import PipelineView
from tests.conftest import outside

Refused = Callable[..., str]


def _notes(db: Database, table: str, row_id: int) -> str:
    with db.rows() as conn:
        return conn.execute(f"SELECT notes FROM {table} WHERE id = ?", (row_id,)).fetchone()[0]


def test_entering_a_stage_appends_the_rendered_line_and_undo_takes_it_back(db: Database, wedding: PipelineView) -> None:
    clients.add_client(db, "Ava Martinez", email="ava@example.com")
    rule = automation_rules.add_automation(
        db, "Wedding", "Booked", "enter", "add_note", text="Called {{ client.first_name }} at {{ stage.name }}"
    )
    assert (rule.action, rule.target) == ("add_note", "Called {{ client.first_name }} at {{ stage.name }}")
    assert "add the note" in rule.summary
    job = jobs.add_job(db, "Martinez wedding", "Wedding", client="Ava Martinez")
    jobs.set_notes(db, job.id, "Prefers mornings")

    moved = jobs.advance(db, job.id)

    assert _notes(db, "job", job.id) == "Prefers mornings\nCalled Ava at Booked"
    assert "note added: Called Ava at Booked" in moved.fired
    journal.undo(db)
    assert _notes(db, "job", job.id) == "Prefers mornings"
    journal.redo(db)
    assert _notes(db, "job", job.id) == "Prefers mornings\nCalled Ava at Booked"


def test_a_second_visit_adds_a_second_line_once(db: Database, wedding: PipelineView) -> None:
    automation_rules.add_automation(db, "Wedding", "Booked", "enter", "add_note", text="Booked {{ job.title }}")
    job = jobs.add_job(db, "Lee wedding", "Wedding")
    jobs.advance(db, job.id)
    jobs.move_to(db, job.id, "Inquiry")
    jobs.advance(db, job.id)
    assert _notes(db, "job", job.id) == "Booked Lee wedding\nBooked Lee wedding"


def test_a_dry_run_shows_the_note_and_writes_nothing(db: Database, wedding: PipelineView) -> None:
    automation_rules.add_automation(db, "Wedding", "Booked", "enter", "add_note", text="Booked {{ job.title }}")
    job = jobs.add_job(db, "Lee wedding", "Wedding")
    _, effects = jobs.rehearse(db, lambda: jobs.advance(db, job.id))
    assert [e.text for e in effects] == ["note added: Booked Lee wedding"]
    assert _notes(db, "job", job.id) == ""


def test_a_lead_and_an_invoice_get_the_line_in_their_own_notes(db: Database) -> None:
    pipelines.create_pipeline(db, "Leads", ["New", "Called"], kind="clients")
    automation_rules.add_automation(db, "Leads", "Called", "enter", "add_note", text="Called {{ client.name }}")
    lead = clients.add_client(db, "Grace Kim", notes="Met at the fair")
    tracking.track(db, "clients", lead.id, "Leads")
    tracking.advance(db, "clients", lead.id)
    assert _notes(db, "client", lead.id) == "Met at the fair\nCalled Grace Kim"
    journal.undo(db)
    assert _notes(db, "client", lead.id) == "Met at the fair"

    pipelines.create_pipeline(db, "Dunning", ["Sent", "Reminded"], kind="invoices")
    automation_rules.add_automation(db, "Dunning", "Reminded", "enter", "add_note", text="Reminded {{ client.name }}")
    invoice = invoices.add_invoice(db, [("Album", 1, 900)], client="Grace Kim")
    tracking.track(db, "invoices", invoice.id, "Dunning")
    tracking.advance(db, "invoices", invoice.id)
    assert _notes(db, "invoice", invoice.id) == "Reminded Grace Kim"


def test_refused_when_set_up(db: Database, wedding: PipelineView, refused: Refused) -> None:
    pipelines.create_pipeline(db, "Sessions", ["Booked", "Done"], kind="events")
    add = automation_rules.add_automation
    assert "add_note needs the line to add" in refused(add, db, "Wedding", "Booked", "enter", "add_note")
    assert "needs the line to add" in refused(add, db, "Wedding", "Booked", "enter", "add_note", text="  ")
    message = refused(add, db, "Wedding", "Booked", "enter", "add_note", text="Hi {{ client.nmae }}")
    assert "unknown placeholder client.nmae" in message
    message = refused(add, db, "Sessions", "Booked", "enter", "add_note", text="Confirmed")
    assert message == "add_note is for job, client or invoice pipelines; 'Sessions' tracks events"
    assert "does not use a template" in refused(
        add, db, "Wedding", "Booked", "enter", "add_note", text="x", template="Thanks"
    )
    assert "only messages can be delayed" in refused(
        add, db, "Wedding", "Booked", "enter", "add_note", text="x", delay_minutes=60
    )


def test_an_event_card_gets_no_note_even_from_an_old_rule(db: Database) -> None:
    """Events have no notes: a rule cannot be set up there, and the engine says so if one is."""
    pipelines.create_pipeline(db, "Sessions", ["Booked", "Done"], kind="events")
    event = events.add_event(db, "Shoot", datetime(2030, 1, 1, 10, tzinfo=UTC))
    automation_rules.add_automation(db, "Sessions", "Done", "enter", "archive")
    with outside(db) as conn:  # a rule no check made (the column has no CHECK now)
        conn.execute("UPDATE automation SET action = 'add_note', params = '{\"text\": \"x\"}'")
    tracking.track(db, "events", event.id, "Sessions")
    moved = tracking.advance(db, "events", event.id)
    assert "not run: events have no notes" in str(moved)
