"""A task list drawn line by line: 10,000 tasks mount one widget, not 10,000.

Lines are group headers (a job or project with its progress) and task rows. The
cursor moves over task rows only. A row changed in place (checked off) is redrawn
alone; the screen decides when the whole list is read again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip

from studioflow.widgets.colours import component_style
from studioflow.widgets.due import done_text, due_text
from studioflow.widgets.lines import LinesView
from studioflow.workflow.views import TaskGroup, TaskView

PRIORITY_MARKS = {0: "", 1: "low", 2: "med", 3: "high"}


@dataclass
class Line:
    """One drawn line: a group header (task None) or a task of `group`."""

    group: TaskGroup
    task: TaskView | None


class TaskList(LinesView, can_focus=True):
    """Group headers and task rows; the screen moves the cursor and changes rows."""

    COMPONENT_CLASSES = {
        "tasks--group",
        "tasks--meta",
        "tasks--cursor",
        "tasks--done",
        "tasks--overdue",
        "tasks--today",
        "tasks--high",
        "tasks--empty",
        "card--meta",
        "card--overdue",
        "card--today",
    }

    DEFAULT_CSS = """
    TaskList {
        height: 1fr;
    }
    TaskList > .tasks--group { text-style: bold; color: $text-accent; }
    TaskList > .tasks--meta { color: $foreground-muted; }
    TaskList > .card--meta { color: $foreground-muted; }
    TaskList > .tasks--cursor { background: $primary 35%; }
    TaskList:focus > .tasks--cursor { background: $primary 50%; }
    TaskList > .tasks--done { color: $foreground-disabled; text-style: strike; }
    TaskList > .card--overdue { color: $text-error; text-style: bold; }
    TaskList > .card--today { color: $text-warning; text-style: bold; }
    TaskList > .tasks--high { color: $text-error; }
    TaskList > .tasks--empty { color: $foreground-disabled; text-style: italic; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[Line] = []
        self.task_lines: list[int] = []  # indexes of the lines that are tasks, in order
        self.today = date.today()
        self.empty_text = "(no tasks)"

    def show(self, groups: tuple[TaskGroup, ...] | list[TaskGroup], today: date, keep_task: int | None = None) -> None:
        """Draw these groups; the cursor goes to `keep_task` if shown, else stays at its place."""
        place = self.task_index()
        self.today = today
        self.lines = []
        for group in groups:
            self.lines.append(Line(group, None))
            self.lines.extend(Line(group, task) for task in group.tasks)
        self.task_lines = [i for i, line in enumerate(self.lines) if line.task is not None]
        self._resize_virtual()
        target = None
        if keep_task is not None:
            kept = (n for n, i in enumerate(self.task_lines) if (t := self.lines[i].task) and t.id == keep_task)
            target = next(kept, None)
        if target is None and self.task_lines:
            target = min(place or 0, len(self.task_lines) - 1)
        self.cursor = None if target is None else self.task_lines[target]
        self.refresh()

    def task_index(self) -> int | None:
        """The cursor's place among the task rows."""
        if self.cursor is None:
            return None
        try:
            return self.task_lines.index(self.cursor)
        except ValueError:
            return None

    def current(self) -> TaskView | None:
        return None if self.cursor is None or self.cursor >= len(self.lines) else self.lines[self.cursor].task

    def move(self, step: int) -> None:
        if not self.task_lines:
            return
        here = self.task_index() or 0
        self.cursor = self.task_lines[max(0, min(here + step, len(self.task_lines) - 1))]

    def move_to(self, index: int) -> None:
        if self.task_lines:
            self.cursor = self.task_lines[max(0, min(index, len(self.task_lines) - 1))]

    def neighbour(self, step: int) -> TaskView | None:
        """The task shown next to the cursor's (step -1 above, +1 below) in the same group."""
        if self.cursor is None:
            return None
        index = self.cursor + step
        if 0 <= index < len(self.lines):
            line = self.lines[index]
            if line.task is not None and line.group is self.lines[self.cursor].group:
                return line.task
        return None

    def replace(self, task: TaskView) -> None:
        """A task changed in place (checked off): redraw its line, and its group's progress."""
        for index in self.task_lines:
            line = self.lines[index]
            if line.task is not None and line.task.id == task.id:
                step = int(task.done) - int(line.task.done)
                line.task = task
                self.refresh(Region(0, index - self.scroll_offset.y, self.size.width, 1))
                if step:
                    self._count_done(line.group, step)
                return

    def _count_done(self, group: TaskGroup, step: int) -> None:
        """The header says "n/m done" at once, without reading the list again."""
        counted = group._replace(done=max(0, min(group.done + step, group.total)))
        for index, line in enumerate(self.lines):
            if line.group is group:
                line.group = counted
                if line.task is None:
                    self.refresh(Region(0, index - self.scroll_offset.y, self.size.width, 1))

    def watch_cursor(self, cursor: int | None) -> None:
        if cursor is not None:
            # Keep the group's header in view when on its first task.
            top = cursor - 1 if cursor and self.lines[cursor - 1].task is None else cursor
            self.scroll_to_region(
                Region(0, top, max(self.size.width, 1), cursor - top + 1), animate=False, immediate=True
            )
        self.refresh()

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, max(len(self.lines), 1))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = y + self.scroll_offset.y
        if not self.lines:
            if index == 1:
                return self._strip([(f"  {self.empty_text}", self._style("tasks--empty"))], width, base)
            return Strip.blank(width, base)
        if index >= len(self.lines):
            return Strip.blank(width, base)
        line = self.lines[index]
        if line.task is None:
            return self._strip(self._header(line.group, width), width, base)
        style = base + self._style("tasks--cursor") if index == self.cursor else base
        return self._strip(self._row(line.task, width), width, style)

    def _style(self, name: str) -> Style:
        return component_style(self, name)

    def _header(self, group: TaskGroup, width: int) -> list[tuple[str, Style]]:
        name = group.name + (f" · {group.client}" if group.client and group.client != group.name else "")
        progress = f"{group.done}/{group.total} done"
        bar_width = 10
        filled = round(bar_width * group.done / group.total) if group.total else 0
        bar = "━" * filled + "╌" * (bar_width - filled)
        room = max(width - len(progress) - bar_width - 6, 8)
        if len(name) > room:
            name = name[: room - 1] + "…"
        return [
            (f" {name}", self._style("tasks--group")),
            (" " * max(room - len(name), 1), Style()),
            (f"{bar} ", self._style("tasks--meta")),
            (progress, self._style("tasks--meta")),
        ]

    def _row(self, task: TaskView, width: int) -> list[tuple[str, Style]]:
        done = self._style("tasks--done") if task.done else Style()
        owner = task.job or task.project or ""
        if task.client and task.client != owner:
            owner = f"{owner} · {task.client}" if owner else task.client
        due, due_class = (
            (done_text(task.done_at, self.today), "tasks--meta") if task.done else due_text(task.due_on, self.today)
        )
        due = due.removeprefix("due ")
        owner_width = max(min(30, width // 4), 10)
        due_width, mark_width = 15, 5
        title_width = max(width - 6 - owner_width - due_width - mark_width - 3, 8)
        title = _fit(task.title, title_width)
        mark = PRIORITY_MARKS.get(task.priority, "")
        return [
            (" [x] " if task.done else " [ ] ", done or self._style("tasks--meta")),
            (title.ljust(title_width), done),
            (" " + _fit(owner, owner_width).ljust(owner_width), done + self._style("tasks--meta")),
            (" " + _fit(due, due_width).ljust(due_width), done or self._style(due_class)),
            (" " + mark.ljust(mark_width), done or (self._style("tasks--high") if task.priority == 3 else Style())),
        ]

    def _strip(self, parts: list[tuple[str, Style]], width: int, style: Style) -> Strip:
        segments = [Segment(text, style + part) for text, part in parts]
        return Strip(segments).crop(0, width).extend_cell_length(width, style)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
