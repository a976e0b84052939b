"""`studioflow invoice …` and `mileage …`: money asked for, and trips to be paid back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from studioflow.cli.complete import ON_CLIENT, ON_JOB, client_names, job_ids
from studioflow.cli.frame import Section
from studioflow.cli.params import DATE, FILE, POSITIVE, YEAR, OneOf
from studioflow.cli.services import invoices, mileage, transfer
from studioflow.cli.tracking import tracking_commands
from studioflow.config import MILEAGE_UNITS, load_me
from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.choices import INVOICE_STATES
from studioflow.workflow import values

if TYPE_CHECKING:
    from studioflow.workflow.views import InvoiceView, MileageView

INVOICE = click.argument("invoice")
PAYER = click.option("--client", metavar="C", shell_complete=client_names, help="who pays")
TAX_HELP = "a tax: 'GST=5', 'QST=9.975' or a bare rate like 8.25 (repeat; each on the subtotal)"
Lines = tuple[tuple[str, str, str], ...]


invoice = Section("invoice", help="invoices: numbered, with lines and tax, draft → sent → paid (or void)")


@invoice.command("add", help="add a draft invoice")
@ON_JOB
@click.option("--client", metavar="C", shell_complete=client_names, help="who pays (default: the job's primary client)")
@click.option("--line", "lines", nargs=3, multiple=True, metavar="DESC QTY PRICE", help="a line (repeat)")
@click.option("--tax", "taxes", multiple=True, metavar="NAME=PCT", help=TAX_HELP)
@click.option("--issued", type=DATE, metavar="YYYY-MM-DD", help="default: today")
@click.option("--due", type=DATE, metavar="YYYY-MM-DD")
@click.option("--number", metavar="N", help="default: the next number")
@click.option("--notes", default="", help="printed under the totals")
def add_invoice(
    db: Database,
    job: str | None,
    client: str | None,
    lines: Lines,
    taxes: tuple[str, ...],
    issued: date | None,
    due: date | None,
    number: str | None,
    notes: str,
) -> InvoiceView:
    return invoices.add_invoice(
        db,
        [_line(*line) for line in lines],
        job=job,
        client=client,
        issued_on=issued,
        due_on=due,
        taxes=[invoices.parse_tax(t) for t in taxes],
        number=number,
        notes=notes,
    )


@invoice.command(
    "edit", help="change a draft: lines, taxes, payer, due date, notes (undoable)", at_most_one=[("due", "no_due")]
)
@INVOICE
@click.option(
    "--line", "lines", nargs=3, multiple=True, metavar="DESC QTY PRICE", help="a line (repeat; replaces the lines)"
)
@click.option("--tax", "taxes", multiple=True, metavar="NAME=PCT", help=TAX_HELP + "; replaces the taxes")
@click.option("--no-tax", is_flag=True, help="remove every tax")
@PAYER
@click.option("--due", type=DATE, metavar="YYYY-MM-DD")
@click.option("--no-due", is_flag=True, help="no due date")
@click.option("--notes")
def edit_invoice(
    db: Database,
    invoice: str,
    lines: Lines,
    taxes: tuple[str, ...],
    no_tax: bool,
    client: str | None,
    due: date | None,
    no_due: bool,
    notes: str | None,
) -> InvoiceView:
    if no_tax and taxes:
        raise StudioflowError("give either --tax or --no-tax")
    new_lines = [_line(*line) for line in lines] if lines else None
    new_taxes = [] if no_tax else [invoices.parse_tax(t) for t in taxes] if taxes else None
    new_due: date | Literal[False] | None = None if no_due else due if due is not None else False
    if new_lines is None and new_taxes is None and client is None and new_due is False and notes is None:
        raise StudioflowError("nothing to change: give --line, --tax, --no-tax, --client, --due, --no-due or --notes")
    return invoices.edit_invoice(
        db, invoice, lines=new_lines, taxes=new_taxes, client=client, due_on=new_due, notes=notes
    )


def _line(description: str, quantity: str, price: str) -> tuple[str, int, int]:
    count = values.parse_quantity(quantity, f"the quantity of {description!r}")
    return description, count, values.parse_cents(price, f"the price of {description!r}")


invoice.calls(
    "correct",
    "void a sent invoice and make a new draft (new number) to fix and send instead (undoable)",
    INVOICE,
    service=lambda: invoices.correct,
)


invoice.calls("show", "show an invoice with its lines", INVOICE, service=lambda: invoices.get_invoice)


invoice.calls("list", "list invoices", ON_JOB, ON_CLIENT, service=lambda: invoices.list_invoices)


invoice.calls(
    "status",
    "change the status",
    INVOICE,
    click.argument("status", type=OneOf(INVOICE_STATES)),
    service=lambda: invoices.set_status,
)


@invoice.command("email", help="queue the invoice in the outbox to its client (a draft becomes sent)")
@INVOICE
@click.option("--template", required=True, metavar="T", help="an email template: the letter above the invoice")
def email_invoice(db: Database, invoice: str, template: str) -> str:
    view, address = invoices.email_invoice(db, invoice, template, load_me())
    return f"invoice {view.number} queued to {address} (it is {view.status})"


@invoice.command("line", help="add a line to a draft invoice")
@INVOICE
@click.argument("description")
@click.argument("quantity", type=int)
@click.argument("price")
def add_line(db: Database, invoice: str, description: str, quantity: int, price: str) -> InvoiceView:
    description, count, cents = _line(description, str(quantity), price)
    return invoices.add_line(db, invoice, description, count, cents)


@invoice.command("csv", help="write invoices to a CSV file")
@click.argument("file", type=FILE)
@ON_JOB
@ON_CLIENT
def invoices_csv(db: Database, file: Path, job: str | None, client: str | None) -> str:
    chosen = invoices.list_invoices(db, job, client)
    transfer.write_file(db, file, invoices.to_csv(chosen).encode("utf-8"))
    return f"{len(chosen)} invoice(s) written to {file}"


tracking_commands(invoice, "invoices")


mileage_group = Section("mileage", help="mileage logs: trips for a job or one of its events")


@mileage_group.command("add", help="log a trip (unit and rate from config.toml [mileage] unless given)")
@click.argument("distance")
@click.option("--job", required=True, metavar="J", shell_complete=job_ids)
@click.option("--date", "trip_on", type=DATE, metavar="YYYY-MM-DD", help="default: today")
@click.option("--purpose", default="", metavar="P", help="from/to or what for")
@click.option("--event", type=POSITIVE, metavar="ID", help="the job's event the trip was for")
@click.option("--unit", type=OneOf(MILEAGE_UNITS))
@click.option("--rate", type=int, metavar="CENTS", help="cents per unit")
def add_trip(
    db: Database,
    distance: str,
    job: str,
    trip_on: date | None,
    purpose: str,
    event: int | None,
    unit: str | None,
    rate: int | None,
) -> MileageView:
    return mileage.add_trip(db, job, trip_on or date.today(), distance, purpose, event, unit, rate)


mileage_group.calls(
    "list",
    "list trips, with totals",
    ON_JOB,
    click.option("--year", type=YEAR, metavar="YYYY"),
    service=lambda: mileage.list_trips,
)


@mileage_group.command("csv", help="write trips to a CSV file")
@click.argument("file", type=FILE)
@ON_JOB
@click.option("--year", type=YEAR, metavar="YYYY")
def trips_csv(db: Database, file: Path, job: str | None, year: int | None) -> str:
    chosen = mileage.list_trips(db, job, year)
    transfer.write_file(db, file, mileage.to_csv(chosen).encode("utf-8"))
    return f"{len(chosen)} trip(s) written to {file}"
