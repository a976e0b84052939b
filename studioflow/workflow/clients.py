"""Clients and the custom job statuses that flag blockers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from rich.color import Color, ColorParseError
from sqlalchemy import String, cast, func
from sqlmodel import col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Client, Job, JobClient, JobStatus, Pipeline, Stage
from studioflow.workflow import lookup, reads
from studioflow.workflow.views import ClientJobView, ClientPageView, ClientView, StatusView

PHONE = re.compile(r"^\+?[0-9 ().\-]{3,30}$")


def add_client(db: Database, name: str, email: str = "", phone: str = "", tags: Sequence[str] = ()) -> ClientView:
    name = lookup.clean_name(name, "a client name")
    email = clean_email(email)
    phone = phone.strip()
    if phone and not PHONE.match(phone):
        raise StudioflowError(f"{phone!r} is not a phone number (digits, spaces, + - ( ) . only)")
    clean_tags = tuple(dict.fromkeys(lookup.clean_name(t, "a tag").lower() for t in tags))
    with db.write() as session:
        client = Client(name=name, email=email, phone=phone, tags=list(clean_tags))
        session.add(client)
        session.flush()
        from studioflow.workflow import tracking  # builds on the automations, which build on this module

        tracking.enter_default(session, "clients", client.id)  # type: ignore[arg-type]
        return _client_view(client)


list_clients = reads.list_clients  # read with plain SQL (no ORM): see `reads`


def get_client(db: Database, ref: int | str) -> ClientView:
    with db.read() as session:
        return _client_view(lookup.client(session, ref))


def search_clients(db: Database, text: str = "", limit: int = 1000) -> list[ClientView]:
    """Clients whose name, email, phone or tags hold every word of `text` (any case)."""
    words = text.casefold().split()
    with db.read() as session:
        query = select(Client).order_by(col(Client.name), col(Client.id))
        for word in words:
            escaped = word.replace("!", "!!").replace("%", "!%").replace("_", "!_")
            haystack = Client.name + " " + Client.email + " " + Client.phone + " " + cast(Client.tags, String)
            query = query.where(func.casefold(haystack).like(f"%{escaped}%", escape="!"))
        return [_client_view(c) for c in session.exec(query.limit(limit)).all()]


def client_page(db: Database, ref: int | str, today: date | None = None) -> ClientPageView:
    """One client with their jobs (stage, role), events, invoices and what they owe."""
    # Imported here: events and invoices build on lookup and views like this module, not on it.
    from studioflow.workflow import events, invoices

    with db.read() as session:
        client = lookup.client(session, ref)
        linked = select(JobClient.job_id).where(JobClient.client_id == client.id)
        rows = session.exec(
            select(Job, Pipeline.name, Stage.name, JobClient.role)
            .join(Pipeline, col(Pipeline.id) == Job.pipeline_id)
            .join(Stage, col(Stage.id) == Job.stage_id)
            .join(JobClient, (col(JobClient.job_id) == Job.id) & (JobClient.client_id == client.id), isouter=True)
            .where((Job.client_id == client.id) | col(Job.id).in_(linked))
            .order_by(col(Job.archived), col(Job.created_at), col(Job.id))
        ).all()
        job_views = tuple(
            ClientJobView(job.id, job.title, pipeline, stage, role or "", job.archived)  # type: ignore[arg-type]
            for job, pipeline, stage, role in rows
        )
        client_events = tuple(events.list_events(db, client=client.id))
        client_invoices = tuple(invoices.list_invoices(db, client=client.id, today=today))
        from studioflow.workflow import tracking  # builds on the automations, which build on this module

        client_pipelines = tuple(tracking.get_tracks(db, "clients", client.id))  # type: ignore[arg-type]
        return ClientPageView(
            id=client.id,  # type: ignore[arg-type]
            name=client.name,
            email=client.email,
            phone=client.phone,
            tags=tuple(client.tags),
            notes=client.notes,
            jobs=job_views,
            events=client_events,
            pipelines=client_pipelines,
            invoices=client_invoices,
            owed_cents=invoices.owed_cents(client_invoices),
        )


def clean_email(email: str) -> str:
    """A normalised address, or "" for none; refused when it is not an address."""
    email = email.strip()
    if not email:
        return ""
    # Imported on use: it costs ~40 ms at start-up for a check made when a client is saved.
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise StudioflowError(f"{email!r} is not an email address: {exc}") from None


def add_status(db: Database, name: str, colour: str = "yellow") -> StatusView:
    name = lookup.clean_name(name, "a status name")
    try:
        Color.parse(colour)
    except ColorParseError:
        raise StudioflowError(f"{colour!r} is not a colour (try a name like 'red' or '#d08770')") from None
    with db.write() as session:
        if session.exec(select(JobStatus).where(lookup.same_name(JobStatus.name, name))).first():
            raise StudioflowError(f"a status named {name!r} already exists")
        last = session.exec(select(func.max(JobStatus.position))).one()
        status = JobStatus(name=name, colour=colour, position=(last or 0) + 1)
        session.add(status)
        session.flush()
        return StatusView(status.id, status.name, status.colour)  # type: ignore[arg-type]


def list_statuses(db: Database) -> list[StatusView]:
    with db.read() as session:
        rows = session.exec(select(JobStatus).order_by(col(JobStatus.position), col(JobStatus.id))).all()
        return [StatusView(s.id, s.name, s.colour) for s in rows]  # type: ignore[arg-type]


def _client_view(client: Client) -> ClientView:
    return ClientView(client.id, client.name, client.email, client.phone, tuple(client.tags))  # type: ignore[arg-type]
