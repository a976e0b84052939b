"""Undo and redo from any screen: one step of the journal, said in a notice."""

from __future__ import annotations

from textual.screen import Screen

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.workflow import journal


def step_journal(screen: Screen[object], db: Database, *, redo: bool = False) -> bool:
    """Take back (or do again) the newest step; True when something changed, so the screen re-reads."""
    try:
        label = journal.redo(db) if redo else journal.undo(db)
    except StudioflowError as exc:
        screen.notify(str(exc), severity="warning")
        return False
    screen.notify(f"{'Redid' if redo else 'Undid'}: {label}")
    return True


class UndoKeys:
    """`u` and `ctrl+r` for a screen that re-reads itself with `_reload` (bind them to undo/redo)."""

    db: Database

    def _reload(self) -> None:
        raise NotImplementedError

    def action_undo(self) -> None:
        if step_journal(self, self.db):  # type: ignore[arg-type]
            self._reload()

    def action_redo(self) -> None:
        if step_journal(self, self.db, redo=True):  # type: ignore[arg-type]
            self._reload()
