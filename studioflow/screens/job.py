"""One job as a container: where it stands, and everything it holds, one tab each.

Tabs: Timeline (stage visits, automations fired, messages), Tasks, Clients (with
roles; add, remove, primary), Events, Invoices, Mileage, Projects, Notes. The keys in
the footer are those of the tab in view.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Markdown, Static, TabbedContent, TabPane

from studioflow.errors import StudioflowError
from studioflow.screens.dialogs import Field, FormDialog, NewEntry, PickerDialog, PromptDialog, TextDialog
from studioflow.screens.notices import tell_fired
from studioflow.screens.statuses import pick_status
from studioflow.screens.task_dialogs import QuickAddDialog
from studioflow.screens.undo import step_journal
from studioflow.store import Database
from studioflow.widgets.colours import theme_style
from studioflow.widgets.due import due_text
from studioflow.widgets.footer import KeysFooter
from studioflow.widgets.keys import undo_hint
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.money import invoices, mileage
from studioflow.workflow.people import clients, jobclients
from studioflow.workflow.schedule import agenda, events
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import InvoiceView, JobView, TaskView, local_minute

TABS = ("timeline", "tasks", "clients", "events", "invoices", "mileage", "projects", "notes")
# Which tab each key belongs to: the footer shows a key only on its tab.
TAB_ACTIONS = {
    "toggle_task": "tasks",
    "add_client": "clients",
    "remove_client": "clients",
    "primary_client": "clients",
    "client_role": "clients",
    "add_event": "events",
    "edit_event": "events",
    "delete_event": "events",
    "add_invoice": "invoices",
    "invoice_status": "invoices",
    "email_invoice": "invoices",
    "add_invoice_line": "invoices",
    "edit_invoice": "invoices",
    "edit_invoice_lines": "invoices",
    "correct_invoice": "invoices",
    "add_trip": "mileage",
    "delete_trip": "mileage",
    "edit_notes": "notes",
}


def when(moment: datetime | None) -> str:
    return local_minute(moment) if moment else ""  # empty, not "-": it also fills form fields


def parse_when(text: str, what: str) -> datetime:
    """ "2026-06-13 14:00" in local time → aware datetime; a refusal names the field."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise StudioflowError(f"{what} {text.strip()!r} is not a date and time (YYYY-MM-DD HH:MM)") from None
    return value.astimezone() if value.tzinfo is None else value


def parse_day(text: str, what: str, default: date | None = None) -> date | None:
    if not text.strip():
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise StudioflowError(f"{what} {text.strip()!r} is not a date (YYYY-MM-DD)") from None


def parse_quantity(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise StudioflowError(f"the quantity {text.strip()!r} is not a whole number") from None


def parse_price(values: dict[str, str]) -> int:
    return invoices.parse_cents(values["price"].strip() or "0", "the unit price")


class JobScreen(Screen[None]):
    AUTO_FOCUS = ""  # the table of the tab in view takes focus (see _focus_tab)
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="job.back"),
        Binding("right_square_bracket", "tab(1)", "Next tab", id="job.next_tab"),
        Binding("left_square_bracket", "tab(-1)", "Previous tab", id="job.previous_tab"),
        Binding("space,x", "toggle_task", "Done/undone", id="job.toggle_task"),
        Binding("a", "add_client", "Add client", id="job.add_client"),
        Binding("d", "remove_client", "Remove client", id="job.remove_client"),
        Binding("p", "primary_client", "Make primary", id="job.primary_client"),
        Binding("r", "client_role", "Role", id="job.client_role"),
        Binding("a", "add_event", "Add event", id="job.add_event"),
        Binding("e", "edit_event", "Edit event", id="job.edit_event"),
        Binding("d", "delete_event", "Delete event", id="job.delete_event"),
        Binding("a", "add_invoice", "Add invoice", id="job.add_invoice"),
        Binding("l", "add_invoice_line", "Add line", id="job.add_invoice_line"),
        Binding("s", "invoice_status", "Status", id="job.invoice_status"),
        Binding("m", "email_invoice", "Email", id="job.email_invoice"),
        Binding("E", "edit_invoice", "Edit draft", id="job.edit_invoice"),
        Binding("i", "edit_invoice_lines", "Edit lines", id="job.edit_invoice_lines"),
        Binding("c", "correct_invoice", "Correct", id="job.correct_invoice"),
        Binding("a", "add_trip", "Log trip", id="job.add_trip"),
        Binding("d", "delete_trip", "Delete trip", id="job.delete_trip"),
        Binding("e", "edit_notes", "Edit notes", id="job.edit_notes"),
        # The board's keys for the job itself, on every tab (s and m are the invoice's own on its tab).
        Binding("n", "new_task", "New task", id="job.new_task"),
        Binding("L,shift+right", "advance", "Advance", id="job.advance"),
        Binding("H,shift+left", "back", "Back a stage", id="job.back_stage"),
        Binding("s", "skip", "Skip", id="job.skip"),
        Binding("m", "move", "Move to", id="job.move"),
        Binding("t", "status", "Status", id="job.status"),
        Binding("u", "undo", "Undo", id="job.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="job.redo"),
    ]

    def __init__(self, db: Database, job_id: int, tab: str = "tasks") -> None:
        super().__init__()
        self.db = db
        self.job_id = job_id
        self.initial_tab = tab

    def compose(self) -> ComposeResult:
        yield Static(id="job-summary")
        with TabbedContent(initial=f"tab-{self.initial_tab}", id="job-tabs"):
            with TabPane("Timeline", id="tab-timeline"):
                yield DataTable(id="job-timeline", cursor_type="row")
            with TabPane("Tasks", id="tab-tasks"):
                yield DataTable(id="job-tasks", cursor_type="row")
            with TabPane("Clients", id="tab-clients"):
                yield DataTable(id="job-clients", cursor_type="row")
            with TabPane("Events", id="tab-events"):
                yield DataTable(id="job-events", cursor_type="row")
            with TabPane("Invoices", id="tab-invoices"):
                yield DataTable(id="job-invoices", cursor_type="row")
                yield Static(id="job-invoice-lines")
            with TabPane("Mileage", id="tab-mileage"):
                yield DataTable(id="job-mileage", cursor_type="row")
                yield Static(id="job-mileage-total")
            with TabPane("Projects", id="tab-projects"):
                yield DataTable(id="job-projects", cursor_type="row")
            with TabPane("Notes", id="tab-notes"), VerticalScroll():
                yield Markdown(id="job-notes")
        yield KeysFooter()

    def on_mount(self) -> None:
        columns = {
            "job-timeline": ("When", "What", "State", "Details"),
            "job-tasks": ("", "Task", "Due"),
            "job-clients": ("", "Client", "Role", "Email", "Phone"),
            "job-events": ("Start", "End", "Title", "Location", "Client"),
            "job-invoices": ("Number", "Client", "Issued", "Due", "Status", "Total"),
            "job-mileage": ("Date", "Event", "Purpose", "Distance", "Rate", "Amount"),
            "job-projects": ("Project", "Client", "Tasks done"),
        }
        for table_id, names in columns.items():
            self.query_one(f"#{table_id}", DataTable).add_columns(*names)
        self._load()
        self._focus_tab()

    # Reading

    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active.removeprefix("tab-")

    def _load(self) -> None:
        job = jobs.get_job(self.db, self.job_id)
        self.sub_title = job.title
        self.query_one("#job-summary", Static).update(_summary(job))
        self._load_timeline()
        self._load_tasks()
        self._load_clients()
        self._load_events()
        self._load_invoices()
        self._load_mileage()
        self._load_projects()
        notes = jobs.get_notes(self.db, self.job_id)
        self.query_one("#job-notes", Markdown).update(notes or "*No notes yet: press e to write some.*")

    def _fill(self, table_id: str, rows: Sequence[tuple[str, tuple[object, ...]]]) -> None:
        """Refill a table, keeping the cursor on the same row (by key) when it is still there."""
        table = self.query_one(f"#{table_id}", DataTable)
        kept = self._key(table)
        row = table.cursor_row
        table.clear()
        keys = []
        for key, cells in rows:
            table.add_row(*cells, key=key)
            keys.append(key)
        if table.row_count:
            table.move_cursor(row=keys.index(kept) if kept in keys else min(row, table.row_count - 1))

    @staticmethod
    def _key(table: DataTable[object]) -> str | None:
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _load_timeline(self) -> None:
        rows = []
        for n, item in enumerate(agenda.timeline(self.db, self.job_id)):
            rows.append((str(n), (when(item.at), item.kind, item.state, Text(item.text))))
        self._fill("job-timeline", rows)

    def _load_tasks(self) -> None:
        rows = []
        for task in tasks.list_tasks(self.db, include_done=True, job=self.job_id):
            due = "" if task.done else due_text(task.due_on, date.today())[0]
            # Text, not str: "[x]" would be read as markup and vanish.
            box = Text("[x]" if task.done else "[ ]")
            title = Text(task.title, style="strike dim" if task.done else "")
            rows.append((str(task.id), (box, title, due)))
        self._fill("job-tasks", rows)

    def _load_clients(self) -> None:
        rows = [
            (str(c.client_id), ("★" if c.primary else "", Text(c.name), Text(c.role), c.email, c.phone))
            for c in jobclients.list_job_clients(self.db, self.job_id)
        ]
        self._fill("job-clients", rows)

    def _load_events(self) -> None:
        rows = [
            (str(e.id), (when(e.starts_at), when(e.ends_at), Text(e.title), Text(e.location), Text(e.client or "")))
            for e in events.list_events(self.db, job=self.job_id)
        ]
        self._fill("job-events", rows)

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
        invoice = self.invoices.get(self._key(self.query_one("#job-invoices", DataTable)) or "")
        panel = self.query_one("#job-invoice-lines", Static)
        if invoice is None:
            panel.update("No invoices yet: press a to add one.")
            return
        lines = [f"[b]{escape(invoice.number)}[/b] for {escape(invoice.client or '—')}"]
        for line in invoice.lines:
            amount = invoices.money(line.amount_cents)
            each = f"{line.quantity} × {invoices.money(line.unit_price_cents)}"
            lines.append(f"  {escape(line.description):<40} {each:>18} {amount:>14}")
        lines.append(f"  {'Subtotal':<59} {invoices.money(invoice.subtotal_cents):>14}")
        for tax in invoice.taxes:
            lines.append(f"  {escape(invoices.tax_label(tax)):<59} {invoices.money(tax.amount_cents):>14}")
        lines.append(f"  [b]{'Total':<59} {invoices.money(invoice.total_cents):>14}[/b]")
        if invoice.replaces:
            lines.append(f"  Replaces {escape(invoice.replaces)} (voided)")
        if invoice.notes:
            lines.append(f"  {escape(invoice.notes)}")
        panel.update("\n".join(lines))

    @on(DataTable.RowHighlighted, "#job-invoices")
    def _invoice_highlighted(self) -> None:
        self._show_invoice_lines()

    def _load_mileage(self) -> None:
        trips = mileage.list_trips(self.db, job=self.job_id)
        rows = []
        for t in trips:
            distance = f"{mileage.format_distance(t.distance)} {t.unit}"
            rate = f"{invoices.money(t.rate_cents)}/{t.unit}"
            amount = Text(invoices.money(t.amount_cents), justify="right")
            rows.append(
                (str(t.id), (t.trip_on.isoformat(), Text(t.event or ""), Text(t.purpose), distance, rate, amount))
            )
        self._fill("job-mileage", rows)
        totals = [
            f"{total.trips} trip(s), {mileage.format_distance(total.distance)} {total.unit}, "
            f"{invoices.money(total.amount_cents)}"
            for total in mileage.totals(trips)
        ]
        self.query_one("#job-mileage-total", Static).update(
            "Total: " + "; ".join(totals) if totals else "No trips yet: press a to log one."
        )

    def _load_projects(self) -> None:
        rows = [
            (str(p.id), (Text(p.name), Text(p.client or ""), f"{p.tasks_total - p.tasks_open}/{p.tasks_total}"))
            for p in tasks.list_projects(self.db)
            if p.job_id == self.job_id
        ]
        self._fill("job-projects", rows)

    # Tabs

    def action_tab(self, step: int) -> None:
        here = TABS.index(self.tab)
        self.query_one(TabbedContent).active = f"tab-{TABS[(here + step) % len(TABS)]}"
        self._focus_tab()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def _focus_tab(self) -> None:
        found = self.query_one(f"#tab-{self.tab}").query(DataTable)
        if found:
            found.first().focus(scroll_visible=False)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("skip", "move") and self.tab == "invoices":
            return False  # s and m are the invoice's status and email there
        owner = TAB_ACTIONS.get(action)
        return owner is None or owner == self.tab

    def _run(self, call: Callable[[], object], done: str | None = None) -> None:
        """Call a service; a refusal is a notice, and the page shows what is stored either way."""
        try:
            call()
        except StudioflowError as exc:
            self.notify(str(exc), severity="error")
        else:
            if done:
                self.notify(done)
        self._load()

    def _confirm_delete(self, what: str, call: Callable[[], object], done: str) -> None:
        """Ask first: a deleted event, trip or job client cannot be undone."""

        def confirmed(answer: bool | NewEntry | None) -> None:
            if answer is True:
                self._run(call, done)

        self.app.push_screen(PickerDialog(f"{what}?", [(what, True), ("Keep it", False)]), confirmed)

    def _selected(self, table_id: str, what: str) -> int | None:
        key = self._key(self.query_one(f"#{table_id}", DataTable))
        if key is None:
            self.notify(f"No {what} here.", severity="warning")
            return None
        return int(key)

    # The job itself: the board's keys

    def _move(self, change: Callable[[], JobView], say: str = "") -> None:
        try:
            moved = change()
        except StudioflowError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify((say or f"“{moved.title}” is now in {moved.stage}") + f" {undo_hint(self)}.")
        if moved.fired:
            self.notify("; ".join(moved.fired), title="Automations")
            self.app.deliver()  # type: ignore[attr-defined]  # what they queued goes now, in the background
        self._load()

    def action_advance(self) -> None:
        self._move(lambda: jobs.advance(self.db, self.job_id))

    def action_skip(self) -> None:
        self._move(lambda: jobs.skip(self.db, self.job_id))

    def action_back(self) -> None:
        job = jobs.get_job(self.db, self.job_id)
        stages = [s.id for s in pipelines.get_pipeline(self.db, job.pipeline_id).stages]
        here = stages.index(job.stage_id)
        if here == 0:
            self.notify("This is the first stage: there is no stage before it.", severity="warning")
            return
        self._move(lambda: jobs.move_to(self.db, self.job_id, stages[here - 1]))

    def action_move(self) -> None:
        job = jobs.get_job(self.db, self.job_id)
        stages = pipelines.get_pipeline(self.db, job.pipeline_id).stages
        here = next((n for n, s in enumerate(stages) if s.id == job.stage_id), 0)

        def moved(stage_id: int | NewEntry | None) -> None:
            if isinstance(stage_id, int):
                self._move(lambda: jobs.move_to(self.db, self.job_id, stage_id))

        choices = [(s.name, s.id) for s in stages]
        self.app.push_screen(PickerDialog(f"Move “{job.title}” to stage", choices, current=here), moved)

    def action_status(self) -> None:
        job = jobs.get_job(self.db, self.job_id)

        def set_to(status_id: int | None) -> None:
            self._move(lambda: jobs.set_status(self.db, self.job_id, status_id), "Status set")

        pick_status(self, self.db, f"Status of “{job.title}”", set_to)

    def action_new_task(self) -> None:
        def save(text: str) -> TaskView:
            return tasks.quick_add(self.db, text, date.today(), job=self.job_id)

        def added(task: TaskView | None) -> None:
            if task is not None:
                self.notify(f"Added “{task.title}” {undo_hint(self)}.")
                self.query_one(TabbedContent).active = "tab-tasks"
                self._load()
                self._focus_tab()

        self.app.push_screen(QuickAddDialog(tasks.owner_choices(self.db), save, "New task for this job"), added)

    def action_undo(self) -> None:
        step_journal(self, self.db, self._reload_or_leave)

    def action_redo(self) -> None:
        step_journal(self, self.db, self._reload_or_leave, redo=True)

    def _reload_or_leave(self) -> None:
        try:
            self._load()
        except StudioflowError:  # the undo took back the job's creation
            self.app.pop_screen()

    # Tasks

    def action_toggle_task(self) -> None:
        table = self.query_one("#job-tasks", DataTable)
        task_id = self._selected("job-tasks", "task")
        if task_id is None:
            return
        done = str(table.get_row_at(table.cursor_row)[0]) == "[x]"  # a Text: str() is its plain text
        self._run(lambda: tell_fired(self, (tasks.reopen_task if done else tasks.complete_task)(self.db, task_id)))

    # Clients

    def action_add_client(self) -> None:
        on_job = {c.client_id for c in jobclients.list_job_clients(self.db, self.job_id)}
        choices = [(c.name, c.id) for c in clients.list_clients(self.db) if c.id not in on_job]

        def picked(choice: int | NewEntry | None) -> None:
            if choice is None:
                return

            def with_role(role: str | None) -> None:
                if role is None:
                    return

                def add() -> None:
                    client_id = choice if isinstance(choice, int) else clients.add_client(self.db, choice.text).id
                    jobclients.add_job_client(self.db, self.job_id, client_id, role)

                self._run(add)

            self.app.push_screen(PromptDialog("Role on this job (e.g. bride, payer; may be empty)"), with_role)

        self.app.push_screen(PickerDialog("Add a client to the job", choices, new_label="new client"), picked)

    def action_remove_client(self) -> None:
        client_id = self._selected("job-clients", "client")
        if client_id is None:
            return
        name = next(c.name for c in jobclients.list_job_clients(self.db, self.job_id) if c.client_id == client_id)

        def remove() -> None:
            jobclients.remove_job_client(self.db, self.job_id, client_id)

        self._confirm_delete(f"Take {name} off this job", remove, f"{name} is no longer on this job.")

    def action_primary_client(self) -> None:
        client_id = self._selected("job-clients", "client")
        if client_id is not None:
            self._run(
                lambda: jobclients.set_primary(self.db, self.job_id, client_id),
                f"Primary client changed {undo_hint(self)}.",
            )

    def action_client_role(self) -> None:
        client_id = self._selected("job-clients", "client")
        if client_id is None:
            return
        current = next(c.role for c in jobclients.list_job_clients(self.db, self.job_id) if c.client_id == client_id)

        def save(role: str | None) -> None:
            if role is not None:
                self._run(lambda: jobclients.set_role(self.db, self.job_id, client_id, role))

        self.app.push_screen(PromptDialog("Role on this job", current), save)

    # Events

    def action_add_event(self) -> None:
        start = datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        fields = [
            Field("title", "Title", placeholder="Engagement session"),
            Field("start", "Starts (YYYY-MM-DD HH:MM)", start.strftime("%Y-%m-%d %H:%M")),
            Field("end", "Ends (empty: no end time)", (start + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")),
            Field("location", "Location"),
            Field("client", "Client (empty: the job's primary client)"),
        ]

        def submit(v: dict[str, str]) -> None:
            ends = parse_when(v["end"], "the end") if v["end"].strip() else None
            client = v["client"].strip() or None
            starts = parse_when(v["start"], "the start")
            events.add_event(self.db, v["title"], starts, ends, job=self.job_id, client=client, location=v["location"])

        self.app.push_screen(FormDialog("New event", fields, submit), lambda saved: self._load())

    def action_edit_event(self) -> None:
        event_id = self._selected("job-events", "event")
        if event_id is None:
            return
        event = next(e for e in events.list_events(self.db, job=self.job_id) if e.id == event_id)
        fields = [
            Field("title", "Title", event.title),
            Field("start", "Starts (YYYY-MM-DD HH:MM)", when(event.starts_at)),
            Field("end", "Ends (empty: no end time)", when(event.ends_at)),
            Field("location", "Location", event.location),
        ]

        def submit(v: dict[str, str]) -> None:
            ends = parse_when(v["end"], "the end") if v["end"].strip() else None
            events.edit_event(self.db, event_id, v["title"], parse_when(v["start"], "the start"), ends, v["location"])

        self.app.push_screen(FormDialog("Edit event", fields, submit), lambda saved: self._load())

    def action_delete_event(self) -> None:
        event_id = self._selected("job-events", "event")
        if event_id is not None:
            title = str(self.query_one("#job-events", DataTable).get_row(str(event_id))[2])
            self._confirm_delete(
                f"Delete the event {title}", lambda: events.delete_event(self.db, event_id), "Deleted."
            )

    # Invoices

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

        def correct() -> None:
            fresh = invoices.correct(self.db, invoice_id)
            self.notify(f"{number} is void; {fresh.number} is its draft to fix and send {undo_hint(self)}.")

        self._run(correct)

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
                done = f"{invoice.number} queued in the outbox to {invoice.client}."
                config = self.app.config  # type: ignore[attr-defined]  # read once by the app
                self._run(
                    lambda: invoices.email_invoice(self.db, invoice_id, template_id, config.me(), config=config), done
                )
                self.app.deliver()  # type: ignore[attr-defined]  # it goes now, in the background

        self.app.push_screen(PickerDialog(f"Email {invoice.number} with the letter", letters), chosen)

    # Mileage

    def action_add_trip(self) -> None:
        event_names = ", ".join(f"{e.id} {e.title}" for e in events.list_events(self.db, job=self.job_id))
        fields = [
            Field("date", "Date (YYYY-MM-DD)", date.today().isoformat()),
            Field("distance", "Distance (unit and rate from config.toml [mileage])", placeholder="12.5"),
            Field("purpose", "From/to or what for"),
            Field("event", f"Event id (empty: none){': ' + event_names if event_names else ''}"),
        ]

        def submit(v: dict[str, str]) -> None:
            event_text = v["event"].strip()
            if event_text and not event_text.isdecimal():
                raise StudioflowError(f"the event is given by its id (a number), not {event_text!r}")
            trip_on = parse_day(v["date"], "the date", date.today())
            event = int(event_text) if event_text else None
            config = self.app.config  # type: ignore[attr-defined]  # [mileage], read once by the app
            trip = (self.db, self.job_id, trip_on, v["distance"], v["purpose"], event)
            mileage.add_trip(*trip, config=config)  # type: ignore[arg-type]

        self.app.push_screen(FormDialog("Log a trip", fields, submit), lambda saved: self._load())

    def action_delete_trip(self) -> None:
        trip_id = self._selected("job-mileage", "trip")
        if trip_id is not None:
            day = str(self.query_one("#job-mileage", DataTable).get_row(str(trip_id))[0])
            self._confirm_delete(f"Delete the trip of {day}", lambda: mileage.delete_trip(self.db, trip_id), "Deleted.")

    # Notes

    def action_edit_notes(self) -> None:
        notes = jobs.get_notes(self.db, self.job_id)
        edited = self._edit_in_editor(notes)
        if edited is not None:
            if edited != notes:
                self._save_notes(edited)
            return
        # No terminal to hand over (or no editor): edit in place.
        self.app.push_screen(TextDialog("Notes (markdown)", notes), self._save_notes)

    def _save_notes(self, text: str | None) -> None:
        if text is not None:
            self._run(lambda: jobs.set_notes(self.db, self.job_id, text), f"Notes saved {undo_hint(self)}.")

    def _edit_in_editor(self, text: str) -> str | None:
        """The text after $VISUAL/$EDITOR ran on it in the terminal; None when that cannot be done."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            return None
        fd, name = tempfile.mkstemp(suffix=".md", prefix="studioflow-notes-")
        path = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)
            try:
                with self.app.suspend():
                    done = subprocess.run([*shlex.split(editor), str(path)], check=False)
            except SuspendNotSupported:
                return None
            except OSError as exc:
                self.notify(f"Cannot run the editor {editor!r}: {exc.strerror}", severity="error")
                return None
            if done.returncode != 0:
                self.notify(f"The editor exited with status {done.returncode}; notes not changed.", severity="warning")
                return text
            return path.read_text(encoding="utf-8")
        finally:
            path.unlink(missing_ok=True)


def _summary(job: JobView) -> str:
    archived = "  [dim](archived)[/dim]" if job.archived else ""
    due = due_text(job.due_on, date.today())[0] or "—"
    return (
        f"[b]{escape(job.title)}[/b]{archived}   {escape(job.pipeline)} › [b]{escape(job.stage)}[/b]\n"
        f"Client: {escape(job.client or '—')} · Status: {escape(job.status or '—')} · Due: {due} · "
        f"Tasks: {job.tasks_total - job.tasks_open}/{job.tasks_total} done"
    )
