"""The job page's Invoices tab: the job's invoices with their lines and totals; drafts edited,
sent ones corrected, letters emailed through the outbox."""

from __future__ import annotations

from datetime import date, timedelta

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import DataTable, Static

from studioflow.screens.dialogs import Field, FormDialog, NewEntry, PickerDialog, TextDialog
from studioflow.screens.effects import run_effect, studio
from studioflow.screens.job.base import JobPageBase
from studioflow.screens.job.fields import parse_day, parse_price, parse_quantity
from studioflow.widgets.colours import theme_style
from studioflow.widgets.keys import key_for, undo_hint
from studioflow.widgets.tables import highlighted_key
from studioflow.workflow.money import invoices
from studioflow.workflow.views import InvoiceView

TAB = "invoices"
KEYS = [
    Binding("a", "add_invoice", "Add invoice", id="job.add_invoice"),
    Binding("l", "add_invoice_line", "Add line", id="job.add_invoice_line"),
    Binding("s", "invoice_status", "Status", id="job.invoice_status"),
    Binding("m", "email_invoice", "Email", id="job.email_invoice"),
    Binding("E", "edit_invoice", "Edit draft", id="job.edit_invoice"),
    Binding("i", "edit_invoice_lines", "Edit lines", id="job.edit_invoice_lines"),
    Binding("c", "correct_invoice", "Correct", id="job.correct_invoice"),
]


class InvoicesTab(JobPageBase):
    invoices: dict[str, InvoiceView]

    def _load_invoices(self) -> None:
        self.invoices = {str(i.id): i for i in invoices.list_invoices(self.db, job=self.job_id)}
        rows = []
        for key, i in self.invoices.items():
            overdue = theme_style(self, "error", bold=True)
            status = Text(i.status + (" · overdue" if i.overdue else ""), style=overdue if i.overdue else "")
            due = i.due_on.isoformat() if i.due_on else ""
            total = Text(invoices.money(i.total_cents), justify="right")
            rows.append((key, (i.number, Text(i.client or ""), i.issued_on.isoformat(), due, status, total)))
        self._fill("job-invoices", rows)
        self._show_invoice_lines()

    def _show_invoice_lines(self) -> None:
        invoice = self.invoices.get(highlighted_key(self.query_one("#job-invoices", DataTable)) or "")
        panel = self.query_one("#job-invoice-lines", Static)
        if invoice is None:
            panel.update(f"No invoices yet: press {key_for(self, 'add_invoice', 'a')} to add one.")
            return
        lines = [f"[b]{escape(invoice.number)}[/b] for {escape(invoice.client or '—')}"]
        *rows, total = invoices.invoice_rows(invoice)
        lines += [f"  {escape(row)}" for row in rows] + [f"  [b]{escape(total)}[/b]"]
        if invoice.replaces:
            lines.append(f"  Replaces {escape(invoice.replaces)} (voided)")
        if invoice.notes:
            lines.append(f"  {escape(invoice.notes)}")
        panel.update("\n".join(lines))

    @on(DataTable.RowHighlighted, "#job-invoices")
    def _invoice_highlighted(self) -> None:
        self._show_invoice_lines()

    def action_add_invoice(self) -> None:
        today = date.today()
        fields = [
            Field("client", "Bill to (empty: the job's primary client)"),
            Field("description", "First line: description", placeholder="Wedding day coverage"),
            Field("quantity", "Quantity", "1"),
            Field("price", "Unit price", placeholder="1250.00"),
            Field("taxes", "Taxes (e.g. GST 5; QST 9.975; empty for none)"),
            Field("due", "Due (YYYY-MM-DD)", (today + timedelta(days=30)).isoformat()),
        ]

        def submit(v: dict[str, str]) -> None:
            line = (v["description"], parse_quantity(v["quantity"]), parse_price(v))
            invoices.add_invoice(
                self.db,
                [line],
                job=self.job_id,
                client=v["client"].strip() or None,
                due_on=parse_day(v["due"], "the due date"),
                taxes=invoices.parse_taxes(v["taxes"]),
            )

        self.app.push_screen(FormDialog("New invoice (a draft)", fields, submit), lambda saved: self._load())

    def _draft(self) -> InvoiceView | None:
        """The highlighted invoice when it is a draft (only a draft is edited), else a notice."""
        invoice_id = self._selected("job-invoices", "invoice")
        if invoice_id is None:
            return None
        invoice = self.invoices[str(invoice_id)]
        if invoice.status != "draft":
            fix = " (c corrects it: voided, and a new draft in its place)" if invoice.status == "sent" else ""
            self.notify(
                f"Invoice {invoice.number} is {invoice.status}: only a draft is edited{fix}.", severity="warning"
            )
            return None
        return invoice

    def action_edit_invoice(self) -> None:
        invoice = self._draft()
        if invoice is None:
            return
        fields = [
            Field("client", "Bill to", invoice.client or ""),
            Field("due", "Due (YYYY-MM-DD, empty for none)", invoice.due_on.isoformat() if invoice.due_on else ""),
            Field(
                "taxes",
                "Taxes (e.g. GST 5; QST 9.975)",
                invoices.taxes_text((t.name, t.rate_ppm) for t in invoice.taxes),
            ),
            Field("notes", "Notes", invoice.notes),
        ]

        def submit(v: dict[str, str]) -> None:
            invoices.edit_invoice(
                self.db,
                invoice.id,
                client=v["client"].strip() or None,
                due_on=parse_day(v["due"], "the due date"),
                taxes=invoices.parse_taxes(v["taxes"]),
                notes=v["notes"],
            )

        self.app.push_screen(FormDialog(f"Edit {invoice.number}", fields, submit), lambda saved: self._load())

    def action_edit_invoice_lines(self) -> None:
        invoice = self._draft()
        if invoice is None:
            return

        def edited(text: str | None) -> None:
            if text is not None:
                change = lambda: invoices.edit_invoice(self.db, invoice.id, lines=invoices.parse_lines(text))  # noqa: E731
                self._run(change, f"Lines of {invoice.number} saved {undo_hint(self)}.")

        heading = f"Lines of {invoice.number}: quantity | description | unit price, one a line"
        self.app.push_screen(TextDialog(heading, invoices.lines_text(invoice)), edited)

    def action_correct_invoice(self) -> None:
        invoice_id = self._selected("job-invoices", "invoice")
        if invoice_id is None:
            return
        number = self.invoices[str(invoice_id)].number

        self._run(
            lambda: invoices.correct(self.db, invoice_id),
            lambda fresh: f"{number} is void; {fresh.number} is its draft to fix and send {undo_hint(self)}.",
        )

    def action_add_invoice_line(self) -> None:
        invoice_id = self._selected("job-invoices", "invoice")
        if invoice_id is None:
            return
        invoice = self.invoices[str(invoice_id)]
        if invoice.status != "draft":
            self.notify(
                f"Invoice {invoice.number} is {invoice.status}: only a draft takes new lines.", severity="warning"
            )
            return
        fields = [
            Field("description", "Description"),
            Field("quantity", "Quantity", "1"),
            Field("price", "Unit price", placeholder="250.00"),
        ]

        def submit(v: dict[str, str]) -> None:
            invoices.add_line(self.db, invoice_id, v["description"], parse_quantity(v["quantity"]), parse_price(v))

        self.app.push_screen(FormDialog(f"New line on {invoice.number}", fields, submit), lambda saved: self._load())

    def action_invoice_status(self) -> None:
        invoice_id = self._selected("job-invoices", "invoice")
        if invoice_id is None:
            return
        invoice = self.invoices[str(invoice_id)]
        choices = [(status, status) for status in invoices.TRANSITIONS[invoice.status]]
        if not choices:
            self.notify(f"Invoice {invoice.number} is {invoice.status}: that is final.", severity="warning")
            return

        def chosen(status: str | NewEntry | None) -> None:
            if isinstance(status, str):
                self._run(lambda: invoices.set_status(self.db, invoice_id, status), f"{invoice.number} is {status}.")

        self.app.push_screen(PickerDialog(f"{invoice.number} is {invoice.status}; mark it", choices), chosen)

    def action_email_invoice(self) -> None:
        invoice_id = self._selected("job-invoices", "invoice")
        if invoice_id is None:
            return
        invoice = self.invoices[str(invoice_id)]
        # Imported on use: the templates bring jinja2, needed only when a message is written.
        from studioflow.workflow.automations import templates

        letters = [(t.name, t.id) for t in templates.list_templates(self.db) if t.channel == "email"]
        if not letters:
            self.notify("Add an email template first (the letter above the invoice).", severity="warning")
            return

        def chosen(template_id: int | NewEntry | None) -> None:
            if isinstance(template_id, int):

                def queued(_: object) -> None:
                    self._load()
                    studio(self).deliver()  # it goes once due, in the background

                said = f"{invoice.number} queued in the outbox to {invoice.client}."
                config = studio(self).config  # read once by the app
                email = lambda: invoices.email_invoice(self.db, invoice_id, template_id, config.me(), config=config)  # noqa: E731
                run_effect(self, email, queued, said=said)

        self.app.push_screen(PickerDialog(f"Email {invoice.number} with the letter", letters), chosen)
