"""Live refresh: what another machine (or another studioflow on this file) commits shows here.

The app's watcher thread (StudioflowApp._watch) posts `StudioChanged` with the kinds of record
changed (store/changes.py); the app hands it to every screen on view that is `Live`. A screen
re-reads only when a kind it shows changed, keeps its cursor on the same record, and never
takes the focus or closes a dialog. A screen not on view re-reads when it is shown again
(its on_screen_resume), so it is not told.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any, Protocol, runtime_checkable

from textual.message import Message
from textual.screen import ModalScreen, Screen


class StudioChanged(Message):
    """Another connection committed changes of these kinds ("jobs", "tasks", "outbox", "other")."""

    def __init__(self, kinds: frozenset[str]) -> None:
        super().__init__()
        self.kinds = kinds


@runtime_checkable
class Live(Protocol):
    """A screen that follows other machines' changes."""

    def studio_changed(self, kinds: frozenset[str]) -> Awaitable[None] | None: ...


def on_view(stack: Iterable[Screen[Any]]) -> list[Screen[Any]]:
    """The screens of a stack a person can see: the top one, and those under it down to the
    first that is not a dialog (a modal dialog shows the screen beneath it)."""
    seen: list[Screen[Any]] = []
    for screen in reversed(list(stack)):
        seen.append(screen)
        if not isinstance(screen, ModalScreen):
            break
    return seen
