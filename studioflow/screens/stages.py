"""Editing a pipeline's stages (and adding or renaming pipelines) without leaving the board."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList

from studioflow.screens.automations import AutomationsDialog
from studioflow.screens.dialogs import NewEntry, PickerDialog, PromptDialog, confirm, list_dialog, refill
from studioflow.screens.effects import run_effect
from studioflow.store import Database
from studioflow.widgets.keys import key_for
from studioflow.workflow.jobs import pipelines
from studioflow.workflow.views import PipelineView


class StageEditor(ModalScreen[int | None]):
    """Dismisses with the pipeline to show afterwards."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="stages.close"),
        Binding("a", "add_stage", "Add stage", id="stages.add"),
        Binding("r", "rename_stage", "Rename", id="stages.rename"),
        Binding("K,shift+up", "move_stage(-1)", "Move up", id="stages.up"),
        Binding("J,shift+down", "move_stage(1)", "Move down", id="stages.down"),
        Binding("d", "delete_stage", "Delete", id="stages.delete"),
        Binding("A", "automations", "Automations", id="stages.automations"),
        Binding("N", "new_pipeline", "New pipeline", id="stages.new_pipeline"),
        Binding("R", "rename_pipeline", "Rename pipeline", id="stages.rename_pipeline"),
        Binding("f", "set_kind", "Cards are…", id="stages.kind"),
    ]

    def __init__(self, db: Database, pipeline_id: int | None) -> None:
        super().__init__()
        self.db = db
        self.pipeline: PipelineView | None = None
        self.pipeline_id = pipeline_id

    def compose(self) -> ComposeResult:
        title = Label("", id="stages-title", classes="dialog-title")
        yield list_dialog(title, "stages-list", classes="dialog stage-editor")

    def on_mount(self) -> None:
        self._load()

    def _load(self, highlight: int | None = None) -> None:
        options = self.query_one(OptionList)
        title = self.query_one("#stages-title", Label)
        if self.pipeline_id is None:
            self.pipeline = None
            options.clear_options()
            title.update(f"No pipelines yet: press {key_for(self, 'new_pipeline', 'N')} to create one.")
            return
        self.pipeline = pipelines.get_pipeline(self.db, self.pipeline_id)
        kind = self.pipeline.kind
        of_kind = f", a pipeline of {kind}" if kind != "jobs" else ""
        title.update(f"Stages of [b]{escape(self.pipeline.name)}[/b]{of_kind}")
        noun = kind[:-1]
        labels = [
            f"{number}. {stage.name}  ({stage.job_count} {noun}{'s' if stage.job_count != 1 else ''})"
            for number, stage in enumerate(self.pipeline.stages, 1)
        ]
        refill(options, labels, highlight)

    def _stage(self) -> Any:
        index = self.query_one(OptionList).highlighted
        if self.pipeline is None or index is None or not self.pipeline.stages:
            return None
        return self.pipeline.stages[index]

    def _run(self, change: Callable[[], Any], highlight: int | None = None) -> None:
        run_effect(self, change, lambda _: self._load(highlight))

    def action_close(self) -> None:
        self.dismiss(self.pipeline_id)

    def action_add_stage(self) -> None:
        if self.pipeline is None:
            self.notify("Create a pipeline first (N).", severity="warning")
            return
        pipeline_id = self.pipeline.id
        index = self.query_one(OptionList).highlighted
        place = None if index is None else index + 2  # right after the highlighted stage

        def added(name: str | None) -> None:
            if name is not None:
                self._run(lambda: pipelines.add_stage(self.db, pipeline_id, name, place), (place or 1) - 1)

        self.app.push_screen(PromptDialog("New stage name", placeholder="e.g. Review"), added)

    def action_rename_stage(self) -> None:
        stage = self._stage()
        if stage is None or self.pipeline is None:
            return
        pipeline_id = self.pipeline.id

        def renamed(name: str | None) -> None:
            if name is not None:
                self._run(lambda: pipelines.rename_stage(self.db, pipeline_id, stage.id, name))

        self.app.push_screen(PromptDialog(f"Rename stage “{stage.name}”", stage.name), renamed)

    def action_move_stage(self, step: int) -> None:
        stage = self._stage()
        if stage is None or self.pipeline is None:
            return
        place = (self.query_one(OptionList).highlighted or 0) + 1 + step  # _stage() said one is highlighted
        if 1 <= place <= len(self.pipeline.stages):
            pipeline_id = self.pipeline.id
            self._run(lambda: pipelines.move_stage(self.db, pipeline_id, stage.id, place), place - 1)

    def action_automations(self) -> None:
        stage = self._stage()
        if stage is None or self.pipeline is None:
            return
        self.app.push_screen(AutomationsDialog(self.db, self.pipeline.id, stage.id), lambda _: self._load())

    def action_delete_stage(self) -> None:
        stage = self._stage()
        if stage is None or self.pipeline is None:
            return
        pipeline_id = self.pipeline.id
        if stage.job_count == 0:

            def delete() -> None:
                self._run(lambda: pipelines.delete_stage(self.db, pipeline_id, stage.id))

            confirm(self, f"Delete stage “{stage.name}”?", f"Delete “{stage.name}”", delete)
            return
        others = [(s.name, s.id) for s in self.pipeline.stages if s.id != stage.id]
        if not others:
            self.notify("The only stage of a pipeline with jobs cannot be deleted.", severity="error")
            return

        def target(stage_id: int | NewEntry | None) -> None:
            if isinstance(stage_id, int):
                self._run(lambda: pipelines.delete_stage(self.db, pipeline_id, stage.id, stage_id))

        title = f"“{stage.name}” holds {stage.job_count} job(s): move them to"
        self.app.push_screen(PickerDialog(title, others), target)

    def action_set_kind(self) -> None:
        if self.pipeline is None:
            return
        pipeline = self.pipeline
        kinds = [
            ("jobs", "jobs"),
            ("clients (leads)", "clients"),
            ("events (sessions)", "events"),
            ("invoices", "invoices"),
        ]

        def chosen(kind: str | NewEntry | None) -> None:
            if not isinstance(kind, str):
                return
            self._run(lambda: pipelines.set_kind(self.db, pipeline.id, kind))

        self.app.push_screen(PickerDialog(f"What are the cards of “{pipeline.name}”?", kinds), chosen)

    def action_new_pipeline(self) -> None:
        def created(name: str | None) -> None:
            if name is None:
                return

            def show(made: PipelineView) -> None:
                self.pipeline_id = made.id
                self._load(0)

            run_effect(self, lambda: pipelines.create_pipeline(self.db, name), show)

        self.app.push_screen(PromptDialog("New pipeline name", placeholder="e.g. Portraits"), created)

    def action_rename_pipeline(self) -> None:
        if self.pipeline is None:
            return
        pipeline_id = self.pipeline.id

        def renamed(name: str | None) -> None:
            if name is not None:
                self._run(lambda: pipelines.rename_pipeline(self.db, pipeline_id, name))

        self.app.push_screen(PromptDialog(f"Rename pipeline “{self.pipeline.name}”", self.pipeline.name), renamed)
