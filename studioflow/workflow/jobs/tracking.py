"""Clients (leads), events and invoices on pipelines of their kind. Each call is one transaction.

The verbs are a job's (advance, skip, move to a stage or another pipeline) with the same
records: leaving by doing the work is `completed`, any other way out `skipped`, and the
same automations fire once per visit. A resource may stand on several pipelines of its
kind; when it stands on more than one, the calls need to be told which (`pipeline`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Event, Pipeline, Stage, StageVisit
from studioflow.workflow import lookup
from studioflow.workflow.automations import automations
from studioflow.workflow.jobs import journal, subjects
from studioflow.workflow.jobs.subjects import Tracked
from studioflow.workflow.views import TrackView, VisitView

T = TypeVar("T")


def track(db: Database, kind: str, ref: int | str, pipeline: int | str, stage: int | str | None = None) -> TrackView:
    """Put a resource on a pipeline of its kind, in `stage` (default: the first)."""
    subjects.check_kind(kind)
    with db.write() as session:
        pipeline_row = lookup.pipeline_of_kind(session, pipeline, kind)
        tracked = _tracked(session, kind, ref, pipeline_row)
        if subjects.active_visit(session, tracked) is not None:
            raise StudioflowError(f"{subjects.describe(tracked)} is already on {pipeline_row.name!r}")
        target = lookup.target_stage(session, pipeline_row, stage)
        since = len(automations.fired(session))
        with journal.recording(session, f"put {tracked.title!r} on {pipeline_row.name}", [tracked.key]):
            automations.transition(session, tracked, None, target)
        return _view(session, tracked, since=since)


def track_new_client(db: Database, name: str, pipeline: int | str, stage: int | str | None = None) -> TrackView:
    """A new client, made and put on a clients pipeline in one transaction (the default
    pipeline for new clients may already have taken it: then it moves to `stage`)."""
    from studioflow.workflow.people import clients  # clients builds on this module for new clients' default pipeline

    with db.write() as session:
        client_id = clients.add_client(db, name).id
        pipeline_row = lookup.pipeline_of_kind(session, pipeline, "clients")
        tracked = _tracked(session, "clients", client_id, pipeline_row)
        visit = subjects.active_visit(session, tracked)
        if visit is None:
            return track(db, "clients", client_id, pipeline, stage)
        if stage is None or lookup.target_stage(session, pipeline_row, stage).id == visit.stage_id:
            return _view(session, tracked)
        return move_to(db, "clients", client_id, stage, pipeline)


def advance(db: Database, kind: str, ref: int | str, pipeline: int | str | None = None) -> TrackView:
    """Complete the active stage and enter the next one."""
    return _step(db, kind, ref, pipeline, "completed", "advance")


def skip(db: Database, kind: str, ref: int | str, pipeline: int | str | None = None) -> TrackView:
    """Skip the active stage (recorded `skipped`) and enter the next one."""
    return _step(db, kind, ref, pipeline, "skipped", "skip")


def move_to(
    db: Database, kind: str, ref: int | str, stage_ref: int | str, pipeline: int | str | None = None
) -> TrackView:
    """Move to any stage of the pipeline, recording every stage passed (as a job's move does)."""
    subjects.check_kind(kind)
    with db.write() as session:
        tracked, visit = _on_pipeline(session, kind, ref, pipeline)
        stages = lookup.ordered_stages(session, tracked.pipeline_id)
        here = [s.id for s in stages].index(visit.stage_id)
        target = lookup.stage(session, session.get_one(Pipeline, tracked.pipeline_id), stage_ref)
        there = stages.index(target)
        if there == here:
            raise StudioflowError(f"{subjects.describe(tracked)} is already at stage {target.name!r}")
        since = len(automations.fired(session))
        with journal.recording(session, f"move {tracked.title!r} to {target.name}", [tracked.key]):
            if there > here:
                automations.transition(session, tracked, "completed", target, passed=stages[here + 1 : there])
            else:
                automations.transition(session, tracked, "skipped", target, fire_leave=False)
        return _view(session, tracked, since=since)


def move_to_pipeline(
    db: Database,
    kind: str,
    ref: int | str,
    to_pipeline: int | str,
    stage: int | str | None = None,
    pipeline: int | str | None = None,
) -> TrackView:
    """Finish the resource's passage through one pipeline and put it on another of its kind."""
    subjects.check_kind(kind)
    with db.write() as session:
        tracked, _ = _on_pipeline(session, kind, ref, pipeline)
        target_pipeline = lookup.pipeline_of_kind(session, to_pipeline, kind)
        if subjects.active_visit(session, replace(tracked, pipeline_id=target_pipeline.saved_id)) is not None:
            raise StudioflowError(f"{subjects.describe(tracked)} is already on {target_pipeline.name!r}")
        target = lookup.target_stage(session, target_pipeline, stage)
        since = len(automations.fired(session))
        label = f"move {tracked.title!r} to {target_pipeline.name}, {target.name}"
        with journal.recording(session, label, [tracked.key]):
            automations.transition(session, tracked, "completed", target)
        return _view(session, tracked, since=since)


def untrack(db: Database, kind: str, ref: int | str, pipeline: int | str | None = None) -> TrackView:
    """Take the resource off a pipeline (its history stays; pending delayed messages are cancelled)."""
    subjects.check_kind(kind)
    with db.write() as session:
        tracked, _ = _on_pipeline(session, kind, ref, pipeline)
        name = session.get_one(Pipeline, tracked.pipeline_id).name
        since = len(automations.fired(session))
        with journal.recording(session, f"take {tracked.title!r} off {name}", [tracked.key]):
            automations.untrack(session, tracked)
        return _view(session, tracked, since=since)


def reorder(db: Database, kind: str, ref: int | str, offset: int, pipeline: int | str | None = None) -> TrackView:
    """Move a card up (-1) or down (+1) its column."""
    if offset not in (-1, 1):
        raise StudioflowError("a card moves one place up (-1) or down (+1) at a time")
    subjects.check_kind(kind)
    with db.write() as session:
        tracked, visit = _on_pipeline(session, kind, ref, pipeline)
        column = list(
            session.exec(
                select(StageVisit)
                .where(StageVisit.stage_id == visit.stage_id, StageVisit.state == "active")
                .order_by(col(StageVisit.position), col(StageVisit.id))
            ).all()
        )
        here = column.index(visit)
        there = here + offset
        if not 0 <= there < len(column):
            where = "first" if offset < 0 else "last"
            raise StudioflowError(f"{subjects.describe(tracked)} is already {where} in its column")
        keys = [_key_of(v) for v in column]
        with journal.recording(session, f"move {tracked.title!r} {'up' if offset < 0 else 'down'}", keys):
            column[here], column[there] = column[there], column[here]
            for position, row in enumerate(column):
                row.position = position
            session.flush()
        return _view(session, tracked)


def get_tracks(db: Database, kind: str, ref: int | str) -> list[TrackView]:
    """Every pipeline the resource stands on or has stood on, each with its history."""
    subjects.check_kind(kind)
    with db.read() as session:
        row = _resource(session, kind, ref)
        column = getattr(StageVisit, subjects.COLUMN[kind])
        pipeline_ids = session.exec(
            select(StageVisit.pipeline_id).where(column == row.id).group_by(col(StageVisit.pipeline_id))
        ).all()
        title = subjects.title_of(kind, row)
        return [_view(session, Tracked(kind, row.id, p, title), with_history=True) for p in pipeline_ids if p]


def list_tracked(db: Database, pipeline: int | str, stage: int | str | None = None) -> list[TrackView]:
    """What stands on a client, event or invoice pipeline, in board order."""
    with db.read() as session:
        pipeline_row = lookup.pipeline(session, pipeline)
        if pipeline_row.kind == "jobs":
            raise StudioflowError(f"pipeline {pipeline_row.name!r} holds jobs: see `job list`")
        query = select(StageVisit).join(Stage, col(Stage.id) == StageVisit.stage_id)
        query = query.where(StageVisit.pipeline_id == pipeline_row.id, StageVisit.state == "active")
        if stage is not None:
            query = query.where(StageVisit.stage_id == lookup.stage(session, pipeline_row, stage).id)
        visits = session.exec(query.order_by(col(Stage.position), col(StageVisit.position), col(StageVisit.id))).all()
        found = [subjects.of_visit(session, v) for v in visits]
        return [_view(session, t) for t in found if isinstance(t, Tracked)]


# Inside a caller's transaction: what creating or settling a resource does to its pipelines.


def enter_default(session: Session, kind: str, resource_id: int) -> None:
    """Put a new client, event or invoice on the default pipeline of its kind, if there is one."""
    pipeline = session.exec(
        select(Pipeline).where(
            Pipeline.kind == kind, col(Pipeline.default_for_new).is_(True), col(Pipeline.archived).is_(False)
        )
    ).first()
    stages = [] if pipeline is None else lookup.ordered_stages(session, pipeline.saved_id)
    if pipeline is None or not stages:
        return
    row = session.get_one(subjects.MODEL[kind], resource_id)
    tracked = Tracked(kind, resource_id, pipeline.saved_id, subjects.title_of(kind, row))
    with journal.recording(session, f"put {tracked.title!r} on {pipeline.name}", [tracked.key]):
        automations.transition(session, tracked, None, stages[0])


def finish(session: Session, kind: str, resource_id: int) -> list[str]:
    """The resource's work is done (an invoice paid or void): every pipeline it stands on
    records its stage completed and takes it off, cancelling the reminders still pending."""
    column = getattr(StageVisit, subjects.COLUMN[kind])
    active = session.exec(select(StageVisit).where(column == resource_id, StageVisit.state == "active")).all()
    row = session.get_one(subjects.MODEL[kind], resource_id)
    names = []
    for visit in active:
        tracked = Tracked(kind, resource_id, visit.tracked_pipeline_id, subjects.title_of(kind, row))
        automations.untrack(session, tracked, "completed")
        names.append(session.get_one(Pipeline, visit.pipeline_id).name)
    return names


def due_date(entered_at: Any, wait: int | None) -> date | None:
    """When a stage's wait ends ("call after 2 days"): the local day entered plus the wait."""
    return None if wait is None else entered_at.astimezone().date() + timedelta(days=wait)


def _step(db: Database, kind: str, ref: int | str, pipeline: int | str | None, leaving: str, verb: str) -> TrackView:
    subjects.check_kind(kind)
    with db.write() as session:
        tracked, visit = _on_pipeline(session, kind, ref, pipeline)
        stages = lookup.ordered_stages(session, tracked.pipeline_id)
        here = [s.id for s in stages].index(visit.stage_id)
        if here == len(stages) - 1:
            raise StudioflowError(
                f"{subjects.describe(tracked)} is at the last stage ({stages[here].name!r}); there is no stage after it"
            )
        since = len(automations.fired(session))
        with journal.recording(session, f"{verb} {tracked.title!r} to {stages[here + 1].name}", [tracked.key]):
            automations.transition(session, tracked, leaving, stages[here + 1])
        return _view(session, tracked, since=since)


MOVED_ELSEWHERE = "changed on another machine or window"


def unless_moved(db: Database, kind: str, card_id: int, stage_id: int, pipeline_id: int, change: Callable[[], T]) -> T:
    """`change()` (a move of a card) in one write, made only if the card still stands where the board
    showed it: a board drawn before another machine moved the card refuses in one line, instead
    of moving the card on from a stage it has already left."""
    with db.write():
        with db.rows() as conn:
            if kind == "jobs":
                sql = (
                    "SELECT job.stage_id, stage.name FROM job JOIN stage ON stage.id = job.stage_id"
                    " WHERE job.id = ? AND job.pipeline_id = ? AND job.archived = FALSE"
                )
            else:
                sql = (
                    f"SELECT stage_id, stage_name FROM stage_visit WHERE {subjects.COLUMN[kind]} = ?"
                    " AND pipeline_id = ? AND state = 'active'"
                )
            now = conn.execute(sql, (card_id, pipeline_id)).fetchone()
        if now is None:
            raise StudioflowError(f"{MOVED_ELSEWHERE}: the card has left this board; the board is redrawn")
        if now[0] != stage_id:
            raise StudioflowError(f"{MOVED_ELSEWHERE}: the card is now in {now[1]}; the board is redrawn")
        return change()


def _resource(session: Session, kind: str, ref: int | str) -> Any:
    if kind == "clients":
        return lookup.client(session, ref)
    if kind == "events":
        return lookup.find(session, Event, ref, "event")
    return lookup.invoice(session, ref)


def _tracked(session: Session, kind: str, ref: int | str, pipeline: Pipeline) -> Tracked:
    row = _resource(session, kind, ref)
    return Tracked(kind, row.id, pipeline.saved_id, subjects.title_of(kind, row))


def _on_pipeline(session: Session, kind: str, ref: int | str, pipeline: int | str | None) -> tuple[Tracked, StageVisit]:
    """The resource on the named pipeline, or on the only one it stands on; with its active visit."""
    row = _resource(session, kind, ref)
    title = subjects.title_of(kind, row)
    if pipeline is not None:
        pipeline_row = lookup.pipeline_of_kind(session, pipeline, kind)
        tracked = Tracked(kind, row.id, pipeline_row.saved_id, title)
        visit = subjects.active_visit(session, tracked)
        if visit is None:
            name = session.get_one(Pipeline, tracked.pipeline_id).name
            raise StudioflowError(f"{subjects.describe(tracked)} is not on {name!r}")
        return tracked, visit
    column = getattr(StageVisit, subjects.COLUMN[kind])
    visits = session.exec(select(StageVisit).where(column == row.id, StageVisit.state == "active")).all()
    noun = f"{subjects.NOUN[kind]} {row.id} {title!r}"
    if not visits:
        raise StudioflowError(f"{noun} is on no pipeline; put it on one first (track)")
    if len(visits) > 1:
        names = ", ".join(sorted(session.get_one(Pipeline, v.pipeline_id).name for v in visits))
        raise StudioflowError(f"{noun} is on {len(visits)} pipelines ({names}); say which with --pipeline")
    return Tracked(kind, row.id, visits[0].tracked_pipeline_id, title), visits[0]


def _key_of(visit: StageVisit) -> str:
    subject = next(kind for kind, column in subjects.COLUMN.items() if getattr(visit, column) is not None)
    return f"{subject}:{getattr(visit, subjects.COLUMN[subject])}"


def _view(session: Session, tracked: Tracked, with_history: bool = False, since: int | None = None) -> TrackView:
    column = getattr(StageVisit, subjects.COLUMN[tracked.kind])
    visits = session.exec(
        select(StageVisit)
        .where(column == tracked.id, StageVisit.pipeline_id == tracked.pipeline_id)
        .order_by(col(StageVisit.id))
    ).all()
    last = visits[-1]
    stage = None if last.stage_id is None else session.get(Stage, last.stage_id)
    active = last.state == "active"
    view = TrackView(
        kind=tracked.kind,
        id=tracked.id,
        title=tracked.title,
        pipeline_id=tracked.pipeline_id,
        pipeline=session.get_one(Pipeline, tracked.pipeline_id).name,
        stage_id=last.stage_id if active else None,
        stage=stage.name if stage else last.stage_name,
        tracked=active,
        entered_at=last.entered_at,
        due_on=due_date(last.entered_at, stage.due_in_days) if active and stage else None,
    )
    if since is not None:
        view = view._replace(fired=tuple(effect.text for effect in automations.fired(session)[since:]))
    if with_history:
        history = tuple(VisitView(v.stage_id, v.stage_name, v.state, v.entered_at, v.left_at) for v in visits)
        view = view._replace(history=history)
    return view
