"""Tasks, projects, and saved task lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Project
from studioflow.workflow.jobs import jobs
from studioflow.workflow.people import clients
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import PipelineView, TaskView

Refused = Callable[..., str]


def stored(db: Database, task_id: int) -> TaskView:
    (view,) = [t for t in tasks.list_tasks(db, include_done=True) if t.id == task_id]
    return view


def task_row(db: Database, task_id: int) -> tuple[str, str, int]:
    """(notes, done_at, position) straight from the file."""
    with db.rows() as conn:
        return conn.execute("SELECT notes, done_at, position FROM task WHERE id = ?", (task_id,)).fetchone()


@pytest.fixture
def job_id(db: Database, wedding: PipelineView) -> int:
    return jobs.add_job(db, "Smith wedding", wedding.id).id


@pytest.fixture
def project_id(db: Database) -> int:
    return tasks.add_project(db, "Studio move").id


# add_task


def test_add_a_loose_task(db: Database) -> None:
    view = tasks.add_task(db, "  Renew insurance ", due_on=date(2025, 3, 1), priority=3, notes="call broker")
    assert view == TaskView(
        view.id, "Renew insurance", False, None, date(2025, 3, 1), 3, None, None, None, None, None, "call broker", 1
    )
    assert stored(db, view.id) == view
    assert task_row(db, view.id) == ("call broker", None, 1)


def test_add_a_task_to_a_job_and_a_project(db: Database, job_id: int, project_id: int) -> None:
    for_job = tasks.add_task(db, "Send contract", job="Smith wedding")
    assert (for_job.job_id, for_job.job, for_job.project_id) == (job_id, "Smith wedding", None)
    for_project = tasks.add_task(db, "Pack", project="studio MOVE")
    assert (for_project.project_id, for_project.project, for_project.job_id) == (project_id, "Studio move", None)
    both = tasks.add_task(db, "Both", job=job_id, project=project_id)
    assert (both.job, both.project) == ("Smith wedding", "Studio move")
    for view in (for_job, for_project, both):
        assert stored(db, view.id) == view


def test_tasks_of_one_owner_are_numbered_in_order(db: Database, job_id: int) -> None:
    first = tasks.add_task(db, "One", job=job_id)
    second = tasks.add_task(db, "Two", job=job_id)
    loose = tasks.add_task(db, "Loose")
    assert task_row(db, second.id)[2] == task_row(db, first.id)[2] + 1
    assert task_row(db, loose.id)[2] == 1


@pytest.mark.parametrize("priority", [0, 1, 2, 3])
def test_every_priority_is_accepted(db: Database, priority: int) -> None:
    assert stored(db, tasks.add_task(db, "T", priority=priority).id).priority == priority


@pytest.mark.parametrize(
    ("title", "kwargs", "match"),
    [
        ("", {}, "empty"),
        ("   ", {}, "empty"),
        ("a\nb", {}, "single line"),
        ("T", {"priority": -1}, "priority"),
        ("T", {"priority": 4}, "priority"),
        ("T", {"job": "Jones"}, "no job 'Jones'"),
        ("T", {"job": 999}, "no job '999'"),
        ("T", {"project": "Nope"}, "no project 'Nope'"),
    ],
)
def test_add_task_refusals(
    db: Database, refused: Refused, job_id: int, project_id: int, title: str, kwargs: dict, match: str
) -> None:
    refused(tasks.add_task, db, title, match=match, **kwargs)


# complete_task / reopen_task


def test_complete_and_reopen(db: Database, refused: Refused, job_id: int) -> None:
    task = tasks.add_task(db, "Send contract", job=job_id)
    before = datetime.now(UTC)
    done = tasks.complete_task(db, "Send contract")
    assert done.done
    assert done.done_at is not None
    assert before <= done.done_at <= datetime.now(UTC)
    assert stored(db, task.id) == done
    assert task_row(db, task.id)[1] is not None
    assert (jobs.get_job(db, job_id).tasks_open, jobs.get_job(db, job_id).tasks_total) == (0, 1)
    refused(tasks.complete_task, db, task.id, match="already done")

    reopened = tasks.reopen_task(db, str(task.id))
    assert (reopened.done, reopened.done_at) == (False, None)
    assert stored(db, task.id) == reopened
    assert task_row(db, task.id)[1] is None
    assert jobs.get_job(db, job_id).tasks_open == 1
    refused(tasks.reopen_task, db, task.id, match="not done")


def test_complete_and_reopen_refuse_unknown_tasks(db: Database, refused: Refused) -> None:
    tasks.add_task(db, "Real")
    refused(tasks.complete_task, db, "Imaginary", match="no task 'Imaginary'")
    refused(tasks.reopen_task, db, 999, match="no task '999'")


# list_tasks


def test_list_tasks_order_and_filters(db: Database, job_id: int, project_id: int) -> None:
    today = date(2025, 5, 1)
    tasks.add_task(db, "undated-high", priority=3)
    tasks.add_task(db, "later", due_on=today + timedelta(days=5))
    tasks.add_task(db, "soon-low", due_on=today, priority=1, job=job_id)
    tasks.add_task(db, "soon-high", due_on=today, priority=3, project=project_id)
    tasks.add_task(db, "undated-low")
    done = tasks.add_task(db, "done-early", due_on=today - timedelta(days=9), job=job_id)
    tasks.complete_task(db, done.id)

    assert [t.title for t in tasks.list_tasks(db)] == ["soon-high", "soon-low", "later", "undated-high", "undated-low"]
    assert [t.title for t in tasks.list_tasks(db, include_done=True)][-1] == "done-early"
    assert len(tasks.list_tasks(db, include_done=True)) == 6
    assert [t.title for t in tasks.list_tasks(db, job="Smith wedding")] == ["soon-low"]
    assert [t.title for t in tasks.list_tasks(db, include_done=True, job=job_id)] == ["soon-low", "done-early"]
    assert [t.title for t in tasks.list_tasks(db, project=project_id)] == ["soon-high"]
    with pytest.raises(StudioflowError, match="no job"):
        tasks.list_tasks(db, job="Jones")
    with pytest.raises(StudioflowError, match="no project"):
        tasks.list_tasks(db, project="Nope")


# projects


def test_add_project(db: Database, refused: Refused, job_id: int) -> None:
    ann = clients.add_client(db, "Ann")
    view = tasks.add_project(db, "  Album  ", job="Smith wedding", client="ann")
    assert (view.name, view.job_id, view.client, view.tasks_open, view.tasks_total) == ("Album", job_id, "Ann", 0, 0)
    assert tasks.list_projects(db) == [view]
    with db.rows() as conn:
        assert conn.execute("SELECT client_id FROM project WHERE id = ?", (view.id,)).fetchone() == (ann.id,)
    refused(tasks.add_project, db, " ", match="empty")
    refused(tasks.add_project, db, "P", job="Jones", match="no job")
    refused(tasks.add_project, db, "P", client="Bob", match="no client")


def test_list_projects_counts_tasks_and_hides_archived(db: Database) -> None:
    album = tasks.add_project(db, "Album")
    move = tasks.add_project(db, "Studio move")
    old = tasks.add_project(db, "Archived one")
    tasks.add_task(db, "a", project=album.id)
    tasks.complete_task(db, tasks.add_task(db, "b", project=album.id).id)
    tasks.add_task(db, "c", project=move.id)
    with db.write() as session:
        session.get_one(Project, old.id).archived = True
    listed = [(p.name, p.tasks_open, p.tasks_total) for p in tasks.list_projects(db)]
    assert listed == [("Album", 1, 2), ("Studio move", 1, 1)]


def test_list_projects_of_one_job(db: Database, job_id: int) -> None:
    album = tasks.add_project(db, "Album", job=job_id)
    tasks.add_project(db, "Studio move")
    assert tasks.list_projects(db, job=job_id) == [album]
    assert tasks.list_projects(db, job=job_id + 1) == []


# saved task lists


def test_create_and_list_saved_lists(db: Database) -> None:
    items = [(" Send contract ", 0), ("Shot list", 14), ("Thank you", None)]
    view = tasks.create_saved_list(db, " Wedding prep ", items)
    assert view.name == "Wedding prep"
    assert [(i.title, i.due_offset_days, i.priority, i.position) for i in view.items] == [
        ("Send contract", 0, 0, 0),
        ("Shot list", 14, 0, 1),
        ("Thank you", None, 0, 2),
    ]
    other = tasks.create_saved_list(db, "Annual review", [("Call", 1)])
    assert tasks.list_saved_lists(db) == [other, view]


@pytest.mark.parametrize(
    ("name", "items", "match"),
    [
        ("", [("a", 1)], "empty"),
        ("L", [], "at least one"),
        ("L", [("a", -1)], "negative"),
        ("L", [("a", 1), ("b", -5)], "negative"),
        ("L", [("a", 1), (" ", 2)], "empty"),
        ("wedding PREP", [("a", 1)], "already exists"),
    ],
)
def test_create_saved_list_refusals(
    db: Database, refused: Refused, name: str, items: list[tuple[str, int | None]], match: str
) -> None:
    tasks.create_saved_list(db, "Wedding prep", [("Send contract", 0)])
    refused(tasks.create_saved_list, db, name, items, match=match)


def test_apply_saved_list_to_a_job(db: Database, job_id: int) -> None:
    tasks.add_task(db, "Existing", job=job_id)
    saved = tasks.create_saved_list(db, "Wedding prep", [("Send contract", 0), ("Shot list", 14), ("Thanks", None)])
    start = date(2025, 6, 1)
    created = tasks.apply_saved_list(db, "wedding prep", job="Smith wedding", start=start)
    by_title = {t.title: t for t in created}
    assert set(by_title) == {"Send contract", "Shot list", "Thanks"}
    assert by_title["Send contract"].due_on == start
    assert by_title["Shot list"].due_on == start + timedelta(days=14)
    assert by_title["Thanks"].due_on is None
    assert all(t.job_id == job_id and not t.done for t in created)
    all_titles = sorted(t.title for t in tasks.list_tasks(db, job=job_id))
    assert all_titles == ["Existing", "Send contract", "Shot list", "Thanks"]
    positions = [task_row(db, by_title[t].id)[2] for t in ("Send contract", "Shot list", "Thanks")]
    assert positions == [2, 3, 4]
    assert jobs.get_job(db, job_id).tasks_total == 4
    assert tasks.list_saved_lists(db) == [saved]  # the list itself is unchanged


def test_apply_saved_list_to_a_project_from_today(db: Database, project_id: int) -> None:
    tasks.create_saved_list(db, "Move", [("Pack", 2)])
    before = date.today()
    (task,) = tasks.apply_saved_list(db, "Move", project="Studio move")
    assert task.project_id == project_id
    assert task.due_on is not None
    assert before + timedelta(days=2) <= task.due_on <= date.today() + timedelta(days=2)
    assert stored(db, task.id) == task


def test_apply_saved_list_refusals(db: Database, refused: Refused, job_id: int, project_id: int) -> None:
    tasks.create_saved_list(db, "Move", [("Pack", 2)])
    refused(tasks.apply_saved_list, db, "Move", match="one job or one project")
    refused(tasks.apply_saved_list, db, "Move", job=job_id, project=project_id, match="one job or one project")
    refused(tasks.apply_saved_list, db, "Nope", job=job_id, match="no saved task list 'Nope'")
    refused(tasks.apply_saved_list, db, "Move", job="Jones", match="no job 'Jones'")
    refused(tasks.apply_saved_list, db, "Move", project="Nope", match="no project 'Nope'")


def test_a_task_is_found_by_its_title_in_any_case(db: Database) -> None:
    task = tasks.add_task(db, "Send contract")
    assert tasks.complete_task(db, "send CONTRACT").id == task.id
