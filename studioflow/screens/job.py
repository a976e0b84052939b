"""One job at a glance: where it stands, how it got there, what is left to do."""

from __future__ import annotations

from datetime import date

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.widgets.due import due_text
from studioflow.workflow import jobs, tasks
from studioflow.workflow.views import JobView


class JobScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="job.back"),
        Binding("space,x", "toggle_task", "Done/undone", id="job.toggle_task"),
    ]

    def __init__(self, db: Database, job_id: int) -> None:
        super().__init__()
        self.db = db
        self.job_id = job_id

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="job-summary")
            yield Label("[b]Tasks[/b]", classes="section")
            yield DataTable(id="job-tasks", cursor_type="row")
            yield Label("[b]History[/b]", classes="section")
            yield DataTable(id="job-history", cursor_type="none")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#job-tasks", DataTable).add_columns("", "Task", "Due")
        self.query_one("#job-history", DataTable).add_columns("Entered", "Left", "State", "Stage")
        self._load()
        self.query_one("#job-tasks").focus(scroll_visible=False)  # keep the summary in view

    def _load(self) -> None:
        job = jobs.get_job(self.db, self.job_id)
        self.sub_title = job.title
        self.query_one("#job-summary", Static).update(_summary(job))
        table = self.query_one("#job-tasks", DataTable)
        row = table.cursor_row
        kept = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
        table.clear()
        keys = []
        for task in tasks.list_tasks(self.db, include_done=True, job=self.job_id):
            due = "" if task.done else due_text(task.due_on, date.today())[0]
            # Text, not str: "[x]" would be read as markup and vanish.
            box = Text("[x]" if task.done else "[ ]")
            title = Text(task.title, style="strike dim" if task.done else "")
            table.add_row(box, title, due, key=str(task.id))
            keys.append(str(task.id))
        if table.row_count:
            # The cursor stays on the task just toggled (done tasks sort lower), so the
            # same key again takes the change back.
            table.move_cursor(row=keys.index(kept) if kept in keys else min(row, table.row_count - 1))
        history = self.query_one("#job-history", DataTable)
        history.clear()
        for visit in job.history:
            left = visit.left_at.astimezone().strftime("%Y-%m-%d %H:%M") if visit.left_at else ""
            entered = visit.entered_at.astimezone().strftime("%Y-%m-%d %H:%M")
            history.add_row(entered, left, visit.state, visit.stage)

    def action_toggle_task(self) -> None:
        table = self.query_one("#job-tasks", DataTable)
        if not table.row_count:
            return
        task_id = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or 0)
        done = str(table.get_row_at(table.cursor_row)[0]) == "[x]"  # a Text: str() is its plain text
        try:
            (tasks.reopen_task if done else tasks.complete_task)(self.db, task_id)
        except StudioflowError as exc:
            self.notify(str(exc), severity="error")
        self._load()


def _summary(job: JobView) -> str:
    lines = [
        f"[b]{escape(job.title)}[/b]" + ("  [dim](archived)[/dim]" if job.archived else ""),
        f"{escape(job.pipeline)} › [b]{escape(job.stage)}[/b]",
        f"Client: {escape(job.client or '—')}",
        f"Status: {escape(job.status or '—')}",
        f"Due: {due_text(job.due_on, date.today())[0] or '—'}",
        f"Tasks: {job.tasks_total - job.tasks_open}/{job.tasks_total} done",
    ]
    return "\n".join(lines)
