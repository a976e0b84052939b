"""Projects (a list with progress, opened as a task view) and the saved task lists manager."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from studioflow.screens.dialogs import NewEntry, PickerDialog, PromptDialog
from studioflow.screens.effects import run_effect
from studioflow.screens.tasks import ProjectTasksScreen, apply_saved_list
from studioflow.screens.undo import UndoKeys, undo_keys
from studioflow.store import Database
from studioflow.widgets.due import due_text
from studioflow.widgets.footer import KeysFooter
from studioflow.widgets.keys import key_for, undo_hint
from studioflow.widgets.tables import highlighted_id, refill
from studioflow.workflow.tasks import quickadd, tasks
from studioflow.workflow.views import SavedTaskListView

ALONE = ("", 0)  # the picker's "a project by itself"


class ProjectsScreen(UndoKeys, Screen[None]):
    """Every project with its progress and next due date; enter opens its tasks."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="projects.back"),
        Binding("n", "new_project", "New", id="projects.new"),
        Binding("enter", "open_project", "Open", id="projects.open"),
        Binding("A", "apply_list", "Apply list", id="projects.apply"),
        *undo_keys("projects"),
    ]

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    def compose(self) -> ComposeResult:
        yield Static("[b]Projects[/b]  [dim]n new · enter opens · A applies a saved list[/]", id="projects-bar")
        yield DataTable(id="projects-table", cursor_type="row")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Project", "For", "Client", "Done", "Next due")
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def load(self, keep: int | None = None) -> None:
        today = date.today()
        rows = []
        for project in tasks.list_projects(self.db):
            linked = project.job or project.event or project.invoice or "—"
            done = f"{project.tasks_total - project.tasks_open}/{project.tasks_total}"
            due = due_text(project.next_due, today)[0] or "—"
            rows.append((str(project.id), (project.name, linked, project.client or "—", done, due)))
        refill(self.query_one(DataTable), rows, keep=None if keep is None else str(keep))

    def _current(self) -> int | None:
        project_id = highlighted_id(self.query_one(DataTable))
        if project_id is None:
            self.notify(f"No projects yet: {key_for(self, 'new_project', 'n')} makes one.", severity="warning")
        return project_id

    def on_data_table_row_selected(self) -> None:
        # The table takes enter itself (its select key); a selected row opens the project.
        self.action_open_project()

    def action_open_project(self) -> None:
        project_id = self._current()
        if project_id is not None:
            self.app.push_screen(ProjectTasksScreen(self.db, project_id))

    def action_new_project(self) -> None:
        def named(name: str | None) -> None:
            if not name or not name.strip():
                return
            choices: list[tuple[str, tuple[str, int]]] = [("(a project by itself)", ALONE)]
            choices += [(label, (kind, i)) for label, kind, i in tasks.link_choices(self.db)]

            def linked(link: tuple[str, int] | NewEntry | None) -> None:
                if not isinstance(link, tuple):
                    return
                kind, link_id = link
                links: dict[str, Any] = {kind: link_id} if kind else {}
                run_effect(
                    self,
                    lambda: tasks.add_project(self.db, name, **links),
                    lambda made: self.load(keep=made.id),
                    said="Project “{0.name}” made: enter opens it.".format,
                )

            self.app.push_screen(PickerDialog(f"“{name.strip()}” is for", choices), linked)

        self.app.push_screen(PromptDialog("New project", placeholder="its name"), named)

    def action_apply_list(self) -> None:
        project_id = self._current()
        if project_id is None:
            return
        apply_saved_list(
            self,
            self.db,
            "Apply a saved task list to this project",
            lambda list_id: tasks.apply_saved_list(self.db, list_id, project=project_id),
            lambda _: self.load(keep=project_id),
            no_lists="No saved task lists yet: make one under Saved lists on the Tasks screen.",
        )

    def _reload(self) -> None:
        self.load()


class SavedListsScreen(UndoKeys, Screen[None]):
    """Saved task lists and their items (title, due offset, priority, order); A applies one."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="saved.back"),
        Binding("N", "new_list", "New list", id="saved.new_list"),
        Binding("a", "add_item", "Add task", id="saved.add_item"),
        Binding("e", "edit_item", "Edit task", id="saved.edit_item"),
        Binding("D", "delete", "Delete", id="saved.delete"),
        Binding("J,shift+down", "move_item(1)", "Task lower", show=False, id="saved.item_down"),
        Binding("K,shift+up", "move_item(-1)", "Task higher", show=False, id="saved.item_up"),
        Binding("r", "rename", "Rename list", id="saved.rename"),
        Binding("A", "apply", "Apply", id="saved.apply"),
        *undo_keys("saved"),
    ]

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.lists: list[SavedTaskListView] = []

    def compose(self) -> ComposeResult:
        yield Static(
            "[b]Saved task lists[/b]  [dim]tab: lists ⇄ tasks · a task reads: Send contract +3 !high[/]",
            id="saved-bar",
        )
        with Horizontal():
            with Vertical(id="saved-lists-side"):
                yield Label("[b]Lists[/b]")
                yield OptionList(id="saved-lists", markup=False)
            with Vertical(id="saved-items-side"):
                yield Label("[b]Tasks[/b]", id="saved-items-title")
                yield DataTable(id="saved-items", cursor_type="row")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("#", "Task", "Due", "Priority")
        self.load()
        self.query_one(OptionList).focus()

    def load(self, list_id: int | None = None, item_id: int | None = None) -> None:
        options = self.query_one(OptionList)
        here = self.current_list()
        list_id = list_id if list_id is not None else here.id if here else None
        self.lists = tasks.list_saved_lists(self.db)
        options.clear_options()
        for saved in self.lists:
            options.add_option(Option(f"{saved.name}  ({len(saved.items)})"))
        ids = [s.id for s in self.lists]
        if ids:
            options.highlighted = ids.index(list_id) if list_id in ids else 0
        self.show_items(item_id)

    def current_list(self) -> SavedTaskListView | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or options.highlighted >= len(self.lists):
            return None
        return self.lists[options.highlighted]

    def on_option_list_option_highlighted(self) -> None:
        self.show_items()

    def show_items(self, item_id: int | None = None) -> None:
        table = self.query_one(DataTable)
        saved = self.current_list()
        if saved is None:
            table.clear()
            return
        rows = []
        for n, item in enumerate(saved.items, start=1):
            due = "—" if item.due_offset_days is None else f"+{item.due_offset_days} days"
            priority = quickadd.PRIORITY_NAMES[item.priority] or "—"
            rows.append((str(item.id), (str(n), item.title, due, priority)))
        refill(table, rows, keep=None if item_id is None else str(item_id))

    def current_item(self) -> int | None:
        return highlighted_id(self.query_one(DataTable))

    def _run(self, change: Callable[[], Any], then: Callable[[Any], object], message: str = "") -> None:
        """Run a service off the UI thread (see run_effect); `then(result)` redraws."""
        run_effect(self, change, then, said=message or None)

    def _need_list(self) -> SavedTaskListView | None:
        saved = self.current_list()
        if saved is None:
            self.notify(f"No saved lists yet: {key_for(self, 'new_list', 'N')} makes one.", severity="warning")
        return saved

    def action_new_list(self) -> None:
        def named(name: str | None) -> None:
            if not name or not name.strip():
                return

            def first(text: str | None) -> None:
                if not text or not text.strip():
                    return
                make = lambda: tasks.create_saved_list(self.db, name, [quickadd.parse_saved_item(text)])  # noqa: E731
                self._run(make, lambda made: self.load(made.id))

            self.app.push_screen(PromptDialog(f"First task of “{name.strip()}”", "", "Send contract +3 !high"), first)

        self.app.push_screen(PromptDialog("New saved task list", placeholder="its name"), named)

    def action_add_item(self) -> None:
        saved = self._need_list()
        if saved is None:
            return

        def typed(text: str | None) -> None:
            if not text or not text.strip():
                return
            add = lambda: tasks.add_saved_item(self.db, saved.id, *quickadd.parse_saved_item(text))  # noqa: E731
            self._run(add, lambda made: self.load(saved.id, made.items[-1].id))

        self.app.push_screen(PromptDialog(f"Add a task to “{saved.name}”", "", "Send contract +3 !high"), typed)

    def action_edit_item(self) -> None:
        saved, item_id = self._need_list(), self.current_item()
        if saved is None or item_id is None:
            return
        item = next(i for i in saved.items if i.id == item_id)

        def typed(text: str | None) -> None:
            if text is None:
                return
            edit = lambda: tasks.edit_saved_item(self.db, item_id, *quickadd.parse_saved_item(text))  # noqa: E731
            self._run(edit, lambda _: self.load(saved.id, item_id))

        current = quickadd.saved_item_text(item.title, item.due_offset_days, item.priority)
        self.app.push_screen(PromptDialog("Edit task (title +days !priority)", current), typed)

    def action_delete(self) -> None:
        saved = self._need_list()
        if saved is None:
            return
        item_id = self.current_item()
        if self.focused is self.query_one(DataTable) and item_id is not None:
            self._run(
                lambda: tasks.delete_saved_item(self.db, item_id),
                lambda _: self.load(saved.id),
                f"Task deleted {undo_hint(self)}.",
            )
        else:
            said = f"List “{saved.name}” deleted {undo_hint(self)}."
            self._run(lambda: tasks.delete_saved_list(self.db, saved.id), lambda _: self.load(), said)

    def action_move_item(self, step: int) -> None:
        saved, item_id = self._need_list(), self.current_item()
        if saved is None or item_id is None:
            return
        self._run(lambda: tasks.move_saved_item(self.db, item_id, step), lambda _: self.load(saved.id, item_id))

    def action_rename(self) -> None:
        saved = self._need_list()
        if saved is None:
            return

        def named(name: str | None) -> None:
            if name:
                self._run(lambda: tasks.rename_saved_list(self.db, saved.id, name), lambda _: self.load(saved.id))

        self.app.push_screen(PromptDialog(f"Rename “{saved.name}”", saved.name), named)

    def action_apply(self) -> None:
        saved = self._need_list()
        if saved is None:
            return
        owners = tasks.owner_choices(self.db)

        def chosen(owner: tuple[str, int] | NewEntry | None) -> None:
            if not isinstance(owner, tuple):
                return
            kind, owner_id = owner
            job, project = (owner_id, None) if kind == "job" else (None, owner_id)
            run_effect(
                self,
                lambda: tasks.apply_saved_list(self.db, saved.id, job, project),
                said=lambda made: f"{len(made)} task(s) from “{saved.name}” added, due from today {undo_hint(self)}.",
            )

        choices = [(f"{o.name}  ({o.detail})", (o.kind, o.id)) for o in owners]
        self.app.push_screen(PickerDialog(f"Apply “{saved.name}” to a job or project", choices), chosen)

    def _reload(self) -> None:
        self.load()
