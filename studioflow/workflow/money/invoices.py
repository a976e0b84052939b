"""Invoices: numbered, with lines, named taxes and a status; all money in integer cents.

Rounding rule: line amounts are exact (quantity * unit price); each tax (GST 5 %,
QST 9.975 %) is computed on the subtotal and rounded half up to the cent on its own
(1.005 → 1.01). The total is the subtotal plus every tax. Rates are parts per million
(9.975 % = 99750), so no float is ever used.

Status: draft → sent → paid, or void (from draft or sent). A sent invoice past its due
date is overdue. Reopening is allowed where it corrects a slip: sent → draft, paid → sent.
Only a draft is edited; a sent one is corrected by `correct`: it is voided and a new
draft, with a new number, takes its place (numbers are never reused).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Literal

from sqlmodel import Session, col, select

from studioflow.config import Config
from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import (
    Client,
    Condition,
    Invoice,
    InvoiceLine,
    InvoiceTax,
    Job,
    JobClient,
    OutboxMessage,
)
from studioflow.store.text import fold
from studioflow.workflow import lookup
from studioflow.workflow.automations import automations, outbox
from studioflow.workflow.jobs import journal
from studioflow.workflow.jobs.pipelines import after_last
from studioflow.workflow.values import MAX_CENTS, money, parse_cents, parse_quantity, quantity_times
from studioflow.workflow.views import InvoiceLineView, InvoiceTaxView, InvoiceView, from_row

TRANSITIONS = {
    "draft": ("sent", "void"),
    "sent": ("paid", "void", "draft"),
    "paid": ("sent",),
    "void": (),
}
UNPAID = ("sent",)  # what a client owes: invoices asked for and not paid (drafts are not asked yet)
MAX_QUANTITY = 1_000_000
MAX_RATE_PPM = 1_000_000  # 100 %
PPM = 1_000_000
MAX_TAXES = 5
NUMBER = re.compile(r"^(.*?)(\d+)$")

Line = tuple[str, int, int]  # (description, quantity, unit price in cents)
Tax = tuple[str, int]  # (name, rate in parts per million)


def tax_cents(base_cents: int, rate_ppm: int) -> int:
    """The tax on `base_cents`, rounded half up to the cent: (base * ppm + 500000) // 1000000."""
    return (base_cents * rate_ppm + PPM // 2) // PPM


def totals(lines: Iterable[tuple[int, int]], rates_ppm: Sequence[int]) -> tuple[int, tuple[int, ...], int]:
    """(subtotal, each tax, total) in cents for lines of (quantity, unit price in cents).

    Every tax is on the subtotal and rounded on its own; the total is their sum.
    """
    subtotal = sum(quantity * price for quantity, price in lines)
    taxes = tuple(tax_cents(subtotal, rate) for rate in rates_ppm)
    return subtotal, taxes, subtotal + sum(taxes)


def rate_text(rate_ppm: int) -> str:
    """99750 → "9.975", 50000 → "5" (a percentage, without trailing zeros)."""
    text = f"{Decimal(rate_ppm) / 10_000:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_rate(text: str) -> int:
    """ "9.975" or "9.975%" → 99750 parts per million (at most three decimals of a percent)."""
    cleaned = text.strip().removesuffix("%").strip()
    try:
        value = Decimal(cleaned) * 10_000
    except InvalidOperation:
        raise StudioflowError(f"{text!r} is not a tax rate (a percentage, e.g. 8.25 or 9.975)") from None
    # Three decimals of a percent: a whole number of ppm that is a multiple of 10.
    if not value.is_finite() or value != (value / 10).to_integral_value() * 10 or not 0 <= value <= MAX_RATE_PPM:
        raise StudioflowError(f"a tax rate is a percentage from 0 to 100 with at most three decimals, not {text!r}")
    return int(value)


def parse_tax(text: str) -> Tax:
    """ "GST=5", "QST 9.975 %" or a bare "8.25" (named "Tax") → (name, rate in ppm)."""
    cleaned = text.strip().removesuffix("%").strip()
    name, _, rate = cleaned.rpartition("=") if "=" in cleaned else cleaned.rpartition(" ")
    return _clean_tax(name.strip() or "Tax", parse_rate(rate))


def parse_lines(text: str) -> list[Line]:
    """Lines of "quantity | description | unit price" (as `lines_text` writes them) → lines."""
    lines = []
    for number, row in enumerate(text.splitlines(), 1):
        if not row.strip():
            continue
        parts = [part.strip() for part in row.split("|")]
        if len(parts) != 3:
            raise StudioflowError(f"line {number} is not 'quantity | description | unit price': {row.strip()!r}")
        quantity, description, price = parts
        count = parse_quantity(quantity, f"line {number}: the quantity")
        lines.append((description, count, parse_cents(price, f"line {number}'s price")))
    return lines


def lines_text(invoice: InvoiceView) -> str:
    """The lines in the form `parse_lines` reads."""
    return "".join(f"{li.quantity} | {li.description} | {_plain(li.unit_price_cents)}\n" for li in invoice.lines)


def parse_taxes(text: str) -> list[Tax]:
    """ "GST 5; QST 9.975" → two taxes; "" → none."""
    return [parse_tax(part) for part in text.split(";") if part.strip()]


def taxes_text(taxes: Iterable[tuple[str, int]]) -> str:
    """The form `parse_taxes` reads: "GST 5; QST 9.975"."""
    return "; ".join(f"{name} {rate_text(rate)}" for name, rate in taxes)


def add_invoice(
    db: Database,
    lines: Sequence[Line],
    job: int | str | None = None,
    client: int | str | None = None,
    issued_on: date | None = None,
    due_on: date | None = None,
    taxes: Sequence[Tax] = (),
    number: str | None = None,
    today: date | None = None,
    notes: str = "",
    replaces: int | None = None,
) -> InvoiceView:
    """A draft invoice. The client defaults to the job's primary client; the number to the next free one."""
    issued_on = issued_on or today or date.today()
    if due_on is not None and due_on < issued_on:
        raise StudioflowError(f"an invoice cannot be due ({due_on}) before it is issued ({issued_on})")
    clean_taxes = _clean_taxes(taxes)
    clean_lines = [_clean_line(*line) for line in lines]
    notes = _clean_notes(notes)
    with db.write() as session:
        job_row, client_id = lookup.job_and_client(session, job, client)
        if client_id is None:
            raise StudioflowError("an invoice needs a client to bill (give one, or add one to the job)")
        if number is None:
            number = _next_number(session)
        else:
            number = lookup.clean_name(number, "an invoice number")
            if session.exec(select(Invoice.id).where(lookup.same_name(Invoice.number, number))).first():
                raise StudioflowError(f"invoice number {number!r} is already used")
        invoice = Invoice(
            number=number,
            job_id=None if job_row is None else job_row.id,
            client_id=client_id,
            issued_on=issued_on,
            due_on=due_on,
            notes=notes,
            replaces_id=replaces,
        )
        with journal.recording(session, f"add invoice {number}") as rec:
            session.add(invoice)
            session.flush()
            rec.add_row("invoice", invoice.saved_id)
            _put_lines(session, rec, invoice.saved_id, clean_lines)
            _put_taxes(session, rec, invoice.saved_id, clean_taxes)
        from studioflow.workflow.jobs import tracking  # builds on the automations, which build on this module

        tracking.enter_default(session, "invoices", invoice.saved_id)
        return _views(session, today, Invoice.id == invoice.id)[0]


def edit_invoice(
    db: Database,
    invoice: int | str,
    *,
    lines: Sequence[Line] | None = None,
    taxes: Sequence[Tax] | None = None,
    client: int | str | None = None,
    due_on: date | Literal[False] | None = False,
    notes: str | None = None,
    today: date | None = None,
) -> InvoiceView:
    """Change a draft: its lines (all replaced), taxes (all replaced), payer, due date
    (None for none; False leaves it) or notes. A sent invoice is corrected with `correct`. Undoable."""
    clean_lines = None if lines is None else [_clean_line(*line) for line in lines]
    clean_taxes = None if taxes is None else _clean_taxes(taxes)
    with db.write() as session:
        row = lookup.invoice(session, invoice)
        if row.status != "draft":
            raise StudioflowError(
                f"invoice {row.number} is {row.status}; only a draft is edited (correct it: it is voided and "
                "a new draft takes its place)"
            )
        with journal.recording(session, f"edit invoice {row.number}") as rec:
            rec.watch_rows("invoice", [row.saved_id])
            if client is not None:
                row.client_id = lookup.client(session, client).id
            if due_on is not False:
                if due_on is not None and due_on < row.issued_on:
                    raise StudioflowError(f"an invoice cannot be due ({due_on}) before it is issued ({row.issued_on})")
                row.due_on = due_on
            if notes is not None:
                row.notes = _clean_notes(notes)
            session.add(row)
            if clean_lines is not None:
                _put_lines(session, rec, row.saved_id, clean_lines, replace=True)
            if clean_taxes is not None:
                _put_taxes(session, rec, row.saved_id, clean_taxes, replace=True)
            session.flush()
        return _views(session, today, Invoice.id == row.id)[0]


def correct(db: Database, invoice: int | str, today: date | None = None) -> InvoiceView:
    """Void a sent invoice and make a new draft in its place (same job, payer, lines, taxes,
    notes; a new number): the draft is then edited and sent. Undoable."""
    with db.write() as session:
        row = lookup.invoice(session, invoice)
        if row.status != "sent":
            raise StudioflowError(
                f"invoice {row.number} is {row.status}; only a sent invoice is corrected (a draft is edited)"
            )
        old = _views(session, today, Invoice.id == row.id)[0]
        with journal.recording(session, f"correct invoice {row.number}") as rec:
            rec.watch_rows("invoice", [row.saved_id])
            row.status = "void"
            session.add(row)
            session.flush()
            fresh = add_invoice(
                db,
                [(li.description, li.quantity, li.unit_price_cents) for li in old.lines],
                job=row.job_id,
                client=row.client_id,
                due_on=row.due_on if row.due_on is None or row.due_on >= (today or date.today()) else None,
                taxes=[(t.name, t.rate_ppm) for t in old.taxes],
                notes=row.notes,
                replaces=row.id,
                today=today,
            )
        return fresh


def _put_lines(
    session: Session, rec: journal.Recording, invoice_id: int, lines: Sequence[Line], replace: bool = False
) -> None:
    made = [
        InvoiceLine(
            invoice_id=invoice_id, description=description, quantity=quantity, unit_price_cents=price, position=i
        )
        for i, (description, quantity, price) in enumerate(lines)
    ]
    _put_rows(session, rec, InvoiceLine, invoice_id, made, replace)


def _put_taxes(
    session: Session, rec: journal.Recording, invoice_id: int, taxes: Sequence[Tax], replace: bool = False
) -> None:
    made = [
        InvoiceTax(invoice_id=invoice_id, name=name, rate_ppm=rate, position=i) for i, (name, rate) in enumerate(taxes)
    ]
    _put_rows(session, rec, InvoiceTax, invoice_id, made, replace)


def _put_rows(
    session: Session,
    rec: journal.Recording,
    model: type[InvoiceLine] | type[InvoiceTax],
    invoice_id: int,
    made: Sequence[InvoiceLine | InvoiceTax],
    replace: bool,
) -> None:
    """Add the invoice's new lines or taxes (`replace`: in place of its old ones), each undoable."""
    table = model.__tablename__
    if replace:
        old = session.exec(select(model).where(model.invoice_id == invoice_id)).all()
        rec.watch_rows(table, [row.saved_id for row in old])
        for row in old:
            session.delete(row)
        session.flush()
    for row in made:
        session.add(row)
        session.flush()
        rec.add_row(table, row.saved_id)


def add_line(db: Database, invoice: int | str, description: str, quantity: int, unit_price_cents: int) -> InvoiceView:
    """One more line on a draft invoice."""
    description, quantity, unit_price_cents = _clean_line(description, quantity, unit_price_cents)
    with db.write() as session:
        row = lookup.invoice(session, invoice)
        if row.status != "draft":
            raise StudioflowError(f"invoice {row.number} is {row.status}; only a draft can change its lines")
        line = InvoiceLine(
            invoice_id=row.saved_id,
            description=description,
            quantity=quantity,
            unit_price_cents=unit_price_cents,
            position=after_last(session, InvoiceLine.position, InvoiceLine.invoice_id == row.id, first=-1),
        )
        with journal.recording(session, f"add a line to invoice {row.number}") as rec:
            session.add(line)
            session.flush()
            rec.add_row("invoice_line", line.saved_id)
        return _views(session, None, Invoice.id == row.id)[0]


def set_status(db: Database, invoice: int | str, status: str, today: date | None = None) -> InvoiceView:
    """Move an invoice along draft → sent → paid (or void); refused when the step makes no sense."""
    with db.write() as session:
        row = lookup.invoice(session, invoice)
        if status not in TRANSITIONS:
            raise StudioflowError(f"{status!r} is not an invoice status ({', '.join(TRANSITIONS)})")
        if status == row.status:
            raise StudioflowError(f"invoice {row.number} is already {status}")
        if status not in TRANSITIONS[row.status]:
            allowed = ", ".join(TRANSITIONS[row.status]) or "nothing (it is final)"
            raise StudioflowError(f"invoice {row.number} is {row.status}: it can become {allowed}, not {status}")
        has_lines = session.exec(select(InvoiceLine.id).where(InvoiceLine.invoice_id == row.id)).first()
        if status == "sent" and not has_lines:
            raise StudioflowError(f"invoice {row.number} has no lines; add one before sending it")
        row.status = status
        session.flush()
        if status in ("paid", "void"):
            from studioflow.workflow.jobs import tracking  # builds on the automations, which build on this module

            tracking.finish(session, "invoices", row.saved_id)
        return _views(session, today, Invoice.id == row.id)[0]


def email_invoice(
    db: Database,
    invoice: int | str,
    template: int | str,
    me: Mapping[str, str],
    today: date | None = None,
    config: Config | None = None,
) -> tuple[InvoiceView, str]:
    """Queue the invoice in the outbox to its client: the template is the letter, the invoice follows it as text.

    A draft becomes sent. Returns the invoice and the address it goes to.
    """
    # Imported on use: jinja2 is only loaded when a message is written.
    from studioflow.workflow.automations import templates

    with db.write() as session:
        row = lookup.invoice(session, invoice)
        if row.status in ("paid", "void"):
            raise StudioflowError(f"invoice {row.number} is {row.status}; there is nothing to ask for")
        letter = lookup.template(session, template)
        if letter.channel != "email":
            raise StudioflowError(f"template {letter.name!r} is a text message; an invoice goes by email")
        client = None if row.client_id is None else session.get(Client, row.client_id)
        if client is None or not client.email:
            who = client.name if client else "the invoice's client"
            raise StudioflowError(f"{who} has no email address to send invoice {row.number} to")
        prefix = f"invoice-{row.id}-"
        earlier = session.exec(
            select(OutboxMessage.state).where(col(OutboxMessage.idempotency_key).startswith(prefix))
        ).all()
        if any(state in ("queued", "sending", "held") for state in earlier):
            raise StudioflowError(f"an email with invoice {row.number} is already waiting in the outbox")
        if row.status == "draft":
            set_status(db, row.saved_id, "sent", today)
        view = _views(session, today, Invoice.id == row.id)[0]
        context = templates.job_context(session, row.job_id, me, today, invoice_id=row.id)
        # The letter greets the payer, who may not be the job's primary client.
        context["client"] = templates.client_values(client)
        subject, body = templates.render(letter.subject, letter.body, context)
        text = body.rstrip("\n") + "\n\n" + invoice_text(view)
        # The user's "undo send" window, from the config the caller read (else the file, now).
        delay = automations.message_config(session, config).send_delay()
        key = f"{prefix}{len(earlier) + 1}"
        outbox.enqueue(session, key, "email", client.email, subject, text, row.job_id, delay, seed=f"invoice{row.id}")
        return view, client.email


def copy_invoice(
    session: Session, model: Invoice, job: Job, due_in_days: int, today: date | None = None
) -> Invoice | None:
    """A new invoice like `model` (its lines and tax) for the job's payer, issued today and
    due in `due_in_days`, already `sent` (the caller emails it); inside the caller's transaction.
    None when the job has nobody to bill."""
    payer = session.exec(
        select(JobClient.client_id).where(JobClient.job_id == job.id, lookup.same_name(JobClient.role, "payer"))
    ).first()
    client_id = payer if payer is not None else job.client_id
    if client_id is None:
        return None
    issued = today or date.today()
    invoice = Invoice(
        number=_next_number(session),
        job_id=job.id,
        client_id=client_id,
        issued_on=issued,
        due_on=issued + timedelta(days=due_in_days),
        status="sent",
    )
    session.add(invoice)
    session.flush()
    lines = session.exec(
        select(InvoiceLine).where(InvoiceLine.invoice_id == model.id).order_by(col(InvoiceLine.position))
    ).all()
    for line in lines:
        session.add(
            InvoiceLine(
                invoice_id=invoice.saved_id,
                description=line.description,
                quantity=line.quantity,
                unit_price_cents=line.unit_price_cents,
                position=line.position,
            )
        )
    taxes = session.exec(select(InvoiceTax).where(InvoiceTax.invoice_id == model.id)).all()
    for tax in taxes:
        session.add(
            InvoiceTax(invoice_id=invoice.saved_id, name=tax.name, rate_ppm=tax.rate_ppm, position=tax.position)
        )
    session.flush()
    return invoice


def invoice_text(invoice: InvoiceView) -> str:
    """The invoice as plain text, for an email body (monospace-friendly columns)."""
    lines = [f"Invoice {invoice.number}", f"Issued: {invoice.issued_on.isoformat()}"]
    if invoice.due_on:
        lines.append(f"Due: {invoice.due_on.isoformat()}")
    lines.append("")
    lines += invoice_rows(invoice, times="x", clip=True)
    if invoice.notes:
        lines += ["", invoice.notes]
    return "\n".join(lines) + "\n"


def invoice_rows(invoice: InvoiceView, times: str = "\u00d7", clip: bool = False) -> list[str]:
    """The lines, the subtotal, each tax and the total (last) in columns, as the email and the
    job page show them; `clip` cuts a description to its column."""
    rows = []
    for line in invoice.lines:
        description = line.description[:40] if clip else line.description
        each = quantity_times(line.quantity, line.unit_price_cents, times)
        rows.append(f"{description:<40} {each:>18} {money(line.amount_cents):>14}")
    rows.append(f"{'Subtotal':<59} {money(invoice.subtotal_cents):>14}")
    rows += [f"{tax_label(tax):<59} {money(tax.amount_cents):>14}" for tax in invoice.taxes]
    rows.append(f"{'Total':<59} {money(invoice.total_cents):>14}")
    return rows


def tax_label(tax: InvoiceTaxView) -> str:
    """ "QST 9.975 %" """
    return f"{tax.name} {rate_text(tax.rate_ppm)} %"


def invoice_context(invoice: InvoiceView) -> dict[str, str]:
    """The {{ invoice.* }} placeholders: amounts as printed, taxes one after the other."""
    return {
        "number": invoice.number,
        "subtotal": money(invoice.subtotal_cents),
        "taxes": "; ".join(f"{tax_label(t)}: {money(t.amount_cents)}" for t in invoice.taxes),
        "total": money(invoice.total_cents),
        "due": invoice.due_on.isoformat() if invoice.due_on else "",
    }


def get_invoice(db: Database, invoice: int | str, today: date | None = None) -> InvoiceView:
    with db.read() as session:
        return _views(session, today, Invoice.id == lookup.invoice(session, invoice).id)[0]


def list_invoices(
    db: Database,
    job: int | str | None = None,
    client: int | str | None = None,
    today: date | None = None,
) -> list[InvoiceView]:
    with db.read() as session:
        return _views(session, today, *lookup.of_job_and_client(session, Invoice, job, client))


def owed_cents(invoices: Iterable[InvoiceView]) -> int:
    return sum(i.total_cents for i in invoices if i.status in UNPAID)


def to_csv(invoices: Iterable[InvoiceView]) -> str:
    """One row per invoice, amounts as decimal strings (a spreadsheet reads them as numbers)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["number", "job", "client", "issued", "due", "status", "overdue", "subtotal", "tax", "total"])
    for i in invoices:
        writer.writerow(
            [
                i.number,
                i.job or "",
                i.client or "",
                i.issued_on.isoformat(),
                i.due_on.isoformat() if i.due_on else "",
                i.status,
                "yes" if i.overdue else "",
                _plain(i.subtotal_cents),
                _plain(i.tax_cents),
                _plain(i.total_cents),
            ]
        )
    return out.getvalue()


def _clean_tax(name: str, rate_ppm: int) -> Tax:
    name = lookup.clean_name(name, "a tax name")
    if len(name) > 40:
        raise StudioflowError(f"a tax name is at most 40 characters, not {len(name)}")
    if not 0 <= rate_ppm <= MAX_RATE_PPM:
        raise StudioflowError(f"a tax rate is between 0 and 100 %, not {rate_text(rate_ppm)} %")
    return name, rate_ppm


def _clean_taxes(taxes: Sequence[Tax]) -> list[Tax]:
    clean = [_clean_tax(name, rate) for name, rate in taxes]
    if len(clean) > MAX_TAXES:
        raise StudioflowError(f"an invoice has at most {MAX_TAXES} taxes, not {len(clean)}")
    names = [fold(name) for name, _ in clean]
    if len(set(names)) != len(names):
        raise StudioflowError("two taxes of an invoice have the same name")
    return clean


MAX_NOTES = 2_000


def _clean_notes(notes: str) -> str:
    notes = notes.strip()
    if len(notes) > MAX_NOTES:
        raise StudioflowError(f"an invoice's notes are at most {MAX_NOTES} characters, not {len(notes)}")
    if "\x00" in notes:
        raise StudioflowError("an invoice's notes must be text")
    return notes


def _plain(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _clean_line(description: str, quantity: int, unit_price_cents: int) -> Line:
    description = " ".join(description.split())
    if not description:
        raise StudioflowError("an invoice line needs a description")
    if len(description) > lookup.MAX_NAME:
        raise StudioflowError(f"an invoice line's description is too long (at most {lookup.MAX_NAME} characters)")
    if quantity <= 0:
        raise StudioflowError(f"the quantity of {description!r} must be 1 or more, not {quantity}")
    if quantity > MAX_QUANTITY:
        raise StudioflowError(f"the quantity of {description!r} is too large ({quantity})")
    if unit_price_cents < 0:
        raise StudioflowError(f"the unit price of {description!r} cannot be negative")
    if unit_price_cents > MAX_CENTS:
        raise StudioflowError(f"the unit price of {description!r} is too large")
    return description, quantity, unit_price_cents


def _next_number(session: Session) -> str:
    """INV-0001, INV-0002...: one past the highest number that ends in digits (the unique index guards races)."""
    best: tuple[int, str, int] | None = None
    for number in session.exec(select(Invoice.number)).all():
        match = NUMBER.match(number)
        if match and (best is None or int(match[2]) > best[0]):
            best = (int(match[2]), match[1], len(match[2]))
    if best is None:
        return "INV-0001"
    value, prefix, width = best
    candidate = f"{prefix}{value + 1:0{width}d}"
    while session.exec(select(Invoice.id).where(lookup.same_name(Invoice.number, candidate))).first():
        value += 1
        candidate = f"{prefix}{value + 1:0{width}d}"
    return candidate


def invoice_views(session: Session, today: date | None, *conditions: Condition) -> list[InvoiceView]:
    """Invoices with their totals, inside the caller's transaction (templates read them)."""
    return _views(session, today, *conditions)


def _views(session: Session, today: date | None, *conditions: Condition) -> list[InvoiceView]:
    today = today or date.today()
    query = lookup.with_job_and_client(Invoice).where(*conditions).order_by(col(Invoice.issued_on), col(Invoice.id))
    rows = session.exec(query).all()
    lines: dict[int, list[InvoiceLineView]] = {invoice.saved_id: [] for invoice, _, _ in rows}
    chosen = select(Invoice.id).where(*conditions)
    line_rows = session.exec(
        select(InvoiceLine)
        .where(col(InvoiceLine.invoice_id).in_(chosen))
        .order_by(col(InvoiceLine.invoice_id), col(InvoiceLine.position), col(InvoiceLine.id))
    ).all()
    for line in line_rows:
        amount = line.quantity * line.unit_price_cents
        lines[line.invoice_id].append(InvoiceLineView(line.description, line.quantity, line.unit_price_cents, amount))
    rates: dict[int, list[InvoiceTax]] = {invoice.saved_id: [] for invoice, _, _ in rows}
    for tax in session.exec(
        select(InvoiceTax)
        .where(col(InvoiceTax.invoice_id).in_(chosen))
        .order_by(col(InvoiceTax.invoice_id), col(InvoiceTax.position), col(InvoiceTax.id))
    ).all():
        rates[tax.invoice_id].append(tax)
    numbers = dict(
        session.exec(
            select(Invoice.id, Invoice.number).where(
                col(Invoice.id).in_([invoice.replaces_id for invoice, _, _ in rows if invoice.replaces_id is not None])
            )
        ).all()
    )
    views = []
    for invoice, job, client in rows:
        own = lines[invoice.saved_id]
        own_taxes = rates[invoice.saved_id]
        subtotal, amounts, total = totals(
            ((li.quantity, li.unit_price_cents) for li in own), [t.rate_ppm for t in own_taxes]
        )
        tax_views = tuple(
            InvoiceTaxView(t.name, t.rate_ppm, subtotal, amount) for t, amount in zip(own_taxes, amounts, strict=True)
        )
        overdue = invoice.status in UNPAID and invoice.due_on is not None and invoice.due_on < today
        views.append(
            from_row(
                InvoiceView,
                invoice,
                id=invoice.saved_id,
                job=job,
                client=client,
                subtotal_cents=subtotal,
                tax_cents=sum(amounts),
                total_cents=total,
                overdue=overdue,
                lines=tuple(own),
                taxes=tax_views,
                replaces=numbers.get(invoice.replaces_id) if invoice.replaces_id is not None else None,
            )
        )
    return views
