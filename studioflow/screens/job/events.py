"""The job page's Events tab: the job's sessions; add, edit, delete."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from studioflow.screens.dialogs import Field, FormDialog
from studioflow.screens.job.base import JobPageBase
from studioflow.screens.job.fields import parse_moment, when
from studioflow.workflow.schedule import events

TAB = "events"
KEYS = [
    Binding("a", "add_event", "Add event", id="job.add_event"),
    Binding("e", "edit_event", "Edit event", id="job.edit_event"),
    Binding("d", "delete_event", "Delete event", id="job.delete_event"),
]


class EventsTab(JobPageBase):
    def _load_events(self) -> None:
        rows = [
            (str(e.id), (when(e.starts_at), when(e.ends_at), Text(e.title), Text(e.location), Text(e.client or "")))
            for e in events.list_events(self.db, job=self.job_id)
        ]
        self._fill("job-events", rows)

    def action_add_event(self) -> None:
        start = datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        fields = [
            Field("title", "Title", placeholder="Engagement session"),
            Field("start", "Starts (YYYY-MM-DD HH:MM)", start.strftime("%Y-%m-%d %H:%M")),
            Field("end", "Ends (empty: no end time)", (start + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")),
            Field("location", "Location"),
            Field("client", "Client (empty: the job's primary client)"),
        ]

        def submit(v: dict[str, str]) -> None:
            ends = parse_moment(v["end"], "the end") if v["end"].strip() else None
            client = v["client"].strip() or None
            starts = parse_moment(v["start"], "the start")
            events.add_event(self.db, v["title"], starts, ends, job=self.job_id, client=client, location=v["location"])

        self.app.push_screen(FormDialog("New event", fields, submit), lambda saved: self._load())

    def action_edit_event(self) -> None:
        event_id = self._selected("job-events", "event")
        if event_id is None:
            return
        event = next(e for e in events.list_events(self.db, job=self.job_id) if e.id == event_id)
        fields = [
            Field("title", "Title", event.title),
            Field("start", "Starts (YYYY-MM-DD HH:MM)", when(event.starts_at)),
            Field("end", "Ends (empty: no end time)", when(event.ends_at)),
            Field("location", "Location", event.location),
        ]

        def submit(v: dict[str, str]) -> None:
            ends = parse_moment(v["end"], "the end") if v["end"].strip() else None
            events.edit_event(self.db, event_id, v["title"], parse_moment(v["start"], "the start"), ends, v["location"])

        self.app.push_screen(FormDialog("Edit event", fields, submit), lambda saved: self._load())

    def action_delete_event(self) -> None:
        event_id = self._selected("job-events", "event")
        if event_id is not None:
            title = str(self.query_one("#job-events", DataTable).get_row(str(event_id))[2])
            self._confirm_delete(
                f"Delete the event {title}", lambda: events.delete_event(self.db, event_id), "Deleted."
            )
