"""Events: the sessions and appointments of a job (an engagement shoot, the wedding day).

Times are aware datetimes, stored in UTC. The `.ics` export is what a calendar app imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session, col

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Condition, Event, utcnow
from studioflow.workflow import lookup
from studioflow.workflow.views import EventView

MAX_LOCATION = 500


def add_event(
    db: Database,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    job: int | str | None = None,
    client: int | str | None = None,
    location: str = "",
) -> EventView:
    """A new event; its client defaults to the job's primary client."""
    title = lookup.clean_name(title, "an event title")
    _check_times(starts_at, ends_at)
    location = _clean_location(location)
    with db.write() as session:
        job_row, client_id = lookup.job_and_client(session, job, client)
        event = Event(
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            job_id=None if job_row is None else job_row.id,
            client_id=client_id,
        )
        session.add(event)
        session.flush()
        from studioflow.workflow.jobs import tracking  # builds on the automations, which build on this module

        tracking.enter_default(session, "events", event.saved_id)
        return _views(session, Event.id == event.id)[0]


def edit_event(
    db: Database,
    event_id: int,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None,
    location: str,
) -> EventView:
    title = lookup.clean_name(title, "an event title")
    _check_times(starts_at, ends_at)
    location = _clean_location(location)
    with db.write() as session:
        event = lookup.get(session, Event, event_id, "event")
        event.title, event.starts_at, event.ends_at, event.location = title, starts_at, ends_at, location
        session.flush()
        return _views(session, Event.id == event.id)[0]


def delete_event(db: Database, event_id: int) -> EventView:
    with db.write() as session:
        event = lookup.get(session, Event, event_id, "event")
        view = _views(session, Event.id == event.id)[0]
        session.delete(event)
        return view


def list_events(
    db: Database,
    job: int | str | None = None,
    client: int | str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[EventView]:
    """Events in time order; `since`/`until` keep those that end after / start before them."""
    with db.read() as session:
        conditions = lookup.of_job_and_client(session, Event, job, client)
        if since is not None:
            # An event still running at `since` counts (its end, or its start when it has none).
            conditions.append((col(Event.ends_at) >= since) | (col(Event.starts_at) >= since))
        if until is not None:
            conditions.append(col(Event.starts_at) < until)
        return _views(session, *conditions)


def upcoming_events(db: Database, now: datetime | None = None) -> list[EventView]:
    """Every event that has not ended yet."""
    return list_events(db, since=now or utcnow())


def to_ics(events: Iterable[EventView], now: datetime | None = None) -> bytes:
    """An iCalendar file (RFC 5545) of the events, for a calendar app to import."""
    # Imported on use: only the .ics export needs it.
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    calendar = Calendar()
    calendar.add("prodid", "-//studioflow//events//EN")
    calendar.add("version", "2.0")
    stamp = now or utcnow()
    for event in events:
        entry = IcsEvent()
        # Stable across exports, so a calendar app updates the event instead of duplicating it.
        entry.add("uid", f"event-{event.id}@studioflow")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", event.starts_at)
        # RFC 5545: an event without an end lasts no time; an hour is what people mean.
        entry.add("dtend", event.ends_at or _plus_an_hour(event.starts_at))
        entry.add("summary", event.title)
        if event.location:
            entry.add("location", event.location)
        details = [f"Job: {event.job}" if event.job else "", f"Client: {event.client}" if event.client else ""]
        if any(details):
            entry.add("description", "\n".join(d for d in details if d))
        calendar.add_component(entry)
    return calendar.to_ical()


def _plus_an_hour(starts_at: datetime) -> datetime:
    """The end of an event that has none; an event stored at the very end of time ends there."""
    try:
        return starts_at + timedelta(hours=1)
    except OverflowError:
        return starts_at


# Times a calendar, a time zone shift and an hour's end all fit around.
FIRST_YEAR, LAST_YEAR = 1900, 9998


def _check_times(starts_at: datetime, ends_at: datetime | None) -> None:
    if starts_at.tzinfo is None or (ends_at is not None and ends_at.tzinfo is None):
        raise StudioflowError("an event's times need a time zone")  # a programming slip, not user input
    for moment in (starts_at, ends_at):
        if moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise StudioflowError(f"an event's time must be from year {FIRST_YEAR} to {LAST_YEAR}, not {moment.year}")
    if ends_at is not None and ends_at < starts_at:
        raise StudioflowError(
            f"an event cannot end ({ends_at.astimezone():%Y-%m-%d %H:%M}) "
            f"before it starts ({starts_at.astimezone():%Y-%m-%d %H:%M})"
        )


def _clean_location(location: str) -> str:
    location = " ".join(location.split())
    if len(location) > MAX_LOCATION:
        raise StudioflowError(f"a location is too long ({len(location)} characters, at most {MAX_LOCATION})")
    return location


def _views(session: Session, *conditions: Condition) -> list[EventView]:
    query = lookup.with_job_and_client(Event).where(*conditions).order_by(col(Event.starts_at), col(Event.id))
    return [
        EventView(e.saved_id, e.title, e.starts_at, e.ends_at, e.location, e.job_id, job, e.client_id, client)
        for e, job, client in session.exec(query).all()
    ]
