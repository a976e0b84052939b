"""Invoices: numbers, totals in integer cents (tax rounded half up on the subtotal), status, overdue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import OutboxMessage, utcnow
from studioflow.workflow.automations import templates
from studioflow.workflow.jobs import jobs
from studioflow.workflow.money import invoices
from studioflow.workflow.people import clients, jobclients
from studioflow.workflow.views import PipelineView

TODAY = date(2026, 3, 2)


@pytest.fixture
def job_id(db: Database, wedding: PipelineView) -> int:
    clients.add_client(db, "Ava Martinez", "ava@example.com")
    clients.add_client(db, "Marco Lopez")
    return jobs.add_job(db, "Martinez-Lopez wedding", "Wedding", client="Ava Martinez").id


LINES = st.lists(st.tuples(st.integers(1, 10_000), st.integers(0, 10**8)), max_size=20)


RATES = st.lists(st.integers(0, invoices.MAX_RATE_PPM), max_size=invoices.MAX_TAXES)


@given(lines=LINES, rates=RATES)
def test_every_tax_is_rounded_half_up_on_the_subtotal_and_the_total_sums_them(
    lines: list[tuple[int, int]], rates: list[int]
) -> None:
    subtotal, taxes, total = invoices.totals(lines, rates)
    assert subtotal == sum(q * p for q, p in lines)
    # The rule, computed independently in decimal: subtotal * rate, each half up to the cent.
    for rate, tax in zip(rates, taxes, strict=True):
        exact = Decimal(subtotal) * Decimal(rate) / Decimal(1_000_000)
        assert tax == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert total == subtotal + sum(taxes)
    assert all(isinstance(v, int) for v in (subtotal, *taxes, total))


@given(percent=st.decimals(0, 100, places=3, allow_nan=False, allow_infinity=False))
def test_any_rate_with_three_decimals_parses_exactly(percent: Decimal) -> None:
    ppm = invoices.parse_rate(f"{percent}")
    assert Decimal(ppm) == percent * 10_000
    assert Decimal(invoices.rate_text(ppm)) == percent


def test_the_tax_rounds_half_up_at_exactly_half_a_cent() -> None:
    assert invoices.totals([(1, 10)], [50_000]) == (10, (1,), 11)  # 0.5 cent -> 1
    assert invoices.totals([(1, 10)], [49_900]) == (10, (0,), 10)  # 0.499 cent -> 0
    assert invoices.totals([(3, 405000 // 3)], [82_500]) == (405000, (33413,), 438413)  # 334.125 -> 334.13
    # GST 5 % and QST 9.975 % on 100.10: 5.005 -> 5.01 and 9.984975 -> 9.98, each on its own.
    assert invoices.totals([(1, 100_10)], [50_000, 99_750]) == (100_10, (5_01, 9_98), 115_09)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lines": [("Album", -1, 100)]}, "quantity of 'Album' must be 1 or more"),
        ({"lines": [("Album", 0, 100)]}, "quantity"),
        ({"lines": [("Album", 1, -5)]}, "unit price of 'Album' cannot be negative"),
        ({"lines": [("  ", 1, 5)]}, "needs a description"),
        ({"client": "Nobody Here"}, "no client 'Nobody Here'"),
        ({"due_on": date(2026, 3, 1)}, r"cannot be due \(2026-03-01\) before it is issued \(2026-03-02\)"),
        ({"taxes": [("GST", 1_000_001)]}, "tax rate"),
        ({"taxes": [("GST", 5_000), ("gst", 6_000)]}, "same name"),
        ({"taxes": [("", 5_000)]}, "tax name"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    db: Database, job_id: int, refused: Callable[..., str], kwargs: dict[str, object], match: str
) -> None:
    args: dict[str, object] = {"lines": [("Coverage", 1, 100)], "job": job_id, "issued_on": TODAY, **kwargs}
    refused(invoices.add_invoice, db, match=match, **args)


def test_an_invoice_needs_someone_to_bill(db: Database, wedding: PipelineView, refused: Callable[..., str]) -> None:
    job = jobs.add_job(db, "No client yet", "Wedding")
    refused(invoices.add_invoice, db, [("X", 1, 1)], job=job.id, match="needs a client")


def test_status_goes_draft_sent_paid_and_refuses_nonsense(db: Database, job_id: int) -> None:
    invoice = invoices.add_invoice(db, [("Coverage", 2, 500_00)], job=job_id, today=TODAY)
    assert invoice.status == "draft"
    with pytest.raises(StudioflowError, match="draft: it can become sent, void, not paid"):
        invoices.set_status(db, invoice.number, "paid")
    assert invoices.set_status(db, invoice.number, "sent").status == "sent"
    assert invoices.set_status(db, invoice.id, "paid").status == "paid"
    with pytest.raises(StudioflowError, match="not an invoice status"):
        invoices.set_status(db, invoice.id, "lost")
    with pytest.raises(StudioflowError, match="only a draft"):
        invoices.add_line(db, invoice.id, "More", 1, 1)
    empty = invoices.add_invoice(db, [], job=job_id, today=TODAY)
    with pytest.raises(StudioflowError, match="no lines"):
        invoices.set_status(db, empty.id, "sent")
    assert invoices.set_status(db, empty.id, "void").status == "void"
    with pytest.raises(StudioflowError, match="final"):
        invoices.set_status(db, empty.id, "draft")


def test_overdue_means_sent_and_past_due(db: Database, job_id: int) -> None:
    invoice = invoices.add_invoice(db, [("A", 1, 100)], job=job_id, issued_on=TODAY, due_on=date(2026, 3, 16))
    assert not invoices.get_invoice(db, invoice.id, today=date(2026, 4, 1)).overdue  # a draft is not asked for yet
    invoices.set_status(db, invoice.id, "sent")
    assert not invoices.get_invoice(db, invoice.id, today=date(2026, 3, 16)).overdue  # due today is not late
    assert invoices.get_invoice(db, invoice.id, today=date(2026, 3, 17)).overdue
    invoices.set_status(db, invoice.id, "paid")
    assert not invoices.get_invoice(db, invoice.id, today=date(2026, 4, 1)).overdue


def test_lines_keep_their_order_and_totals_follow(db: Database, job_id: int) -> None:
    invoice = invoices.add_invoice(db, [("Album", 1, 950_00)], job=job_id, taxes=[("Tax", 82_500)], today=TODAY)
    invoice = invoices.add_line(db, invoice.number, "Parent albums", 2, 280_00)
    assert [li.description for li in invoice.lines] == ["Album", "Parent albums"]
    assert [li.amount_cents for li in invoice.lines] == [950_00, 560_00]
    assert (invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents) == (1510_00, 124_58, 1634_58)


def test_what_a_client_owes_and_the_csv(db: Database, job_id: int) -> None:
    jobclients.add_job_client(db, job_id, "Marco Lopez", "payer")
    a = invoices.add_invoice(db, [("A", 1, 100_00)], job=job_id, today=TODAY)
    b = invoices.add_invoice(db, [("B", 1, 50_00)], job=job_id, client="Marco Lopez", today=TODAY)
    for invoice in (a, b):
        invoices.set_status(db, invoice.id, "sent")
    invoices.set_status(db, a.id, "paid")
    assert invoices.owed_cents(invoices.list_invoices(db, client="Marco Lopez")) == 50_00
    assert invoices.owed_cents(invoices.list_invoices(db, client="Ava Martinez")) == 0
    text = invoices.to_csv(invoices.list_invoices(db, job=job_id))
    assert text.splitlines()[1] == "INV-0001,Martinez-Lopez wedding,Ava Martinez,2026-03-02,,paid,,100.00,0.00,100.00"


@pytest.mark.parametrize(
    ("text", "cents"), [("12", 1200), ("12.5", 1250), ("1,234.56", 123456), ("$0.01", 1), ("  7.00 ", 700)]
)
def test_amounts_parse_to_cents(text: str, cents: int) -> None:
    assert invoices.parse_cents(text) == cents


@pytest.mark.parametrize(("text", "match"), [("-3", "negative"), ("1.001", "fraction of a cent"), ("abc", "not an")])
def test_bad_amounts_are_refused(text: str, match: str) -> None:
    with pytest.raises(StudioflowError, match=match):
        invoices.parse_cents(text)


@pytest.mark.parametrize(
    ("text", "tax"),
    [
        ("8.25%", ("Tax", 82_500)),
        ("QST=9.975", ("QST", 99_750)),
        ("GST 5 %", ("GST", 50_000)),
        ("HST=13", ("HST", 130_000)),
    ],
)
def test_taxes_parse_to_a_name_and_parts_per_million(text: str, tax: tuple[str, int]) -> None:
    assert invoices.parse_tax(text) == tax
    assert invoices.parse_taxes("GST 5; QST 9.975") == [("GST", 50_000), ("QST", 99_750)]
    assert invoices.taxes_text([("GST", 50_000), ("QST", 99_750)]) == "GST 5; QST 9.975"


@pytest.mark.parametrize("text", ["9.9751", "101", "-1", "abc", "QST="])
def test_bad_tax_rates_are_refused(text: str) -> None:
    with pytest.raises(StudioflowError, match="tax rate"):
        invoices.parse_tax(text)


def test_emailing_queues_the_letter_and_the_invoice_to_the_payer_once(db: Database, job_id: int) -> None:
    templates.create_template(
        db, "Invoice letter", "email", "Invoice for {{ job.title }}", "Hi {{ client.first_name }},\n"
    )
    invoice = invoices.add_invoice(db, [("Album", 1, 950_00)], job=job_id, today=TODAY)
    view, address = invoices.email_invoice(db, invoice.number, "invoice letter", {"name": "Jo"}, today=TODAY)
    assert (view.status, address) == ("sent", "ava@example.com")
    with db.read() as session:
        (message,) = session.exec(select(OutboxMessage)).all()
    assert (message.to_addr, message.state, message.job_id) == ("ava@example.com", "queued", job_id)
    assert message.subject == "Invoice for Martinez-Lopez wedding"
    assert message.body.startswith("Hi Ava,\n\nInvoice INV-0001\n")
    assert message.body.splitlines()[-1].split() == ["Total", "950.00"]
    with pytest.raises(StudioflowError, match="already waiting in the outbox"):
        invoices.email_invoice(db, invoice.id, "Invoice letter", {}, today=TODAY)
    unreachable = invoices.add_invoice(db, [("Prints", 1, 100)], job=job_id, client="Marco Lopez", today=TODAY)
    with pytest.raises(StudioflowError, match="Marco Lopez has no email address"):
        invoices.email_invoice(db, unreachable.id, "Invoice letter", {}, today=TODAY)
    with pytest.raises(StudioflowError, match="no template 'Nope'"):
        invoices.email_invoice(db, unreachable.id, "Nope", {}, today=TODAY)
    assert invoices.get_invoice(db, unreachable.id).status == "draft"  # refused: nothing changed


def test_an_emailed_invoice_waits_out_the_users_send_delay(db: Database, job_id: int, private_config: Path) -> None:
    private_config.parent.mkdir()
    private_config.write_text("[outbox]\nsend_delay_seconds = 120\n", encoding="utf-8")
    templates.create_template(db, "Invoice letter", "email", "Invoice", "Hi,\n")
    invoice = invoices.add_invoice(db, [("Album", 1, 950_00)], job=job_id, today=TODAY)
    before = utcnow()
    invoices.email_invoice(db, invoice.id, "Invoice letter", {}, today=TODAY)
    with db.read() as session:
        (message,) = session.exec(select(OutboxMessage)).all()
    assert before + timedelta(seconds=115) <= message.send_at <= utcnow() + timedelta(seconds=120)
