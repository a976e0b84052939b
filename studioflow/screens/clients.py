"""Clients (key 4): a searchable list, and each client's page with their jobs, events and invoices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from studioflow.errors import StudioflowError
from studioflow.screens.dialogs import Field, FormDialog, NewEntry, PickerDialog
from studioflow.screens.effects import run_effect
from studioflow.screens.job import JobScreen, when
from studioflow.screens.undo import UndoKeys, undo_keys
from studioflow.store import Database
from studioflow.widgets.colours import theme_style
from studioflow.widgets.footer import KeysFooter
from studioflow.widgets.keys import key_for, undo_hint
from studioflow.widgets.tables import highlighted_id, refill
from studioflow.workflow.money import invoices
from studioflow.workflow.people import clients
from studioflow.workflow.views import ClientView

SHOWN = 1000  # a search narrows a long list; a table of every client would be no help


class ClientActions(UndoKeys, Screen[None]):
    """New, edit, delete and merge: the same keys on the Clients list and on a client's page."""

    db: Database

    def client_form(self, client_id: int | None) -> None:
        """The form for a new client (None) or an existing one; a name already taken is asked about."""
        page = None if client_id is None else clients.client_page(self.db, client_id)
        fields = [
            Field("name", "Name", page.name if page else ""),
            Field("email", "Email", page.email if page else ""),
            Field("phone", "Phone", page.phone if page else ""),
            Field("tags", "Tags (comma-separated)", ", ".join(page.tags) if page else ""),
            Field("notes", "Notes", page.notes if page else ""),
        ]
        asked: set[str] = set()  # names the user was told exist, and saved again anyway

        def submit(values: dict[str, str]) -> ClientView | None:
            tags = [t for t in values["tags"].split(",") if t.strip()]
            again = values["name"].strip() in asked
            try:
                if client_id is None:
                    return clients.add_client(
                        self.db, values["name"], values["email"], values["phone"], tags, values["notes"],
                        allow_duplicate=again,
                    )  # fmt: skip
                clients.edit_client(
                    self.db, client_id, name=values["name"], email=values["email"], phone=values["phone"],
                    tags=tags, notes=values["notes"], allow_duplicate=again,
                )  # fmt: skip
                return None
            except clients.DuplicateClient as exc:
                asked.add(values["name"].strip())
                raise StudioflowError(f"{exc}: save again to keep both, or change the name") from None

        def said(made: ClientView | None) -> str:
            return f"Client saved {undo_hint(self)}." if made is None else f"Added {made.name} {undo_hint(self)}."

        def closed(saved: bool | None) -> None:
            if saved:
                self._reload()

        heading = "New client" if page is None else f"Edit {page.name}"
        self.app.push_screen(FormDialog(heading, fields, submit, said), closed)

    def confirm_delete(self, client_id: int, then: Callable[[], object]) -> None:
        links = clients.client_links(self.db, client_id)  # a key's error is a notice (StudioflowApp.run_action)

        def answered(yes: bool | NewEntry | None) -> None:
            if yes is True:
                run_effect(
                    self,
                    lambda: clients.delete_client(self.db, client_id),
                    lambda _: then(),
                    said=f"Deleted {links.name} {undo_hint(self)}.",
                )

        question = f"Delete {links.name}?\n{links.consequence()}."
        self.app.push_screen(PickerDialog(question, [("Delete", True), ("Keep", False)], current=1), answered)

    def pick_original(self, duplicate_id: int, then: Callable[[int], None]) -> None:
        """Merge the client `duplicate_id` into one picked from the others."""
        others = [(c.name + (f"  <{c.email}>" if c.email else ""), c.id) for c in clients.list_clients(self.db)]
        others = [(label, cid) for label, cid in others if cid != duplicate_id]
        if not others:
            self.notify("There is no other client to merge into.", severity="warning")
            return
        name = clients.get_client(self.db, duplicate_id).name

        def chosen(original: int | NewEntry | None) -> None:
            if not isinstance(original, int):
                return
            said = f"Merged {name} into {{0.name}}: jobs, events and invoices moved {undo_hint(self)}.".format
            run_effect(
                self,
                lambda: clients.merge_clients(self.db, original, duplicate_id),
                lambda kept: then(kept.id),
                said=said,
            )

        self.app.push_screen(PickerDialog(f"Merge {name} (the duplicate) into", others), chosen)


class ClientsScreen(ClientActions):
    """Every client, filtered as you type (name, email, phone, tags)."""

    AUTO_FOCUS = "#clients-table"  # keys go to the list, not the search line

    BINDINGS = [
        Binding("slash", "search", "Search", id="clients.search"),
        Binding("enter", "open", "Open", id="clients.open"),
        Binding("n", "new", "New", id="clients.new"),
        Binding("e", "edit", "Edit", id="clients.edit"),
        Binding("D", "delete", "Delete", id="clients.delete"),
        Binding("M", "merge", "Merge into…", id="clients.merge"),
        *undo_keys("clients"),
        Binding("escape", "clear", "Clear search", show=False, id="clients.clear"),
    ]

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    def compose(self) -> ComposeResult:
        search = key_for(self, "search", "/")
        yield Input(placeholder=f"search clients ({search}): name, email, phone, tag", id="clients-search")
        yield DataTable(id="clients-table", cursor_type="row")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Clients"
        self.query_one("#clients-table", DataTable).add_columns("Name", "Email", "Phone", "Tags")
        self._load("")
        self.query_one("#clients-table").focus()

    def on_screen_resume(self) -> None:
        self._reload()

    def _reload(self) -> None:
        self._load(self.query_one("#clients-search", Input).value)

    def _load(self, text: str) -> None:
        found = clients.search_clients(self.db, text, limit=SHOWN + 1)
        rows = [
            (str(c.id), (Text(c.name), Text(c.email), Text(c.phone), Text(", ".join(c.tags)))) for c in found[:SHOWN]
        ]
        refill(self.query_one("#clients-table", DataTable), rows)
        more = f"the first {SHOWN:,} shown: type to narrow down" if len(found) > SHOWN else f"{len(found):,} client(s)"
        self.query_one("#clients-search", Input).border_subtitle = more

    @on(Input.Changed, "#clients-search")
    def _search(self, event: Input.Changed) -> None:
        self._load(event.value)
        self.query_one("#clients-table", DataTable).move_cursor(row=0)  # the best match, not the old place

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

    def focused_client(self) -> int | None:
        client_id = highlighted_id(self.query_one("#clients-table", DataTable))
        if client_id is None:
            self.notify("No client here.", severity="warning")
        return client_id

    def action_open(self) -> None:
        client_id = self.focused_client()
        if client_id is not None:
            self.app.push_screen(ClientScreen(self.db, client_id))

    def action_new(self) -> None:
        self.client_form(None)

    def action_edit(self) -> None:
        client_id = self.focused_client()
        if client_id is not None:
            self.client_form(client_id)

    def action_delete(self) -> None:
        client_id = self.focused_client()
        if client_id is not None:
            self.confirm_delete(client_id, self._reload)

    def action_merge(self) -> None:
        client_id = self.focused_client()
        if client_id is not None:
            self.pick_original(client_id, lambda _kept: self._reload())


class ClientScreen(ClientActions):
    """One client: contact details, tags, notes, jobs (stage, role), events, invoices and what is owed."""

    AUTO_FOCUS = "#client-jobs"

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="client.back"),
        Binding("enter", "open_job", "Open job", id="client.open_job"),
        Binding("e", "edit", "Edit", id="client.edit"),
        Binding("D", "delete", "Delete", id="client.delete"),
        Binding("M", "merge", "Merge into…", id="client.merge"),
        *undo_keys("client"),
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
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#client-jobs", DataTable).add_columns("Job", "Pipeline", "Stage", "Role")
        self.query_one("#client-events", DataTable).add_columns("Start", "Title", "Job", "Location")
        self.query_one("#client-invoices", DataTable).add_columns("Number", "Job", "Issued", "Due", "Status", "Total")
        self._load()
        self.query_one("#client-jobs").focus(scroll_visible=False)

    def on_screen_resume(self) -> None:
        self._load()

    def _reload(self) -> None:
        self._load()

    def action_edit(self) -> None:
        self.client_form(self.client_id)

    def action_delete(self) -> None:
        self.confirm_delete(self.client_id, self.app.pop_screen)

    def action_merge(self) -> None:
        def merged(kept: int) -> None:
            self.client_id = kept  # the page now shows the client it was folded into
            self._load()

        self.pick_original(self.client_id, merged)

    def _load(self) -> None:
        if not clients.client_exists(self.db, self.client_id):  # deleted or merged away (an undo, elsewhere)
            self.query_one("#client-summary", Static).update("This client no longer exists (u may bring it back).")
            return
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
            overdue = theme_style(self, "error", bold=True)
            status = Text(i.status + (" · overdue" if i.overdue else ""), style=overdue if i.overdue else "")
            due = i.due_on.isoformat() if i.due_on else ""
            total = Text(invoices.money(i.total_cents), justify="right")
            invoice_table.add_row(i.number, Text(i.job or ""), i.issued_on.isoformat(), due, status, total)

    @on(DataTable.RowSelected, "#client-jobs")
    def _job_selected(self) -> None:
        self.action_open_job()

    def action_open_job(self) -> None:
        job_id = highlighted_id(self.query_one("#client-jobs", DataTable))
        if job_id is None:
            self.notify("This client has no jobs.", severity="warning")
            return
        self.app.push_screen(JobScreen(self.db, job_id))
