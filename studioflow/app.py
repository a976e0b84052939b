"""The Textual application, built by `make_app` (the CLI and the tests all call it)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from studioflow.screens.agenda import AgendaScreen
from studioflow.screens.board import BoardScreen
from studioflow.screens.clients import ClientsScreen
from studioflow.screens.export import ExportDialog
from studioflow.store import Database


class StudioflowApp(App[None]):
    TITLE = "studioflow"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("1", "show_board", "Board", show=False, id="app.board"),
        Binding("3", "show_agenda", "Agenda", show=False, id="app.agenda"),
        Binding("4", "show_clients", "Clients", show=False, id="app.clients"),
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        # Each global key opens a mode: a screen stack of its own, so going to the Tasks
        # screen and back finds the board (and anything opened over it) as it was left.
        self.add_mode("board", lambda: BoardScreen(db))
        self.add_mode("agenda", lambda: AgendaScreen(db))
        self.add_mode("clients", lambda: ClientsScreen(db))

    def on_mount(self) -> None:
        self.switch_mode("board")

    def action_show_board(self) -> None:
        self.show_mode("board")

    def action_show_agenda(self) -> None:
        self.show_mode("agenda")

    def action_show_clients(self) -> None:
        self.show_mode("clients")

    def show_mode(self, mode: str) -> None:
        """The mode's screen; pressed again while there, back to its first screen."""
        if self.current_mode != mode:
            self.switch_mode(mode)
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Every key of the screen is also a command in the palette (ctrl+p).
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                key = binding.key.split(",")[0]
                yield SystemCommand(binding.description, f"key: {key}", partial(screen.run_action, binding.action))
        yield SystemCommand("Export to JSON", "every row, to a file", lambda: self.push_screen(ExportDialog(self.db)))
        yield SystemCommand(
            "Back up", "a copy of the database", lambda: self.push_screen(ExportDialog(self.db, "backup"))
        )
        yield from super().get_system_commands(screen)


def make_app(db: Database) -> StudioflowApp:
    return StudioflowApp(db)
