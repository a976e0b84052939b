"""The job page's Projects tab: the projects linked to the job, with their progress."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from studioflow.screens.job.base import JobPageBase
from studioflow.workflow.tasks import tasks

TAB = "projects"
KEYS: list[Binding] = []  # projects are made and opened on the Projects screen


class ProjectsTab(JobPageBase):
    def _load_projects(self) -> None:
        rows = [
            (str(p.id), (Text(p.name), Text(p.client or ""), f"{p.tasks_total - p.tasks_open}/{p.tasks_total}"))
            for p in tasks.list_projects(self.db, job=self.job_id)
        ]
        self._fill("job-projects", rows)
