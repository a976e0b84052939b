"""The agenda (key 3): today and the next seven days — events, tasks and jobs due, scheduled messages."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from studioflow.screens.job import JobScreen
from studioflow.store import Database
from studioflow.widgets.colours import theme_style
from studioflow.widgets.footer import KeysFooter
from studioflow.workflow.schedule import agenda
from studioflow.workflow.views import AgendaItem

KIND_STYLE = {"event": "info", "job": "warning", "message": "local"}  # meanings: see widgets.colours


class AgendaScreen(Screen[None]):
    AUTO_FOCUS = "#agenda-table"
    BINDINGS = [
        Binding("enter", "open_job", "Open job", id="agenda.open_job"),
        Binding("r", "reload", "Refresh", id="agenda.reload"),
    ]

    def __init__(self, db: Database, today: date | None = None) -> None:
        super().__init__()
        self.db = db
        self.today = today  # fixed in tests; otherwise the real today, read on each load
        self.items: list[AgendaItem] = []

    def compose(self) -> ComposeResult:
        yield Static(id="agenda-title")
        yield DataTable(id="agenda-table", cursor_type="row")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Agenda"
        self.query_one("#agenda-table", DataTable).add_columns("Day", "Time", "What", "")
        self.action_reload()
        self.query_one("#agenda-table").focus()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        today = self.today or date.today()
        self.items = agenda.agenda(self.db, today=today)
        heading = f"[b]Agenda[/b] — today ({today:%a %d %b}) and the next {agenda.AGENDA_DAYS} days"
        self.query_one("#agenda-title", Static).update(f"{heading}: {len(self.items)} item(s)")
        table = self.query_one("#agenda-table", DataTable)
        table.clear()
        last_day = None
        for n, item in enumerate(self.items):
            local = item.at.astimezone()
            day = local.strftime("%a %d %b") if local.date() != last_day else ""
            last_day = local.date()
            when = "all day" if item.all_day else local.strftime("%H:%M")
            kind = Text(item.kind, style=theme_style(self, KIND_STYLE[item.kind]) if item.kind in KIND_STYLE else "")
            table.add_row(day, when, kind, Text(item.text), key=str(n))

    @on(DataTable.RowSelected, "#agenda-table")
    def _selected(self) -> None:
        self.action_open_job()

    def action_open_job(self) -> None:
        table = self.query_one("#agenda-table", DataTable)
        if not table.row_count:
            return
        item = self.items[table.cursor_row]
        if item.job_id is None:
            self.notify("This item belongs to no job.", severity="warning")
            return
        self.app.push_screen(JobScreen(self.db, item.job_id))
