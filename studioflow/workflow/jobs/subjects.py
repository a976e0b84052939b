"""What rides a pipeline: a job, or a client, event or invoice tracked on one.

A job stands on exactly one pipeline and keeps its place on its own row. A client
(a lead), an event or an invoice is *tracked*: it may stand on several pipelines of its
kind, one active stage visit in each, and that visit is its card (its `position` is the
card order). `Tracked` names such a resource on one pipeline; the stage moves, the
automations and the journal take a `Subject`, either kind, so there is one engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, SQLModel, select

from studioflow.errors import StudioflowError
from studioflow.store.choices import NOUN
from studioflow.store.models import Client, Event, Invoice, Job, StageVisit

TRACKED_KINDS = ("clients", "events", "invoices")
COLUMN = {"clients": "client_id", "events": "event_id", "invoices": "invoice_id"}
MODEL: dict[str, type[SQLModel]] = {"clients": Client, "events": Event, "invoices": Invoice}


@dataclass
class Tracked:
    """A client, event or invoice on one pipeline (the pipeline changes when it moves to another)."""

    kind: str
    id: int
    pipeline_id: int
    title: str

    @property
    def key(self) -> str:
        """Its journal key ("clients:5"); a job's key is its bare id."""
        return f"{self.kind}:{self.id}"


Subject = Job | Tracked


def title_of(kind: str, row: Any) -> str:
    return str(row.name if kind == "clients" else row.title if kind == "events" else row.number)


def describe(subject: Subject) -> str:
    """ "job 3 'Smith wedding'", "client 5 'Ada Lovelace'"."""
    if isinstance(subject, Job):
        return f"job {subject.id} {subject.title!r}"
    return f"{NOUN[subject.kind]} {subject.id} {subject.title!r}"


def owner(subject: Subject) -> dict[str, Any]:
    """The columns that tie a stage visit to the subject."""
    if isinstance(subject, Job):
        return {"job_id": subject.saved_id}
    return {COLUMN[subject.kind]: subject.id, "pipeline_id": subject.pipeline_id}


def active_visit(session: Session, subject: Subject) -> StageVisit | None:
    where = [getattr(StageVisit, column) == value for column, value in owner(subject).items()]
    return session.exec(select(StageVisit).where(*where, StageVisit.state == "active")).first()


def journal_key(subject: Subject) -> int | str:
    return subject.saved_id if isinstance(subject, Job) else subject.key


def client_of(session: Session, subject: Subject) -> Client | None:
    """Who the subject's messages go to: the job's or event's client, the invoice's payer, the lead."""
    if isinstance(subject, Job):
        return None if subject.client_id is None else session.get(Client, subject.client_id)
    if subject.kind == "clients":
        return session.get(Client, subject.id)
    row: Any = session.get(MODEL[subject.kind], subject.id)
    client_id = None if row is None else row.client_id
    if client_id is None and row is not None and row.job_id is not None:
        job = session.get(Job, row.job_id)
        client_id = None if job is None else job.client_id
    return None if client_id is None else session.get(Client, client_id)


def job_id_of(session: Session, subject: Subject) -> int | None:
    """The job the subject belongs to, if any (an event's or invoice's job; a job itself)."""
    if isinstance(subject, Job):
        return subject.id
    if subject.kind == "clients":
        return None
    row: Any = session.get(MODEL[subject.kind], subject.id)
    return None if row is None else row.job_id


def of_visit(session: Session, visit: StageVisit) -> Subject | None:
    """The subject a visit belongs to (None when it is gone)."""
    if visit.job_id is not None:
        return session.get(Job, visit.job_id)
    for kind, column in COLUMN.items():
        resource_id = getattr(visit, column)
        if resource_id is not None:
            row = session.get(MODEL[kind], resource_id)
            if row is None or visit.pipeline_id is None:
                return None
            return Tracked(kind, resource_id, visit.pipeline_id, title_of(kind, row))
    return None


def check_kind(kind: str) -> None:
    if kind not in TRACKED_KINDS:
        raise StudioflowError(f"a tracked resource is one of {', '.join(TRACKED_KINDS)}, not {kind!r}")
