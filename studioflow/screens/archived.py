"""The board's archived jobs (key A): look them over, bring one back (a), open it (enter)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList

from studioflow.screens.dialogs import ListDialog, list_dialog, refill
from studioflow.screens.effects import run_effect
from studioflow.screens.job import JobScreen
from studioflow.screens.undo import UndoKeys, undo_keys
from studioflow.store import Database
from studioflow.widgets.keys import undo_hint
from studioflow.workflow.jobs import jobs
from studioflow.workflow.views import JobView


class ArchivedDialog(UndoKeys, ListDialog[JobView]):
    """The archived jobs of one pipeline, newest change first."""

    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close", id="archived.close"),
        Binding("a", "unarchive", "Unarchive", id="archived.unarchive"),
        Binding("enter", "open", "Open", id="archived.open"),
        *undo_keys("archived"),
    ]

    NOTHING = "No archived job here."

    def __init__(self, db: Database, pipeline_id: int, pipeline: str) -> None:
        super().__init__(db)
        self.pipeline_id = pipeline_id
        self.pipeline = pipeline

    def compose(self) -> ComposeResult:
        yield list_dialog(f"Archived in {self.pipeline}", "archived-list")

    def _reload(self) -> None:
        options = self.query_one(OptionList)
        every = jobs.list_jobs(self.db, self.pipeline_id, include_archived=True)
        self.rows = sorted((j for j in every if j.archived), key=lambda j: j.title.casefold())
        labels = [f"{job.title}  · {job.stage}" + (f" · {job.client}" if job.client else "") for job in self.rows]
        refill(options, labels, empty="No archived jobs in this pipeline.")

    def action_unarchive(self) -> None:
        job = self._row()
        if job is None:
            return
        said = f"“{job.title}” is back on the board, its tasks and events too {undo_hint(self)}."
        run_effect(self, lambda: jobs.unarchive(self.db, job.id), lambda _: self._reload(), said=said)

    @on(OptionList.OptionSelected, "#archived-list")
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        job = self._row()
        if job is not None:
            self.app.push_screen(JobScreen(self.db, job.id))
