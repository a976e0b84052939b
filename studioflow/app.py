"""The Textual application, built by `make_app` (the CLI and the tests all call it)."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.actions import ActionParseResult
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from studioflow import process
from studioflow.config import Config, load_config, save_table
from studioflow.errors import StudioflowError
from studioflow.screens.board import BoardScreen
from studioflow.screens.commands import RecordsProvider, ScreensProvider
from studioflow.screens.effects import EffectRunner, notice
from studioflow.screens.live import Live, StudioChanged, on_view
from studioflow.store import Database
from studioflow.workflow.board import reads

if TYPE_CHECKING:
    from studioflow.mail.delivery import DeliveryReport

# Delayed messages and retries after a backoff come due on their own: look every so often.
DELIVERY_INTERVAL_SECONDS = 30

# How long the watcher of other machines' changes waits at a time: quitting waits at most this.
WATCH_SECONDS = 0.5

# Board keys that only read (plain SQL): they run at once, even before the write path is warm.
READ_ONLY_ACTIONS = frozenset({"cursor", "first_card", "last_card", "filter", "clear_filter", "help", "quit"})

# The global modes, each a screen stack of its own, by title; the number keys 1-5 open them in this order.
MODES = {"Board": "board", "Tasks": "tasks", "Agenda": "agenda", "Clients": "clients", "Outbox": "outbox"}


def _screen(module: str, name: str, db: Database) -> Callable[[], Screen[Any]]:
    """A mode's screen, its module imported when the mode is first opened."""

    def make() -> Screen[Any]:
        import importlib

        return getattr(importlib.import_module(f"studioflow.screens.{module}"), name)(db)

    return make


class StudioflowApp(App[None]):
    TITLE = "studioflow"
    CSS_PATH = "app.tcss"
    # The board is the mode the app starts in, made as the app composes: switching to it from
    # Textual's default screen on mount parsed and applied the whole stylesheet twice more.
    DEFAULT_MODE = "board"
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
        *(
            Binding(str(number), f"show_mode('{mode}')", title, show=False, id=f"app.{mode}")
            for number, (title, mode) in enumerate(MODES.items(), start=1)
        ),
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    # Tests of other screens turn these off, so no background send or refresh changes what they see.
    deliver_in_background: ClassVar[bool] = True
    watch_changes: ClassVar[bool] = True

    # state -> number of messages; the outbox badge and screen follow it.
    outbox_counts: reactive[dict[str, int]] = reactive(dict, always_update=True)
    # (done, total) of the delivery run in progress; (0, 0) when none.
    delivery_progress: reactive[tuple[int, int]] = reactive((0, 0), always_update=True)

    def __init__(self, db: Database, config: Config) -> None:
        super().__init__()
        self.db = db
        self.config = config  # read once; the settings screen reloads it when it saves
        self.user_keys: dict[str, str] = {}  # the [keys] applied (binding id -> keys)
        # Each global key opens a mode: a screen stack of its own, so going to the Tasks
        # screen and back finds the board (and anything opened over it) as it was left.
        self.add_mode("board", lambda: BoardScreen(db))
        self.add_mode("tasks", _screen("tasks", "TasksScreen", db))
        self.add_mode("agenda", _screen("agenda", "AgendaScreen", db))
        self.add_mode("clients", _screen("clients", "ClientsScreen", db))
        self.add_mode("outbox", _screen("outbox", "OutboxScreen", db))
        self.effects = EffectRunner(self)  # writes from screens, off the UI thread
        self._quit_asked = False  # q pressed while a send was under way
        self._leave_now = threading.Event()  # q pressed again: stop waiting for the send
        self._deliver_again = False  # asked to deliver while a run was going: run again after it
        self._delivery_error = ""  # the last error said, so it is not said every half minute
        # Set once the write path (SQLAlchemy, the models, the engine) is loaded; see warm_up.
        self._writable = asyncio.Event()
        self._when_writable: list[Callable[[], object]] = []
        self.watching = False  # the watcher of other machines' changes is listening

    def on_mount(self) -> None:
        self.use_config(self.config)
        self.theme_changed_signal.subscribe(self, self._save_theme)
        self.recount_outbox()

    def recount_outbox(self) -> None:
        """Count the outbox again; the badge and the outbox screen follow."""
        self.outbox_counts = reads.outbox_counts(self.db, self.config)

    def use_config(self, config: Config) -> None:
        """Take the user's keys and theme from `config` (at start, and after the settings screen saves).
        A bad table is said in one line and the app goes on with Textual's defaults for it."""
        self.config = config
        try:
            self.user_keys = config.keys()
        except StudioflowError as exc:
            self.user_keys = {}
            self.notify(str(exc), title="Keys", severity="error", timeout=10)
        self.set_keymap(self.user_keys)
        if self.user_keys and self._writable.is_set():
            self._check_keys()  # at start, the warm-up thread checks them, off the first frame
        try:
            theme = config.theme()
        except StudioflowError as exc:
            theme = ""
            self.notify(str(exc), title="Theme", severity="error", timeout=10)
        if theme and theme != self.theme:
            if theme in self.available_themes:
                self.theme = theme
            else:
                self.notify(f"[ui] theme: no theme called {theme!r}; using {self.theme}", severity="error", timeout=10)

    def _save_theme(self, theme: object) -> None:
        """The theme picked in the palette is the one the next start uses."""
        try:
            if self.theme != self.config.theme():
                save_table("ui", {"theme": self.theme})
                self.config = load_config()
        except StudioflowError as exc:
            self.notify(f"Theme not saved: {exc}", severity="error")

    def _check_keys(self) -> None:
        """Say in one line what is wrong with the user's [keys] (an unknown id, a key given twice)."""
        from studioflow.screens.keymap import keymap_problems

        problems = keymap_problems(type(self), self.user_keys)
        if problems:
            self.notify(f"[keys] in config.toml: {'; '.join(problems)}", title="Keys", severity="error", timeout=15)

    # The write path, loaded after the first frame

    def warm_up(self) -> None:
        """Load the write path in a thread (the board calls this once its first frame is drawn),
        then start delivery. Nothing before the first frame writes or loads SQLAlchemy."""
        if not any(w.group == "warm-up" for w in self.workers) and not self._writable.is_set():
            self._warm_up()

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        try:
            with process.loading():
                # What a first key will need, imported off the event loop (delivery imports its own
                # in its thread, after this: a key pressed early waits for less).
                from studioflow.workflow.jobs import jobs  # noqa: F401

                with self.db.engine.connect():
                    pass
                if self.user_keys:
                    from studioflow.screens.keymap import namespaces

                    namespaces(type(self))  # imports every screen here, so checking the keys costs the UI no time
        finally:
            self.call_from_thread(self._write_path_ready)

    def _write_path_ready(self) -> None:
        self._writable.set()
        waiting, self._when_writable = self._when_writable, []
        for call in waiting:
            call()
        if self.user_keys:
            self._check_keys()
        if self.deliver_in_background:
            self.deliver()
            self.set_interval(DELIVERY_INTERVAL_SECONDS, self.deliver)
        if self.watch_changes:
            self._watch()

    # Live: other machines' changes

    @work(thread=True, group="live", exit_on_error=False)
    def _watch(self) -> None:
        """Wait for what other connections commit to the studio and tell the UI thread; stops when
        the app does (its workers are cancelled), within WATCH_SECONDS."""
        from studioflow.store.changes import KINDS

        worker = get_current_worker()
        watcher = self.db.changes()  # an error here ends in on_worker_state_changed, said once
        try:
            # Anything committed between the first read and now is caught up with once.
            self.post_message(StudioChanged(KINDS))
            while not worker.is_cancelled:
                changed = watcher.wait(WATCH_SECONDS)
                if changed and not worker.is_cancelled:
                    self.post_message(StudioChanged(frozenset(changed)))
        finally:
            watcher.close()

    async def on_studio_changed(self, message: StudioChanged) -> None:
        """Re-read what shows a changed kind: the outbox badge, and the screens on view."""
        self.watching = True
        try:
            if "outbox" in message.kinds:
                self.recount_outbox()
            for screen in on_view(self.screen_stack):
                if isinstance(screen, Live):
                    reloaded = screen.studio_changed(message.kinds)
                    if inspect.isawaitable(reloaded):
                        await reloaded
        except Exception as error:  # a busy or unreachable database: one line, the app stays up
            said = notice(error)
            if said is None:
                raise
            self.notify(f"Could not show another machine's change: {said}", severity="error")

    def when_writable(self, call: Callable[..., object], *args: object) -> None:
        """Call now if the write path is loaded, else as soon as it is (in order)."""
        if self._writable.is_set():
            call(*args)
        else:
            self._when_writable.append(partial(call, *args))

    def deliver(self, *, asked: bool = False) -> None:
        """Send what is due, in a thread: a keypress never waits for a mail server.

        `asked`: the user asked for it (or a move queued something), so deliver even
        when background delivery is off. Asked while a run is going, another follows it.
        """
        if not (asked or self.deliver_in_background):
            self.recount_outbox()
            return
        if any(w.group == "delivery" and not w.is_finished for w in self.workers):
            self._deliver_again = True
            return
        self._deliver()

    @work(thread=True, group="delivery", exit_on_error=False)
    def _deliver(self) -> DeliveryReport:
        # The run goes in a daemon thread this worker waits on: a second `q` during a slow send
        # stops the waiting, so the app leaves without the server's answer (the message is then
        # `sending`, and held for the user by the next delivery run).
        from studioflow.mail.delivery import MailSettings, deliver_due

        outcome: list[DeliveryReport | BaseException] = []
        finished = threading.Event()

        def run() -> None:
            try:
                settings = MailSettings.load(self.db.path, self.config)
                outcome.append(deliver_due(self.db, settings, self._progress_from_thread))
            except BaseException as error:
                outcome.append(error)
            finally:
                finished.set()

        threading.Thread(target=run, name="studioflow-delivery", daemon=True).start()
        while not finished.wait(0.05):
            if self._leave_now.is_set():
                raise StudioflowError("left while a message was being sent: it is held for you on the next start")
        self.call_from_thread(self._delivery_done)
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def _progress_from_thread(self, done: int, total: int) -> None:
        if not self._leave_now.is_set():
            self.call_from_thread(setattr, self, "delivery_progress", (done, total))

    def _delivery_done(self) -> None:
        self.delivery_progress = (0, 0)
        self.recount_outbox()
        if self._quit_asked:
            self.exit()

    def _sending(self) -> bool:
        return any(w.group == "delivery" and not w.is_finished for w in self.workers)

    async def action_quit(self) -> None:
        """Quit; during a send, first say that quitting waits for the mail server, and let a second `q` leave now."""
        if self._sending() and not self._quit_asked:
            self._quit_asked = True
            self.notify(
                "Sending mail: studioflow quits once the server has answered. "
                "Press q again to leave now (a message still in flight is then held for you to check).",
                title="Outbox",
                severity="warning",
                timeout=30,
            )
            return
        self._leave_now.set()
        self.exit()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "live" and event.state == WorkerState.ERROR:
            error = event.worker.error
            said = (notice(error) if error else None) or f"{type(error).__name__}: {error}"
            self.notify(f"Changes made elsewhere will show on a refresh only: {said}", severity="warning")
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
            from studioflow.mail.delivery import DeliveryReport

            self._delivery_error = ""
            report = event.worker.result
            if isinstance(report, DeliveryReport) and (report.failed or report.held or report.interrupted):
                problem = f": {report.problems[-1]}" if report.problems else ""
                self.notify(f"{report.summary()}{problem}", title="Outbox", severity="warning", timeout=10)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Every key and command of every screen comes through here: an error it meets that a person
        can act on (bad input, a busy or damaged database) is a one-line notice, and the app stays up.

        A key pressed before the write path is loaded waits for it: keys are handled one after
        another, so it is neither lost nor run twice, and those after it wait too."""
        name = action if isinstance(action, str) else action[1]
        if not self._writable.is_set() and name.split("(")[0].rpartition(".")[2] not in READ_ONLY_ACTIONS:
            self.warm_up()
            await self._writable.wait()
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except Exception as error:
            said = notice(error)
            if said is None:
                raise
            self.notify(said, severity="error")
            return True

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

        if name in MODES:
            self.action_show_mode(MODES[name])
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
                key = self.user_keys.get(binding.id or "", binding.key).split(",")[0]  # the user's, if remapped
                yield SystemCommand(binding.description, f"key: {key}", partial(screen.run_action, binding.action))
        from studioflow.screens.export import ExportDialog

        yield SystemCommand("Export to JSON", "every row, to a file", lambda: self.push_screen(ExportDialog(self.db)))
        yield SystemCommand(
            "Back up", "a copy of the database", lambda: self.push_screen(ExportDialog(self.db, "backup"))
        )
        yield from super().get_system_commands(screen)


def make_app(db: Database, config: Config | None = None) -> StudioflowApp:
    """The app over `db`, with the user's config.toml (read here when not given)."""
    return StudioflowApp(db, load_config() if config is None else config)
