"""Time-ordered lists gathered from several tables: a job's timeline and the agenda.

The timeline is what happened to one job: its stage visits, the automations that
fired, the messages sent or waiting. The agenda is what is coming: events, tasks and
jobs due, stage waits ending ("call after 2 days", for a job, lead, event or invoice),
and messages scheduled, from today through the next `days` days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from studioflow.store import Database
from studioflow.store.models import (
    Automation,
    AutomationRun,
    Event,
    Job,
    OutboxMessage,
    Pipeline,
    Stage,
    StageVisit,
    Task,
    utcnow,
)
from studioflow.workflow import lookup, subjects
from studioflow.workflow.tasks import ON_LIVE_JOB
from studioflow.workflow.views import AgendaItem, TimelineItem

AGENDA_DAYS = 7
ACTION_WORDS = {
    "send_email": "email",
    "send_sms": "text",
    "create_tasks": "tasks",
    "set_status": "status",
    "set_due": "due date",
    "move_to_pipeline": "move",
    "archive": "archive",
}


def timeline(db: Database, job: int | str) -> list[TimelineItem]:
    """Everything that happened to the job, oldest first."""
    with db.read() as session:
        job_row = lookup.job(session, job)
        items: list[TimelineItem] = []
        visits = session.exec(
            select(StageVisit, Stage.name)
            .join(Stage, col(Stage.id) == StageVisit.stage_id, isouter=True)
            .where(StageVisit.job_id == job_row.id)
            .order_by(col(StageVisit.id))
        ).all()
        for visit, name in visits:
            stage = name or visit.stage_name
            left = f", left {visit.left_at.astimezone():%Y-%m-%d %H:%M}" if visit.left_at else ""
            items.append(TimelineItem(visit.entered_at, "visit", f"{stage}{left}", visit.state))
        runs = session.exec(
            select(AutomationRun, Automation.action, StageVisit.stage_name)
            .join(StageVisit, col(StageVisit.id) == AutomationRun.visit_id)
            .join(Automation, col(Automation.id) == AutomationRun.automation_id)
            .where(StageVisit.job_id == job_row.id)
            .order_by(col(AutomationRun.id))
        ).all()
        for run, action, stage in runs:
            text = run.outcome or ACTION_WORDS.get(action, action)
            state = "skipped" if run.outcome.startswith("not run") else "fired"
            items.append(TimelineItem(run.ran_at, "automation", f"{stage}: {text}", state))
        messages = session.exec(
            select(OutboxMessage).where(OutboxMessage.job_id == job_row.id).order_by(col(OutboxMessage.id))
        ).all()
        for message in messages:
            what = message.subject or message.body.split("\n", 1)[0][:60]
            at = message.sent_at or (message.send_at if message.state == "queued" else message.created_at)
            text = f"{message.channel} to {message.to_addr}: {what}"
            items.append(TimelineItem(at, "message", text, message.state))  # type: ignore[arg-type]
    return sorted(items, key=lambda item: item.at)  # stable: a visit comes before what it fired


def agenda(
    db: Database, today: date | None = None, days: int = AGENDA_DAYS, now: datetime | None = None
) -> list[AgendaItem]:
    """Events, open tasks and jobs due, and scheduled messages from today to `days` days on, in time order."""
    today = today or date.today()
    now = now or utcnow()
    last = today + timedelta(days=days)
    start = _local_midnight(today)
    end = _local_midnight(last + timedelta(days=1))
    items: list[AgendaItem] = []
    with db.read() as session:
        events = session.exec(
            select(Event, Job.title)
            .join(Job, col(Job.id) == Event.job_id, isouter=True)
            .where(col(Event.starts_at) < end, (col(Event.ends_at) >= start) | (col(Event.starts_at) >= start))
            .where(ON_LIVE_JOB)
        ).all()
        for event, job_title in events:
            where = f" @ {event.location}" if event.location else ""
            for_job = f" ({job_title})" if job_title else ""
            items.append(AgendaItem(event.starts_at, False, "event", f"{event.title}{where}{for_job}", event.job_id))
        tasks = session.exec(
            select(Task, Job.title)
            .join(Job, col(Job.id) == Task.job_id, isouter=True)
            .where(col(Task.done_at).is_(None), col(Task.due_on) >= today, col(Task.due_on) <= last, ON_LIVE_JOB)
        ).all()
        for task, job_title in tasks:
            for_job = f" ({job_title})" if job_title else ""
            items.append(AgendaItem(_local_midnight(task.due_on), True, "task", f"{task.title}{for_job}", task.job_id))  # type: ignore[arg-type]
        jobs = session.exec(
            select(Job, Stage.name)
            .join(Stage, col(Stage.id) == Job.stage_id)
            .where(col(Job.archived).is_(False), col(Job.due_on) >= today, col(Job.due_on) <= last)
        ).all()
        for job, stage in jobs:
            items.append(AgendaItem(_local_midnight(job.due_on), True, "job", f"{job.title} ({stage})", job.id))  # type: ignore[arg-type]
        for day, text, job_id in stage_waits(session, today, last):
            items.append(AgendaItem(_local_midnight(day), True, "wait", text, job_id))
        messages = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.state == "queued", col(OutboxMessage.send_at) > now, col(OutboxMessage.send_at) < end
            )
        ).all()
        for message in messages:
            what = message.subject or message.body.split("\n", 1)[0][:60]
            text = f"{message.channel} to {message.to_addr}: {what}"
            items.append(AgendaItem(message.send_at, False, "message", text, message.job_id))
    # A day's all-day items (tasks and jobs due) come before its timed ones.
    return sorted(items, key=lambda i: (i.at.astimezone().date(), not i.all_day, i.at))


def waits_due(db: Database, today: date | None = None) -> list[str]:
    """The stage waits that end today or are over ("Ada Lovelace — Call Lead After 2 Days (Leads)")."""
    today = today or date.today()
    with db.read() as session:
        return [text for _, text, _ in stage_waits(session, today, today)]


def stage_waits(session: Session, today: date, last: date) -> list[tuple[date, str, int | None]]:
    """(day, text, job id) for each stage wait that ends by `last`, of every kind of card.

    A wait already over is shown on today ("overdue since"): it is still to be acted on.
    """
    visits = session.exec(
        select(StageVisit, Stage.due_in_days, Pipeline.name)
        .join(Stage, col(Stage.id) == StageVisit.stage_id)
        .join(Pipeline, col(Pipeline.id) == Stage.pipeline_id)
        .join(Job, col(Job.id) == StageVisit.job_id, isouter=True)
        .where(StageVisit.state == "active", col(Stage.due_in_days).is_not(None), col(Job.archived).is_not(True))
        .order_by(col(StageVisit.id))
    ).all()
    found = []
    for visit, wait, pipeline in visits:
        ends = visit.entered_at.astimezone().date() + timedelta(days=wait)
        if ends > last:
            continue
        subject = subjects.of_visit(session, visit)
        if subject is None:
            continue
        late = f", overdue since {ends.isoformat()}" if ends < today else ""
        text = f"{subject.title} — {visit.stage_name} ({pipeline}{late})"
        found.append((max(ends, today), text, subjects.job_id_of(session, subject)))
    return found


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone()
