"""The board's archived jobs (key A): look them over, bring one back (a), open it (enter)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from studioflow.screens.effects import run_effect
from studioflow.screens.job import JobScreen
from studioflow.screens.undo import UndoKeys
from studioflow.store import Database
from studioflow.widgets.keys import undo_hint
from studioflow.workflow.jobs import jobs
from studioflow.workflow.views import JobView


class ArchivedDialog(UndoKeys, ModalScreen[None]):
    """The archived jobs of one pipeline, newest change first."""

    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close", id="archived.close"),
        Binding("a", "unarchive", "Unarchive", id="archived.unarchive"),
        Binding("enter", "open", "Open", id="archived.open"),
        Binding("u", "undo", "Undo", id="archived.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="archived.redo"),
    ]

    def __init__(self, db: Database, pipeline_id: int, pipeline: str) -> None:
        super().__init__()
        self.db = db
        self.pipeline_id = pipeline_id
        self.pipeline = pipeline
        self.shown: list[JobView] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Archived in {self.pipeline}", classes="dialog-title", markup=False)
            yield OptionList(id="archived-list", markup=False)
            yield Label("a unarchive · enter open · u undo · esc close", classes="dialog-hint")

    def on_mount(self) -> None:
        self._reload()

    def _reload(self) -> None:
        options = self.query_one(OptionList)
        here = options.highlighted or 0
        options.clear_options()
        every = jobs.list_jobs(self.db, self.pipeline_id, include_archived=True)
        self.shown = sorted((j for j in every if j.archived), key=lambda j: j.title.casefold())
        if not self.shown:
            options.add_option(Option("No archived jobs in this pipeline.", disabled=True))
        for job in self.shown:
            options.add_option(Option(f"{job.title}  · {job.stage}" + (f" · {job.client}" if job.client else "")))
        if self.shown:
            options.highlighted = min(here, len(self.shown) - 1)
        options.focus()

    def _job(self) -> JobView | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not self.shown:
            self.notify("No archived job here.", severity="warning")
            return None
        return self.shown[index]

    def action_unarchive(self) -> None:
        job = self._job()
        if job is None:
            return
        said = f"“{job.title}” is back on the board, its tasks and events too {undo_hint(self)}."
        run_effect(self, lambda: jobs.unarchive(self.db, job.id), lambda _: self._reload(), said=said)

    @on(OptionList.OptionSelected, "#archived-list")
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        job = self._job()
        if job is not None:
            self.app.push_screen(JobScreen(self.db, job.id))
