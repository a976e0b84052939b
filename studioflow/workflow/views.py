"""Plain, frozen view-models: what services hand to the CLI and the screens (never ORM rows)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class StageView:
    id: int
    name: str
    position: int
    due_in_days: int | None
    job_count: int


@dataclass(frozen=True)
class PipelineView:
    id: int
    name: str
    position: int
    archived: bool
    stages: tuple[StageView, ...]


@dataclass(frozen=True)
class ClientView:
    id: int
    name: str
    email: str
    phone: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class StatusView:
    id: int
    name: str
    colour: str


@dataclass(frozen=True)
class VisitView:
    stage_id: int | None
    stage: str
    state: str
    entered_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class JobView:
    id: int
    title: str
    pipeline_id: int
    pipeline: str
    stage_id: int
    stage: str
    client_id: int | None
    client: str | None
    status: str | None
    status_colour: str | None
    due_on: date | None
    archived: bool
    position: int
    tasks_open: int
    tasks_total: int
    history: tuple[VisitView, ...] = ()
    fired: tuple[str, ...] = ()  # what the stage automations did during this call


@dataclass(frozen=True)
class TaskView:
    id: int
    title: str
    done: bool
    done_at: datetime | None
    due_on: date | None
    priority: int
    job_id: int | None
    job: str | None
    project_id: int | None
    project: str | None


@dataclass(frozen=True)
class ProjectView:
    id: int
    name: str
    job_id: int | None
    client: str | None
    tasks_open: int
    tasks_total: int


@dataclass(frozen=True)
class SavedTaskListView:
    id: int
    name: str
    items: tuple[tuple[str, int | None], ...]  # (title, due offset in days)


def first_line(text: str, width: int = 40) -> str:
    """The first line of a text, cut to `width` with an ellipsis: what a table cell shows."""
    first = (text.strip().splitlines() or [""])[0]
    return first if len(first) <= width else first[: width - 1] + "…"


def local_minute(moment: datetime | None) -> str:
    """A stored (UTC) moment in the user's time zone, to the minute; "-" for none."""
    return "-" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M")


def to_json(value: Any) -> Any:
    """A view (or list of views) as JSON-ready data: ISO dates, lists for tuples."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class TemplateView:
    id: int
    name: str
    channel: str
    subject: str
    body: str


@dataclass(frozen=True)
class RenderedView:
    """A template rendered against a job: what would be sent."""

    channel: str
    subject: str
    body: str


@dataclass(frozen=True)
class MessageView:
    """One outbox message with the job it belongs to."""

    id: int
    channel: str
    to_addr: str
    subject: str
    body: str
    state: str
    send_at: datetime
    attempts: int
    last_error: str
    reply: str
    message_id: str
    sent_at: datetime | None
    job_id: int | None
    job_title: str
