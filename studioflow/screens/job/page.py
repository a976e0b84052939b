"""One job as a container: where it stands, and everything it holds, one tab each.

Tabs: Timeline (stage visits, automations fired, messages), Tasks, Clients (with
roles; add, remove, primary), Events, Invoices, Mileage, Projects, Notes; each tab's
reading and keys are in its own module here. The keys in the footer are those of the
tab in view, and the board's keys for the job itself work on every tab.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Markdown, Static, TabbedContent, TabPane

from studioflow.errors import StudioflowError
from studioflow.screens.dialogs import NewEntry, PickerDialog
from studioflow.screens.job import clients, events, invoices, mileage, notes, projects, tasks, timeline
from studioflow.screens.statuses import pick_status
from studioflow.screens.task_dialogs import QuickAddDialog
from studioflow.screens.undo import step_journal
from studioflow.widgets.due import due_text
from studioflow.widgets.footer import KeysFooter
from studioflow.widgets.keys import undo_hint
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.tasks import tasks as task_service
from studioflow.workflow.views import JobView, TaskView

TAB_MODULES = (timeline, tasks, clients, events, invoices, mileage, projects, notes)
TABS = tuple(module.TAB for module in TAB_MODULES)
# Which tab each key belongs to: the footer shows a key only on its tab.
TAB_ACTIONS = {binding.action: module.TAB for module in TAB_MODULES for binding in module.KEYS}


class JobScreen(
    timeline.TimelineTab,
    tasks.TasksTab,
    clients.ClientsTab,
    events.EventsTab,
    invoices.InvoicesTab,
    mileage.MileageTab,
    projects.ProjectsTab,
    notes.NotesTab,
):
    AUTO_FOCUS = ""  # the table of the tab in view takes focus (see _focus_tab)
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="job.back"),
        Binding("right_square_bracket", "tab(1)", "Next tab", id="job.next_tab"),
        Binding("left_square_bracket", "tab(-1)", "Previous tab", id="job.previous_tab"),
        *(binding for module in TAB_MODULES for binding in module.KEYS),
        # The board's keys for the job itself, on every tab (s and m are the invoice's own on its tab).
        Binding("n", "new_task", "New task", id="job.new_task"),
        Binding("L,shift+right", "advance", "Advance", id="job.advance"),
        Binding("H,shift+left", "back", "Back a stage", id="job.back_stage"),
        Binding("s", "skip", "Skip", id="job.skip"),
        Binding("m", "move", "Move to", id="job.move"),
        Binding("t", "status", "Status", id="job.status"),
        Binding("u", "undo", "Undo", id="job.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="job.redo"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="job-summary")
        with TabbedContent(initial=f"tab-{self.initial_tab}", id="job-tabs"):
            with TabPane("Timeline", id="tab-timeline"):
                yield DataTable(id="job-timeline", cursor_type="row")
            with TabPane("Tasks", id="tab-tasks"):
                yield DataTable(id="job-tasks", cursor_type="row")
            with TabPane("Clients", id="tab-clients"):
                yield DataTable(id="job-clients", cursor_type="row")
            with TabPane("Events", id="tab-events"):
                yield DataTable(id="job-events", cursor_type="row")
            with TabPane("Invoices", id="tab-invoices"):
                yield DataTable(id="job-invoices", cursor_type="row")
                yield Static(id="job-invoice-lines")
            with TabPane("Mileage", id="tab-mileage"):
                yield DataTable(id="job-mileage", cursor_type="row")
                yield Static(id="job-mileage-total")
            with TabPane("Projects", id="tab-projects"):
                yield DataTable(id="job-projects", cursor_type="row")
            with TabPane("Notes", id="tab-notes"), VerticalScroll():
                yield Markdown(id="job-notes")
        yield KeysFooter()

    def on_mount(self) -> None:
        columns = {
            "job-timeline": ("When", "What", "State", "Details"),
            "job-tasks": ("", "Task", "Due"),
            "job-clients": ("", "Client", "Role", "Email", "Phone"),
            "job-events": ("Start", "End", "Title", "Location", "Client"),
            "job-invoices": ("Number", "Client", "Issued", "Due", "Status", "Total"),
            "job-mileage": ("Date", "Event", "Purpose", "Distance", "Rate", "Amount"),
            "job-projects": ("Project", "Client", "Tasks done"),
        }
        for table_id, names in columns.items():
            self.query_one(f"#{table_id}", DataTable).add_columns(*names)
        self._load()
        self._focus_tab()

    # Reading

    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active.removeprefix("tab-")

    def _load(self) -> None:
        job = jobs.get_job(self.db, self.job_id)
        self.sub_title = job.title
        self.query_one("#job-summary", Static).update(_summary(job))
        self._load_timeline()
        self._load_tasks()
        self._load_clients()
        self._load_events()
        self._load_invoices()
        self._load_mileage()
        self._load_projects()
        self._load_notes()

    # Tabs

    def action_tab(self, step: int) -> None:
        here = TABS.index(self.tab)
        self.query_one(TabbedContent).active = f"tab-{TABS[(here + step) % len(TABS)]}"
        self._focus_tab()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def _focus_tab(self) -> None:
        found = self.query_one(f"#tab-{self.tab}").query(DataTable)
        if found:
            found.first().focus(scroll_visible=False)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("skip", "move") and self.tab == "invoices":
            return False  # s and m are the invoice's status and email there
        owner = TAB_ACTIONS.get(action)
        return owner is None or owner == self.tab

    # The job itself: the board's keys

    def _move(self, change: Callable[[], JobView], say: str = "") -> None:
        """What automations fired is said, and what they queued sent once due, by the effect path."""
        self._run(change, lambda moved: (say or f"“{moved.title}” is now in {moved.stage}") + f" {undo_hint(self)}.")

    def action_advance(self) -> None:
        self._move(lambda: jobs.advance(self.db, self.job_id))

    def action_skip(self) -> None:
        self._move(lambda: jobs.skip(self.db, self.job_id))

    def action_back(self) -> None:
        job = jobs.get_job(self.db, self.job_id)
        stages = [s.id for s in pipelines.get_pipeline(self.db, job.pipeline_id).stages]
        here = stages.index(job.stage_id)
        if here == 0:
            self.notify("This is the first stage: there is no stage before it.", severity="warning")
            return
        self._move(lambda: jobs.move_to(self.db, self.job_id, stages[here - 1]))

    def action_move(self) -> None:
        job = jobs.get_job(self.db, self.job_id)
        stages = pipelines.get_pipeline(self.db, job.pipeline_id).stages
        here = next((n for n, s in enumerate(stages) if s.id == job.stage_id), 0)

        def moved(stage_id: int | NewEntry | None) -> None:
            if isinstance(stage_id, int):
                self._move(lambda: jobs.move_to(self.db, self.job_id, stage_id))

        choices = [(s.name, s.id) for s in stages]
        self.app.push_screen(PickerDialog(f"Move “{job.title}” to stage", choices, current=here), moved)

    def action_status(self) -> None:
        job = jobs.get_job(self.db, self.job_id)

        def set_to(status_id: int | None) -> None:
            self._move(lambda: jobs.set_status(self.db, self.job_id, status_id), "Status set")

        pick_status(self, self.db, f"Status of “{job.title}”", set_to)

    def action_new_task(self) -> None:
        def save(text: str) -> TaskView:
            return task_service.quick_add(self.db, text, date.today(), job=self.job_id)

        def added(task: TaskView | None) -> None:
            if task is not None:
                self.notify(f"Added “{task.title}” {undo_hint(self)}.")
                self.query_one(TabbedContent).active = "tab-tasks"
                self._load()
                self._focus_tab()

        self.app.push_screen(QuickAddDialog(task_service.owner_choices(self.db), save, "New task for this job"), added)

    def action_undo(self) -> None:
        step_journal(self, self.db, self._reload_or_leave)

    def action_redo(self) -> None:
        step_journal(self, self.db, self._reload_or_leave, redo=True)

    def _reload_or_leave(self) -> None:
        try:
            self._load()
        except StudioflowError:  # the undo took back the job's creation
            self.app.pop_screen()


def _summary(job: JobView) -> str:
    archived = "  [dim](archived)[/dim]" if job.archived else ""
    due = due_text(job.due_on, date.today())[0] or "—"
    return (
        f"[b]{escape(job.title)}[/b]{archived}   {escape(job.pipeline)} › [b]{escape(job.stage)}[/b]\n"
        f"Client: {escape(job.client or '—')} · Status: {escape(job.status or '—')} · Due: {due} · "
        f"Tasks: {job.tasks_total - job.tasks_open}/{job.tasks_total} done"
    )
