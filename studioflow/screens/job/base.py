"""What every tab of the job page stands on: the job, its tables, and the one way a tab changes it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual.screen import Screen
from textual.widgets import DataTable

from studioflow.screens.dialogs import NewEntry, PickerDialog
from studioflow.screens.effects import run_effect
from studioflow.store import Database


class JobPageBase(Screen[None]):
    """The job page's common parts; each tab is a class on top of this, and the page is all of them."""

    def __init__(self, db: Database, job_id: int, tab: str = "tasks") -> None:
        super().__init__()
        self.db = db
        self.job_id = job_id
        self.initial_tab = tab

    def _load(self) -> None:
        """Read the job and every tab again (the page defines it)."""
        raise NotImplementedError

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

    def _run(self, call: Callable[[], Any], done: str | Callable[[Any], str] | None = None) -> None:
        """Call a service off the UI thread (see run_effect); then say `done` and show what is stored."""
        run_effect(self, call, lambda _: self._load(), said=done)

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
