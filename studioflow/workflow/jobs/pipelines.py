"""Pipelines and their stages: create, rename, reorder, delete. Each call is one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import PIPELINE_KINDS, Automation, Job, Pipeline, Stage, StageVisit, utcnow
from studioflow.workflow import lookup
from studioflow.workflow.board import reads
from studioflow.workflow.jobs import subjects
from studioflow.workflow.jobs.subjects import Subject
from studioflow.workflow.views import PipelineView, StageView


class _Placed(Protocol):
    id: int | None
    position: int


Placed = TypeVar("Placed", bound=_Placed)


def create_pipeline(db: Database, name: str, stages: Sequence[str] = (), kind: str = "jobs") -> PipelineView:
    """A new pipeline of `kind`: its cards are jobs (the default), clients, events or invoices."""
    name = lookup.clean_name(name, "a pipeline name")
    stage_names = [lookup.clean_name(s, "a stage name") for s in stages]
    _refuse_duplicates(stage_names)
    if kind not in PIPELINE_KINDS:
        raise StudioflowError(f"a pipeline is for one of {', '.join(PIPELINE_KINDS)}, not {kind!r}")
    with db.write() as session:
        _refuse_taken_pipeline_name(session, name)
        pipeline = Pipeline(name=name, position=after_last(session, Pipeline.position), kind=kind)
        session.add(pipeline)
        session.flush()
        for position, stage_name in enumerate(stage_names):
            session.add(Stage(pipeline_id=pipeline.saved_id, name=stage_name, position=position))
        session.flush()
        return _view(session, pipeline)


def rename_pipeline(db: Database, ref: int | str, name: str) -> PipelineView:
    name = lookup.clean_name(name, "a pipeline name")
    with db.write() as session:
        pipeline = lookup.pipeline(session, ref)
        if pipeline.name != name:
            _refuse_taken_pipeline_name(session, name, but=pipeline.id)
            pipeline.name = name
            session.flush()
        return _view(session, pipeline)


def move_pipeline(db: Database, ref: int | str, place: int) -> list[PipelineView]:
    """Put a pipeline at `place` (1 = first) in the switcher's order."""
    with db.write() as session:
        pipeline = lookup.pipeline(session, ref)
        ordered = in_order(session, Pipeline)
        reorder_rows(ordered, pipeline, place, "a pipeline")
        session.flush()
        return [_view(session, p) for p in ordered]


def delete_pipeline(db: Database, ref: int | str) -> None:
    """Delete an empty pipeline (its stages and automations go with it)."""
    with db.write() as session:
        pipeline = lookup.pipeline(session, ref)
        jobs = session.exec(select(func.count()).where(Job.pipeline_id == pipeline.id)).one()
        if jobs:
            raise StudioflowError(
                f"pipeline {pipeline.name!r} holds {jobs} job(s), archived ones included; "
                "move them to another pipeline first"
            )
        tracked = session.exec(
            select(func.count()).where(StageVisit.pipeline_id == pipeline.id, StageVisit.state == "active")
        ).one()
        if tracked:
            noun = subjects.NOUN[pipeline.kind]
            raise StudioflowError(
                f"pipeline {pipeline.name!r} tracks {tracked} {noun}(s); take them off it or move them first"
            )
        session.delete(pipeline)


# Read with plain SQL (no ORM): see `reads`.
list_pipelines = reads.list_pipelines
get_pipeline = reads.get_pipeline


def add_stage(
    db: Database, pipeline_ref: int | str, name: str, place: int | None = None, due_in_days: int | None = None
) -> PipelineView:
    """Add a stage at `place` (1 = first; default last)."""
    name = lookup.clean_name(name, "a stage name")
    if due_in_days is not None and due_in_days < 0:
        raise StudioflowError("a stage's wait cannot be negative")
    lookup.check_days(due_in_days, "a stage's wait")
    with db.write() as session:
        pipeline = lookup.pipeline(session, pipeline_ref)
        stages = lookup.ordered_stages(session, pipeline.saved_id)
        _refuse_taken_stage_name(stages, name)
        stage = Stage(pipeline_id=pipeline.saved_id, name=name, due_in_days=due_in_days)
        session.add(stage)
        stages.append(stage)
        reorder_rows(stages, stage, len(stages) if place is None else place, "a stage")
        session.flush()
        return _view(session, pipeline)


def rename_stage(db: Database, pipeline_ref: int | str, stage_ref: int | str, name: str) -> PipelineView:
    name = lookup.clean_name(name, "a stage name")
    with db.write() as session:
        pipeline = lookup.pipeline(session, pipeline_ref)
        stage = lookup.stage(session, pipeline, stage_ref)
        if stage.name != name:
            others = [s for s in lookup.ordered_stages(session, pipeline.saved_id) if s.saved_id != stage.saved_id]
            _refuse_taken_stage_name(others, name)
            stage.name = name
            session.flush()
        return _view(session, pipeline)


def set_kind(db: Database, ref: int | str, kind: str) -> PipelineView:
    """Say what a pipeline's cards are; only while it holds none (nor ever did) and no automation
    of its stages would not fit the new kind."""
    if kind not in PIPELINE_KINDS:
        raise StudioflowError(f"a pipeline is for one of {', '.join(PIPELINE_KINDS)}, not {kind!r}")
    with db.write() as session:
        pipeline = lookup.pipeline(session, ref)
        if pipeline.kind == kind:
            return _view(session, pipeline)
        jobs = session.exec(select(func.count()).where(Job.pipeline_id == pipeline.id)).one()
        visits = session.exec(select(func.count()).where(StageVisit.pipeline_id == pipeline.id)).one()
        if jobs or visits:
            raise StudioflowError(f"pipeline {pipeline.name!r} already has cards; its kind can change only while empty")
        rules = session.exec(
            select(func.count())
            .select_from(Automation)
            .join(Stage, col(Stage.id) == Automation.stage_id)
            .where(Stage.pipeline_id == pipeline.id)
        ).one()
        if rules:
            raise StudioflowError(f"pipeline {pipeline.name!r} has automations; delete them before changing its kind")
        pipeline.kind = kind
        pipeline.default_for_new = False
        session.flush()
        return _view(session, pipeline)


def set_default_for_new(db: Database, ref: int | str, on: bool) -> PipelineView:
    """Make the pipeline the one every new resource of its kind enters (at most one per kind)."""
    with db.write() as session:
        pipeline = lookup.pipeline(session, ref)
        if on and pipeline.kind == "jobs":
            raise StudioflowError("a new job names its pipeline: only client, event and invoice pipelines can be")
        if on:
            for other in session.exec(select(Pipeline).where(Pipeline.kind == pipeline.kind)).all():
                other.default_for_new = False
        pipeline.default_for_new = on
        session.flush()
        return _view(session, pipeline)


def set_stage_wait(db: Database, pipeline_ref: int | str, stage_ref: int | str, days: int | None) -> PipelineView:
    """How many days a job usually waits in a stage ("call after 2 days"); None for no wait."""
    if days is not None and days < 0:
        raise StudioflowError("a stage's wait cannot be negative")
    lookup.check_days(days, "a stage's wait")
    with db.write() as session:
        pipeline = lookup.pipeline(session, pipeline_ref)
        lookup.stage(session, pipeline, stage_ref).due_in_days = days
        session.flush()
        return _view(session, pipeline)


def move_stage(db: Database, pipeline_ref: int | str, stage_ref: int | str, place: int) -> PipelineView:
    """Put a stage at `place` (1 = first column)."""
    with db.write() as session:
        pipeline = lookup.pipeline(session, pipeline_ref)
        stage = lookup.stage(session, pipeline, stage_ref)
        reorder_rows(lookup.ordered_stages(session, pipeline.saved_id), stage, place, "a stage")
        session.flush()
        return _view(session, pipeline)


def delete_stage(
    db: Database, pipeline_ref: int | str, stage_ref: int | str, jobs_to: int | str | None = None
) -> PipelineView:
    """Delete a stage. Jobs standing in it must be given another stage to go to.

    Their passage is recorded (the visit left `skipped`, a new visit of the target), and
    earlier visits of the deleted stage keep its name so job histories stay readable.
    """
    with db.write() as session:
        pipeline = lookup.pipeline(session, pipeline_ref)
        stage = lookup.stage(session, pipeline, stage_ref)
        jobs: list[Subject] = list(session.exec(select(Job).where(Job.stage_id == stage.id)).all())
        jobs += [
            subject
            for visit in session.exec(
                select(StageVisit).where(StageVisit.stage_id == stage.id, StageVisit.state == "active")
            ).all()
            if visit.job_id is None and (subject := subjects.of_visit(session, visit)) is not None
        ]
        if jobs and jobs_to is None:
            noun = subjects.NOUN[pipeline.kind]
            raise StudioflowError(
                f"stage {stage.name!r} holds {len(jobs)} {noun}(s); say which stage they should move to"
            )
        if jobs_to is not None:
            target = lookup.stage(session, pipeline, jobs_to)
            if target.id == stage.id:
                raise StudioflowError("the jobs of a deleted stage cannot move to that same stage")
            from studioflow.workflow.automations.automations import cancel_pending  # it builds on this module

            for job in jobs:
                cancel_pending(session, leave_stage(session, job, "skipped"))
                enter_stage(session, job, target)
        session.flush()
        session.delete(stage)
        session.flush()
        remaining = lookup.ordered_stages(session, pipeline.saved_id)
        for position, s in enumerate(remaining):
            s.position = position
        session.flush()
        return _view(session, pipeline)


# Moving a job (or a tracked client, event, invoice) in and out of a stage; the job and
# tracking services build on these two.


def leave_stage(session: Session, job: Subject, state: str) -> StageVisit:
    """Close the subject's active visit as `completed`, `skipped` (or `untracked`)."""
    visit = subjects.active_visit(session, job)
    if visit is None:
        raise StudioflowError(f"{subjects.describe(job)} is on no stage of this pipeline")
    visit.state = state
    visit.left_at = utcnow()
    # Flushed now: the unique "one active visit per job" index must see it closed
    # before the next visit opens.
    session.flush()
    return visit


def job_visits(session: Session, job_id: int) -> list[tuple[StageVisit, str]]:
    """The job's stage visits, oldest first, each with its stage's name (as it is now, or as it
    was when the stage has since been deleted)."""
    rows = session.exec(
        select(StageVisit, Stage.name)
        .join(Stage, col(Stage.id) == StageVisit.stage_id, isouter=True)
        .where(StageVisit.job_id == job_id)
        .order_by(col(StageVisit.id))
    ).all()
    return [(visit, name or visit.stage_name) for visit, name in rows]


def enter_stage(session: Session, job: Subject, stage: Stage) -> StageVisit:
    """Open a new active visit of `stage` and put the job on top of that column.

    On top, because a card that just arrived is the one to look at next.
    """
    if not isinstance(job, Job):
        top = session.exec(
            select(func.min(StageVisit.position)).where(StageVisit.stage_id == stage.id, StageVisit.state == "active")
        ).one()
        job.pipeline_id = stage.pipeline_id
        place: dict[str, Any] = {"stage_id": stage.id, "stage_name": stage.name, "position": (top or 0) - 1}
        visit = StageVisit(**subjects.owner(job), **place, entered_at=utcnow())
        session.add(visit)
        session.flush()
        return visit
    first = session.exec(select(func.min(Job.position)).where(Job.stage_id == stage.id)).one()
    job.pipeline_id = stage.pipeline_id
    job.stage_id = stage.saved_id
    job.position = (first or 0) - 1
    job.updated_at = utcnow()
    session.add(job)
    session.flush()  # a new job needs its id before its first visit
    visit = StageVisit(job_id=job.saved_id, stage_id=stage.saved_id, stage_name=stage.name, entered_at=job.updated_at)
    session.add(visit)
    session.flush()
    return visit


def after_last(session: Session, position: Any, *where: Any, first: int = 1) -> int:
    """The position after the last of the rows `where` selects (`first` when there are none)."""
    last = session.exec(select(func.max(position)).where(*where)).one()
    return first if last is None else last + 1


def in_order(session: Session, model: type[Placed], *where: Any) -> list[Placed]:
    """The rows `where` selects, in the order the user gave them (position, then id: ties stay stable)."""
    return list(session.exec(select(model).where(*where).order_by(col(model.position), col(model.id))).all())


def reorder_rows(rows: list[Any], moving: Any, place: int, what: str) -> None:
    """Put `moving` at `place` (1 = first) among `rows` and number their positions 0..n-1.

    `what` names the kind with its article ("a stage") for the error message.
    """
    if not 1 <= place <= len(rows):
        raise StudioflowError(f"{what} place must be between 1 and {len(rows)}, not {place}")
    rows.remove(moving)
    rows.insert(place - 1, moving)
    for position, row in enumerate(rows):
        row.position = position


def _refuse_duplicates(stage_names: list[str]) -> None:
    seen: set[str] = set()
    for name in stage_names:
        if name.casefold() in seen:
            raise StudioflowError(f"stage {name!r} is given twice")
        seen.add(name.casefold())


def _refuse_taken_pipeline_name(session: Session, name: str, but: int | None = None) -> None:
    taken = session.exec(select(Pipeline).where(lookup.same_name(Pipeline.name, name))).first()
    if taken is not None and taken.id != but:
        raise StudioflowError(f"a pipeline named {taken.name!r} already exists")


def _refuse_taken_stage_name(stages: list[Stage], name: str) -> None:
    for s in stages:
        if s.name.casefold() == name.casefold():
            raise StudioflowError(f"this pipeline already has a stage named {s.name!r}")


def _view(session: Session, pipeline: Pipeline) -> PipelineView:
    if pipeline.kind == "jobs":
        cards = select(Job.stage_id, func.count()).where(Job.pipeline_id == pipeline.id, col(Job.archived).is_(False))
        counts: dict[int | None, int] = dict(session.exec(cards.group_by(col(Job.stage_id))).all())
    else:
        active = select(StageVisit.stage_id, func.count()).where(
            StageVisit.pipeline_id == pipeline.id, StageVisit.state == "active"
        )
        counts = dict(session.exec(active.group_by(col(StageVisit.stage_id))).all())
    stages = tuple(
        StageView(s.saved_id, s.name, s.position, s.due_in_days, counts.get(s.saved_id, 0))
        for s in lookup.ordered_stages(session, pipeline.saved_id)
    )
    return PipelineView(
        pipeline.saved_id,
        pipeline.name,
        pipeline.position,
        pipeline.archived,
        stages,
        pipeline.kind,
        pipeline.default_for_new,
    )
