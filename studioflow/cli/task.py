"""`studioflow task …`, `project …` and `savedtasks …`: things to do, groups of them, and lists
of them made again and again."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from studioflow.cli.complete import ON_CLIENT, ON_JOB
from studioflow.cli.frame import Section
from studioflow.cli.params import DATE, DUE, PRIORITY
from studioflow.cli.services import quickadd, reads, tasks
from studioflow.errors import StudioflowError
from studioflow.store import Database

if TYPE_CHECKING:
    from studioflow.workflow.views import ProjectDetailView, SavedTaskListView, TaskView

ON_PROJECT = click.option("--project", metavar="PR")


task = Section("task", help="tasks: things to do, for a job, a project or alone")


@task.command(
    "add",
    help='add a task; the text may hold due:fri, !high and @"a job or project", e.g. '
    "'Call Anna due:fri !high @\"Smith wedding\"'",
)
@click.argument("title")
@ON_JOB
@ON_PROJECT
@click.option("--due", type=DUE, metavar="WHEN", help="YYYY-MM-DD, today, tomorrow, fri, +3d, +2w")
@click.option("--priority", type=PRIORITY, metavar="P", help="low, medium, high (or 0-3)")
def add_task(
    db: Database, title: str, job: str | None, project: str | None, due: date | None, priority: int | None
) -> TaskView:
    if (job or project) and quickadd.parse(title, date.today()).owner is not None:
        raise StudioflowError("the job or project is given twice: keep @name or the option")
    return tasks.quick_add(db, title, job=job, project=project, due_on=due, priority=priority)


@task.command("delete", help="delete a task (studioflow undo brings it back)")
@click.argument("task")
def delete_task(db: Database, task: str) -> str:
    gone = tasks.delete_task(db, task)
    return f"task {gone.id} {gone.title!r} deleted (studioflow undo brings it back)"


task.calls("done", "check a task off", click.argument("task"), service=lambda: tasks.complete_task)


task.calls("reopen", "uncheck a done task", click.argument("task"), service=lambda: tasks.reopen_task)


task.calls(
    "list",
    "list open tasks, soonest due first",
    click.option("--all", "include_done", is_flag=True, help="include done tasks"),
    ON_JOB,
    ON_PROJECT,
    service=lambda: reads.list_tasks,
)


project = Section("project", help="projects: groups of tasks, for a client, an event, an invoice, a job or alone")


project.calls(
    "add",
    "add a project",
    click.argument("name"),
    ON_JOB,
    ON_CLIENT,
    click.option("--event", metavar="E", help="an event (session), by id or title"),
    click.option("--invoice", metavar="I", help="an invoice, by id or number"),
    service=lambda: tasks.add_project,
)


project.calls("list", "list projects with their progress and next due date", service=lambda: tasks.list_projects)


@project.command("show", help="show a project and its tasks")
@click.argument("project")
def show_project(db: Database, project: str) -> ProjectDetailView:
    from studioflow.workflow.views import ProjectDetailView

    found = tasks.get_project(db, project)
    return ProjectDetailView(found, tuple(tasks.list_tasks(db, include_done=True, project=found.id)))


savedtasks = Section("savedtasks", help="saved task lists: tasks made again and again, for a job or a project")


@savedtasks.command("add", help="add a saved task list")
@click.argument("name")
@click.option(
    "--item",
    "items",
    multiple=True,
    required=True,
    metavar="TASK",
    help="a task (repeat); +N for due N days after the list is applied, !low/!medium/!high",
)
def add_saved_list(db: Database, name: str, items: tuple[str, ...]) -> SavedTaskListView:
    return tasks.create_saved_list(db, name, [quickadd.parse_saved_item(item) for item in items])


savedtasks.calls("list", "list saved task lists", service=lambda: tasks.list_saved_lists)


savedtasks.calls(
    "show",
    "show a saved task list's items",
    click.argument("saved_list", metavar="LIST"),
    service=lambda: tasks.get_saved_list,
)


@savedtasks.command(
    "apply", help="make the list's tasks for a job or a project, due from today", one_of=[("job", "project")]
)
@click.argument("saved_list", metavar="LIST")
@ON_JOB
@ON_PROJECT
@click.option("--start", type=DATE, metavar="YYYY-MM-DD", help="count due dates from here, not today")
def apply_saved_list(
    db: Database, saved_list: str, job: str | None, project: str | None, start: date | None
) -> list[TaskView]:
    return tasks.apply_saved_list(db, saved_list, job=job, project=project, start=start)
