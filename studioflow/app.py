"""The Textual application, built by `make_app` (the CLI and the tests all call it)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from studioflow.screens.board import BoardScreen
from studioflow.store import Database


class StudioflowApp(App[None]):
    TITLE = "studioflow"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("1", "show_board", "Board", show=False, id="app.board"),
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    def on_mount(self) -> None:
        self.push_screen(BoardScreen(self.db))

    def action_show_board(self) -> None:
        while not isinstance(self.screen, BoardScreen) and len(self.screen_stack) > 2:
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
        yield from super().get_system_commands(screen)


def make_app(db: Database) -> StudioflowApp:
    return StudioflowApp(db)
