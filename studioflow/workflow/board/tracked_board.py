"""The cards of a client, event or invoice pipeline: its active stage visits, read through
the ORM. Loaded only when such a board is shown (the jobs board reads with plain SQL, see
`board`), so a jobs board's first frame never pays for SQLAlchemy.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Select, String, and_, cast, func, or_, select
from sqlmodel import col

from studioflow.store import Database
from studioflow.store.models import Client, OutboxMessage, Stage, StageVisit
from studioflow.store.text import escape_like, fold
from studioflow.workflow import lookup
from studioflow.workflow.board.board import CardView
from studioflow.workflow.jobs import subjects


def counts(db: Database, stage_ids: set[int], text: str, kind: str) -> dict[int, int]:
    query = _tracked_from(select(col(StageVisit.stage_id), func.count()), kind, text)
    query = query.where(col(StageVisit.stage_id).in_(stage_ids)).group_by(col(StageVisit.stage_id))
    with db.read() as session:
        return dict(session.execute(query).all())


# Client, event and invoice pipelines: the cards are the active stage visits.


def _tracked_from(query: Select[*tuple[Any, ...]], kind: str, text: str) -> Select[*tuple[Any, ...]]:
    """`query` over a pipeline's active visits of `kind`, joined to the resource, narrowed by the filter."""
    model: Any = subjects.MODEL[kind]
    column = getattr(StageVisit, subjects.COLUMN[kind])
    query = query.select_from(StageVisit).join(model, model.id == column).where(col(StageVisit.state) == "active")
    words = text.split()
    if not words:
        return query
    if kind != "clients":
        query = query.join(Client, col(Client.id) == model.client_id, isouter=True)
    if kind == "clients":
        searched: tuple[Any, ...] = (Client.name, Client.email, cast(Client.tags, String))
    elif kind == "events":
        searched = (model.title, model.location, Client.name)
    else:
        searched = (model.number, Client.name)
    clauses = []
    for word in fold(text).split():  # the one matching rule, as for job cards
        pattern = f"%{escape_like(word)}%"
        clauses.append(or_(*(func.casefold(c).like(pattern, escape="!") for c in searched)))
    return query.where(and_(*clauses))


def cards(db: Database, stage_id: int, offset: int, limit: int, text: str, kind: str) -> list[CardView]:
    model: Any = subjects.MODEL[kind]
    page = (
        _tracked_from(select(model.id, col(StageVisit.entered_at), col(Stage.due_in_days)), kind, text)
        .join(Stage, col(Stage.id) == StageVisit.stage_id)
        .where(col(StageVisit.stage_id) == stage_id)
        .order_by(col(StageVisit.position), col(StageVisit.id))
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    )
    if kind == "clients":
        return _client_cards(db, page)
    with db.read() as session:
        rows = session.execute(page).all()
        if kind == "invoices":
            from studioflow.workflow.money import invoices  # builds on the views; its totals are the one rule

            found = {v.id: v for v in invoices.invoice_views(session, None, col(model.id).in_([r[0] for r in rows]))}
            return [_invoice_card(found[resource_id], invoices.money) for resource_id, _, _ in rows]
        events = {
            event.id: (event, job_title, client_name)
            for event, job_title, client_name in session.execute(
                lookup.with_job_and_client(model).where(col(model.id).in_([r[0] for r in rows]))
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


def _client_cards(db: Database, page: Select[*tuple[Any, ...]]) -> list[CardView]:
    kind = "clients"
    contacted = (
        select(func.max(OutboxMessage.sent_at))
        .where(col(OutboxMessage.to_addr) == Client.email, col(OutboxMessage.state) == "sent", col(Client.email) != "")
        .scalar_subquery()
    )
    query = page.add_columns(col(Client.name), col(Client.email), col(Client.tags), contacted)
    with db.read() as session:
        rows = session.execute(query).all()
    found = []
    for client_id, entered_at, wait, name, email, tags, last_contact in rows:
        line = " · ".join(part for part in (email, " ".join(f"#{t}" for t in tags or ())) if part)
        contact = f"last contact {last_contact.astimezone().date().isoformat()}" if last_contact else "not contacted"
        due = None if wait is None else entered_at.astimezone().date() + timedelta(days=wait)
        found.append(CardView(client_id, name, line or None, None, None, due, 0, 0, kind, contact))
    return found


def locate(
    db: Database, resource_id: int, text: str, kind: str, pipeline_id: int | None
) -> tuple[int, int] | None:
    column = getattr(StageVisit, subjects.COLUMN[kind])
    with db.read() as session:
        mine = _tracked_from(select(col(StageVisit.stage_id), col(StageVisit.position), col(StageVisit.id)), kind, text)
        found = session.execute(mine.where(column == resource_id, col(StageVisit.pipeline_id) == pipeline_id)).first()
        if found is None:
            return None  # not on this pipeline, or filtered out
        stage_id, position, visit_id = found
        earlier = or_(
            col(StageVisit.position) < position, and_(StageVisit.position == position, col(StageVisit.id) < visit_id)
        )
        query = _tracked_from(select(func.count()), kind, text).where(col(StageVisit.stage_id) == stage_id, earlier)
        return stage_id, session.execute(query).scalar_one()
