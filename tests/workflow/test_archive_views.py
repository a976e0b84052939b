"""An archived job's tasks and events leave the Tasks lists and the Agenda, and come back with the job."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from studioflow.store import Database
from studioflow.workflow.jobs import jobs
from studioflow.workflow.schedule import agenda, events
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import PipelineView


def test_archiving_hides_the_jobs_tasks_and_events_and_unarchiving_brings_them_back(
    db: Database, wedding: PipelineView
) -> None:
    today = date(2030, 5, 1)
    job = jobs.add_job(db, "Lee wedding", wedding.id)
    other = jobs.add_job(db, "Kim wedding", wedding.id)
    at = datetime.combine(today + timedelta(days=2), time(15)).astimezone()
    events.add_event(db, "Ceremony", at, job=job.id)
    events.add_event(db, "Kim shoot", at, job=other.id)
    events.add_event(db, "Coffee", at)  # no job: always shown
    tasks.add_task(db, "Pack gear", job=job.id, due_on=today)
    tasks.add_task(db, "Kim contract", job=other.id, due_on=today)
    tasks.add_task(db, "Buy film", due_on=today)

    def seen() -> tuple[set[str], set[str], set[str]]:
        listed = {t.title for g in tasks.task_list(db, "today", today=today).groups for t in g.tasks}
        cli_listed = {t.title for t in tasks.list_tasks(db)}
        in_agenda = {i.text.split(" (")[0].split(" @")[0] for i in agenda.agenda(db, today=today)}
        return listed, cli_listed, in_agenda

    everything = seen()
    assert everything == (
        {"Pack gear", "Kim contract", "Buy film"},
        {"Pack gear", "Kim contract", "Buy film"},
        {"Pack gear", "Kim contract", "Buy film", "Ceremony", "Kim shoot", "Coffee"},
    )
    jobs.archive(db, job.id)
    assert seen() == (
        {"Kim contract", "Buy film"},
        {"Kim contract", "Buy film"},
        {"Kim contract", "Buy film", "Kim shoot", "Coffee"},
    )
    # The archived job's own page still lists its tasks.
    assert [t.title for t in tasks.list_tasks(db, job=job.id)] == ["Pack gear"]
    jobs.unarchive(db, job.id)
    assert seen() == everything
