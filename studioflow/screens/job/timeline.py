"""The job page's Timeline tab: stage visits, automations fired and messages, newest last."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from studioflow.screens.job.base import JobPageBase
from studioflow.screens.job.fields import when
from studioflow.workflow.schedule import agenda

TAB = "timeline"
KEYS: list[Binding] = []  # it only reads


class TimelineTab(JobPageBase):
    def _load_timeline(self) -> None:
        rows = []
        for n, item in enumerate(agenda.timeline(self.db, self.job_id)):
            rows.append((str(n), (when(item.at), item.kind, item.state, Text(item.text))))
        self._fill("job-timeline", rows)
