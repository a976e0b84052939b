"""The Tasks screen (key 2): today's, overdue, upcoming, open and done tasks, grouped by job
or project, checked off in one key.

The screen reads a whole view once (plain view-models) and filters it in memory, so
typing in the filter line does not touch the database. A check-off changes its row in
place: it stays on screen, struck through, until the view is read again (a view key,
`r`, an edit or an undo).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from studioflow.screens.dialogs import NewEntry, PickerDialog, PromptDialog
from studioflow.screens.editor import edit_in_editor
from studioflow.screens.effects import run_effect
from studioflow.screens.filter_line import FilterLine
from studioflow.screens.job import JobScreen
from studioflow.screens.task_dialogs import QuickAddDialog, TaskDialog, TaskForm
from studioflow.screens.undo import UndoKeys, undo_keys
from studioflow.store import Database
from studioflow.store.text import matches
from studioflow.widgets.footer import KeysFooter
from studioflow.widgets.keys import key_for, undo_hint
from studioflow.widgets.tasks.task_list import TaskList
from studioflow.workflow.schedule import agenda
from studioflow.workflow.tasks import quickadd, tasks
from studioflow.workflow.views import TaskGroup, TaskListView, TaskView

# The task list's views in tab order: the key that shows one, its name on the view bar, and the
# shorter one the footer and `?` give its key.
VIEWS = {
    "today": ("t", "Today", "Today"),
    "overdue": ("o", "Overdue", "Overdue"),
    "upcoming": ("w", "Upcoming 7 days", "Upcoming"),
    "open": ("a", "All open", "All open"),
    "done": ("c", "Done", "Done"),
}

TASK_KEYS = [
    Binding("down,j", "cursor(1)", "Down", show=False, id="tasks.down"),
    Binding("up,k", "cursor(-1)", "Up", show=False, id="tasks.up"),
    Binding("g", "first", "First", show=False, id="tasks.first"),
    Binding("G", "last", "Last", show=False, id="tasks.last"),
    Binding("pagedown", "page(1)", "Page down", show=False, id="tasks.page_down"),
    Binding("pageup", "page(-1)", "Page up", show=False, id="tasks.page_up"),
    Binding("space,x", "toggle", "Done", id="tasks.toggle"),
    Binding("n", "quick_add", "New", id="tasks.new"),
    Binding("e", "edit", "Edit", id="tasks.edit"),
    Binding("ctrl+e", "edit_notes", "Notes in $EDITOR", show=False, id="tasks.notes"),
    Binding("d", "set_due", "Due", id="tasks.due"),
    Binding("D", "delete", "Delete", id="tasks.delete"),
    Binding("J,shift+down", "reorder(1)", "Lower", show=False, id="tasks.reorder_down"),
    Binding("K,shift+up", "reorder(-1)", "Higher", show=False, id="tasks.reorder_up"),
    Binding("slash", "filter", "Filter", id="tasks.filter"),
    Binding("escape", "clear_filter", "Clear filter", show=False, id="tasks.clear_filter"),
    Binding("enter", "open", "Open", id="tasks.open"),
    Binding("r", "reload", "Refresh", show=False, id="tasks.refresh"),
    *undo_keys("tasks"),
]


def apply_saved_list(
    screen: Screen[Any],
    db: Database,
    title: str,
    apply: Callable[[int], list[TaskView]],
    shown: Callable[[list[TaskView]], object],
    no_lists: str = "",
) -> None:
    """Pick a saved list and `apply` it (tasks due from today); `shown` re-reads the screen after.
    `no_lists` is said when there is none (default: the key of this screen that makes one)."""
    saved = tasks.list_saved_lists(db)
    if not saved:
        made_by = key_for(screen, "saved_lists", "S")
        screen.notify(no_lists or f"No saved task lists yet: {made_by} makes one.", severity="warning")
        return

    def chosen(list_id: int | NewEntry | None) -> None:
        if isinstance(list_id, int):
            said = f"{{}} task(s) added, due from today {undo_hint(screen)}.".format
            run_effect(screen, lambda: apply(list_id), shown, said=lambda made: said(len(made)))

    choices = [(f"{s.name}  ({len(s.items)} tasks)", s.id) for s in saved]
    screen.app.push_screen(PickerDialog(title, choices), chosen)


def task_matches(task: TaskView, typed: str) -> bool:
    return matches(typed, *filter(None, (task.title, task.job, task.project, task.client)))


class TasksScreen(FilterLine, UndoKeys, Screen[None]):
    AUTO_FOCUS = "TaskList"
    FILTER_ID = "tasks-filter"
    BINDINGS = [
        *TASK_KEYS,
        *(
            Binding(key, f"view('{view}')", short, show=False, id=f"tasks.view_{view}")
            for view, (key, _, short) in VIEWS.items()
        ),
        Binding("tab", "next_view(1)", "Next view", id="tasks.next_view"),
        Binding("shift+tab", "next_view(-1)", "Previous view", show=False, id="tasks.previous_view"),
        Binding("A", "apply_list", "Apply list", show=False, id="tasks.apply"),
        Binding("p", "projects", "Projects", id="tasks.projects"),
        Binding("S", "saved_lists", "Saved lists", id="tasks.saved_lists"),
    ]

    def __init__(self, db: Database, view: str = "today", project_id: int | None = None) -> None:
        super().__init__()
        self.db = db
        self.view_name = view
        self.project_id = project_id
        self.filter_text = ""
        self.data: TaskListView | None = None
        self.kept: set[int] = set()  # tasks checked off or back on since the view was read

    def compose(self) -> ComposeResult:
        yield Static(id="tasks-bar")
        yield Static(id="tasks-waits")  # stage waits due today, of every kind of card ("call the lead")
        field = Input(placeholder="filter tasks: title, job, project, client (esc clears)", id=self.FILTER_ID)
        field.display = False
        yield field
        yield TaskList(id="task-list")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        # Back from a job, a project or a dialog: tasks may have changed there.
        if self.data is not None:
            self.load(keep_task=self._current_id())

    def studio_changed(self, kinds: frozenset[str]) -> None:
        """Another machine changed tasks or jobs (live refresh, see screens/live.py): read the view
        again, the cursor staying on its task; rows struck through here stay until refreshed."""
        if self.data is not None and kinds & {"jobs", "tasks"}:
            self.load(keep_task=self._current_id())

    @property
    def task_list(self) -> TaskList:
        return self.query_one(TaskList)

    # Reading and drawing

    def load(self, keep_task: int | None = None, fresh: bool = False) -> None:
        """Read the view from the store (fresh: forget the struck-through rows)."""
        if fresh:
            self.kept.clear()
        scope = "all" if self.project_id is not None else self.view_name
        self.data = tasks.task_list(self.db, scope, date.today(), keep=self.kept, project=self.project_id)
        waits = agenda.waits_due(self.db) if scope in ("today", "overdue") else []
        line = self.query_one("#tasks-waits", Static)
        line.update("[b]Stage waits due:[/b] " + escape("; ".join(waits)) if waits else "")
        line.display = bool(waits)
        self.draw(keep_task)

    def draw(self, keep_task: int | None = None) -> None:
        assert self.data is not None
        groups: tuple[TaskGroup, ...] | list[TaskGroup] = self.data.groups
        if self.filter_text.split():
            groups = [
                g._replace(tasks=shown)
                for g in self.data.groups
                if (shown := tuple(t for t in g.tasks if task_matches(t, self.filter_text)))
            ]
        count = sum(len(g.tasks) for g in groups)
        listing = self.task_list
        listing.empty_text = self._empty_text()
        listing.show(groups, self.data.today, keep_task)
        self._update_bar(count)

    def _empty_text(self) -> str:
        if self.filter_text:
            return f"no task matches “{self.filter_text}”"
        if self.project_id is not None:
            return "no tasks yet: n adds one, A applies a saved list"
        return {
            "today": "nothing due today: w shows the coming week",
            "overdue": "nothing overdue",
            "upcoming": "nothing due in the next 7 days",
            "open": "no open tasks: n adds one",
            "done": "nothing done yet",
        }[self.view_name]

    def _update_bar(self, shown: int) -> None:
        tabs = []
        for name, (key, label, _) in VIEWS.items():
            if name == self.view_name:
                tabs.append(f"[reverse b] {label} [/]")
            else:
                tabs.append(f"[dim]{key}[/] {label}")
        count = f"{shown} task{'s' if shown != 1 else ''}"
        if self.filter_text:
            count += f" matching “{escape(self.filter_text)}”"
        self.query_one("#tasks-bar", Static).update("  ".join(tabs) + f"   [dim]{count}[/]")

    def _current_id(self) -> int | None:
        task = self.task_list.current()
        return None if task is None else task.id

    def _current(self) -> TaskView | None:
        task = self.task_list.current()
        if task is None:
            self.notify("No task here.", severity="warning")
        return task

    def _run(
        self,
        change: Callable[[], Any],
        keep_task: int | None = None,
        message: str = "",
        then: Callable[[], object] | None = None,
    ) -> None:
        """Run a service off the UI thread (see run_effect), then read the view again and `then`."""

        def done(_: Any) -> None:
            if keep_task is not None:
                self.kept.add(keep_task)  # an edited task stays in view (its new due date shown) until refreshed
            self.load(keep_task=keep_task)
            if then is not None:
                then()

        run_effect(self, change, done, said=message or None)

    # Views

    def action_view(self, view: str) -> None:
        self.view_name = view
        self.load(fresh=True)
        self.task_list.move_to(0)

    def action_next_view(self, step: int) -> None:
        names = list(VIEWS)
        self.action_view(names[(names.index(self.view_name) + step) % len(names)])

    def action_reload(self) -> None:
        self.load(keep_task=self._current_id(), fresh=True)

    # Cursor

    def action_cursor(self, step: int) -> None:
        self.task_list.move(step)

    def action_first(self) -> None:
        self.task_list.move_to(0)

    def action_last(self) -> None:
        self.task_list.move_to(len(self.task_list.task_lines) - 1)

    def action_page(self, step: int) -> None:
        self.task_list.move(step * max(self.task_list.size.height - 2, 1))

    # Changing tasks

    # Textual's DOMNode has a `toggle(attribute)` action of its own; this screen's `toggle` is another verb.
    def action_toggle(self) -> None:  # type: ignore[override]
        task = self._current()
        if task is None:
            return

        def shown(changed: TaskView) -> None:
            self.kept.add(task.id)
            self.task_list.replace(task._replace(done=changed.done, done_at=changed.done_at))

        # What it fired (a job moved on, mail queued) is said by the effect path.
        run_effect(self, lambda: tasks.toggle_task(self.db, task.id), shown)

    def action_quick_add(self) -> None:
        today = date.today()
        heading = "New task" if self.project_id is None else "New task in this project"

        def save(text: str) -> TaskView:
            return tasks.quick_add(self.db, text, today, project=self.project_id)

        def added(task: TaskView | None) -> None:
            if task is not None:
                self.kept.add(task.id)  # shown even when its due date is outside this view
                self.load(keep_task=task.id)
                self.notify(f"Added “{task.title}”.")

        self.app.push_screen(QuickAddDialog(tasks.owner_choices(self.db), save, heading), added)

    def action_edit(self) -> None:
        task = self._current()
        if task is None:
            return
        fresh = tasks.get_task(self.db, task.id)

        def save(form: TaskForm | None) -> None:
            if form is None:
                return
            job = form.owner.id if form.owner and form.owner.kind == "job" else None
            project = form.owner.id if form.owner and form.owner.kind == "project" else None
            self._run(
                lambda: tasks.edit_task(
                    self.db,
                    task.id,
                    title=form.title,
                    due_on=form.due_on,
                    priority=form.priority,
                    notes=form.notes,
                    job=job,
                    project=project,
                ),
                keep_task=task.id,
            )

        self.app.push_screen(TaskDialog(fresh, tasks.owner_choices(self.db), date.today()), save)

    def action_edit_notes(self) -> None:
        task = self._current()
        if task is None:
            return
        notes = tasks.get_task(self.db, task.id).notes
        edited = edit_in_editor(self.app, notes)  # a refusal is a notice (StudioflowApp.run_action)
        if edited != notes:
            self._run(lambda: tasks.edit_task(self.db, task.id, notes=edited), task.id, "Notes saved.")

    def action_set_due(self) -> None:
        task = self._current()
        if task is None:
            return

        def chosen(text: str | None) -> None:
            if text is None:
                return

            def set_due() -> TaskView:
                due = quickadd.parse_due(text, date.today()) if text.strip() else None
                return tasks.edit_task(self.db, task.id, due_on=due)

            self._run(set_due, keep_task=task.id)

        current = task.due_on.isoformat() if task.due_on else ""
        hint = "today, tomorrow, fri, +3d, YYYY-MM-DD; empty: none"
        dialog = PromptDialog(f"Due date of “{task.title}”", current, hint)
        self.app.push_screen(dialog, chosen)

    def action_delete(self) -> None:
        task = self._current()
        if task is None:
            return
        below = self.task_list.task_index() or 0
        said = f"Deleted “{task.title}” {undo_hint(self)}."
        self._run(lambda: tasks.delete_task(self.db, task.id), message=said, then=lambda: self.task_list.move_to(below))

    def action_reorder(self, step: int) -> None:
        task = self._current()
        if task is None:
            return
        if self.view_name == "done" and self.project_id is None:
            self.notify("Done tasks are listed by when they were done; reorder in an open view.", severity="warning")
            return
        other = self.task_list.neighbour(step)
        if other is None:
            where = "first" if step < 0 else "last"
            self.notify(f"“{task.title}” is already {where} in its group.", severity="warning")
            return
        self._run(lambda: tasks.swap_tasks(self.db, task.id, other.id), keep_task=task.id)

    def action_open(self) -> None:
        task = self._current()
        if task is None:
            return
        if task.job_id is not None:
            self.app.push_screen(JobScreen(self.db, task.job_id))
        elif task.project_id is not None and task.project_id != self.project_id:
            self.app.push_screen(ProjectTasksScreen(self.db, task.project_id))
        elif task.project_id is None:
            self.notify("This task has no job or project: e sets one.", severity="warning")

    # Filter

    def _show_filtered(self) -> None:
        if self.data is not None:
            self.draw()
            self.task_list.move_to(0)

    def _leave_filter(self) -> None:
        self.task_list.focus()

    # Undo

    def _reload(self) -> None:
        self.load(keep_task=self._current_id())

    def action_apply_list(self) -> None:
        """Apply a saved list to the job or project of the task under the cursor."""
        task = self._current()
        if task is None:
            return
        if task.job_id is not None:
            job_id = task.job_id
            self._apply_list(lambda list_id: tasks.apply_saved_list(self.db, list_id, job=job_id))
        elif task.project_id is not None:
            project_id = task.project_id
            self._apply_list(lambda list_id: tasks.apply_saved_list(self.db, list_id, project=project_id))
        else:
            self.notify("This task has no job or project to apply a list to.", severity="warning")

    def _apply_list(self, apply: Callable[[int], list[TaskView]]) -> None:
        """Pick a saved list and apply it (tasks due from today); the new tasks are shown."""

        def shown(made: list[TaskView]) -> None:
            self.kept.update(t.id for t in made)
            self.load(keep_task=made[0].id if made else None)

        apply_saved_list(self, self.db, "Apply a saved task list", apply, shown)

    # Other screens

    def action_projects(self) -> None:
        from studioflow.screens.projects import ProjectsScreen

        self.app.push_screen(ProjectsScreen(self.db))

    def action_saved_lists(self) -> None:
        from studioflow.screens.projects import SavedListsScreen

        self.app.push_screen(SavedListsScreen(self.db))


class ProjectTasksScreen(TasksScreen, inherit_bindings=False):
    """One project's tasks (open, then done) with the keys of the Tasks screen."""

    BINDINGS = [
        *TASK_KEYS,
        Binding("q", "app.pop_screen", "Back", id="project.back"),
        Binding("A", "apply_list", "Apply list", id="project.apply"),
    ]

    def __init__(self, db: Database, project_id: int) -> None:
        super().__init__(db, "open", project_id)

    def _update_bar(self, shown: int) -> None:
        assert self.project_id is not None
        project = tasks.get_project(self.db, self.project_id)
        parts = [f"[b]{escape(project.name)}[/b]"]
        for label, value in (("for", project.job), ("client", project.client), ("event", project.event)):
            if value:
                parts.append(f"[dim]{label}[/] {escape(value)}")
        done = project.tasks_total - project.tasks_open
        parts.append(f"[dim]{done}/{project.tasks_total} done[/]")
        if self.filter_text:
            parts.append(f"[dim]{shown} matching “{escape(self.filter_text)}”[/]")
        self.query_one("#tasks-bar", Static).update("  ".join(parts))

    def action_clear_filter(self) -> None:
        if not self.filter_text and not self.query_one("#tasks-filter").display:
            self.app.pop_screen()  # escape with nothing to clear: back to the list of projects
            return
        super().action_clear_filter()

    def action_apply_list(self) -> None:
        assert self.project_id is not None
        project_id = self.project_id
        self._apply_list(lambda list_id: tasks.apply_saved_list(self.db, list_id, project=project_id))
