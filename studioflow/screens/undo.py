"""Undo and redo from any screen: one step of the journal, said in a notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.screen import Screen

from studioflow.screens.effects import run_effect, studio
from studioflow.store import Database


def step_journal(screen: Screen[Any], db: Database, then: Callable[[], object], *, redo: bool = False) -> None:
    """Take back (or do again) the newest step, off the UI thread; `then` re-reads the screen after a change."""
    # Imported on use: the board's first frame takes its undo keys from here, without the ORM.
    from studioflow.workflow.jobs import journal

    def done(label: str) -> None:
        # What it queued or cancelled is back as it was: the badge counts say so at once.
        studio(screen).recount_outbox()
        then()

    step = journal.redo if redo else journal.undo
    said = f"{'Redid' if redo else 'Undid'}: {{}}".format
    run_effect(screen, lambda: step(db), done, said=said, refusal="warning")


def undo_keys(scope: str, *, show_redo: bool = False) -> list[Binding]:
    """The `u`/`ctrl+r` bindings of a screen whose ids start with `scope` ("tasks.undo")."""
    return [
        Binding("u", "undo", "Undo", id=f"{scope}.undo"),
        Binding("ctrl+r", "redo", "Redo", show=show_redo, id=f"{scope}.redo"),
    ]


if TYPE_CHECKING:
    _Mixed = Screen[Any]  # UndoKeys is only ever mixed into a screen
else:
    _Mixed = object


class UndoKeys(_Mixed):
    """`u` and `ctrl+r` for a screen that re-reads itself with `_reload` (bind them to undo/redo)."""

    db: Database

    def _reload(self) -> None:
        raise NotImplementedError

    def action_undo(self) -> None:
        step_journal(self, self.db, self._reload)

    def action_redo(self) -> None:
        step_journal(self, self.db, self._reload, redo=True)
