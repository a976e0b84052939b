"""Clients and the custom job statuses that flag blockers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from rich.color import Color, ColorParseError
from sqlalchemy import String, cast, func, update
from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import (
    Automation,
    Client,
    Event,
    Invoice,
    Job,
    JobClient,
    JobStatus,
    Pipeline,
    Project,
    Stage,
)
from studioflow.store.text import escape_like, fold
from studioflow.workflow import lookup
from studioflow.workflow.board import reads
from studioflow.workflow.jobs import journal
from studioflow.workflow.jobs.pipelines import after_last
from studioflow.workflow.views import ClientJobView, ClientLinks, ClientPageView, ClientView, StatusView

PHONE = re.compile(r"^\+?[0-9 ().\-]{3,30}$")


class DuplicateClient(StudioflowError):
    """A client of that name exists already: the TUI asks, the CLI wants --allow-duplicate."""

    def __init__(self, name: str, existing_id: int) -> None:
        super().__init__(f"a client named {name!r} already exists (id {existing_id})")
        self.existing_id = existing_id


def add_client(
    db: Database,
    name: str,
    email: str = "",
    phone: str = "",
    tags: Sequence[str] = (),
    notes: str = "",
    *,
    allow_duplicate: bool = False,
) -> ClientView:
    """A new client; refused (DuplicateClient) when one of that name exists, unless allowed."""
    name = lookup.clean_name(name, "a client name")
    email, phone, clean_tags = clean_email(email), clean_phone(phone), clean_tag_list(tags)
    with db.write() as session:
        if not allow_duplicate:
            _refuse_namesake(session, name)
        client = Client(name=name, email=email, phone=phone, tags=list(clean_tags), notes=notes.strip())
        with journal.recording(session, f"add client {name!r}") as rec:
            session.add(client)
            session.flush()
            rec.add_row("client", client.saved_id)
        from studioflow.workflow.jobs import tracking  # builds on the automations, which build on this module

        tracking.enter_default(session, "clients", client.saved_id)
        return _client_view(client)


def edit_client(
    db: Database,
    ref: int | str,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    tags: Sequence[str] | None = None,
    notes: str | None = None,
    allow_duplicate: bool = False,
) -> ClientView:
    """Change the fields given (None leaves a field as it is); undoable."""
    with db.write() as session:
        client = lookup.client(session, ref)
        with journal.recording(session, f"edit client {client.name!r}") as rec:
            rec.watch_rows("client", [client.saved_id])
            if name is not None:
                name = lookup.clean_name(name, "a client name")
                if not allow_duplicate and fold(name) != fold(client.name):
                    _refuse_namesake(session, name)
                client.name = name
            if email is not None:
                client.email = clean_email(email)
            if phone is not None:
                client.phone = clean_phone(phone)
            if tags is not None:
                client.tags = list(clean_tag_list(tags))
            if notes is not None:
                client.notes = notes.strip()
            session.add(client)
            session.flush()
        return _client_view(client)


def client_links(db: Database, ref: int | str) -> ClientLinks:
    """What deleting the client would touch: jobs it is primary on, roles, events, invoices, projects."""
    with db.read() as session:
        return _links(session, lookup.client(session, ref))


def delete_client(db: Database, ref: int | str) -> ClientLinks:
    """Delete a client; its jobs, events, invoices and projects stay, without it. Undoable."""
    with db.write() as session:
        client = lookup.client(session, ref)
        links = _links(session, client)
        with journal.recording(session, f"delete client {client.name!r}") as rec:
            _watch_links(session, rec, client.saved_id)
            session.delete(client)
            session.flush()
        return links


def merge_clients(db: Database, original: int | str, duplicate: int | str) -> ClientView:
    """Fold `duplicate` into `original`: its jobs, roles, events, invoices and projects move
    over, empty contact fields are filled from it, tags and notes are joined; then it goes."""
    with db.write() as session:
        keep = lookup.client(session, original)
        gone = lookup.client(session, duplicate)
        if keep.id == gone.id:
            raise StudioflowError(f"{keep.name!r} cannot be merged into itself")
        with journal.recording(session, f"merge client {gone.name!r} into {keep.name!r}") as rec:
            rec.watch_rows("client", [keep.saved_id])
            _watch_links(session, rec, gone.saved_id)
            keep.email = keep.email or gone.email
            keep.phone = keep.phone or gone.phone
            keep.tags = list(dict.fromkeys([*keep.tags, *gone.tags]))
            keep.notes = "\n\n".join(n for n in (keep.notes, gone.notes) if n)
            for model in (Job, Event, Invoice, Project):
                session.exec(update(model).where(col(model.client_id) == gone.saved_id).values(client_id=keep.saved_id))
            kept_roles = {
                link.job_id: link for link in session.exec(select(JobClient).where(JobClient.client_id == keep.id))
            }
            for link in session.exec(select(JobClient).where(JobClient.client_id == gone.id)).all():
                mine = kept_roles.get(link.job_id)
                if mine is None:
                    link.client_id = keep.saved_id
                    session.add(link)
                else:  # both were on the job: one row, both roles
                    mine.role = ", ".join(dict.fromkeys(r for r in (mine.role, link.role) if r))
                    session.add(mine)
                    session.delete(link)
            session.add(keep)
            session.flush()
            session.delete(gone)
            session.flush()
        return _client_view(keep)


def _refuse_namesake(session: Session, name: str) -> None:
    namesake = session.exec(select(Client.id).where(lookup.same_name(Client.name, name))).first()
    if namesake is not None:
        raise DuplicateClient(name, namesake)


def _links(session: Session, client: Client) -> ClientLinks:
    def count(model: Any, *where: Any) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    return ClientLinks(
        id=client.saved_id,
        name=client.name,
        jobs=count(Job, Job.client_id == client.id),
        roles=count(JobClient, JobClient.client_id == client.id),
        events=count(Event, Event.client_id == client.id),
        invoices=count(Invoice, Invoice.client_id == client.id),
        projects=count(Project, Project.client_id == client.id),
    )


def _watch_links(session: Session, rec: journal.Recording, client_id: int) -> None:
    """Snapshot the client and every row that points to it, before they change."""
    rec.watch_rows("client", [client_id])
    rec.watch(session.exec(select(Job.id_column()).where(Job.client_id == client_id)).all())
    for table, model in (("job_client", JobClient), ("event", Event), ("invoice", Invoice), ("project", Project)):
        rec.watch_rows(table, [row.saved_id for row in session.exec(select(model).where(model.client_id == client_id))])


def clean_phone(phone: str) -> str:
    phone = phone.strip()
    if phone and not PHONE.match(phone):
        raise StudioflowError(f"{phone!r} is not a phone number (digits, spaces, + - ( ) . only)")
    return phone


def clean_tag_list(tags: Sequence[str]) -> tuple[str, ...]:
    """Tags lower-cased, each once, in the order given."""
    return tuple(dict.fromkeys(lookup.clean_name(t, "a tag").lower() for t in tags))


list_clients = reads.list_clients  # read with plain SQL (no ORM): see `reads`


def get_client(db: Database, ref: int | str) -> ClientView:
    with db.read() as session:
        return _client_view(lookup.client(session, ref))


def search_clients(db: Database, text: str = "", limit: int = 1000) -> list[ClientView]:
    """Clients whose name, email, phone or tags hold every word of `text` (case and accents ignored)."""
    words = fold(text).split()
    with db.read() as session:
        query = select(Client).order_by(func.casefold(col(Client.name)), col(Client.id))
        for word in words:
            escaped = escape_like(word)
            haystack = Client.name + " " + Client.email + " " + Client.phone + " " + cast(Client.tags, String)
            query = query.where(func.casefold(haystack).like(f"%{escaped}%", escape="!"))
        return [_client_view(c) for c in session.exec(query.limit(limit)).all()]


def client_exists(db: Database, client_id: int) -> bool:
    """Whether the client is still there (a page open on it may outlive it: deleted, merged, undone)."""
    with db.read() as session:
        return session.get(Client, client_id) is not None


def client_page(db: Database, ref: int | str, today: date | None = None) -> ClientPageView:
    """One client with their jobs (stage, role), events, invoices and what they owe."""
    # Imported here: events and invoices build on lookup and views like this module, not on it.
    from studioflow.workflow.money import invoices
    from studioflow.workflow.schedule import events

    with db.read() as session:
        client = lookup.client(session, ref)
        linked = select(JobClient.job_id).where(JobClient.client_id == client.id)
        rows = session.exec(
            select(Job, Pipeline.name, Stage.name, JobClient.role)
            .join(Pipeline, col(Pipeline.id) == Job.pipeline_id)
            .join(Stage, col(Stage.id) == Job.stage_id)
            .join(JobClient, (col(JobClient.job_id) == Job.id) & (col(JobClient.client_id) == client.id), isouter=True)
            .where((col(Job.client_id) == client.id) | col(Job.id).in_(linked))
            .order_by(col(Job.archived), col(Job.created_at), col(Job.id))
        ).all()
        job_views = tuple(
            ClientJobView(job.saved_id, job.title, pipeline, stage, role or "", job.archived)
            for job, pipeline, stage, role in rows
        )
        client_events = tuple(events.list_events(db, client=client.id))
        client_invoices = tuple(invoices.list_invoices(db, client=client.id, today=today))
        from studioflow.workflow.jobs import tracking  # builds on the automations, which build on this module

        client_pipelines = tuple(tracking.get_tracks(db, "clients", client.saved_id))
        return ClientPageView(
            id=client.saved_id,
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
    colour = _clean_colour(colour)
    with db.write() as session:
        if session.exec(select(JobStatus).where(lookup.same_name(JobStatus.name, name))).first():
            raise StudioflowError(f"a status named {name!r} already exists")
        status = JobStatus(name=name, colour=colour, position=after_last(session, JobStatus.position))
        with journal.recording(session, f"add status {name!r}") as rec:
            session.add(status)
            session.flush()
            rec.add_row("job_status", status.saved_id)
        return _status_view(status)


def _clean_colour(colour: str) -> str:
    colour = colour.strip()
    try:
        Color.parse(colour)
    except ColorParseError:
        raise StudioflowError(f"{colour!r} is not a colour (try a name like 'red' or '#d08770')") from None
    return colour


def _status_view(status: JobStatus) -> StatusView:
    return StatusView(status.saved_id, status.name, status.colour)


def rename_status(db: Database, ref: int | str, name: str) -> StatusView:
    name = lookup.clean_name(name, "a status name")
    with db.write() as session:
        status = lookup.status(session, ref)
        taken = session.exec(
            select(JobStatus.id).where(lookup.same_name(JobStatus.name, name), JobStatus.id != status.id)
        ).first()
        if taken is not None:
            raise StudioflowError(f"a status named {name!r} already exists")
        return _change_status(session, status, f"rename status {status.name!r} to {name!r}", name=name)


def recolour_status(db: Database, ref: int | str, colour: str) -> StatusView:
    colour = _clean_colour(colour)
    with db.write() as session:
        status = lookup.status(session, ref)
        return _change_status(session, status, f"recolour status {status.name!r}", colour=colour)


def _change_status(session: Session, status: JobStatus, label: str, **changes: str) -> StatusView:
    """Set the status's fields as one undoable step."""
    with journal.recording(session, label) as rec:
        rec.watch_rows("job_status", [status.saved_id])
        for field, value in changes.items():
            setattr(status, field, value)
        session.add(status)
        session.flush()
    return _status_view(status)


def delete_status(db: Database, ref: int | str) -> int:
    """Delete a status; the jobs holding it lose it (undoable). Returns how many did.

    Refused while an automation waits for it or sets it: deleting it would delete or
    break that automation, which undo does not bring back.
    """
    with db.write() as session:
        status = lookup.status(session, ref)
        users = [
            a.id
            for a in session.exec(select(Automation)).all()
            if status.id in (a.status_id, a.params.get("status_id"))
        ]
        if users:
            ids = ", ".join(map(str, users))
            raise StudioflowError(f"status {status.name!r} is used by automation(s) {ids}: delete or change them first")
        holders = list(session.exec(select(Job.id_column()).where(Job.status_id == status.id)).all())
        with journal.recording(session, f"delete status {status.name!r}", holders) as rec:
            rec.watch_rows("job_status", [status.saved_id])
            session.delete(status)
            session.flush()
        return len(holders)


def status_holders(db: Database, ref: int | str) -> int:
    """How many jobs hold the status (deleting it takes it off them)."""
    with db.read() as session:
        status = lookup.status(session, ref)
        return session.exec(select(func.count()).select_from(Job).where(Job.status_id == status.id)).one()


def get_status(db: Database, ref: int | str) -> StatusView:
    with db.read() as session:
        return _status_view(lookup.status(session, ref))


def list_statuses(db: Database) -> list[StatusView]:
    with db.read() as session:
        rows = session.exec(select(JobStatus).order_by(col(JobStatus.position), col(JobStatus.id))).all()
        return [_status_view(s) for s in rows]


def _client_view(client: Client) -> ClientView:
    return ClientView(client.saved_id, client.name, client.email, client.phone, tuple(client.tags), client.notes)
