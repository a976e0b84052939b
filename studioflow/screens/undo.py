"""Undo and redo from any screen: one step of the journal, said in a notice."""

from __future__ import annotations

from textual.screen import Screen

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.workflow import journal, outbox


def step_journal(screen: Screen[object], db: Database, *, redo: bool = False) -> bool:
    """Take back (or do again) the newest step; True when something changed, so the screen re-reads."""
    try:
        label = journal.redo(db) if redo else journal.undo(db)
    except StudioflowError as exc:
        screen.notify(str(exc), severity="warning")
        return False
    screen.notify(f"{'Redid' if redo else 'Undid'}: {label}")
    # What it queued or cancelled is back as it was: the badge counts say so at once.
    screen.app.outbox_counts = outbox.counts(db)  # type: ignore[attr-defined]
    return True
