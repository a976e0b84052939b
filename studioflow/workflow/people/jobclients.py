"""The clients of a job, each with a role ("bride", "payer"); one of them is the primary client.

The primary client is `job.client_id` (what the board shows and what messages are
addressed to); changing it goes through the undo journal like every change to a job
row. The other clients live in `job_client`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Client, Job, JobClient, utcnow
from studioflow.workflow import lookup
from studioflow.workflow.jobs import journal
from studioflow.workflow.views import JobClientView

MAX_ROLE = 60


def list_job_clients(db: Database, job: int | str) -> list[JobClientView]:
    with db.read() as session:
        return _views(session, lookup.job(session, job))


def add_job_client(
    db: Database, job: int | str, client: int | str | None, role: str = "", *, new_client: str | None = None
) -> list[JobClientView]:
    """Put a client on a job; the first client of a job becomes its primary client.

    `new_client`: a client to create for it (instead of `client`), in the same transaction:
    a refused link leaves no client behind."""
    role = _clean_role(role)
    with db.write() as session:
        job_row = lookup.job(session, job)
        if new_client is not None:
            from studioflow.workflow.people import clients  # clients builds on the job side, which builds on this

            client = clients.add_client(db, new_client).id
        if client is None:
            raise StudioflowError("name the client to put on the job")
        client_row = lookup.client(session, client)
        linked = _link(session, job_row.saved_id, client_row.saved_id) is not None
        if client_row.saved_id == job_row.client_id or linked:
            raise StudioflowError(f"{client_row.name} is already a client of {job_row.title!r}")
        session.add(JobClient(job_id=job_row.saved_id, client_id=client_row.saved_id, role=role))
        if job_row.client_id is None:
            _set_primary(session, job_row, client_row)
        session.flush()
        return _views(session, job_row)


def remove_job_client(db: Database, job: int | str, client: int | str) -> list[JobClientView]:
    """Take a client off a job; when it was the primary one, the next client takes its place."""

    def remove(session: Session, job_row: Job, client_row: Client) -> None:
        link = _link(session, job_row.saved_id, client_row.saved_id)
        if link is None:
            _refuse_stranger(job_row, client_row)
        else:
            session.delete(link)
            session.flush()
        if client_row.id == job_row.client_id:
            others = [v for v in _views(session, job_row) if not v.primary]
            successor = session.get(Client, others[0].client_id) if others else None
            _set_primary(session, job_row, successor)

    return _change(db, job, client, remove)


def set_primary(db: Database, job: int | str, client: int | str) -> list[JobClientView]:
    """Make a client of the job (added if need be) its primary client; the old one stays on the job."""

    def make_primary(session: Session, job_row: Job, client_row: Client) -> None:
        if client_row.id == job_row.client_id:
            raise StudioflowError(f"{client_row.name} is already the primary client of {job_row.title!r}")
        old = job_row.client_id
        if old is not None and _link(session, job_row.saved_id, old) is None:
            session.add(JobClient(job_id=job_row.saved_id, client_id=old, role=""))
        if _link(session, job_row.saved_id, client_row.saved_id) is None:
            session.add(JobClient(job_id=job_row.saved_id, client_id=client_row.saved_id, role=""))
        _set_primary(session, job_row, client_row)

    return _change(db, job, client, make_primary)


def set_role(db: Database, job: int | str, client: int | str, role: str) -> list[JobClientView]:
    role = _clean_role(role)

    def give_role(session: Session, job_row: Job, client_row: Client) -> None:
        link = _link(session, job_row.saved_id, client_row.saved_id)
        if link is None:
            _refuse_stranger(job_row, client_row)
            link = JobClient(job_id=job_row.saved_id, client_id=client_row.saved_id)
            session.add(link)
        link.role = role

    return _change(db, job, client, give_role)


def _change(
    db: Database, job: int | str, client: int | str, change: Callable[[Session, Job, Client], None]
) -> list[JobClientView]:
    """Find the job and the client, make the change in one transaction, and return the job's clients."""
    with db.write() as session:
        job_row = lookup.job(session, job)
        change(session, job_row, lookup.client(session, client))
        session.flush()
        return _views(session, job_row)


def _refuse_stranger(job: Job, client: Client) -> None:
    """Refused, unless the client is the job's primary client (who has no link row of its own)."""
    if client.id != job.client_id:
        raise StudioflowError(f"{client.name} is not a client of {job.title!r}")


def _clean_role(role: str) -> str:
    role = " ".join(role.split())
    if len(role) > MAX_ROLE:
        raise StudioflowError(f"a role is too long ({len(role)} characters, at most {MAX_ROLE})")
    return role


def _link(session: Session, job_id: int, client_id: int) -> JobClient | None:
    query = select(JobClient).where(JobClient.job_id == job_id, JobClient.client_id == client_id)
    return session.exec(query).first()


def _set_primary(session: Session, job: Job, client: Client | None) -> None:
    name = client.name if client else "nobody"
    with journal.recording(session, f"make {name} the primary client of {job.title!r}", [job.saved_id]):
        job.client_id = None if client is None else client.id
        job.updated_at = utcnow()


def _views(session: Session, job: Job) -> list[JobClientView]:
    links = session.exec(
        select(JobClient, Client).join(Client, col(Client.id) == JobClient.client_id).where(JobClient.job_id == job.id)
    ).all()
    views = [
        JobClientView(c.saved_id, c.name, c.email, c.phone, link.role, c.saved_id == job.client_id)
        for link, c in sorted(links, key=lambda pair: pair[0].saved_id)
    ]
    if job.client_id is not None and not any(v.primary for v in views):
        c = session.get_one(Client, job.client_id)
        views.append(JobClientView(c.saved_id, c.name, c.email, c.phone, "", True))
    return sorted(views, key=lambda v: not v.primary)  # stable: the others keep the order they were added
