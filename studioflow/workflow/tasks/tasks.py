"""Tasks, the projects that group them, and saved task lists that fill a job or project.

Every change a person makes to a task, a project or a saved list is recorded in the
journal (workflow.journal), so `u` takes it back: a check-off, an edit, a delete.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ScalarSelect, func
from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import (
    Automation,
    Client,
    Condition,
    Event,
    Invoice,
    Job,
    Pipeline,
    Project,
    SavedTaskItem,
    SavedTaskList,
    Stage,
    Task,
    select_wide,
    utcnow,
)
from studioflow.workflow import lookup
from studioflow.workflow.automations import automations
from studioflow.workflow.board import reads
from studioflow.workflow.jobs import journal
from studioflow.workflow.jobs.pipelines import after_last, in_order, reorder_rows
from studioflow.workflow.tasks import quickadd, tasklists
from studioflow.workflow.views import (
    OwnerChoice,
    ProjectView,
    SavedItemView,
    SavedTaskListView,
    TaskGroup,
    TaskListView,
    TaskView,
)

PRIORITIES = range(4)  # 0 none, 1 low, 2 medium, 3 high
VIEWS = ("today", "overdue", "upcoming", "open", "done", "all")
UPCOMING_DAYS = 7
# Sorts an open task kept in the done view (just reopened) after the done ones; aware, as done_at is.
NEVER = datetime.min.replace(tzinfo=UTC)
MAX_NOTES = 100_000


class _Unset:
    """An argument not given (None means "clear" for the optional fields)."""


UNSET: Any = _Unset()


def _check_priority(priority: int) -> None:
    if priority not in PRIORITIES:
        raise StudioflowError(f"a priority is 0 (none) to 3 (high), not {priority}")


def _check_notes(notes: str) -> str:
    if len(notes) > MAX_NOTES:
        raise StudioflowError(f"notes are too long ({len(notes)} characters, at most {MAX_NOTES})")
    if "\x00" in notes:
        raise StudioflowError("notes cannot hold a NUL character")
    return notes


# Tasks


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
    _check_priority(priority)
    _check_notes(notes)
    with db.write() as session:
        job_id = None if job is None else lookup.job(session, job).id
        project_id = None if project is None else lookup.project(session, project).id
        task = Task(title=title, job_id=job_id, project_id=project_id, due_on=due_on, priority=priority, notes=notes)
        task.position = tasklists.next_position(session, job_id, project_id)
        with journal.recording(session, f"add task {title!r}") as rec:
            session.add(task)
            session.flush()
            rec.add_row("task", task.saved_id)
        return _view(session, task)


def quick_add(
    db: Database,
    text: str,
    today: date | None = None,
    job: int | str | None = None,
    project: int | str | None = None,
    due_on: date | None = None,
    priority: int | None = None,
) -> TaskView:
    """A task from one line of the inline syntax (see workflow.quickadd).

    `job`/`project` is where the task goes when the line names no `@` owner (the
    project being viewed); an `@name` wins over it. `due_on` and `priority` are for
    callers with fields of their own (the CLI's --due): given twice is an error.
    """
    parsed = quickadd.parse(text, today or date.today())
    if parsed.due_on is not None and due_on is not None:
        raise StudioflowError("the due date is given twice: keep due: or the option")
    if parsed.priority and priority is not None:
        raise StudioflowError("the priority is given twice: keep !priority or the option")
    if parsed.owner is not None:
        with db.read() as session:
            kind, owner_id = resolve_owner(session, parsed.owner)
        job, project = (owner_id, None) if kind == "job" else (None, owner_id)
    due = parsed.due_on if parsed.due_on is not None else due_on
    prio = parsed.priority or (priority or 0)
    return add_task(db, parsed.title, job=job, project=project, due_on=due, priority=prio)


def resolve_owner(session: Session, name: str) -> tuple[str, int]:
    """("job" or "project", id) of the one unarchived job or project called `name`."""
    jobs = session.exec(
        select(Job.id_column()).where(lookup.same_name(Job.title, name), col(Job.archived).is_(False)).limit(11)
    ).all()
    projects = session.exec(
        select(Project.id_column())
        .where(lookup.same_name(Project.name, name), col(Project.archived).is_(False))
        .limit(11)
    ).all()
    if len(jobs) + len(projects) == 1:
        return ("job", jobs[0]) if jobs else ("project", projects[0])
    if not jobs and not projects:
        raise StudioflowError(f"no job or project named {name!r}")
    raise StudioflowError(
        f"{len(jobs)} job(s) and {len(projects)} project(s) are named {name!r}: rename one, or add the task from it"
    )


def owner_choices(db: Database) -> list[OwnerChoice]:
    """Every unarchived job and project, for the @ completion of the quick add."""
    with db.read() as session:
        jobs = session.exec(
            select(Job.id_column(), Job.title, Pipeline.name)
            .join(Pipeline, col(Pipeline.id) == Job.pipeline_id)
            .where(col(Job.archived).is_(False))
            .order_by(col(Job.title))
        ).all()
        projects = session.exec(
            select(Project.id_column(), Project.name, Client.name)
            .join(Client, col(Client.id) == Project.client_id, isouter=True)
            .where(col(Project.archived).is_(False))
            .order_by(func.casefold(col(Project.name)), col(Project.id))
        ).all()
    choices = [OwnerChoice("job", i, title, f"job · {pipeline}") for i, title, pipeline in jobs]
    choices += [OwnerChoice("project", i, n, "project" + (f" · {c}" if c else "")) for i, n, c in projects]
    return sorted(choices, key=lambda c: c.name.casefold())


def get_task(db: Database, task_ref: int | str) -> TaskView:
    with db.read() as session:
        return _view(session, lookup.task(session, task_ref))


def complete_task(db: Database, task_ref: int | str) -> TaskView:
    return _check(db, task_ref, done=True)


def reopen_task(db: Database, task_ref: int | str) -> TaskView:
    return _check(db, task_ref, done=False)


def _check(db: Database, task_ref: int | str, done: bool) -> TaskView:
    """Check a task off (`done`) or uncheck it, refused when it is so already (a script's mistake)."""
    with db.write() as session:
        task = lookup.task(session, task_ref)
        if (task.done_at is not None) == done:
            raise StudioflowError(f"task {task.id} {task.title!r} is {'already done' if done else 'not done'}")
        return _set_done(session, task, done)


def toggle_task(db: Database, task_ref: int | str) -> TaskView:
    """Check a task off, or back on when it is done (the task screen's space key)."""
    with db.write() as session:
        task = lookup.task(session, task_ref)
        return _set_done(session, task, task.done_at is None)


def _set_done(session: Session, task: Task, done: bool) -> TaskView:
    # One undo step: the check-off and, if it was the stage's last task, the auto-move.
    since = len(automations.fired(session))
    with journal.recording(session, f"{'check off' if done else 'uncheck'} {task.title!r}") as rec:
        rec.watch_rows("task", [task.saved_id])
        task.done_at = utcnow() if done else None
        session.flush()
        if done:
            automations.after_task_done(session, task)
    fired = tuple(effect.text for effect in automations.fired(session)[since:])
    return _view(session, task)._replace(fired=fired)


def edit_task(
    db: Database,
    task_ref: int | str,
    *,
    title: str = UNSET,
    due_on: date | None = UNSET,
    priority: int = UNSET,
    notes: str = UNSET,
    job: int | str | None = UNSET,
    project: int | str | None = UNSET,
) -> TaskView:
    """Change the given fields of a task (None clears due, job or project)."""
    if title is not UNSET:
        title = lookup.clean_name(title, "a task title")
    if priority is not UNSET:
        _check_priority(priority)
    if notes is not UNSET:
        _check_notes(notes)
    with db.write() as session:
        task = lookup.task(session, task_ref)
        with journal.recording(session, f"edit task {task.title!r}") as rec:
            rec.watch_rows("task", [task.saved_id])
            moved = False
            if job is not UNSET:
                job_id = None if job is None else lookup.job(session, job).id
                moved = moved or job_id != task.job_id
                task.job_id = job_id
            if project is not UNSET:
                project_id = None if project is None else lookup.project(session, project).id
                moved = moved or project_id != task.project_id
                task.project_id = project_id
            if moved:  # to the end of its new job's or project's list
                task.position = tasklists.next_position(session, task.job_id, task.project_id)
            for name, value in (("title", title), ("due_on", due_on), ("priority", priority), ("notes", notes)):
                if value is not UNSET:
                    setattr(task, name, value)
            session.flush()
        return _view(session, task)


def delete_task(db: Database, task_ref: int | str) -> TaskView:
    """Delete a task (undo brings it back as it was)."""
    with db.write() as session:
        task = lookup.task(session, task_ref)
        gone = _view(session, task)
        with journal.recording(session, f"delete task {task.title!r}") as rec:
            rec.watch_rows("task", [task.saved_id])
            session.delete(task)
            session.flush()
        return gone


def swap_tasks(db: Database, task_ref: int | str, other_ref: int | str) -> TaskView:
    """Swap two tasks of the same job or project in its order (J/K next to a shown neighbour)."""
    with db.write() as session:
        task = lookup.task(session, task_ref)
        other = lookup.task(session, other_ref)
        if (task.job_id, task.project_id) != (other.job_id, other.project_id):
            raise StudioflowError("only tasks of the same job or project can change places")
        if task.id == other.id:
            return _view(session, task)
        owner = Task.job_id == task.job_id, Task.project_id == task.project_id
        siblings = in_order(session, Task, *owner)
        with journal.recording(session, f"move task {task.title!r}") as rec:
            if task.position == other.position:
                # Tied places (older files, bulk imports): number the list 1..n first.
                rec.watch_rows("task", [t.saved_id for t in siblings])
                for place, sibling in enumerate(siblings, start=1):
                    sibling.position = place
            rec.watch_rows("task", [task.saved_id, other.saved_id])
            task.position, other.position = other.position, task.position
            session.flush()
        return _view(session, task)


# Of a row outer-joined to its job: it has no job, or the job is not archived (NULL IS NOT 1).
ON_LIVE_JOB = col(Job.archived).is_not(True)

list_tasks = reads.list_tasks  # read with plain SQL (no ORM): see `reads`


def task_list(
    db: Database,
    view: str,
    today: date | None = None,
    keep: Collection[int] = (),
    job: int | None = None,
    project: int | None = None,
) -> TaskListView:
    """A task view (today, overdue, upcoming, open, done, all) grouped by job or project.

    Today includes the overdue tasks (what is to be done today); upcoming is the next
    seven days after today. `keep` are tasks shown whatever their state (those just
    checked off stay on screen, struck through, until the view is refreshed). Groups
    come most urgent first; in a group, tasks keep the job's or project's own order.
    """
    if view not in VIEWS:
        raise StudioflowError(f"unknown task view {view!r}: one of {', '.join(VIEWS)}")
    today = today or date.today()
    rows, progress = reads.task_rows_and_progress(
        db, view, today, today + timedelta(days=UPCOMING_DAYS), keep, job, project
    )
    groups: dict[tuple[str, int], list[TaskView]] = {}
    for task in rows:
        groups.setdefault(_group_key(task), []).append(task)
    built = []
    for key, members in groups.items():
        if view == "done":
            members.sort(key=lambda t: t.done_at or NEVER, reverse=True)
        else:
            members.sort(key=lambda t: (t.done, t.position, t.id) if view == "all" else (t.position, t.id))
        first = members[0]
        name = first.job if key[0] == "job" else first.project if key[0] == "project" else "No job or project"
        done, total = progress.get(key, (0, 0))
        built.append(TaskGroup(key[0], key[1] or None, name or "", first.client, done, total, tuple(members)))
    if view == "done":
        built.sort(key=lambda g: max(t.done_at or NEVER for t in g.tasks), reverse=True)
    else:
        far = date.max

        def urgency(group: TaskGroup) -> tuple[date, str]:
            # Struck-through (kept) tasks count too: a check-off must not make its group jump.
            dues = [t.due_on for t in group.tasks if t.due_on is not None]
            return (min(dues) if dues else far, group.name.casefold())

        built.sort(key=urgency)
    return TaskListView(view, today, tuple(built), len(rows))


def _group_key(task: TaskView) -> tuple[str, int]:
    return reads.owner_key(task.job_id, task.project_id)


def _task_rows(session: Session, *conditions: Any) -> list[TaskView]:
    """Tasks as views, read as plain columns (10,000 of them in a few tens of ms)."""
    query = (
        select_wide(
            Task.id,
            Task.title,
            Task.done_at,
            Task.due_on,
            Task.priority,
            Task.job_id,
            Job.title,
            Task.project_id,
            Project.name,
            Client.name,
            Task.notes,
            Task.position,
        )
        .join(Job, col(Job.id) == Task.job_id, isouter=True)
        .join(Project, col(Project.id) == Task.project_id, isouter=True)
        .join(Client, col(Client.id) == func.coalesce(Job.client_id, Project.client_id), isouter=True)
        .where(*conditions)
    )
    # Executed by Core, not the ORM: the rows are plain columns, and the ORM's row loading is skipped.
    rows = session.connection().execute(query).all()
    return [
        TaskView(i, title, done_at is not None, done_at, due, prio, job_id, job, project_id, proj, client, notes, pos)
        for i, title, done_at, due, prio, job_id, job, project_id, proj, client, notes, pos in rows
    ]


def _view(session: Session, task: Task) -> TaskView:
    return _views(session, Task.id == task.id)[0]


def _views(session: Session, *conditions: Condition) -> list[TaskView]:
    rows = _task_rows(session, *conditions)
    rows.sort(key=lambda t: (t.done, t.due_on is None, t.due_on or date.min, -t.priority, t.id))
    return rows


def task_counts(owner: Any, owner_id: Any) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """(open, total) tasks of each listed job or project, as correlated subqueries.

    Correlated, so a list of 50 cards counts the tasks of those 50 only (via the index).
    """
    total = select(func.count()).where(owner == owner_id).scalar_subquery()
    still_open = select(func.count()).where(owner == owner_id, col(Task.done_at).is_(None)).scalar_subquery()
    return still_open, total


# Projects


def add_project(
    db: Database,
    name: str,
    job: int | str | None = None,
    client: int | str | None = None,
    event: int | str | None = None,
    invoice: int | str | None = None,
) -> ProjectView:
    """A project alone, or for a job, a client, an event (session) or an invoice.

    Made for a job, an event or an invoice, it takes that one's client when none is given.
    """
    name = lookup.clean_name(name, "a project name")
    with db.write() as session:
        job_row = None if job is None else lookup.job(session, job)
        event_row = None if event is None else lookup.find(session, Event, event, "event")
        invoice_row = None if invoice is None else lookup.invoice(session, invoice)
        client_id = None if client is None else lookup.client(session, client).id
        for linked in (job_row, event_row, invoice_row):
            if client_id is None and linked is not None:
                client_id = linked.client_id
        project = Project(
            name=name,
            job_id=None if job_row is None else job_row.id,
            client_id=client_id,
            event_id=None if event_row is None else event_row.id,
            invoice_id=None if invoice_row is None else invoice_row.id,
        )
        with journal.recording(session, f"add project {name!r}") as rec:
            session.add(project)
            session.flush()
            rec.add_row("project", project.saved_id)
        return _project_views(session, Project.id == project.id)[0]


def link_choices(db: Database) -> list[tuple[str, str, int]]:
    """What a new project can be for: (label, kind, id) of every client, job, event, invoice."""
    with db.read() as session:
        found = [(f"client · {n}", "client", i) for i, n in session.exec(select(Client.id_column(), Client.name)).all()]
        jobs = select(Job.id_column(), Job.title).where(col(Job.archived).is_(False))
        found += [(f"job · {t}", "job", i) for i, t in session.exec(jobs).all()]
        found += [
            (f"event · {t} ({s:%Y-%m-%d})", "event", i)
            for i, t, s in session.exec(select(Event.id_column(), Event.title, Event.starts_at)).all()
        ]
        numbers = select(Invoice.id_column(), Invoice.number)
        found += [(f"invoice · {n}", "invoice", i) for i, n in session.exec(numbers).all()]
    return sorted(found, key=lambda c: c[0].casefold())


def list_projects(db: Database, job: int | None = None) -> list[ProjectView]:
    """The projects not archived; `job`: only those linked to that job."""
    with db.read() as session:
        linked = () if job is None else (Project.job_id == job,)
        return _project_views(session, col(Project.archived).is_(False), *linked)


def get_project(db: Database, ref: int | str) -> ProjectView:
    with db.read() as session:
        return _project_views(session, Project.id == lookup.project(session, ref).id)[0]


def _project_views(session: Session, *conditions: Condition) -> list[ProjectView]:
    still_open, total = task_counts(Task.project_id, Project.id)
    next_due = (
        select(func.min(Task.due_on))
        .where(Task.project_id == Project.id, col(Task.done_at).is_(None))
        .scalar_subquery()
    )
    query = (
        select_wide(Project, Client.name, Job.title, Event.title, Invoice.number, still_open, total, next_due)
        .join(Client, col(Client.id) == Project.client_id, isouter=True)
        .join(Job, col(Job.id) == Project.job_id, isouter=True)
        .join(Event, col(Event.id) == Project.event_id, isouter=True)
        .join(Invoice, col(Invoice.id) == Project.invoice_id, isouter=True)
        .where(*conditions)
        .order_by(func.casefold(col(Project.name)), col(Project.id))
    )
    views = []
    for p, client_name, job, event, invoice, open_, total_, due in session.exec(query).all():
        due_on = date.fromisoformat(due) if isinstance(due, str) else due  # min() of a DATE comes back as text
        views.append(
            ProjectView(p.saved_id, p.name, p.job_id, client_name, open_ or 0, total_ or 0, job, event, invoice, due_on)
        )
    return views


# Saved task lists

SavedItem = tuple[str, int | None] | tuple[str, int | None, int]  # (title, due offset days[, priority])


def _clean_item(title: str, offset: int | None, priority: int) -> tuple[str, int | None, int]:
    if offset is not None and offset < 0:
        raise StudioflowError(f"task {title!r}: a due offset cannot be negative")
    lookup.check_days(offset, f"task {title!r}: a due offset")
    _check_priority(priority)
    return lookup.clean_name(title, "a task title"), offset, priority


def create_saved_list(db: Database, name: str, items: Sequence[SavedItem]) -> SavedTaskListView:
    """A reusable list of (task title, days after it is applied that the task is due[, priority])."""
    name = lookup.clean_name(name, "a saved task list name")
    if not items:
        raise StudioflowError("a saved task list needs at least one task")
    cleaned = [_clean_item(item[0], item[1], item[2] if len(item) > 2 else 0) for item in items]
    with db.write() as session:
        _refuse_taken_name(session, name)
        saved = SavedTaskList(name=name)
        with journal.recording(session, f"add saved list {name!r}") as rec:
            session.add(saved)
            session.flush()
            rec.add_row("saved_task_list", saved.saved_id)
            for position, (title, offset, priority) in enumerate(cleaned):
                item = SavedTaskItem(
                    list_id=saved.saved_id,
                    title=title,
                    due_offset_days=offset,
                    priority=priority,
                    position=position,
                )
                session.add(item)
                session.flush()
                rec.add_row("saved_task_item", item.saved_id)
        return _saved_view(session, saved)


def _refuse_taken_name(session: Session, name: str, but: int | None = None) -> None:
    found = session.exec(select(SavedTaskList).where(lookup.same_name(SavedTaskList.name, name))).first()
    if found is not None and found.id != but:
        raise StudioflowError(f"a saved task list named {name!r} already exists")


def list_saved_lists(db: Database) -> list[SavedTaskListView]:
    with db.read() as session:
        by_name = func.casefold(col(SavedTaskList.name))
        rows = session.exec(select(SavedTaskList).order_by(by_name, col(SavedTaskList.id))).all()
        return [_saved_view(session, row) for row in rows]


def get_saved_list(db: Database, list_ref: int | str) -> SavedTaskListView:
    with db.read() as session:
        return _saved_view(session, lookup.saved_list(session, list_ref))


def rename_saved_list(db: Database, list_ref: int | str, name: str) -> SavedTaskListView:
    name = lookup.clean_name(name, "a saved task list name")
    with db.write() as session:
        saved = lookup.saved_list(session, list_ref)
        _refuse_taken_name(session, name, but=saved.id)
        with journal.recording(session, f"rename saved list {saved.name!r}") as rec:
            rec.watch_rows("saved_task_list", [saved.saved_id])
            saved.name = name
            session.flush()
        return _saved_view(session, saved)


def delete_saved_list(db: Database, list_ref: int | str) -> SavedTaskListView:
    """Delete a saved list and its items (undoable). Refused while an automation uses it."""
    with db.write() as session:
        saved = lookup.saved_list(session, list_ref)
        users = _automations_using(session, saved.saved_id)
        if users:
            raise StudioflowError(
                f"saved list {saved.name!r} is used by {len(users)} automation(s) ({', '.join(users[:3])}): "
                "delete or change them first"
            )
        gone = _saved_view(session, saved)
        with journal.recording(session, f"delete saved list {saved.name!r}") as rec:
            rec.watch_rows("saved_task_list", [saved.saved_id])
            rec.watch_rows("saved_task_item", [item.id for item in gone.items])
            session.delete(saved)
            session.flush()
        return gone


def _automations_using(session: Session, list_id: int) -> list[str]:
    """The stages whose automations make this list's tasks (their params name it)."""
    query = select(Automation.params, Stage.name).join(Stage, col(Stage.id) == Automation.stage_id)
    return [stage for params, stage in session.exec(query).all() if params.get("list_id") == list_id]


def add_saved_item(
    db: Database, list_ref: int | str, title: str, due_offset_days: int | None = None, priority: int = 0
) -> SavedTaskListView:
    """Add a task at the end of a saved list."""
    title, due_offset_days, priority = _clean_item(title, due_offset_days, priority)
    with db.write() as session:
        saved = lookup.saved_list(session, list_ref)
        item = SavedTaskItem(
            list_id=saved.saved_id,
            title=title,
            due_offset_days=due_offset_days,
            priority=priority,
            position=after_last(session, SavedTaskItem.position, SavedTaskItem.list_id == saved.id, first=0),
        )
        with journal.recording(session, f"add {title!r} to saved list {saved.name!r}") as rec:
            session.add(item)
            session.flush()
            rec.add_row("saved_task_item", item.saved_id)
        return _saved_view(session, saved)


def _item(session: Session, item_id: int) -> SavedTaskItem:
    return lookup.get(session, SavedTaskItem, item_id, "saved task item")


def edit_saved_item(
    db: Database, item_id: int, title: str, due_offset_days: int | None, priority: int
) -> SavedTaskListView:
    title, due_offset_days, priority = _clean_item(title, due_offset_days, priority)
    with db.write() as session:
        item = _item(session, item_id)
        with journal.recording(session, f"edit saved task {item.title!r}") as rec:
            rec.watch_rows("saved_task_item", [item_id])
            item.title, item.due_offset_days, item.priority = title, due_offset_days, priority
            session.flush()
        return _saved_view(session, session.get_one(SavedTaskList, item.list_id))


def delete_saved_item(db: Database, item_id: int) -> SavedTaskListView:
    with db.write() as session:
        item = _item(session, item_id)
        saved = session.get_one(SavedTaskList, item.list_id)
        with journal.recording(session, f"delete saved task {item.title!r}") as rec:
            rec.watch_rows("saved_task_item", [item_id])
            session.delete(item)
            session.flush()
        return _saved_view(session, saved)


def move_saved_item(db: Database, item_id: int, offset: int) -> SavedTaskListView:
    """Move an item one place up (-1) or down (+1) its list."""
    if offset not in (-1, 1):
        raise StudioflowError("an item moves one place up (-1) or down (+1) at a time")
    with db.write() as session:
        item = _item(session, item_id)
        items = in_order(session, SavedTaskItem, SavedTaskItem.list_id == item.list_id)
        here = [i.id for i in items].index(item_id)
        there = here + offset
        if not 0 <= there < len(items):
            raise StudioflowError(f"{item.title!r} is already {'first' if offset < 0 else 'last'} in its list")
        with journal.recording(session, f"move saved task {item.title!r}") as rec:
            rec.watch_rows("saved_task_item", [i.saved_id for i in items])
            reorder_rows(items, items[here], there + 1, "a saved task")
            session.flush()
        return _saved_view(session, session.get_one(SavedTaskList, item.list_id))


def apply_saved_list(
    db: Database,
    list_ref: int | str,
    job: int | str | None = None,
    project: int | str | None = None,
    start: date | None = None,
) -> list[TaskView]:
    """Create the list's tasks for a job or a project, due `start` (today) + each item's offset.

    The same service (tasklists.create_from_list) makes the tasks of a create_tasks automation.
    """
    if (job is None) == (project is None):
        raise StudioflowError("a saved task list is applied to one job or one project")
    with db.write() as session:
        saved = lookup.saved_list(session, list_ref)
        job_id = None if job is None else lookup.job(session, job).id
        project_id = None if project is None else lookup.project(session, project).id
        with journal.recording(session, f"apply saved list {saved.name!r}") as rec:
            created = tasklists.create_from_list(session, saved.saved_id, job_id, project_id, start or date.today())
            for task in created:
                rec.add_row("task", task.saved_id)
        return _views(session, col(Task.id).in_([t.id for t in created]))


def _saved_view(session: Session, saved: SavedTaskList) -> SavedTaskListView:
    items = in_order(session, SavedTaskItem, SavedTaskItem.list_id == saved.id)
    return SavedTaskListView(
        saved.saved_id,
        saved.name,
        tuple(SavedItemView(i.saved_id, i.title, i.due_offset_days, i.priority, i.position) for i in items),
    )
