"""Drafts edited (lines, taxes, payer, due date, notes), several named taxes, sent invoices corrected."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from studioflow.errors import StudioflowError
from studioflow.store import Database, open_database
from studioflow.store.db import APPLICATION_ID
from studioflow.store.models import OutboxMessage
from studioflow.workflow.automations import templates
from studioflow.workflow.jobs import journal
from studioflow.workflow.money import invoices
from tests.workflow.conftest import Dump
from tests.workflow.test_invoices import TODAY, job_id  # noqa: F401  (the fixture)

QUEBEC = [("GST", 50_000), ("QST", 99_750)]


def test_a_canadian_invoice_shows_each_tax_rounded_on_its_own(db: Database, job_id: int) -> None:  # noqa: F811
    invoice = invoices.add_invoice(db, [("Portraits", 1, 100_10)], job=job_id, taxes=QUEBEC, today=TODAY)
    assert [(t.name, t.rate_ppm, t.base_cents, t.amount_cents) for t in invoice.taxes] == [
        ("GST", 50_000, 100_10, 5_01),
        ("QST", 99_750, 100_10, 9_98),
    ]
    assert (invoice.tax_cents, invoice.total_cents) == (14_99, 115_09)
    text = invoices.invoice_text(invoice)
    assert [line.split() for line in text.splitlines() if line.startswith(("GST", "QST"))] == [
        ["GST", "5", "%", "5.01"],
        ["QST", "9.975", "%", "9.98"],
    ]
    assert invoices.invoice_context(invoice)["taxes"] == "GST 5 %: 5.01; QST 9.975 %: 9.98"


def test_the_email_and_its_template_show_every_tax(db: Database, job_id: int) -> None:  # noqa: F811
    templates.create_template(
        db, "Letter", "email", "Invoice {{ invoice.number }}", "Total {{ invoice.total }} ({{ invoice.taxes }})\n"
    )
    invoice = invoices.add_invoice(db, [("Portraits", 1, 100_10)], job=job_id, taxes=QUEBEC, today=TODAY)
    invoices.email_invoice(db, invoice.id, "letter", {}, today=TODAY)
    with db.read() as session:
        (message,) = session.exec(select(OutboxMessage)).all()
    assert message.subject == "Invoice INV-0001"
    assert message.body.startswith("Total 115.09 (GST 5 %: 5.01; QST 9.975 %: 9.98)\n")
    assert "QST 9.975 %" in message.body


def test_a_draft_is_edited_and_the_edit_undone(db: Database, job_id: int, dump: Callable[[], Dump]) -> None:  # noqa: F811
    invoice = invoices.add_invoice(db, [("Album", 1, 950_00)], job=job_id, taxes=[("Tax", 82_500)], today=TODAY)
    before = dump()
    edited = invoices.edit_invoice(
        db,
        invoice.number,
        lines=[("Album", 2, 900_00), ("Prints", 10, 12_50)],
        taxes=QUEBEC,
        client="Marco Lopez",
        due_on=date(2026, 4, 1),
        notes="Thank you!",
        today=TODAY,
    )
    assert [(li.description, li.quantity, li.unit_price_cents) for li in edited.lines] == [
        ("Album", 2, 900_00),
        ("Prints", 10, 12_50),
    ]
    assert (edited.client, edited.due_on, edited.notes) == ("Marco Lopez", date(2026, 4, 1), "Thank you!")
    assert [t.name for t in edited.taxes] == ["GST", "QST"]
    assert invoices.edit_invoice(db, invoice.id, due_on=None).due_on is None
    journal.undo(db)
    journal.undo(db)
    assert {t: r for t, r in dump().items() if t != "journal_entry"} == {
        t: r for t, r in before.items() if t != "journal_entry"
    }


def test_lines_round_trip_through_their_text_form(db: Database, job_id: int) -> None:  # noqa: F811
    lines = [("Album, deluxe", 1, 950_00), ("Prints", 3, 12_50)]
    invoice = invoices.add_invoice(db, lines, job=job_id)
    text = invoices.lines_text(invoice)
    assert text == "1 | Album, deluxe | 950.00\n3 | Prints | 12.50\n"
    assert invoices.parse_lines(text + "\n") == lines
    with pytest.raises(StudioflowError, match="line 2 is not"):
        invoices.parse_lines("1 | A | 1\n2 | B\n")
    with pytest.raises(StudioflowError, match="line 1: the quantity 'two'"):
        invoices.parse_lines("two | A | 1")


def test_only_a_draft_is_edited_and_only_a_sent_one_corrected(
    db: Database,
    job_id: int,  # noqa: F811
    refused: Callable[..., str],
) -> None:
    draft = invoices.add_invoice(db, [("Album", 1, 950_00)], job=job_id, today=TODAY)
    refused(invoices.correct, db, draft.id, match="only a sent invoice is corrected")
    invoices.set_status(db, draft.id, "sent")
    refused(invoices.edit_invoice, db, draft.id, notes="x", match="only a draft is edited")
    refused(invoices.edit_invoice, db, draft.id, match="only a draft")


def test_a_sent_invoice_is_corrected_by_voiding_it_and_a_new_number(
    db: Database,
    job_id: int,  # noqa: F811
    dump: Callable[[], Dump],
) -> None:
    sent = invoices.add_invoice(db, [("Album", 1, 950_00)], job=job_id, taxes=QUEBEC, notes="n", today=TODAY)
    invoices.set_status(db, sent.id, "sent")
    before = dump()
    fresh = invoices.correct(db, sent.number, today=TODAY)
    assert invoices.get_invoice(db, sent.id).status == "void"
    assert (fresh.number, fresh.status, fresh.replaces, fresh.notes) == ("INV-0002", "draft", "INV-0001", "n")
    assert fresh.total_cents == sent.total_cents
    assert [t.name for t in fresh.taxes] == ["GST", "QST"]
    # Numbers are never reused: the next one comes after both.
    assert invoices.add_invoice(db, [("X", 1, 1)], job=job_id).number == "INV-0003"
    journal.undo(db)  # the INV-0003
    journal.undo(db)  # the correction
    assert invoices.get_invoice(db, sent.id).status == "sent"
    assert {t: r for t, r in dump().items() if t != "journal_entry"} == {
        t: r for t, r in before.items() if t != "journal_entry"
    }


def test_a_schema_4_file_keeps_every_invoice_and_its_rate_as_a_named_tax(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    schemas = Path(__file__).parents[1] / "store" / "schemas"
    with closing(sqlite3.connect(old)) as conn:
        conn.executescript((schemas / "v1.sql").read_text())
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute("PRAGMA user_version=1")
        conn.execute(
            "INSERT INTO client (id, name, email, phone, tags, notes, created_at)"
            " VALUES (1, 'Ann', '', '', '[]', '', '2026-01-01')"
        )
        conn.executemany(
            "INSERT INTO invoice (id, client_id, number, issued_on, status, tax_rate_bp)"
            " VALUES (?, 1, ?, '2026-03-02', 'sent', ?)",
            [(1, "INV-0001", 825), (2, "INV-0002", 0)],
        )
        conn.executemany(
            "INSERT INTO invoice_line (invoice_id, description, quantity, unit_price_cents, position)"
            " VALUES (?, 'X', 1, 10000, 0)",
            [(1,), (2,)],
        )
        conn.commit()
    db = open_database(old)
    try:
        got = {i.number: (i.total_cents, [(t.name, t.rate_ppm) for t in i.taxes]) for i in invoices.list_invoices(db)}
    finally:
        db.close()
    assert got == {"INV-0001": (108_25, [("Tax", 82_500)]), "INV-0002": (100_00, [])}
