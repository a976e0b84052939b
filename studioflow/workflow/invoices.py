"""Invoices: numbered, with lines, tax and a status; all money in integer cents.

Rounding rule: line amounts are exact (quantity * unit price); the tax is computed
once, on the subtotal, and rounded half up to the cent (1.005 → 1.01). The total is
subtotal + tax. Tax rates are basis points (8.25 % = 825), so no float is ever used.

Status: draft → sent → paid, or void (from draft or sent). A sent invoice past its due
date is overdue. Reopening is allowed where it corrects a slip: sent → draft, paid → sent.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from email.utils import make_msgid

from sqlalchemy import func
from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Client, Invoice, InvoiceLine, Job, MessageTemplate, OutboxMessage, utcnow
from studioflow.workflow import lookup
from studioflow.workflow.automations import MESSAGE_DOMAIN
from studioflow.workflow.views import InvoiceLineView, InvoiceView

TRANSITIONS = {
    "draft": ("sent", "void"),
    "sent": ("paid", "void", "draft"),
    "paid": ("sent",),
    "void": (),
}
UNPAID = ("sent",)  # what a client owes: invoices asked for and not paid (drafts are not asked yet)
MAX_CENTS = 10**12  # ten billion: past that an amount is a typo
MAX_QUANTITY = 1_000_000
MAX_TAX_BP = 10_000  # 100 %
NUMBER = re.compile(r"^(.*?)(\d+)$")

Line = tuple[str, int, int]  # (description, quantity, unit price in cents)


def totals(lines: Iterable[tuple[int, int]], tax_rate_bp: int) -> tuple[int, int, int]:
    """(subtotal, tax, total) in cents for lines of (quantity, unit price in cents).

    The tax is rounded half up on the subtotal: (subtotal * bp + 5000) // 10000.
    """
    subtotal = sum(quantity * price for quantity, price in lines)
    tax = (subtotal * tax_rate_bp + 5_000) // 10_000
    return subtotal, tax, subtotal + tax


def parse_cents(text: str, what: str = "an amount") -> int:
    """ "12", "12.5" or "1,234.56" (dollars, euros...) → cents; refused below 0 or past the cent."""
    cleaned = text.strip().replace(",", "").lstrip("$€£")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise StudioflowError(f"{what} {text!r} is not an amount (e.g. 1250 or 1250.50)") from None
    if not value.is_finite() or value < 0:
        raise StudioflowError(f"{what} cannot be negative ({text})")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise StudioflowError(f"{what} {text!r} has a fraction of a cent")
    if cents > MAX_CENTS:
        raise StudioflowError(f"{what} {text!r} is too large")
    return int(cents)


def parse_tax_rate(text: str) -> int:
    """ "8.25" or "8.25%" → 825 basis points."""
    cleaned = text.strip().removesuffix("%").strip()
    try:
        value = Decimal(cleaned) * 100
    except InvalidOperation:
        raise StudioflowError(f"{text!r} is not a tax rate (a percentage, e.g. 8.25)") from None
    if not value.is_finite() or value != value.to_integral_value() or not 0 <= value <= MAX_TAX_BP:
        raise StudioflowError(f"a tax rate is a percentage from 0 to 100 with at most two decimals, not {text!r}")
    return int(value)


def money(cents: int) -> str:
    """1234567 → "12,345.67" (no currency: the practice knows its own)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d}"


def add_invoice(
    db: Database,
    lines: Sequence[Line],
    job: int | str | None = None,
    client: int | str | None = None,
    issued_on: date | None = None,
    due_on: date | None = None,
    tax_rate_bp: int = 0,
    number: str | None = None,
    today: date | None = None,
) -> InvoiceView:
    """A draft invoice. The client defaults to the job's primary client; the number to the next free one."""
    issued_on = issued_on or today or date.today()
    if due_on is not None and due_on < issued_on:
        raise StudioflowError(f"an invoice cannot be due ({due_on}) before it is issued ({issued_on})")
    if not 0 <= tax_rate_bp <= MAX_TAX_BP:
        raise StudioflowError(f"a tax rate is between 0 and 100 %, not {tax_rate_bp / 100} %")
    clean_lines = [_clean_line(*line) for line in lines]
    with db.write() as session:
        job_row = None if job is None else lookup.job(session, job)
        client_id = None if client is None else lookup.client(session, client).id
        if client_id is None and job_row is not None:
            client_id = job_row.client_id
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
            tax_rate_bp=tax_rate_bp,
        )
        session.add(invoice)
        session.flush()
        for position, (description, quantity, price) in enumerate(clean_lines):
            session.add(
                InvoiceLine(
                    invoice_id=invoice.id,  # type: ignore[arg-type]
                    description=description,
                    quantity=quantity,
                    unit_price_cents=price,
                    position=position,
                )
            )
        session.flush()
        return _views(session, today, Invoice.id == invoice.id)[0]


def add_line(db: Database, invoice: int | str, description: str, quantity: int, unit_price_cents: int) -> InvoiceView:
    """One more line on a draft invoice."""
    description, quantity, unit_price_cents = _clean_line(description, quantity, unit_price_cents)
    with db.write() as session:
        row = _invoice(session, invoice)
        if row.status != "draft":
            raise StudioflowError(f"invoice {row.number} is {row.status}; only a draft can change its lines")
        last = session.exec(select(func.max(InvoiceLine.position)).where(InvoiceLine.invoice_id == row.id)).one()
        session.add(
            InvoiceLine(
                invoice_id=row.id,  # type: ignore[arg-type]
                description=description,
                quantity=quantity,
                unit_price_cents=unit_price_cents,
                position=-1 if last is None else last + 1,
            )
        )
        session.flush()
        return _views(session, None, Invoice.id == row.id)[0]


def set_status(db: Database, invoice: int | str, status: str, today: date | None = None) -> InvoiceView:
    """Move an invoice along draft → sent → paid (or void); refused when the step makes no sense."""
    with db.write() as session:
        row = _invoice(session, invoice)
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
        return _views(session, today, Invoice.id == row.id)[0]


def email_invoice(
    db: Database, invoice: int | str, template: int | str, me: Mapping[str, str], today: date | None = None
) -> tuple[InvoiceView, str]:
    """Queue the invoice in the outbox to its client: the template is the letter, the invoice follows it as text.

    A draft becomes sent. Returns the invoice and the address it goes to.
    """
    # Imported on use: jinja2 is only loaded when a message is written.
    from studioflow.config import load_send_delay
    from studioflow.workflow import templates

    with db.write() as session:
        row = _invoice(session, invoice)
        if row.status in ("paid", "void"):
            raise StudioflowError(f"invoice {row.number} is {row.status}; there is nothing to ask for")
        letter = session.exec(
            select(MessageTemplate).where(lookup.same_name(MessageTemplate.name, str(template).strip()))
        ).first()
        if letter is None and str(template).strip().isdecimal():
            letter = session.get(MessageTemplate, int(str(template).strip()))
        if letter is None:
            raise StudioflowError(f"no template {str(template).strip()!r}")
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
            set_status(db, row.id, "sent", today)  # type: ignore[arg-type]
        view = _views(session, today, Invoice.id == row.id)[0]
        context = templates.job_context(session, row.job_id, me, today, invoice_id=row.id)
        # The letter greets the payer, who may not be the job's primary client.
        context["client"] = templates.client_values(client)
        subject, body = templates.render(letter.subject, letter.body, context)
        message = OutboxMessage(
            idempotency_key=f"{prefix}{len(earlier) + 1}",
            channel="email",
            to_addr=client.email,
            subject=subject,
            body=body.rstrip("\n") + "\n\n" + invoice_text(view),
            job_id=row.job_id,
            message_id=make_msgid(idstring=f"invoice{row.id}", domain=MESSAGE_DOMAIN),
            send_at=utcnow() + timedelta(seconds=load_send_delay()),  # the user's "undo send" window
        )
        session.add(message)
        session.flush()
        return view, client.email


def invoice_text(invoice: InvoiceView) -> str:
    """The invoice as plain text, for an email body (monospace-friendly columns)."""
    lines = [f"Invoice {invoice.number}", f"Issued: {invoice.issued_on.isoformat()}"]
    if invoice.due_on:
        lines.append(f"Due: {invoice.due_on.isoformat()}")
    lines.append("")
    for line in invoice.lines:
        each = f"{line.quantity} x {money(line.unit_price_cents)}"
        lines.append(f"{line.description[:40]:<40} {each:>18} {money(line.amount_cents):>14}")
    lines.append(f"{'Subtotal':<59} {money(invoice.subtotal_cents):>14}")
    lines.append(f"{f'Tax {invoice.tax_rate_bp / 100:g} %':<59} {money(invoice.tax_cents):>14}")
    lines.append(f"{'Total':<59} {money(invoice.total_cents):>14}")
    return "\n".join(lines) + "\n"


def get_invoice(db: Database, invoice: int | str, today: date | None = None) -> InvoiceView:
    with db.read() as session:
        return _views(session, today, Invoice.id == _invoice(session, invoice).id)[0]


def list_invoices(
    db: Database,
    job: int | str | None = None,
    client: int | str | None = None,
    today: date | None = None,
) -> list[InvoiceView]:
    with db.read() as session:
        conditions = []
        if job is not None:
            conditions.append(Invoice.job_id == lookup.job(session, job).id)
        if client is not None:
            conditions.append(Invoice.client_id == lookup.client(session, client).id)
        return _views(session, today, *conditions)


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


def _invoice(session: Session, ref: int | str) -> Invoice:
    """By number (as printed), else by id."""
    text = str(ref).strip()
    row = session.exec(select(Invoice).where(lookup.same_name(Invoice.number, text))).first()
    if row is None and text.isascii() and text.isdecimal() and int(text) < 2**63:
        row = session.get(Invoice, int(text))
    if row is None:
        raise StudioflowError(f"no invoice {text!r}")
    return row


def invoice_views(session: Session, today: date | None, *conditions: object) -> list[InvoiceView]:
    """Invoices with their totals, inside the caller's transaction (templates read them)."""
    return _views(session, today, *conditions)


def _views(session: Session, today: date | None, *conditions: object) -> list[InvoiceView]:
    today = today or date.today()
    query = (
        select(Invoice, Job.title, Client.name)
        .join(Job, col(Job.id) == Invoice.job_id, isouter=True)
        .join(Client, col(Client.id) == Invoice.client_id, isouter=True)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(col(Invoice.issued_on), col(Invoice.id))
    )
    rows = session.exec(query).all()
    lines: dict[int, list[InvoiceLineView]] = {invoice.id: [] for invoice, _, _ in rows}  # type: ignore[misc]
    chosen = select(Invoice.id).where(*conditions)  # type: ignore[arg-type]
    line_rows = session.exec(
        select(InvoiceLine)
        .where(col(InvoiceLine.invoice_id).in_(chosen))
        .order_by(col(InvoiceLine.invoice_id), col(InvoiceLine.position), col(InvoiceLine.id))
    ).all()
    for line in line_rows:
        amount = line.quantity * line.unit_price_cents
        lines[line.invoice_id].append(InvoiceLineView(line.description, line.quantity, line.unit_price_cents, amount))
    views = []
    for invoice, job, client in rows:
        own = lines[invoice.id]  # type: ignore[index]
        subtotal, tax, total = totals(((li.quantity, li.unit_price_cents) for li in own), invoice.tax_rate_bp)
        overdue = invoice.status in UNPAID and invoice.due_on is not None and invoice.due_on < today
        views.append(
            InvoiceView(
                id=invoice.id,  # type: ignore[arg-type]
                number=invoice.number,
                job_id=invoice.job_id,
                job=job,
                client_id=invoice.client_id,
                client=client,
                issued_on=invoice.issued_on,
                due_on=invoice.due_on,
                status=invoice.status,
                tax_rate_bp=invoice.tax_rate_bp,
                subtotal_cents=subtotal,
                tax_cents=tax,
                total_cents=total,
                overdue=overdue,
                lines=tuple(own),
            )
        )
    return views
