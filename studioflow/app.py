"""The Textual application: built by `make_app`, which the CLI and the tests all call."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header

from studioflow.store import Database
from studioflow.workflow import pipelines


class StudioflowApp(App[None]):
    """For now one screen: each pipeline with its stages and how many jobs stand in each."""

    TITLE = "studioflow"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit")]

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="pipelines", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Pipeline", "Stage", "Jobs")
        for pipeline in pipelines.list_pipelines(self.db):
            for stage in pipeline.stages:
                table.add_row(pipeline.name, stage.name, str(stage.job_count))
        if not table.row_count:
            self.notify("No pipelines yet: try `studioflow demo` or `studioflow pipeline add`.")


def make_app(db: Database) -> StudioflowApp:
    return StudioflowApp(db)
