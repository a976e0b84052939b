"""Jobs: add them to a pipeline and move them through its stages. Each call is one transaction.

A job always has exactly one active stage visit. Leaving a stage by doing its work
(advance, or a forward move) records it `completed`; any other way out (skip, a move
back, the stages a forward move passes over) records it `skipped`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import (
    Automation,
    Client,
    Condition,
    Job,
    JobStatus,
    Pipeline,
    Stage,
    Task,
    select_wide,
    utcnow,
)
from studioflow.workflow import lookup
from studioflow.workflow.automations import actions, automations
from studioflow.workflow.board import reads
from studioflow.workflow.jobs import journal
from studioflow.workflow.jobs.pipelines import enter_stage, job_visits
from studioflow.workflow.people import clients
from studioflow.workflow.tasks.tasks import task_counts
from studioflow.workflow.views import JobView, VisitView, from_row


def add_job(
    db: Database,
    title: str,
    pipeline: int | str,
    client: int | str | None = None,
    stage: int | str | None = None,
    due_on: date | None = None,
    new_client: str | None = None,
    fire: bool = True,
) -> JobView:
    """A new job in `stage` (default: the pipeline's first stage).

    `new_client`: a client to create for it (instead of `client`); undoing the job
    removes that client too, since it was made for the job. `fire=False` (an import)
    enters the stage without running its automations: nothing is sent for old work.
    """
    title = lookup.clean_name(title, "a job title")
    with db.write() as session:
        pipeline_row = lookup.pipeline_of_kind(session, pipeline, "jobs")
        stage_row = lookup.target_stage(session, pipeline_row, stage)
        client_id = None if client is None else lookup.client(session, client).id
        since = len(automations.fired(session))
        with journal.recording(session, f"add {title!r} to {stage_row.name}") as rec:
            if new_client is not None:
                client_id = clients.add_client(db, new_client).id
            job = Job(
                title=title,
                client_id=client_id,
                pipeline_id=pipeline_row.saved_id,
                stage_id=stage_row.saved_id,
                due_on=due_on,
            )
            session.add(job)
            session.flush()
            rec.add_job(job.saved_id)
            if fire:
                automations.transition(session, job, None, stage_row)
            else:
                enter_stage(session, job, stage_row)
        return _view(session, job, since=since)


QUIET = " without automations"  # said in the history and the undo label of a correction


def advance(db: Database, job_ref: int | str, automations_on: bool = True) -> JobView:
    """Complete the active stage and enter the next one (`automations_on` False: a correction that fires nothing)."""
    return _step(db, job_ref, "completed", automations_on)


def skip(db: Database, job_ref: int | str, automations_on: bool = True) -> JobView:
    """Skip the active stage (recorded `skipped`) and enter the next one."""
    return _step(db, job_ref, "skipped", automations_on)


def _step(db: Database, job_ref: int | str, leaving: str, automations_on: bool) -> JobView:
    """Leave the active stage `leaving` (completed or skipped) for the next one."""
    verb, nothing_after = {
        "completed": ("advance", "there is nothing to advance to"),
        "skipped": ("skip", "there is no stage after it"),
    }[leaving]
    with db.write() as session:
        job = _movable(session, job_ref)
        stages, here = _stages_around(session, job)
        if here == len(stages) - 1:
            raise StudioflowError(
                f"job {job.id} {job.title!r} is at the last stage ({stages[here].name!r}); {nothing_after}"
            )
        since = len(automations.fired(session))
        label = f"{verb} {job.title!r} to {stages[here + 1].name}" + ("" if automations_on else QUIET)
        with journal.recording(session, label, [job.saved_id]):
            automations.transition(session, job, leaving, stages[here + 1], quiet=not automations_on)
        return _view(session, job, since=since)


def move_to(db: Database, job_ref: int | str, stage_ref: int | str, automations_on: bool = True) -> JobView:
    """Move a job to any stage of its pipeline, recording every stage it passes."""
    with db.write() as session:
        job = _movable(session, job_ref)
        stages, here = _stages_around(session, job)
        target = lookup.stage(session, session.get_one(Pipeline, job.pipeline_id), stage_ref)
        there = stages.index(target)
        if there == here:
            raise StudioflowError(f"job {job.id} {job.title!r} is already at stage {target.name!r}")
        since = len(automations.fired(session))
        label = f"move {job.title!r} to {target.name}" + ("" if automations_on else QUIET)
        quiet = not automations_on
        with journal.recording(session, label, [job.saved_id]):
            if there > here:
                automations.transition(session, job, "completed", target, passed=stages[here + 1 : there], quiet=quiet)
            else:
                # Going back is not skipping the work: the visit is recorded skipped, but
                # the stage's "on skip" automations are for a real skip, so none fire.
                automations.transition(session, job, "skipped", target, fire_leave=False, quiet=quiet)
        return _view(session, job, since=since)


def move_to_pipeline(db: Database, job_ref: int | str, pipeline: int | str, stage: int | str | None = None) -> JobView:
    """Finish the job's passage through its pipeline and put it in another one."""
    with db.write() as session:
        job = _movable(session, job_ref)
        target_pipeline = lookup.pipeline_of_kind(session, pipeline, "jobs")
        if target_pipeline.id == job.pipeline_id:
            raise StudioflowError(f"job {job.id} {job.title!r} is already in pipeline {target_pipeline.name!r}")
        target = lookup.target_stage(session, target_pipeline, stage)
        label = f"move {job.title!r} to {target_pipeline.name}, {target.name}"
        since = len(automations.fired(session))
        with journal.recording(session, label, [job.saved_id]):
            automations.transition(session, job, "completed", target)
        return _view(session, job, since=since)


def set_status(db: Database, job_ref: int | str, status: int | str | None) -> JobView:
    """Flag the job with a custom status, or clear it with None."""
    with db.write() as session:
        job = lookup.job(session, job_ref)
        status_row = None if status is None else lookup.status(session, status)
        label = (
            f"clear the status of {job.title!r}"
            if status_row is None
            else f"set the status of {job.title!r} to {status_row.name}"
        )
        since = len(automations.fired(session))
        with journal.recording(session, label, [job.saved_id]):
            job.status_id = None if status_row is None else status_row.id
            job.updated_at = utcnow()
            session.flush()
            automations.status_changed(session, job)
        return _view(session, job, since=since)


def rehearse(db: Database, move: Callable[[], JobView]) -> tuple[JobView, list[automations.Effect]]:
    """What a move would do (the job where it would be, and each automation's effect with
    its message rendered), found by making it in a transaction that is rolled back."""
    with db.dry_run() as session:
        result = move()
        return result, list(automations.fired(session))


def may_message_nobody(db: Database, job_ref: int | str) -> bool:
    """Cheap first look before a move: does the job's pipeline send messages at all, and has the job
    no client, or a client without an email or phone? Only then is the move rehearsed to see
    whether a stage would write to nobody (a keypress should not pay for a dry run otherwise)."""
    with db.read() as session:
        job = lookup.job(session, job_ref)
        client = None if job.client_id is None else session.get(Client, job.client_id)
        if client is not None and client.email and client.phone:
            return False
        sends = (
            select(Automation.id)
            .join(Stage, col(Stage.id) == Automation.stage_id)
            .where(
                Stage.pipeline_id == job.pipeline_id,
                col(Automation.action).in_([a.name for a in actions.all_actions() if a.channel]),
                col(Automation.enabled).is_(True),
            )
            .limit(1)
        )
        return session.exec(sends).first() is not None


def edit_job(
    db: Database,
    job_ref: int | str,
    title: str,
    client: int | str | None,
    due_on: date | None,
    new_client: str | None = None,
) -> JobView:
    """Replace a job's editable fields: title, primary client (None for none, or a
    `new_client` to create, undone with the edit), due date."""
    title = lookup.clean_name(title, "a job title")
    with db.write() as session:
        job = lookup.job(session, job_ref)
        client_id = None if client is None else lookup.client(session, client).id
        with journal.recording(session, f"edit {job.title!r}", [job.saved_id]):
            if new_client is not None:
                client_id = clients.add_client(db, new_client).id
            job.title = title
            job.client_id = client_id
            job.due_on = due_on
            job.updated_at = utcnow()
        return _view(session, job)


MAX_NOTES = 100_000


def get_notes(db: Database, job_ref: int | str) -> str:
    with db.read() as session:
        return lookup.job(session, job_ref).notes


def set_notes(db: Database, job_ref: int | str, notes: str) -> str:
    """Replace a job's notes (markdown); undoable like any change to the job."""
    if len(notes) > MAX_NOTES:
        raise StudioflowError(f"notes are too long ({len(notes)} characters, at most {MAX_NOTES})")
    if "\x00" in notes:
        raise StudioflowError("notes must be text (a NUL byte was found)")
    with db.write() as session:
        job = lookup.job(session, job_ref)
        if job.notes != notes:
            with journal.recording(session, f"edit the notes of {job.title!r}", [job.saved_id]):
                job.notes = notes
                job.updated_at = utcnow()
        return job.notes


def reorder(db: Database, job_ref: int | str, offset: int) -> JobView:
    """Move a card up (offset -1) or down (+1) its column by swapping with its neighbour."""
    if offset not in (-1, 1):
        raise StudioflowError("a card moves one place up (-1) or down (+1) at a time")
    with db.write() as session:
        job = _movable(session, job_ref)
        column = col(Job.stage_id) == job.stage_id, col(Job.archived).is_(False)
        if offset < 0:
            before = (col(Job.position) < job.position) | ((col(Job.position) == job.position) & (col(Job.id) < job.id))
            order = (col(Job.position).desc(), col(Job.id).desc())
        else:
            before = (col(Job.position) > job.position) | ((col(Job.position) == job.position) & (col(Job.id) > job.id))
            order = (col(Job.position).asc(), col(Job.id).asc())
        neighbour = session.exec(select(Job).where(*column, before).order_by(*order).limit(1)).first()
        if neighbour is None:
            where = "first" if offset < 0 else "last"
            raise StudioflowError(f"job {job.id} {job.title!r} is already {where} in its column")
        touched = [job.saved_id, neighbour.saved_id]
        below = col(Job.stage_id) == job.stage_id, col(Job.position) > job.position
        if neighbour.position == job.position:
            # Making room moves the cards below (and may move the tied ones): all part of this step.
            ties_and_below = col(Job.stage_id) == job.stage_id, col(Job.position) >= job.position
            touched += session.exec(select(Job.id_column()).where(*ties_and_below)).all()
        label = f"move {job.title!r} {'up' if offset < 0 else 'down'}"
        with journal.recording(session, label, touched):
            if neighbour.position == job.position:
                # Equal positions are ordered by id: open a gap of two below them, send the
                # tied cards that follow the pair into it, and seat the pair in the new order.
                tied = job.position
                first, second = (neighbour, job) if offset > 0 else (job, neighbour)
                after_pair = col(Job.position) == tied, col(Job.id) > max(job.saved_id, neighbour.saved_id)
                session.execute(update(Job).where(*below).values(position=Job.position + 2))
                session.execute(
                    update(Job).where(col(Job.stage_id) == job.stage_id, *after_pair).values(position=tied + 2)
                )
                first.position, second.position = tied, tied + 1
            else:
                job.position, neighbour.position = neighbour.position, job.position
            job.updated_at = neighbour.updated_at = utcnow()
        return _view(session, job)


def set_due(db: Database, job_ref: int | str, due_on: date | None) -> JobView:
    with db.write() as session:
        job = lookup.job(session, job_ref)
        label = f"clear the due date of {job.title!r}" if due_on is None else f"set {job.title!r} due {due_on}"
        with journal.recording(session, label, [job.saved_id]):
            job.due_on = due_on
            job.updated_at = utcnow()
        return _view(session, job)


def archive(db: Database, job_ref: int | str) -> JobView:
    return _set_archived(db, job_ref, True)


def unarchive(db: Database, job_ref: int | str) -> JobView:
    return _set_archived(db, job_ref, False)


# Read with plain SQL (no ORM): see `reads`.
get_job = reads.get_job
list_jobs = reads.list_jobs


def _set_archived(db: Database, job_ref: int | str, archived: bool) -> JobView:
    with db.write() as session:
        job = lookup.job(session, job_ref)
        if job.archived == archived:
            state = "archived" if archived else "not archived"
            raise StudioflowError(f"job {job.id} {job.title!r} is already {state}")
        with journal.recording(session, f"{'archive' if archived else 'unarchive'} {job.title!r}", [job.saved_id]):
            job.archived = archived
            job.updated_at = utcnow()
        return _view(session, job)


def _movable(session: Session, job_ref: int | str) -> Job:
    job = lookup.job(session, job_ref)
    if job.archived:
        raise StudioflowError(f"job {job.id} {job.title!r} is archived; unarchive it before moving it")
    return job


def _stages_around(session: Session, job: Job) -> tuple[list[Stage], int]:
    """The job's pipeline stages and the index of its active one."""
    stages = lookup.ordered_stages(session, job.pipeline_id)
    index = next(i for i, s in enumerate(stages) if s.id == job.stage_id)
    return stages, index


def _view(session: Session, job: Job, with_history: bool = False, since: int | None = None) -> JobView:
    """The job as a view; with what its automations did since `since` (a count of effects)."""
    (view,) = _views(session, Job.id == job.id)
    if since is not None:
        view = view._replace(fired=tuple(effect.text for effect in automations.fired(session)[since:]))
    if not with_history:
        return view
    history = tuple(
        VisitView(v.stage_id, name, v.state, v.entered_at, v.left_at, v.automations_off)
        for v, name in job_visits(session, job.saved_id)
    )
    return view._replace(history=history)


def _views(session: Session, *conditions: Condition) -> list[JobView]:
    still_open, total = task_counts(Task.job_id, Job.id)
    query = (
        select_wide(Job, Pipeline.name, Stage.name, Client.name, JobStatus.name, JobStatus.colour, still_open, total)
        .join(Pipeline, col(Pipeline.id) == Job.pipeline_id)
        .join(Stage, col(Stage.id) == Job.stage_id)
        .join(Client, col(Client.id) == Job.client_id, isouter=True)
        .join(JobStatus, col(JobStatus.id) == Job.status_id, isouter=True)
        .where(*conditions)
        .order_by(col(Pipeline.position), col(Pipeline.id), col(Stage.position), col(Job.position), col(Job.id))
    )
    rows = session.exec(query).all()
    return [
        from_row(
            JobView,
            job,
            pipeline=pipeline_name,
            stage=stage_name,
            client=client_name,
            status=status_name,
            status_colour=status_colour,
            tasks_open=open_tasks or 0,
            tasks_total=total_tasks or 0,
        )
        for job, pipeline_name, stage_name, client_name, status_name, status_colour, open_tasks, total_tasks in rows
    ]
