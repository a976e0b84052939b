"""Events of a job: validation, order, and the .ics file a calendar app imports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from studioflow.store import Database
from studioflow.workflow.jobs import jobs
from studioflow.workflow.people import clients
from studioflow.workflow.schedule import events
from studioflow.workflow.views import PipelineView

NOON = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)


@pytest.fixture
def job_id(db: Database, wedding: PipelineView) -> int:
    clients.add_client(db, "Ava Martinez")
    return jobs.add_job(db, "Martinez wedding", "Wedding", client="Ava Martinez").id


def test_events_take_the_jobs_client_and_list_in_time_order(db: Database, job_id: int) -> None:
    later = events.add_event(db, "Wedding day", NOON, NOON + timedelta(hours=8), job=job_id, location="Villa Rosa")
    sooner = events.add_event(db, "Engagement", NOON - timedelta(days=30), job=job_id)
    assert later.client == "Ava Martinez"
    assert [e.id for e in events.list_events(db, job="Martinez wedding")] == [sooner.id, later.id]
    assert [e.title for e in events.list_events(db, since=NOON - timedelta(days=1))] == ["Wedding day"]
    # Still running at `since` counts: it has not ended.
    assert [e.title for e in events.list_events(db, since=NOON + timedelta(hours=2))] == ["Wedding day"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ends_at": NOON - timedelta(minutes=1)}, r"cannot end \(.*\) before it starts"),
        ({"client": "Nobody"}, "no client 'Nobody'"),
        ({"job": "No such job"}, "no job 'No such job'"),
        ({"title": "  "}, "an event title cannot be empty"),
    ],
)
def test_bad_events_are_refused(
    db: Database, job_id: int, refused: Callable[..., str], kwargs: dict[str, object], match: str
) -> None:
    args: dict[str, object] = {"title": "Shoot", "starts_at": NOON, "job": job_id, **kwargs}
    refused(events.add_event, db, match=match, **args)


def test_the_ics_file_parses_back_with_every_field(db: Database, job_id: int) -> None:
    events.add_event(db, "Wedding day", NOON, NOON + timedelta(hours=8), job=job_id, location="Villa Rosa, Hill Rd")
    events.add_event(db, "Call; quick", NOON + timedelta(days=1), job=job_id)
    data = events.to_ics(events.list_events(db, job=job_id), now=NOON)
    calendar = icalendar.Calendar.from_ical(data)
    parsed = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in parsed] == ["Wedding day", "Call; quick"]
    assert parsed[0].decoded("DTSTART") == NOON
    assert parsed[0].decoded("DTEND") == NOON + timedelta(hours=8)
    assert str(parsed[0]["LOCATION"]) == "Villa Rosa, Hill Rd"
    assert parsed[1].decoded("DTEND") - parsed[1].decoded("DTSTART") == timedelta(hours=1)  # no end: an hour
    assert "Job: Martinez wedding" in str(parsed[0]["DESCRIPTION"])
    assert len({str(e["UID"]) for e in parsed}) == 2
    assert b"\r\n" in data  # RFC 5545 lines end in CRLF


def test_edit_and_delete(db: Database, job_id: int, refused: Callable[..., str]) -> None:
    event = events.add_event(db, "Shoot", NOON, job=job_id)
    edited = events.edit_event(db, event.id, "Portraits", NOON, NOON + timedelta(hours=1), "Studio")
    assert (edited.title, edited.location) == ("Portraits", "Studio")
    refused(events.edit_event, db, event.id, "Portraits", NOON, NOON - timedelta(hours=1), "", match="before it starts")
    events.delete_event(db, event.id)
    assert events.list_events(db) == []
    refused(events.delete_event, db, event.id, match=f"no event {event.id}")
