"""Making tasks from a saved task list, inside a caller's transaction.

Shared by the task services (apply a list by hand) and the automations (a stage
creates its tasks), so both make the same tasks with the same due dates.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from studioflow.store.models import SavedTaskItem, Task
from studioflow.workflow.jobs.pipelines import after_last


def create_from_list(
    session: Session,
    list_id: int,
    job_id: int | None,
    project_id: int | None,
    start: date,
    run_id: int | None = None,
    about: str = "",
) -> list[Task]:
    """The list's tasks for a job or project, each due `start` + its offset; titled
    "title — about" when `about` (a lead's name...) says whose they are."""
    items = session.exec(
        select(SavedTaskItem).where(SavedTaskItem.list_id == list_id).order_by(col(SavedTaskItem.position))
    ).all()
    position = next_position(session, job_id, project_id)
    created = []
    for offset, item in enumerate(items):
        due = None if item.due_offset_days is None else start + timedelta(days=item.due_offset_days)
        task = Task(
            title=f"{item.title} — {about}" if about else item.title,
            job_id=job_id,
            project_id=project_id,
            due_on=due,
            priority=item.priority,
            position=position + offset,
            run_id=run_id,
        )
        session.add(task)
        created.append(task)
    session.flush()
    return created


def next_position(session: Session, job_id: int | None, project_id: int | None) -> int:
    """The place after the last task of the same job or project."""
    return after_last(session, Task.position, Task.job_id == job_id, Task.project_id == project_id)
