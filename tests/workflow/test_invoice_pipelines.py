"""Invoices on a follow-up pipeline; a job stage that makes and emails an invoice; undo of both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from studioflow.store import Database
from studioflow.workflow.automations import automation_rules, templates
from studioflow.workflow.board import board
from studioflow.workflow.jobs import jobs, journal, pipelines, tracking
from studioflow.workflow.money import invoices
from studioflow.workflow.people import clients, jobclients
from studioflow.workflow.schedule import events

FOLLOW_UP = ("Sent", "Reminder after 7 days", "Final notice after 14 days", "Paid")


@pytest.fixture
def studio(db: Database, private_config: Path) -> Database:
    # Messages due at once: what a move queues stays queued when the next move comes right after.
    private_config.parent.mkdir(parents=True, exist_ok=True)
    private_config.write_text("[outbox]\nsend_delay_seconds = 0\n")
    with db.write():
        pipelines.create_pipeline(db, "Invoice follow-up", FOLLOW_UP, kind="invoices")
        pipelines.set_default_for_new(db, "Invoice follow-up", True)
        pipelines.create_pipeline(db, "Wedding", ("Inquiry", "Booked"))
        clients.add_client(db, "Ada Lovelace", email="ada@example.com")
        clients.add_client(db, "Pat Payer", email="pat@example.com")
        templates.create_template(
            db,
            "Reminder",
            "email",
            "A reminder",
            "Hi {{ client.first_name }}, this is still owed.",
        )
        templates.create_template(db, "Invoice letter", "email", "Your invoice for {{ job.title }}", "Thanks!")
        automation_rules.add_automation(
            db, "Invoice follow-up", "Reminder after 7 days", "enter", "email_invoice", template="Reminder"
        )
        automation_rules.add_automation(
            db,
            "Invoice follow-up",
            "Final notice after 14 days",
            "enter",
            "email_invoice",
            template="Reminder",
            delay_minutes=24 * 60,
        )
    return db


def rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    with db.rows() as conn:
        return conn.execute(sql).fetchall()


def test_every_new_invoice_enters_the_default_pipeline_and_walks_it_sending_each_reminder_once(
    studio: Database,
) -> None:
    invoice = invoices.add_invoice(studio, [("Session", 1, 50000)], client="Ada Lovelace", taxes=[("Tax", 100_000)])
    (card,) = tracking.list_tracked(studio, "Invoice follow-up")
    assert (card.title, card.stage) == (invoice.number, "Sent")
    tracking.advance(studio, "invoices", invoice.number)
    tracking.move_to(studio, "invoices", invoice.number, "Sent")  # back: no reminder for that
    tracking.advance(studio, "invoices", invoice.number)  # a new visit: a second reminder, once
    messages = rows(studio, "SELECT to_addr, subject, state FROM outbox_message")
    assert messages == [("ada@example.com", "A reminder", "queued")] * 2
    body = rows(studio, "SELECT body FROM outbox_message")[0][0]
    assert str(body).startswith("Hi Ada, this is still owed.\n\n")  # the letter, then the invoice
    assert "INV-0001" in str(body)
    assert "550.00" in str(body)
    assert rows(studio, "SELECT count(DISTINCT visit_id), count(*) FROM automation_run") == [(2, 2)]


def test_marking_an_invoice_paid_completes_its_pipeline_and_cancels_the_pending_reminder(studio: Database) -> None:
    invoice = invoices.add_invoice(studio, [("Session", 1, 50000)], client="Ada Lovelace")
    invoices.set_status(studio, invoice.number, "sent")
    tracking.move_to(studio, "invoices", invoice.number, "Final notice after 14 days")  # a reminder a day later
    assert rows(studio, "SELECT state FROM outbox_message") == [("queued",)]
    invoices.set_status(studio, invoice.number, "paid")
    assert rows(studio, "SELECT state FROM outbox_message") == [("cancelled",)]
    assert rows(studio, "SELECT stage_name, state FROM stage_visit")[-1] == ("Final notice after 14 days", "completed")
    assert tracking.list_tracked(studio, "Invoice follow-up") == []


def test_email_invoice_skips_a_paid_invoice_and_is_refused_on_a_job_pipeline(
    studio: Database, refused: Callable[..., str]
) -> None:
    refused(
        automation_rules.add_automation,
        studio,
        "Wedding",
        "Booked",
        "enter",
        "email_invoice",
        template="Reminder",
        match="for invoice pipelines",
    )
    refused(
        automation_rules.add_automation,
        studio,
        "Wedding",
        "Booked",
        "enter",
        "send_invoice",
        template="Invoice letter",
        days=14,
        match="needs the invoice to copy",
    )


def test_a_job_stage_makes_an_invoice_for_the_payer_emails_it_and_undo_takes_it_back(studio: Database) -> None:
    model = invoices.add_invoice(studio, [("Wedding package", 1, 250000), ("Album", 2, 30000)], client="Ada Lovelace")
    tracking.untrack(studio, "invoices", model.number)  # the model is not followed up
    automation_rules.add_automation(
        studio,
        "Wedding",
        "Booked",
        "enter",
        "send_invoice",
        from_invoice=model.number,
        days=14,
        template="Invoice letter",
    )
    job = jobs.add_job(studio, "Lee wedding", "Wedding", client="Ada Lovelace")
    jobclients.add_job_client(studio, job.id, "Pat Payer", "payer")
    before = rows(studio, "SELECT * FROM invoice")
    moved = jobs.advance(studio, job.id)
    assert moved.fired[0].startswith("invoice INV-0002 made; email queued to pat@example.com")
    made = invoices.get_invoice(studio, "INV-0002")
    assert (made.client, made.job, made.status) == ("Pat Payer", "Lee wedding", "sent")
    assert made.due_on == date.today() + timedelta(days=14)
    assert [(line.description, line.quantity) for line in made.lines] == [("Wedding package", 1), ("Album", 2)]
    (subject, body, job_id) = rows(studio, "SELECT subject, body, job_id FROM outbox_message")[0]
    assert (subject, job_id) == ("Your invoice for Lee wedding", job.id)
    assert "Wedding package" in str(body)
    # The new invoice follows up by itself.
    assert [t.title for t in tracking.list_tracked(studio, "Invoice follow-up")] == ["INV-0002"]

    journal.undo(studio)
    assert rows(studio, "SELECT * FROM invoice") == before
    assert rows(studio, "SELECT state FROM outbox_message") == [("cancelled",)]
    assert tracking.list_tracked(studio, "Invoice follow-up") == []
    assert jobs.get_job(studio, job.id).stage == "Inquiry"
    journal.redo(studio)
    assert invoices.get_invoice(studio, "INV-0002").lines == made.lines
    assert [t.title for t in tracking.list_tracked(studio, "Invoice follow-up")] == ["INV-0002"]


def test_undo_of_a_made_invoice_is_refused_once_it_is_paid(studio: Database) -> None:
    model = invoices.add_invoice(studio, [("Package", 1, 1000)], client="Ada Lovelace")
    automation_rules.add_automation(
        studio,
        "Wedding",
        "Booked",
        "enter",
        "send_invoice",
        from_invoice=model.number,
        days=7,
        template="Invoice letter",
    )
    job = jobs.add_job(studio, "Lee wedding", "Wedding", client="Ada Lovelace")
    jobs.advance(studio, job.id)
    invoices.set_status(studio, "INV-0002", "paid")
    with pytest.raises(Exception, match="INV-0002 it made was changed since"):
        journal.undo(studio)
    assert invoices.get_invoice(studio, "INV-0002").status == "paid"


def test_invoice_and_event_cards_say_what_matters(studio: Database) -> None:
    invoice = invoices.add_invoice(
        studio,
        [("Session", 1, 50000)],
        client="Ada Lovelace",
        issued_on=date.today() - timedelta(days=33),
        due_on=date.today() - timedelta(days=3),
    )
    invoices.set_status(studio, invoice.number, "sent")
    view = board.board(studio, "Invoice follow-up")
    assert view.kind == "invoices"
    (card,) = board.cards(studio, view.columns[0].id, 0, 50, kind="invoices")
    assert (card.title, card.client, card.status, card.due_on) == (
        "INV-0001",
        "Ada Lovelace · 500.00",
        None,  # a follow-up board is of sent invoices: only another status is shown
        date.today() - timedelta(days=3),
    )
    assert board.cards(studio, view.columns[0].id, 0, 50, text="ada", kind="invoices") == [card]
    assert board.cards(studio, view.columns[0].id, 0, 50, text="nobody", kind="invoices") == []

    pipelines.create_pipeline(studio, "Session prep", ("Confirm", "Shoot"), kind="events")
    from datetime import datetime, time

    when = datetime.combine(date.today() + timedelta(days=5), time(14)).astimezone()
    job = jobs.add_job(studio, "Lee wedding", "Wedding", client="Ada Lovelace")
    event = events.add_event(studio, "Engagement shoot", when, job=job.id, location="Harbour")
    tracking.track(studio, "events", event.id, "Session prep")
    view = board.board(studio, "Session prep")
    (card,) = board.cards(studio, view.columns[0].id, 0, 50, kind="events")
    assert (card.title, card.client, card.detail) == (
        "Engagement shoot",
        f"{when:%Y-%m-%d} 14:00 · Lee wedding",
        "Harbour",
    )
    assert board.locate(studio, event.id, "", "events", view.pipeline_id) == (view.columns[0].id, 0)


def test_correcting_an_invoice_whose_new_draft_enters_the_default_pipeline_is_one_undo_step(studio: Database) -> None:
    invoice = invoices.add_invoice(studio, [("Session", 1, 50000)], client="Ada Lovelace")
    invoices.set_status(studio, invoice.id, "sent")
    fresh = invoices.correct(studio, invoice.id)
    on_board = {card.title for card in tracking.list_tracked(studio, "Invoice follow-up")}
    assert fresh.number in on_board
    assert journal.undo(studio) == f"correct invoice {invoice.number}"
    assert invoices.get_invoice(studio, invoice.id).status == "sent"
    assert fresh.number not in {card.title for card in tracking.list_tracked(studio, "Invoice follow-up")}
    assert rows(studio, f"SELECT count(*) FROM invoice WHERE id = {fresh.id}") == [(0,)]
    assert journal.redo(studio) == f"correct invoice {invoice.number}"
    assert invoices.get_invoice(studio, fresh.id).status == "draft"
    assert fresh.number in {card.title for card in tracking.list_tracked(studio, "Invoice follow-up")}
