"""Time-ordered lists gathered from several tables: a job's timeline and the agenda.

The timeline is what happened to one job: its stage visits, the automations that
fired, the messages sent or waiting. The agenda is what is coming: events, tasks and
jobs due, stage waits ending ("call after 2 days", for a job, lead, event or invoice),
and messages scheduled, from today through the next `days` days.
"""

from __future__ import annotations

from sqlmodel import col, select

from studioflow.store import Database
from studioflow.store.models import (
    Automation,
    AutomationRun,
    OutboxMessage,
    StageVisit,
)
from studioflow.workflow import lookup
from studioflow.workflow.automations import actions
from studioflow.workflow.board import reads
from studioflow.workflow.jobs.pipelines import job_visits
from studioflow.workflow.views import TimelineItem

AGENDA_DAYS = reads.AGENDA_DAYS


def timeline(db: Database, job: int | str) -> list[TimelineItem]:
    """Everything that happened to the job, oldest first."""
    with db.read() as session:
        job_row = lookup.job(session, job)
        items: list[TimelineItem] = []
        for visit, stage in job_visits(session, job_row.saved_id):
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
            text = run.outcome or actions.word(action)
            state = "skipped" if run.outcome.startswith("not run") else "fired"
            items.append(TimelineItem(run.ran_at, "automation", f"{stage}: {text}", state))
        messages = session.exec(
            select(OutboxMessage).where(OutboxMessage.job_id == job_row.id).order_by(col(OutboxMessage.id))
        ).all()
        for message in messages:
            what = message.subject or message.body.split("\n", 1)[0][:60]
            at = message.sent_at or (message.send_at if message.state == "queued" else message.created_at)
            text = f"{message.channel} to {message.to_addr}: {what}"
            items.append(TimelineItem(at, "message", text, message.state))
    return sorted(items, key=lambda item: item.at)  # stable: a visit comes before what it fired


# Read with plain SQL (no ORM): see `reads`.
agenda = reads.agenda
waits_due = reads.waits_due
stage_waits = reads.stage_waits
