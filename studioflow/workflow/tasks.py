"""Tasks, the projects that group them, and saved task lists that fill a job or project."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ScalarSelect, func
from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Client, Job, Project, SavedTaskItem, SavedTaskList, Task, utcnow
from studioflow.workflow import automations, lookup, tasklists
from studioflow.workflow.views import ProjectView, SavedTaskListView, TaskView

PRIORITIES = range(4)  # 0 none, 1 low, 2 medium, 3 high


def add_task(
    db: Database,
    title: str,
    job: int | str | None = None,
    project: int | str | None = None,
    due_on: date | None = None,
    priority: int = 0,
    notes: str = "",
) -> TaskView:
    title = lookup.clean_name(title, "a task title")
    if priority not in PRIORITIES:
        raise StudioflowError(f"a priority is 0 (none) to 3 (high), not {priority}")
    with db.write() as session:
        job_id = None if job is None else lookup.job(session, job).id
        project_id = None if project is None else lookup.project(session, project).id
        task = Task(title=title, job_id=job_id, project_id=project_id, due_on=due_on, priority=priority, notes=notes)
        task.position = tasklists.next_position(session, job_id, project_id)
        session.add(task)
        session.flush()
        return _view(session, task)


def complete_task(db: Database, task_ref: int | str) -> TaskView:
    with db.write() as session:
        task = lookup.task(session, task_ref)
        if task.done_at is not None:
            raise StudioflowError(f"task {task.id} {task.title!r} is already done")
        task.done_at = utcnow()
        session.flush()
        automations.after_task_done(session, task)
        return _view(session, task)


def reopen_task(db: Database, task_ref: int | str) -> TaskView:
    with db.write() as session:
        task = lookup.task(session, task_ref)
        if task.done_at is None:
            raise StudioflowError(f"task {task.id} {task.title!r} is not done")
        task.done_at = None
        session.flush()
        return _view(session, task)


def list_tasks(
    db: Database, include_done: bool = False, job: int | str | None = None, project: int | str | None = None
) -> list[TaskView]:
    """Open tasks first, soonest due first (undated last), then higher priority."""
    with db.read() as session:
        conditions = []
        if not include_done:
            conditions.append(col(Task.done_at).is_(None))
        if job is not None:
            conditions.append(Task.job_id == lookup.job(session, job).id)
        if project is not None:
            conditions.append(Task.project_id == lookup.project(session, project).id)
        return _views(session, *conditions)


def add_project(db: Database, name: str, job: int | str | None = None, client: int | str | None = None) -> ProjectView:
    name = lookup.clean_name(name, "a project name")
    with db.write() as session:
        job_id = None if job is None else lookup.job(session, job).id
        client_id = None if client is None else lookup.client(session, client).id
        project = Project(name=name, job_id=job_id, client_id=client_id)
        session.add(project)
        session.flush()
        return _project_views(session, Project.id == project.id)[0]


def list_projects(db: Database) -> list[ProjectView]:
    with db.read() as session:
        return _project_views(session, col(Project.archived).is_(False))


def create_saved_list(db: Database, name: str, items: Sequence[tuple[str, int | None]]) -> SavedTaskListView:
    """A reusable list of (task title, days after it is applied that the task is due)."""
    name = lookup.clean_name(name, "a saved task list name")
    if not items:
        raise StudioflowError("a saved task list needs at least one task")
    cleaned = []
    for title, offset in items:
        if offset is not None and offset < 0:
            raise StudioflowError(f"task {title!r}: a due offset cannot be negative")
        lookup.check_days(offset, f"task {title!r}: a due offset")
        cleaned.append((lookup.clean_name(title, "a task title"), offset))
    with db.write() as session:
        if session.exec(select(SavedTaskList).where(lookup.same_name(SavedTaskList.name, name))).first():
            raise StudioflowError(f"a saved task list named {name!r} already exists")
        saved = SavedTaskList(name=name)
        session.add(saved)
        session.flush()
        for position, (title, offset) in enumerate(cleaned):
            session.add(SavedTaskItem(list_id=saved.id, title=title, due_offset_days=offset, position=position))  # type: ignore[arg-type]
        session.flush()
        return _saved_view(session, saved)


def list_saved_lists(db: Database) -> list[SavedTaskListView]:
    with db.read() as session:
        rows = session.exec(select(SavedTaskList).order_by(col(SavedTaskList.name))).all()
        return [_saved_view(session, row) for row in rows]


def apply_saved_list(
    db: Database,
    list_ref: int | str,
    job: int | str | None = None,
    project: int | str | None = None,
    start: date | None = None,
) -> list[TaskView]:
    """Create the list's tasks for a job or a project, due `start` + each item's offset."""
    if (job is None) == (project is None):
        raise StudioflowError("a saved task list is applied to one job or one project")
    with db.write() as session:
        saved = lookup.saved_list(session, list_ref)
        job_id = None if job is None else lookup.job(session, job).id
        project_id = None if project is None else lookup.project(session, project).id
        created = tasklists.create_from_list(session, saved.id, job_id, project_id, start or date.today())  # type: ignore[arg-type]
        return _views(session, col(Task.id).in_([t.id for t in created]))


def _view(session: Session, task: Task) -> TaskView:
    return _views(session, Task.id == task.id)[0]


def _views(session: Session, *conditions: object) -> list[TaskView]:
    query = (
        select(Task, Job.title, Project.name)
        .join(Job, col(Job.id) == Task.job_id, isouter=True)
        .join(Project, col(Project.id) == Task.project_id, isouter=True)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(
            col(Task.done_at).is_not(None),
            col(Task.due_on).is_(None),
            col(Task.due_on),
            col(Task.priority).desc(),
            col(Task.id),
        )
    )
    return [
        TaskView(
            id=t.id,  # type: ignore[arg-type]
            title=t.title,
            done=t.done_at is not None,
            done_at=t.done_at,
            due_on=t.due_on,
            priority=t.priority,
            job_id=t.job_id,
            job=job_title,
            project_id=t.project_id,
            project=project_name,
        )
        for t, job_title, project_name in session.exec(query).all()
    ]


def task_counts(owner: Any, owner_id: Any) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """(open, total) tasks of each listed job or project, as correlated subqueries.

    Correlated, so a list of 50 cards counts the tasks of those 50 only (via the index).
    """
    total = select(func.count()).where(owner == owner_id).scalar_subquery()
    still_open = select(func.count()).where(owner == owner_id, col(Task.done_at).is_(None)).scalar_subquery()
    return still_open, total


def _project_views(session: Session, *conditions: object) -> list[ProjectView]:
    still_open, total = task_counts(Task.project_id, Project.id)
    query = (
        select(Project, Client.name, still_open, total)
        .join(Client, col(Client.id) == Project.client_id, isouter=True)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(col(Project.name), col(Project.id))
    )
    return [
        ProjectView(p.id, p.name, p.job_id, client_name, open_ or 0, total or 0)  # type: ignore[arg-type]
        for p, client_name, open_, total in session.exec(query).all()
    ]


def _saved_view(session: Session, saved: SavedTaskList) -> SavedTaskListView:
    items = session.exec(
        select(SavedTaskItem).where(SavedTaskItem.list_id == saved.id).order_by(col(SavedTaskItem.position))
    ).all()
    return SavedTaskListView(saved.id, saved.name, tuple((i.title, i.due_offset_days) for i in items))  # type: ignore[arg-type]
