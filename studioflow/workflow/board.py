"""What the board shows: column counts and pages of cards, read lazily and filtered.

A column of 10,000 jobs is never read whole: the board asks for the count, then for
the page of cards it is about to draw. A pipeline of clients, events or invoices is
read the same way from its active stage visits (see `subjects`); `kind` says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, func, or_, select, true
from sqlmodel import col

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Client, Job, JobStatus, OutboxMessage, Setting, Stage, StageVisit, Task
from studioflow.store.text import escape_like, fold
from studioflow.workflow import lookup, subjects
from studioflow.workflow.tasks import task_counts
from studioflow.workflow.views import StageView

LAST_PIPELINE = "board.last_pipeline"


@dataclass(frozen=True)
class CardView:
    id: int
    title: str
    client: str | None
    status: str | None
    status_colour: str | None
    due_on: date | None
    tasks_open: int
    tasks_total: int
    kind: str = "jobs"  # a tracked client's, event's or invoice's card has its id as `id`
    detail: str = ""  # what else the card's last line says ("last contact 2026-11-30")


@dataclass(frozen=True)
class BoardView:
    pipeline_id: int
    pipeline: str
    columns: tuple[StageView, ...]  # job_count is the number of cards the filter lets through
    kind: str = "jobs"


def board(db: Database, pipeline: int | str, text: str = "") -> BoardView:
    """The pipeline's columns with how many (filtered, unarchived) cards each holds."""
    with db.read() as session:
        pipeline_row = lookup.pipeline(session, pipeline)
        kind = pipeline_row.kind
        if kind == "jobs":
            query = _cards_from(select(Job.stage_id, func.count()), text).where(Job.pipeline_id == pipeline_row.id)
            counts = dict(session.execute(query.group_by(Job.stage_id)).all())
        else:
            query = _tracked_from(select(StageVisit.stage_id, func.count()), kind, text)
            query = query.where(StageVisit.pipeline_id == pipeline_row.id).group_by(StageVisit.stage_id)
            counts = dict(session.execute(query).all())  # type: ignore[arg-type]
        columns = tuple(
            StageView(s.id, s.name, s.position, s.due_in_days, counts.get(s.id, 0))  # type: ignore[arg-type]
            for s in lookup.ordered_stages(session, pipeline_row.id)  # type: ignore[arg-type]
        )
        return BoardView(pipeline_row.id, pipeline_row.name, columns, kind)  # type: ignore[arg-type]


def counts(db: Database, stage_ids: set[int], text: str = "", kind: str = "jobs") -> dict[int, int]:
    """How many (filtered, unarchived) cards each of the given columns holds."""
    if kind == "jobs":
        query = _cards_from(select(Job.stage_id, func.count()), text)
        query = query.where(col(Job.stage_id).in_(stage_ids)).group_by(Job.stage_id)
    else:
        query = _tracked_from(select(StageVisit.stage_id, func.count()), kind, text)
        query = query.where(col(StageVisit.stage_id).in_(stage_ids)).group_by(StageVisit.stage_id)
    with db.read() as session:
        found = dict(session.execute(query).all())
    return {stage_id: found.get(stage_id, 0) for stage_id in stage_ids}


def cards(db: Database, stage_id: int, offset: int, limit: int, text: str = "", kind: str = "jobs") -> list[CardView]:
    """Cards `offset` to `offset + limit` of a column, in board order."""
    if kind != "jobs":
        return _tracked_cards(db, stage_id, offset, limit, text, kind)
    tasks_open, tasks_total = task_counts(Task.job_id, Job.id)
    query = (
        select(Job.id, Job.title, Client.name, JobStatus.name, JobStatus.colour, Job.due_on, tasks_open, tasks_total)
        .select_from(Job)
        .join(Client, col(Client.id) == Job.client_id, isouter=True)
        .join(JobStatus, col(JobStatus.id) == Job.status_id, isouter=True)
        .where(Job.stage_id == stage_id, col(Job.archived).is_(False), _matches(text))
        .order_by(col(Job.position), col(Job.id))
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    )
    with db.read() as session:
        return [CardView(*row) for row in session.execute(query).all()]


def locate(
    db: Database, job_id: int, text: str = "", kind: str = "jobs", pipeline_id: int | None = None
) -> tuple[int, int] | None:
    """(stage id, index in its column) of a job (or of a tracked resource on `pipeline_id`)
    as the board shows it; None if filtered out."""
    if kind != "jobs":
        return _locate_tracked(db, job_id, text, kind, pipeline_id)
    with db.read() as session:
        job = session.execute(select(Job.stage_id, Job.position).where(Job.id == job_id)).first()
        if job is None:
            raise StudioflowError(f"no job {job_id}")
        if not session.execute(_cards_from(select(func.count()), text).where(Job.id == job_id)).scalar_one():
            return None  # archived, or filtered out
        stage_id, position = job
        earlier = or_(col(Job.position) < position, and_(col(Job.position) == position, col(Job.id) < job_id))
        query = _cards_from(select(func.count()), text).where(Job.stage_id == stage_id, earlier)
        return stage_id, session.execute(query).scalar_one()


def last_pipeline(db: Database) -> int | None:
    """The pipeline the board showed last, if it still exists; else the first one."""
    with db.read() as session:
        remembered = session.get(Setting, LAST_PIPELINE)
        if remembered is not None:
            try:
                return lookup.pipeline(session, remembered.value).id
            except StudioflowError:
                pass
        first = lookup.first_pipeline(session)
        return None if first is None else first.id


def remember_pipeline(db: Database, pipeline_id: int) -> None:
    with db.write() as session:
        session.merge(Setting(key=LAST_PIPELINE, value=str(pipeline_id)))


def _matches(text: str) -> ColumnElement[bool]:
    words = text.split()
    if not words:
        return true()
    clauses = []
    for word in fold(text).split():  # the one matching rule: case and accents ignored
        pattern = f"%{escape_like(word)}%"
        clauses.append(
            or_(
                func.casefold(Job.title).like(pattern, escape="!"),
                func.casefold(Client.name).like(pattern, escape="!"),
                func.casefold(JobStatus.name).like(pattern, escape="!"),
            )
        )
    return and_(*clauses)


def _cards_from(query: Select[Any], text: str) -> Select[Any]:
    """`query` over unarchived jobs, narrowed by the filter text (joined to what a card shows)."""
    query = query.select_from(Job).where(col(Job.archived).is_(False))
    if not text.strip():
        return query  # no joins: counts are then answered from the job indexes alone
    return (
        query.join(Client, col(Client.id) == Job.client_id, isouter=True)
        .join(JobStatus, col(JobStatus.id) == Job.status_id, isouter=True)
        .where(_matches(text))
    )


# Client, event and invoice pipelines: the cards are the active stage visits.


def _tracked_from(query: Select[Any], kind: str, text: str) -> Select[Any]:
    """`query` over a pipeline's active visits of `kind`, joined to the resource, narrowed by the filter."""
    model: Any = subjects.MODEL[kind]
    column = getattr(StageVisit, subjects.COLUMN[kind])
    query = query.select_from(StageVisit).join(model, model.id == column).where(StageVisit.state == "active")
    words = text.split()
    if not words:
        return query
    if kind != "clients":
        query = query.join(Client, col(Client.id) == model.client_id, isouter=True)
    if kind == "clients":
        searched = (Client.name, Client.email, cast(Client.tags, String))
    elif kind == "events":
        searched = (model.title, model.location, Client.name)
    else:
        searched = (model.number, Client.name)
    clauses = []
    for word in fold(text).split():  # the one matching rule, as for job cards
        pattern = f"%{escape_like(word)}%"
        clauses.append(or_(*(func.casefold(c).like(pattern, escape="!") for c in searched)))
    return query.where(and_(*clauses))


def _tracked_cards(db: Database, stage_id: int, offset: int, limit: int, text: str, kind: str) -> list[CardView]:
    model: Any = subjects.MODEL[kind]
    page = (
        _tracked_from(select(model.id, StageVisit.entered_at, Stage.due_in_days), kind, text)
        .join(Stage, col(Stage.id) == StageVisit.stage_id)
        .where(StageVisit.stage_id == stage_id)
        .order_by(col(StageVisit.position), col(StageVisit.id))
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    )
    if kind == "clients":
        return _client_cards(db, page)
    with db.read() as session:
        rows = session.execute(page).all()
        if kind == "invoices":
            from studioflow.workflow import invoices  # builds on the views; its totals are the one rule

            found = {v.id: v for v in invoices.invoice_views(session, None, col(model.id).in_([r[0] for r in rows]))}
            return [_invoice_card(found[resource_id], invoices.money) for resource_id, _, _ in rows]
        events = {
            event.id: (event, job_title, client_name)
            for event, job_title, client_name in session.execute(
                select(model, Job.title, Client.name)
                .join(Job, col(Job.id) == model.job_id, isouter=True)
                .join(Client, col(Client.id) == model.client_id, isouter=True)
                .where(col(model.id).in_([r[0] for r in rows]))
            ).all()
        }
    cards = []
    for resource_id, entered_at, wait in rows:
        event, job_title, client_name = events[resource_id]
        when = f"{event.starts_at.astimezone():%Y-%m-%d %H:%M}"
        line = " · ".join(part for part in (when, job_title or client_name) if part)
        due = None if wait is None else entered_at.astimezone().date() + timedelta(days=wait)
        cards.append(CardView(event.id, event.title, line, None, None, due, 0, 0, kind, event.location))
    return cards


def _invoice_card(invoice: Any, money: Any) -> CardView:
    payer = " · ".join(part for part in (invoice.client or "no payer", money(invoice.total_cents)) if part)
    colour = {"paid": "green", "void": "grey50", "draft": "grey50"}.get(invoice.status, "yellow")
    due = invoice.due_on if invoice.status == "sent" else None  # only what is owed can be overdue
    status = None if invoice.status == "sent" else invoice.status  # a follow-up board is of sent ones
    return CardView(invoice.id, invoice.number, payer, status, colour, due, 0, 0, "invoices", "")


def _client_cards(db: Database, page: Select[Any]) -> list[CardView]:
    kind = "clients"
    contacted = (
        select(func.max(OutboxMessage.sent_at))
        .where(OutboxMessage.to_addr == Client.email, OutboxMessage.state == "sent", Client.email != "")
        .scalar_subquery()
    )
    query = page.add_columns(Client.name, Client.email, Client.tags, contacted)
    with db.read() as session:
        rows = session.execute(query).all()
    found = []
    for client_id, entered_at, wait, name, email, tags, last_contact in rows:
        line = " · ".join(part for part in (email, " ".join(f"#{t}" for t in tags or ())) if part)
        contact = f"last contact {last_contact.astimezone().date().isoformat()}" if last_contact else "not contacted"
        due = None if wait is None else entered_at.astimezone().date() + timedelta(days=wait)
        found.append(CardView(client_id, name, line or None, None, None, due, 0, 0, kind, contact))
    return found


def _locate_tracked(
    db: Database, resource_id: int, text: str, kind: str, pipeline_id: int | None
) -> tuple[int, int] | None:
    column = getattr(StageVisit, subjects.COLUMN[kind])
    with db.read() as session:
        mine = _tracked_from(select(StageVisit.stage_id, StageVisit.position, StageVisit.id), kind, text)
        found = session.execute(mine.where(column == resource_id, StageVisit.pipeline_id == pipeline_id)).first()
        if found is None:
            return None  # not on this pipeline, or filtered out
        stage_id, position, visit_id = found
        earlier = or_(
            col(StageVisit.position) < position, and_(StageVisit.position == position, col(StageVisit.id) < visit_id)
        )
        query = _tracked_from(select(func.count()), kind, text).where(StageVisit.stage_id == stage_id, earlier)
        return stage_id, session.execute(query).scalar_one()
