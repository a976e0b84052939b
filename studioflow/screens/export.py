"""Export the whole database to JSON, or back it up, from the app (ctrl+p): in a thread, with progress."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.widgets.keys import KeyHints
from studioflow.workflow.files import transfer


class ExportDialog(ModalScreen[Path | None]):
    """A file name, then the export (or backup) runs in a worker thread: the app stays responsive."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="dialog.cancel")]

    def __init__(self, db: Database, kind: str = "json") -> None:
        super().__init__()
        self.db = db
        self.kind = kind  # "json": every row to a JSON file; "backup": a copy of the database file

    def compose(self) -> ComposeResult:
        what = "Export every row to a JSON file" if self.kind == "json" else "Back up the database (a SQLite copy)"
        suffix = ".json" if self.kind == "json" else ".db"
        default = str(self.db.path.with_name(f"{self.db.path.stem}-{self.kind}{suffix}"))
        with Vertical(classes="dialog"):
            yield Label(what, classes="dialog-title")
            yield Input(default, id="export-path")
            yield ProgressBar(total=1, show_eta=False, id="export-progress")
            yield Label("", id="export-status", markup=False)
            yield KeyHints("enter: start")

    @on(Input.Submitted, "#export-path")
    def _start(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#export-status", Label).update("Give a file name.")
            return
        event.input.disabled = True
        self.query_one("#export-status", Label).update("Working…")
        self._run(Path(text).expanduser())

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def _run(self, target: Path) -> None:
        try:
            if self.kind == "json":
                counts = transfer.export_json(self.db, target, progress=self._progress)
                message = f"{sum(counts.values()):,} rows of {len(counts)} tables written to {target}"
            else:
                transfer.backup(self.db, target)
                message = f"Backup written to {target}"
        except StudioflowError as exc:
            self.app.call_from_thread(self._finished, str(exc), None)
            return
        self.app.call_from_thread(self._finished, message, target)

    def _progress(self, table: str, done: int, total: int) -> None:
        self.app.call_from_thread(self._show, table, done, total)

    def _show(self, table: str, done: int, total: int) -> None:
        self.query_one("#export-progress", ProgressBar).update(total=total, progress=done)
        if table:
            self.query_one("#export-status", Label).update(f"{table}…")

    def _finished(self, message: str, target: Path | None) -> None:
        if target is None:
            self.query_one("#export-status", Label).update(message)
            path_input = self.query_one("#export-path", Input)
            path_input.disabled = False
            path_input.focus()
            return
        self.query_one("#export-progress", ProgressBar).update(total=1, progress=1)
        self.app.notify(message)
        self.dismiss(target)
