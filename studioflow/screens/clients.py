"""Clients (key 4): a searchable list, and each client's page with their jobs, events and invoices."""

from __future__ import annotations

from datetime import date

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from studioflow.screens.job import JobScreen, when
from studioflow.store import Database
from studioflow.workflow import clients, invoices

SHOWN = 1000  # a search narrows a long list; a table of every client would be no help


class ClientsScreen(Screen[None]):
    """Every client, filtered as you type (name, email, phone, tags)."""

    AUTO_FOCUS = "#clients-table"  # keys go to the list, not the search line

    BINDINGS = [
        Binding("slash", "search", "Search", id="clients.search"),
        Binding("enter", "open", "Open", id="clients.open"),
        Binding("escape", "clear", "Clear search", show=False, id="clients.clear"),
    ]

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search clients (/): name, email, phone, tag", id="clients-search")
        yield DataTable(id="clients-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Clients"
        self.query_one("#clients-table", DataTable).add_columns("Name", "Email", "Phone", "Tags")
        self._load("")
        self.query_one("#clients-table").focus()

    def on_screen_resume(self) -> None:
        self._load(self.query_one("#clients-search", Input).value)

    def _load(self, text: str) -> None:
        table = self.query_one("#clients-table", DataTable)
        table.clear()
        found = clients.search_clients(self.db, text, limit=SHOWN + 1)
        for c in found[:SHOWN]:
            table.add_row(Text(c.name), Text(c.email), Text(c.phone), Text(", ".join(c.tags)), key=str(c.id))
        more = f"the first {SHOWN:,} shown: type to narrow down" if len(found) > SHOWN else f"{len(found):,} client(s)"
        self.query_one("#clients-search", Input).border_subtitle = more

    @on(Input.Changed, "#clients-search")
    def _search(self, event: Input.Changed) -> None:
        self._load(event.value)

    @on(Input.Submitted, "#clients-search")
    def _searched(self) -> None:
        self.query_one("#clients-table").focus()

    @on(DataTable.RowSelected, "#clients-table")
    def _selected(self) -> None:
        self.action_open()

    def action_search(self) -> None:
        self.query_one("#clients-search").focus()

    def action_clear(self) -> None:
        self.query_one("#clients-search", Input).value = ""
        self.query_one("#clients-table").focus()

    def action_open(self) -> None:
        table = self.query_one("#clients-table", DataTable)
        if not table.row_count:
            self.notify("No client here.", severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.app.push_screen(ClientScreen(self.db, int(key or 0)))


class ClientScreen(Screen[None]):
    """One client: contact details, tags, notes, jobs (stage, role), events, invoices and what is owed."""

    AUTO_FOCUS = "#client-jobs"

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="client.back"),
        Binding("enter", "open_job", "Open job", id="client.open_job"),
    ]

    def __init__(self, db: Database, client_id: int) -> None:
        super().__init__()
        self.db = db
        self.client_id = client_id

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="client-summary")
            yield Label("[b]Jobs[/b]", classes="section")
            yield DataTable(id="client-jobs", cursor_type="row")
            yield Label("[b]Events[/b]", classes="section")
            yield DataTable(id="client-events", cursor_type="none")
            yield Label("[b]Invoices[/b]", classes="section")
            yield DataTable(id="client-invoices", cursor_type="none")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#client-jobs", DataTable).add_columns("Job", "Pipeline", "Stage", "Role")
        self.query_one("#client-events", DataTable).add_columns("Start", "Title", "Job", "Location")
        self.query_one("#client-invoices", DataTable).add_columns("Number", "Job", "Issued", "Due", "Status", "Total")
        self._load()
        self.query_one("#client-jobs").focus(scroll_visible=False)

    def on_screen_resume(self) -> None:
        self._load()

    def _load(self) -> None:
        page = clients.client_page(self.db, self.client_id, date.today())
        self.sub_title = page.name
        owed = invoices.money(page.owed_cents)
        summary = [
            f"[b]{escape(page.name)}[/b]",
            f"Email: {escape(page.email or '—')} · Phone: {escape(page.phone or '—')}",
            f"Tags: {escape(', '.join(page.tags) or '—')}",
            f"Owed: [b]{owed}[/b]" if page.owed_cents else "Owed: nothing",
        ]
        if page.notes:
            summary.append(escape(page.notes))
        for track in page.pipelines:  # lead pipelines: where the client stands, and how it got there
            steps = " → ".join(f"{v.stage} ({v.state})" for v in track.history)
            summary.append(f"[b]{escape(track.pipeline)}[/b]: {escape(steps)}")
        self.query_one("#client-summary", Static).update("\n".join(summary))
        jobs_table = self.query_one("#client-jobs", DataTable)
        jobs_table.clear()
        for job in page.jobs:
            title = Text(job.title + (" (archived)" if job.archived else ""))
            jobs_table.add_row(title, Text(job.pipeline), Text(job.stage), Text(job.role), key=str(job.id))
        events_table = self.query_one("#client-events", DataTable)
        events_table.clear()
        for e in page.events:
            events_table.add_row(when(e.starts_at), Text(e.title), Text(e.job or ""), Text(e.location))
        invoice_table = self.query_one("#client-invoices", DataTable)
        invoice_table.clear()
        for i in page.invoices:
            status = Text(i.status + (" · overdue" if i.overdue else ""), style="bold red" if i.overdue else "")
            due = i.due_on.isoformat() if i.due_on else ""
            total = Text(invoices.money(i.total_cents), justify="right")
            invoice_table.add_row(i.number, Text(i.job or ""), i.issued_on.isoformat(), due, status, total)

    @on(DataTable.RowSelected, "#client-jobs")
    def _job_selected(self) -> None:
        self.action_open_job()

    def action_open_job(self) -> None:
        table = self.query_one("#client-jobs", DataTable)
        if not table.row_count:
            self.notify("This client has no jobs.", severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.app.push_screen(JobScreen(self.db, int(key or 0)))
