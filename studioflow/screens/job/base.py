"""What every tab of the job page stands on: the job, its tables, and the one way a tab changes it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual.screen import Screen
from textual.widgets import DataTable

from studioflow.screens.dialogs import confirm
from studioflow.screens.effects import run_effect
from studioflow.store import Database
from studioflow.widgets.tables import highlighted_id, refill


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
        refill(self.query_one(f"#{table_id}", DataTable), rows)

    def _run(self, call: Callable[[], Any], done: str | Callable[[Any], str] | None = None) -> None:
        """Call a service off the UI thread (see run_effect); then say `done` and show what is stored."""
        run_effect(self, call, lambda _: self._load(), said=done)

    def _confirm_delete(self, what: str, call: Callable[[], object], done: str) -> None:
        """Ask first: a deleted event, trip or job client cannot be undone."""
        confirm(self, f"{what}?", what, lambda: self._run(call, done))

    def _selected(self, table_id: str, what: str) -> int | None:
        record_id = highlighted_id(self.query_one(f"#{table_id}", DataTable))
        if record_id is None:
            self.notify(f"No {what} here.", severity="warning")
        return record_id
