"""The job page's Tasks tab: the job's tasks, checked off in one key."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from studioflow.screens.job.base import JobPageBase
from studioflow.widgets.due import due_text
from studioflow.workflow.tasks import tasks

TAB = "tasks"
KEYS = [Binding("space,x", "toggle_task", "Done/undone", id="job.toggle_task")]


class TasksTab(JobPageBase):
    def _load_tasks(self) -> None:
        rows = []
        for task in tasks.list_tasks(self.db, include_done=True, job=self.job_id):
            due = "" if task.done else due_text(task.due_on, date.today())[0]
            # Text, not str: "[x]" would be read as markup and vanish.
            box = Text("[x]" if task.done else "[ ]")
            title = Text(task.title, style="strike dim" if task.done else "")
            rows.append((str(task.id), (box, title, due)))
        self._fill("job-tasks", rows)

    def action_toggle_task(self) -> None:
        table = self.query_one("#job-tasks", DataTable)
        task_id = self._selected("job-tasks", "task")
        if task_id is None:
            return
        done = str(table.get_row_at(table.cursor_row)[0]) == "[x]"  # a Text: str() is its plain text
        # What a check-off fired (a job moved on, mail queued) is said by the effect path.
        self._run(lambda: (tasks.reopen_task if done else tasks.complete_task)(self.db, task_id))
