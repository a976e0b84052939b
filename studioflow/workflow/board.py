"""What the board shows: column counts and pages of cards, read lazily and filtered.

A column of 10,000 jobs is never read whole: the board asks for the count, then for
the page of cards it is about to draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlmodel import col

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Client, Job, JobStatus, Setting, Task
from studioflow.store.text import escape_like, fold
from studioflow.workflow import lookup
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


@dataclass(frozen=True)
class BoardView:
    pipeline_id: int
    pipeline: str
    columns: tuple[StageView, ...]  # job_count is the number of cards the filter lets through


def board(db: Database, pipeline: int | str, text: str = "") -> BoardView:
    """The pipeline's columns with how many (filtered, unarchived) cards each holds."""
    with db.read() as session:
        pipeline_row = lookup.pipeline(session, pipeline)
        counts = dict(
            session.execute(
                _cards_from(select(Job.stage_id, func.count()), text)
                .where(Job.pipeline_id == pipeline_row.id)
                .group_by(Job.stage_id)
            ).all()
        )
        columns = tuple(
            StageView(s.id, s.name, s.position, s.due_in_days, counts.get(s.id, 0))  # type: ignore[arg-type]
            for s in lookup.ordered_stages(session, pipeline_row.id)  # type: ignore[arg-type]
        )
        return BoardView(pipeline_row.id, pipeline_row.name, columns)  # type: ignore[arg-type]


def counts(db: Database, stage_ids: set[int], text: str = "") -> dict[int, int]:
    """How many (filtered, unarchived) cards each of the given columns holds."""
    query = _cards_from(select(Job.stage_id, func.count()), text)
    query = query.where(col(Job.stage_id).in_(stage_ids)).group_by(Job.stage_id)
    with db.read() as session:
        found = dict(session.execute(query).all())
    return {stage_id: found.get(stage_id, 0) for stage_id in stage_ids}


def cards(db: Database, stage_id: int, offset: int, limit: int, text: str = "") -> list[CardView]:
    """Cards `offset` to `offset + limit` of a column, in board order."""
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


def locate(db: Database, job_id: int, text: str = "") -> tuple[int, int] | None:
    """(stage id, index in its column) of a job as the board shows it; None if filtered out."""
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
