"""The Textual application, built by `make_app` (the CLI and the tests all call it)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from studioflow.errors import StudioflowError
from studioflow.mail.delivery import DeliveryReport, MailSettings, deliver_due
from studioflow.screens.agenda import AgendaScreen
from studioflow.screens.board import BoardScreen
from studioflow.screens.clients import ClientsScreen
from studioflow.screens.commands import RecordsProvider, ScreensProvider
from studioflow.screens.export import ExportDialog
from studioflow.screens.outbox import OutboxScreen
from studioflow.screens.tasks import TasksScreen
from studioflow.store import Database
from studioflow.workflow import outbox

# Delayed messages and retries after a backoff come due on their own: look every so often.
DELIVERY_INTERVAL_SECONDS = 30


class StudioflowApp(App[None]):
    TITLE = "studioflow"
    CSS_PATH = "app.tcss"
    # ctrl+p finds every screen by name, and jobs, clients and projects by (part of) their name.
    COMMANDS = App.COMMANDS | {ScreensProvider, RecordsProvider}
    SCREEN_NAMES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("Board", "the pipeline's jobs as cards (1)"),
        ("Tasks", "today, overdue, upcoming, all open, done (2)"),
        ("Agenda", "today and the next 7 days (3)"),
        ("Clients", "search, edit, merge (4)"),
        ("Outbox", "messages waiting, sent, held (5)"),
        ("Projects", "groups of tasks"),
        ("Saved task lists", "reusable lists of tasks"),
        ("Statuses", "job statuses: add, rename, recolour, delete"),
        ("Archived jobs", "the board's archived jobs, to bring back"),
        ("Templates", "email and text templates"),
        ("Settings", "mail server and your name"),
    )
    BINDINGS = [
        Binding("1", "show_mode('board')", "Board", show=False, id="app.board"),
        Binding("2", "show_mode('tasks')", "Tasks", show=False, id="app.tasks"),
        Binding("3", "show_mode('agenda')", "Agenda", show=False, id="app.agenda"),
        Binding("4", "show_mode('clients')", "Clients", show=False, id="app.clients"),
        Binding("5", "show_mode('outbox')", "Outbox", show=False, id="app.outbox"),
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    # Tests of other screens turn this off, so no background send changes what they see.
    deliver_in_background: ClassVar[bool] = True

    # state -> number of messages; the outbox badge and screen follow it.
    outbox_counts: reactive[dict[str, int]] = reactive(dict, always_update=True)
    # (done, total) of the delivery run in progress; (0, 0) when none.
    delivery_progress: reactive[tuple[int, int]] = reactive((0, 0), always_update=True)

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        # Each global key opens a mode: a screen stack of its own, so going to the Tasks
        # screen and back finds the board (and anything opened over it) as it was left.
        self.add_mode("board", lambda: BoardScreen(db))
        self.add_mode("tasks", lambda: TasksScreen(db))
        self.add_mode("agenda", lambda: AgendaScreen(db))
        self.add_mode("clients", lambda: ClientsScreen(db))
        self.add_mode("outbox", lambda: OutboxScreen(db))
        self._deliver_again = False  # asked to deliver while a run was going: run again after it
        self._delivery_error = ""  # the last error said, so it is not said every half minute

    def on_mount(self) -> None:
        self.switch_mode("board")
        self.outbox_counts = outbox.counts(self.db)
        if self.deliver_in_background:
            self.deliver()
            self.set_interval(DELIVERY_INTERVAL_SECONDS, self.deliver)

    def deliver(self, *, asked: bool = False) -> None:
        """Send what is due, in a thread: a keypress never waits for a mail server.

        `asked`: the user asked for it (or a move queued something), so deliver even
        when background delivery is off. Asked while a run is going, another follows it.
        """
        if not (asked or self.deliver_in_background):
            self.outbox_counts = outbox.counts(self.db)
            return
        if any(w.group == "delivery" and not w.is_finished for w in self.workers):
            self._deliver_again = True
            return
        self._deliver()

    @work(thread=True, group="delivery", exit_on_error=False)
    def _deliver(self) -> DeliveryReport:
        try:
            return deliver_due(self.db, MailSettings.load(self.db.path), self._progress_from_thread)
        finally:
            self.call_from_thread(self._delivery_done)

    def _progress_from_thread(self, done: int, total: int) -> None:
        self.call_from_thread(setattr, self, "delivery_progress", (done, total))

    def _delivery_done(self) -> None:
        self.delivery_progress = (0, 0)
        self.outbox_counts = outbox.counts(self.db)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "delivery":
            return
        if event.worker.is_finished and self._deliver_again:
            self._deliver_again = False
            self.deliver(asked=True)
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            # A bad config or a locked database: said once, not every half minute while it lasts;
            # nothing is lost (messages stay queued), so the app goes on.
            said = str(error) if isinstance(error, StudioflowError) else f"{type(error).__name__}: {error}"
            if said != self._delivery_error:
                self._delivery_error = said
                self.notify(f"Mail not sent: {said}", title="Outbox", severity="error", timeout=10)
        elif event.state == WorkerState.SUCCESS:
            self._delivery_error = ""
            report = event.worker.result
            if isinstance(report, DeliveryReport) and (report.failed or report.held):
                problem = f": {report.problems[-1]}" if report.problems else ""
                self.notify(f"{report.summary()}{problem}", title="Outbox", severity="warning", timeout=10)

    def action_show_mode(self, mode: str) -> None:
        """The mode's screen; pressed again while there, back to its first screen."""
        if self.current_mode != mode:
            self.switch_mode(mode)
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def open_by_name(self, name: str) -> None:
        """Open the screen called `name` in SCREEN_NAMES (from the command palette)."""
        from studioflow.screens.projects import ProjectsScreen, SavedListsScreen
        from studioflow.screens.settings import SettingsScreen
        from studioflow.screens.statuses import StatusesDialog
        from studioflow.screens.templates import TemplatesDialog

        modes = {"Board": "board", "Tasks": "tasks", "Agenda": "agenda", "Clients": "clients", "Outbox": "outbox"}
        if name in modes:
            self.action_show_mode(modes[name])
        elif name in ("Projects", "Saved task lists"):
            self.action_show_mode("tasks")
            self.push_screen(ProjectsScreen(self.db) if name == "Projects" else SavedListsScreen(self.db))
        elif name == "Archived jobs":
            self.action_show_mode("board")
            while len(self.screen_stack) > 1:  # over the board itself, not over a job page
                self.pop_screen()
            if isinstance(self.screen, BoardScreen):
                self.screen.action_archived()
        else:
            opened = {"Statuses": StatusesDialog, "Templates": TemplatesDialog}
            self.push_screen(opened[name](self.db) if name in opened else SettingsScreen())

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
