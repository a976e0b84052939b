"""`studioflow event …` and `agenda`: a job's sessions, and the days ahead."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from studioflow.cli.complete import ON_JOB, client_names, job_ids
from studioflow.cli.frame import Leaf, Section
from studioflow.cli.params import DATETIME, FILE, record_id
from studioflow.cli.services import events, reads, transfer
from studioflow.cli.tracking import tracking_commands
from studioflow.store import Database

if TYPE_CHECKING:
    from studioflow.workflow.views import AgendaItem, EventView

WHEN = "'YYYY-MM-DD HH:MM'"


event = Section("event", help="events: a job's sessions and appointments")


@event.command("add", help="add an event")
@click.argument("title")
@click.option("--start", type=DATETIME, required=True, metavar=WHEN, help="local time")
@click.option("--end", type=DATETIME, metavar=WHEN)
@ON_JOB
@click.option("--client", metavar="C", shell_complete=client_names, help="default: the job's primary client")
@click.option("--location", default="", metavar="L")
def add_event(
    db: Database, title: str, start: datetime, end: datetime | None, job: str | None, client: str | None, location: str
) -> EventView:
    return events.add_event(db, title, start, end, job=job, client=client, location=location)


@event.command("list", help="list events in time order")
@ON_JOB
@click.option("--upcoming", is_flag=True, help="only events that have not ended")
def list_events(db: Database, job: str | None, upcoming: bool) -> list[EventView]:
    return events.list_events(db, job=job, since=datetime.now(UTC) if upcoming else None)


event.calls("delete", "delete an event", record_id("event_id"), service=lambda: events.delete_event)


@event.command("ics", help="write a job's events (or all upcoming) to an .ics file for a calendar app")
@click.argument("file", type=FILE)
@click.option("--job", metavar="J", shell_complete=job_ids, help="default: every upcoming event")
def events_ics(db: Database, file: Path, job: str | None) -> str:
    chosen = events.list_events(db, job=job) if job else events.upcoming_events(db)
    transfer.write_file(db, file, events.to_ics(chosen))
    return f"{len(chosen)} event(s) written to {file}"


tracking_commands(event, "events")


@click.command("agenda", cls=Leaf, help="today and the days ahead")
@click.option("--days", type=click.IntRange(0, 30), metavar="N", help="default: a week")
def agenda(db: Database, days: int | None) -> list[AgendaItem]:
    return reads.agenda(db, days=reads.AGENDA_DAYS if days is None else days)
