"""The job statuses ("Waiting on documents"): add, rename, recolour, delete, from the board or the palette."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList

from studioflow.screens.dialogs import (
    ListDialog,
    NewEntry,
    PickerDialog,
    PromptDialog,
    ask_text,
    list_dialog,
    refill,
)
from studioflow.screens.effects import run_effect
from studioflow.screens.undo import UndoKeys, undo_keys
from studioflow.store import Database
from studioflow.widgets.keys import key_for, undo_hint
from studioflow.workflow.people import clients
from studioflow.workflow.views import StatusView


def ask_new_status(screen: Any, db: Database, then: Callable[[StatusView], None], name: str = "") -> None:
    """Prompt for a status name (unless given) and create it; `then` gets the new status."""

    def create(typed: str | None) -> None:
        if not typed or not typed.strip():
            return
        run_effect(screen, lambda: clients.add_status(db, typed), then)

    if name:
        create(name)
    else:
        screen.app.push_screen(PromptDialog("New status (e.g. Waiting on documents)"), create)


def pick_status(screen: Any, db: Database, title: str, set_to: Callable[[int | None], None]) -> None:
    """The `t` picker: no status, each status, or a new one (typed, or "New status…")."""
    no_status, new_status = 0, -1  # status ids start at 1; None is what escape returns
    choices = [("(no status)", no_status)] + [(s.name, s.id) for s in clients.list_statuses(db)]
    choices.append(("New status…", new_status))

    def chosen(status: int | NewEntry | None) -> None:
        if isinstance(status, NewEntry) or status == new_status:
            typed = status.text if isinstance(status, NewEntry) else ""
            ask_new_status(screen, db, lambda made: set_to(made.id), typed)
        elif isinstance(status, int):
            set_to(None if status == no_status else status)

    screen.app.push_screen(PickerDialog(title, choices, new_label="new status"), chosen)


class StatusesDialog(UndoKeys, ListDialog[StatusView]):
    """Every job status in its colour; the keys act on the highlighted one."""

    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close", id="statuses.close"),
        Binding("n", "new", "New", id="statuses.new"),
        Binding("r", "rename", "Rename", id="statuses.rename"),
        Binding("c", "colour", "Colour", id="statuses.colour"),
        Binding("D", "delete", "Delete", id="statuses.delete"),
        *undo_keys("statuses"),
    ]

    NOTHING = "No status here."  # the line of keys below says which key makes one

    def compose(self) -> ComposeResult:
        yield list_dialog("Job statuses", "statuses-list")

    def _reload(self, keep: int | None = None) -> None:
        options = self.query_one(OptionList)
        self.rows = clients.list_statuses(self.db)
        labels = [Text.assemble(("● ", s.colour), s.name, (f"  {s.colour}", "dim")) for s in self.rows]
        refill(options, labels, keep, empty=f"No statuses yet: {key_for(self, 'new', 'n')} makes one.")

    def _run(self, change: Callable[[], object], said: str) -> None:
        run_effect(self, change, lambda _: self._reload(), said=f"{said} {undo_hint(self)}.")

    def action_new(self) -> None:
        def made(status: StatusView) -> None:
            self.notify(f"Added status {status.name} {undo_hint(self)}.")
            self._reload()

        ask_new_status(self, self.db, made)

    def action_rename(self) -> None:
        self._ask_change("Rename {name}", "name", clients.rename_status, "Renamed to {value}")

    def action_colour(self) -> None:
        question = "Colour of {name} (a name like red, or #d08770)"
        self._ask_change(question, "colour", clients.recolour_status, "{name} is {value}")

    def _ask_change(self, question: str, field: str, change: Callable[[Database, int, str], object], said: str) -> None:
        """Ask for a new `field` of the highlighted status, starting from the one it has, and save the
        answer with `change`; `question` and `said` name the status as {name} and the answer as {value}."""
        status = self._row()
        if status is None:
            return

        def answered(value: str) -> None:
            done = said.format(name=status.name, value=value.strip())
            self._run(lambda: change(self.db, status.id, value), done)

        ask_text(self, question.format(name=status.name), getattr(status, field), answered)

    def action_delete(self) -> None:
        status = self._row()
        if status is None:
            return
        holders = clients.status_holders(self.db, status.id)

        def answered(yes: bool | NewEntry | None) -> None:
            if yes is True:
                self._run(lambda: clients.delete_status(self.db, status.id), f"Deleted {status.name}")

        question = f"Delete status {status.name}? {holders} job(s) holding it lose it."
        self.app.push_screen(PickerDialog(question, [("Delete", True), ("Keep", False)], current=1), answered)
