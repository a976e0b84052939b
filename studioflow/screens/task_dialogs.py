"""Dialogs of the task screens: quick add with @ completion, and the edit form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from studioflow.errors import StudioflowError
from studioflow.screens.dialogs import DialogBody, save_keys
from studioflow.screens.editor import edit_in_editor
from studioflow.screens.effects import run_effect
from studioflow.store.text import fold, matches
from studioflow.widgets.keys import KeyHints
from studioflow.workflow.tasks import quickadd
from studioflow.workflow.views import OwnerChoice, TaskView

MAX_SHOWN = 8


def _matches(choices: Sequence[OwnerChoice], typed: str) -> list[OwnerChoice]:
    return [c for c in choices if matches(typed, c.name)]


class QuickAddDialog(ModalScreen[TaskView | None]):
    """One line: `Call Anna due:fri !high @"Smith wedding"`; `@` offers the jobs and projects."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="quickadd.cancel")]

    def __init__(self, owners: Sequence[OwnerChoice], save: Callable[[str], TaskView], heading: str = "") -> None:
        super().__init__()
        self.owners = list(owners)
        self.save = save
        self._saving = False
        self.heading = heading or "New task"
        self._shown: list[OwnerChoice] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog quickadd-dialog"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            yield Input(placeholder='Call Anna due:fri !high @"Smith wedding"', id="quickadd-input")
            options = OptionList(id="quickadd-owners", markup=False)
            options.display = False
            yield options
            yield Label("", id="quickadd-error", classes="dialog-error")
            yield KeyHints(
                "due:today|tomorrow|fri|+3d|+2w|YYYY-MM-DD · !low|!medium|!high · @job or project "
                "(tab completes) · enter: add"
            )

    @on(Input.Changed, "#quickadd-input")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#quickadd-error", Label).update("")
        partial = quickadd.partial_owner(event.value)
        options = self.query_one("#quickadd-owners", OptionList)
        self._shown = [] if partial is None else _matches(self.owners, partial)[:MAX_SHOWN]
        options.clear_options()
        for choice in self._shown:
            options.add_option(Option(f"{choice.name}  ({choice.detail})"))
        options.display = bool(self._shown)
        if self._shown:
            options.highlighted = 0

    def on_key(self, event: events.Key) -> None:
        options = self.query_one("#quickadd-owners", OptionList)
        if not options.display or not self._shown:
            return
        if event.key in ("up", "down"):
            step = 1 if event.key == "down" else -1
            options.highlighted = ((options.highlighted or 0) + step) % len(self._shown)
            event.stop()
            event.prevent_default()
        elif event.key == "tab":
            self._complete()
            event.stop()
            event.prevent_default()

    def _complete(self) -> None:
        options = self.query_one("#quickadd-owners", OptionList)
        field = self.query_one("#quickadd-input", Input)
        choice = self._shown[options.highlighted or 0]
        field.value = quickadd.complete_owner(field.value, choice.name)
        field.cursor_position = len(field.value)

    @on(OptionList.OptionSelected, "#quickadd-owners")
    def _picked(self) -> None:
        self._complete()
        self.query_one("#quickadd-input", Input).focus()

    @on(Input.Submitted, "#quickadd-input")
    def _submit(self, event: Input.Submitted) -> None:
        # Enter on a half-typed @name completes it first; enter again adds the task.
        options = self.query_one("#quickadd-owners", OptionList)
        partial = quickadd.partial_owner(event.value)
        typed_in_full = partial is not None and any(fold(c.name) == fold(partial) for c in self._shown)
        if options.display and self._shown and partial is not None and not typed_in_full:
            self._complete()
            return
        if self._saving:
            return
        self._saving = True  # a second enter while the first waits on the database adds nothing twice

        def refused(said: str) -> None:
            self._saving = False
            self.query_one("#quickadd-error", Label).update(said)

        text = event.value
        run_effect(self, lambda: self.save(text), self.dismiss, refused=refused)


@dataclass(frozen=True)
class TaskForm:
    title: str
    owner: OwnerChoice | None
    due_on: date | None
    priority: int
    notes: str


class TaskDialog(ModalScreen[TaskForm | None]):
    """Every field of a task: title, job or project, due, priority, notes."""

    BINDINGS = [
        *save_keys("taskdialog"),
        # priority: the notes box would otherwise take ctrl+e as "end of line" (end does that too)
        Binding("ctrl+e", "notes_in_editor", "Notes in $EDITOR", priority=True, id="taskdialog.notes"),
    ]

    def __init__(self, task: TaskView, owners: Sequence[OwnerChoice], today: date) -> None:
        super().__init__()
        self.task_view = task
        self.owners = list(owners)
        self.today = today
        self._shown: list[OwnerChoice | None] = []

    def compose(self) -> ComposeResult:
        task = self.task_view
        owner = task.job or task.project or ""
        with DialogBody(classes="dialog task-dialog"):
            yield Label("Edit task", classes="dialog-title")
            yield Label("Title")
            yield Input(task.title, id="task-title")
            yield Label("Job or project (type to filter)")
            yield Input(owner, id="task-owner")
            yield OptionList(id="task-owners", markup=False)
            yield Label("Due (today, fri, +3d, YYYY-MM-DD; empty for none)")
            yield Input(task.due_on.isoformat() if task.due_on else "", id="task-due")
            yield Label("Priority (none, low, medium, high)")
            yield Input(quickadd.PRIORITY_NAMES[task.priority] or "none", id="task-priority")
            yield Label("Notes")
            yield TextArea(task.notes, id="task-notes")
            yield Label("", id="task-error", classes="dialog-error")
            yield KeyHints("tab: next field")

    def action_notes_in_editor(self) -> None:
        notes = self.query_one("#task-notes", TextArea)
        try:
            notes.load_text(edit_in_editor(self.app, notes.text))
        except StudioflowError as exc:
            self.query_one("#task-error", Label).update(str(exc))

    def on_mount(self) -> None:
        self._fill(self.query_one("#task-owner", Input).value, initial=True)
        self.query_one("#task-title", Input).focus()

    @on(Input.Changed, "#task-owner")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted)
    def _next(self) -> None:
        self.action_save()

    def on_key(self, event: events.Key) -> None:
        if self.focused is self.query_one("#task-owner") and event.key in ("up", "down") and self._shown:
            options = self.query_one("#task-owners", OptionList)
            step = 1 if event.key == "down" else -1
            options.highlighted = ((options.highlighted or 0) + step) % len(self._shown)
            event.stop()

    def _fill(self, text: str, initial: bool = False) -> None:
        options = self.query_one("#task-owners", OptionList)
        options.clear_options()
        self._shown = [None]
        options.add_option(Option("(no job or project)"))
        best = 0
        for choice in _matches(self.owners, text):
            options.add_option(Option(f"{choice.name}  ({choice.detail})"))
            self._shown.append(choice)
            mine = (choice.kind, choice.id) in (("job", self.task_view.job_id), ("project", self.task_view.project_id))
            if (best == 0 and text.strip()) or (initial and mine):
                best = len(self._shown) - 1
        options.highlighted = best

    def action_save(self) -> None:
        error = self.query_one("#task-error", Label)
        title = self.query_one("#task-title", Input).value.strip()
        due_text = self.query_one("#task-due", Input).value.strip()
        try:
            if not title:
                raise StudioflowError("a task needs a title")
            due = quickadd.parse_due(due_text, self.today) if due_text else None
            priority = quickadd.parse_priority(self.query_one("#task-priority", Input).value or "none")
        except StudioflowError as exc:
            error.update(str(exc))
            return
        options = self.query_one("#task-owners", OptionList)
        owner = self._shown[options.highlighted] if options.highlighted is not None else None
        notes = self.query_one("#task-notes", TextArea).text
        self.dismiss(TaskForm(title, owner, due, priority, notes))
