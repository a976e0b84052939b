"""The services behind the Tasks screen: views, quick add, edit, delete, order, saved items, undo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Event, Invoice
from studioflow.workflow.automations import automation_rules
from studioflow.workflow.jobs import jobs, journal
from studioflow.workflow.people import clients
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import PipelineView
from tests.conftest import outside

Refused = Callable[..., str]
TODAY = date(2026, 3, 2)  # a Monday


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


def task_rows(db: Database) -> list[tuple[Any, ...]]:
    with db.rows() as conn:
        return conn.execute("SELECT * FROM task ORDER BY id").fetchall()


@pytest.fixture
def world(db: Database, wedding: PipelineView) -> dict[str, int]:
    ann = clients.add_client(db, "Ann Lee")
    smith = jobs.add_job(db, "Smith wedding", wedding.id, client=ann.id)
    jones = jobs.add_job(db, "Jones wedding", wedding.id)
    admin = tasks.add_project(db, "Studio admin")
    return {"smith": smith.id, "jones": jones.id, "admin": admin.id, "ann": ann.id}


def titles(view: Any) -> list[tuple[str, list[str]]]:
    return [(g.name, [t.title for t in g.tasks]) for g in view.groups]


# quick add


def test_quick_add_resolves_the_owner_by_name(db: Database, world: dict[str, int]) -> None:
    task = tasks.quick_add(db, 'Call Anna about album due:fri !high @"smith WEDDING"', TODAY)
    assert (task.title, task.due_on, task.priority, task.job_id, task.client) == (
        "Call Anna about album",
        date(2026, 3, 6),
        3,
        world["smith"],
        "Ann Lee",
    )
    filed = tasks.quick_add(db, 'File receipts @"Studio admin" due:+2w', TODAY)
    assert (filed.project_id, filed.due_on) == (world["admin"], day(14))


def test_quick_add_goes_to_the_given_project_unless_a_name_says_otherwise(db: Database, world: dict[str, int]) -> None:
    here = tasks.quick_add(db, "Order prints", TODAY, project=world["admin"])
    assert here.project_id == world["admin"]
    there = tasks.quick_add(db, 'Order prints @"Jones wedding"', TODAY, project=world["admin"])
    assert (there.job_id, there.project_id) == (world["jones"], None)


def test_quick_add_refusals_write_nothing(db: Database, world: dict[str, int], refused: Refused) -> None:
    refused(tasks.quick_add, db, "Call @Nobody", TODAY, match="no job or project named 'Nobody'")
    tasks.add_project(db, "Smith wedding")
    refused(tasks.quick_add, db, 'Call @"Smith wedding"', TODAY, match="1 job.* and 1 project")
    refused(tasks.quick_add, db, "due:today", TODAY, match="title cannot be empty")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([*'ab @"!:+d3fr', "due:", "@Studio", "!high", "today", " "]), max_size=20))
def test_quick_add_of_any_text_makes_one_task_or_refuses(db: Database, parts: list[str]) -> None:
    text = "".join(parts)
    before = len(task_rows(db))
    message = ""
    try:
        tasks.quick_add(db, text, TODAY)
    except StudioflowError as exc:
        message = str(exc)
    assert "\n" not in message
    assert len(task_rows(db)) == (before if message else before + 1)


def test_owner_choices_list_jobs_and_projects(db: Database, world: dict[str, int]) -> None:
    choices = [(c.kind, c.name) for c in tasks.owner_choices(db)]
    assert choices == [("job", "Jones wedding"), ("job", "Smith wedding"), ("project", "Studio admin")]


# views


@pytest.fixture
def spread(db: Database, world: dict[str, int]) -> dict[str, int]:
    made = {
        "late": tasks.add_task(db, "late", job=world["smith"], due_on=day(-2)).id,
        "today": tasks.add_task(db, "today", job=world["smith"], due_on=TODAY).id,
        "soon": tasks.add_task(db, "soon", job=world["jones"], due_on=day(3)).id,
        "week": tasks.add_task(db, "week", project=world["admin"], due_on=day(7)).id,
        "far": tasks.add_task(db, "far", project=world["admin"], due_on=day(8)).id,
        "undated": tasks.add_task(db, "undated").id,
        "done": tasks.add_task(db, "done", job=world["smith"], due_on=TODAY).id,
    }
    tasks.complete_task(db, made["done"])
    return made


def test_each_view_shows_its_tasks_grouped_most_urgent_first(db: Database, spread: dict[str, int]) -> None:
    assert titles(tasks.task_list(db, "today", TODAY)) == [("Smith wedding", ["late", "today"])]
    assert titles(tasks.task_list(db, "overdue", TODAY)) == [("Smith wedding", ["late"])]
    assert titles(tasks.task_list(db, "upcoming", TODAY)) == [
        ("Jones wedding", ["soon"]),
        ("Studio admin", ["week"]),
    ]
    assert titles(tasks.task_list(db, "open", TODAY)) == [
        ("Smith wedding", ["late", "today"]),
        ("Jones wedding", ["soon"]),
        ("Studio admin", ["week", "far"]),
        ("No job or project", ["undated"]),
    ]
    assert titles(tasks.task_list(db, "done", TODAY)) == [("Smith wedding", ["done"])]
    view = tasks.task_list(db, "today", TODAY)
    (group,) = view.groups
    assert (group.kind, group.client, group.done, group.total, view.count) == ("job", "Ann Lee", 1, 3, 2)


def test_kept_tasks_stay_in_the_view_after_a_check_off(db: Database, spread: dict[str, int]) -> None:
    tasks.toggle_task(db, spread["late"])
    assert titles(tasks.task_list(db, "today", TODAY)) == [("Smith wedding", ["today"])]
    kept = tasks.task_list(db, "today", TODAY, keep={spread["late"]})
    assert [(t.title, t.done) for t in kept.groups[0].tasks] == [("late", True), ("today", False)]


def test_a_project_view_shows_all_its_tasks(db: Database, spread: dict[str, int], world: dict[str, int]) -> None:
    tasks.complete_task(db, spread["far"])
    view = tasks.task_list(db, "all", TODAY, project=world["admin"])
    assert [(t.title, t.done) for t in view.groups[0].tasks] == [("week", False), ("far", True)]


def test_unknown_view_is_refused(db: Database) -> None:
    with pytest.raises(StudioflowError, match="unknown task view 'someday'"):
        tasks.task_list(db, "someday")


# edit, delete, order, undo


def test_toggle_and_undo_each_step(db: Database, spread: dict[str, int]) -> None:
    before = task_rows(db)
    tasks.toggle_task(db, spread["late"])
    tasks.toggle_task(db, spread["today"])
    assert journal.undo(db) == "check off 'today'"
    assert tasks.get_task(db, spread["today"]).done is False
    assert tasks.get_task(db, spread["late"]).done is True
    journal.undo(db)
    assert task_rows(db) == before
    journal.redo(db)
    assert tasks.get_task(db, spread["late"]).done is True


def test_edit_every_field_and_undo(db: Database, spread: dict[str, int], world: dict[str, int]) -> None:
    before = task_rows(db)
    edited = tasks.edit_task(
        db,
        spread["soon"],
        title="Sooner",
        due_on=None,
        priority=2,
        notes="line one\nline two",
        job=None,
        project=world["admin"],
    )
    assert (edited.title, edited.due_on, edited.priority, edited.notes) == ("Sooner", None, 2, "line one\nline two")
    assert (edited.job_id, edited.project_id, edited.position) == (None, world["admin"], 3)
    journal.undo(db)
    assert task_rows(db) == before


def test_edit_refusals_write_nothing(db: Database, spread: dict[str, int], refused: Refused) -> None:
    refused(tasks.edit_task, db, spread["soon"], title=" ", match="empty")
    refused(tasks.edit_task, db, spread["soon"], priority=7, match="priority")
    refused(tasks.edit_task, db, spread["soon"], job="Nobody", match="no job")
    refused(tasks.edit_task, db, spread["soon"], notes="x" * 100_001, match="too long")


def test_delete_is_undone_and_redone(db: Database, spread: dict[str, int]) -> None:
    before = task_rows(db)
    gone = tasks.delete_task(db, spread["today"])
    assert gone.title == "today"
    assert len(task_rows(db)) == len(before) - 1
    assert journal.undo(db) == "delete task 'today'"
    assert task_rows(db) == before
    journal.redo(db)
    assert len(task_rows(db)) == len(before) - 1


def test_undo_refuses_a_task_changed_since_by_another_program(db: Database, spread: dict[str, int]) -> None:
    tasks.toggle_task(db, spread["late"])
    with outside(db) as conn:
        conn.execute("UPDATE task SET title = 'renamed' WHERE id = ?", (spread["late"],))
    with pytest.raises(StudioflowError, match=r"task .* was changed since"):
        journal.undo(db)


def test_swap_tasks_changes_their_order_only(db: Database, spread: dict[str, int], refused: Refused) -> None:
    tasks.swap_tasks(db, spread["today"], spread["late"])
    assert titles(tasks.task_list(db, "today", TODAY)) == [("Smith wedding", ["today", "late"])]
    journal.undo(db)
    assert titles(tasks.task_list(db, "today", TODAY)) == [("Smith wedding", ["late", "today"])]
    refused(tasks.swap_tasks, db, spread["today"], spread["soon"], match="same job or project")


def test_swap_of_tied_places_numbers_the_list_first(db: Database, world: dict[str, int]) -> None:
    a = tasks.add_task(db, "a", job=world["jones"]).id
    b = tasks.add_task(db, "b", job=world["jones"]).id
    with outside(db) as conn:
        conn.execute("UPDATE task SET position = 5")
    tasks.swap_tasks(db, a, b)
    assert titles(tasks.task_list(db, "open", TODAY)) == [("Jones wedding", ["b", "a"])]


# projects


def test_project_for_a_job_takes_its_client_and_shows_next_due(db: Database, world: dict[str, int]) -> None:
    album = tasks.add_project(db, "Album", job="Smith wedding")
    assert (album.job, album.client) == ("Smith wedding", "Ann Lee")
    tasks.add_task(db, "Pick photos", project=album.id, due_on=day(4))
    tasks.add_task(db, "Order", project=album.id, due_on=day(9))
    shown = tasks.get_project(db, "album")
    assert (shown.next_due, shown.tasks_open, shown.tasks_total) == (day(4), 2, 2)


def test_project_links_refusals(db: Database, world: dict[str, int], refused: Refused) -> None:
    refused(tasks.add_project, db, "P", event="Shoot", match="no event")
    refused(tasks.add_project, db, "P", invoice="INV-9", match="no invoice")


# saved lists


def test_saved_items_add_edit_move_delete_and_undo(db: Database) -> None:
    saved = tasks.create_saved_list(db, "Prep", [("Send contract", 0, 3), ("Plan", None)])
    first, second = saved.items
    assert (first.priority, second.priority) == (3, 0)
    view = tasks.add_saved_item(db, "prep", "Pack gear", 6, 2)
    assert [i.title for i in view.items] == ["Send contract", "Plan", "Pack gear"]
    view = tasks.edit_saved_item(db, second.id, "Plan the day", 5, 1)
    assert (view.items[1].title, view.items[1].due_offset_days, view.items[1].priority) == ("Plan the day", 5, 1)
    view = tasks.move_saved_item(db, second.id, -1)
    assert [i.title for i in view.items] == ["Plan the day", "Send contract", "Pack gear"]
    view = tasks.delete_saved_item(db, first.id)
    assert [i.title for i in view.items] == ["Plan the day", "Pack gear"]
    journal.undo(db)
    assert [i.title for i in tasks.get_saved_list(db, "Prep").items] == ["Plan the day", "Send contract", "Pack gear"]
    with pytest.raises(StudioflowError, match="already first"):
        tasks.move_saved_item(db, second.id, -1)


def test_applying_a_list_gives_tasks_its_priorities_and_dates(db: Database, world: dict[str, int]) -> None:
    tasks.create_saved_list(db, "Prep", [("Send contract", 0, 3), ("Plan", 5, 1), ("Later", None)])
    made = tasks.apply_saved_list(db, "Prep", job="Smith wedding", start=TODAY)
    assert sorted((t.title, t.due_on, t.priority) for t in made) == [
        ("Later", None, 0),
        ("Plan", day(5), 1),
        ("Send contract", TODAY, 3),
    ]
    assert journal.undo(db) == "apply saved list 'Prep'"
    assert tasks.list_tasks(db) == []


def test_a_saved_list_is_renamed_and_deleted_with_undo(db: Database, wedding: PipelineView, refused: Refused) -> None:
    tasks.create_saved_list(db, "Prep", [("a", 0), ("b", 1)])
    tasks.create_saved_list(db, "Other", [("c", 0)])
    refused(tasks.rename_saved_list, db, "Prep", "OTHER", match="already exists")
    assert tasks.rename_saved_list(db, "Prep", "Wedding prep").name == "Wedding prep"
    tasks.delete_saved_list(db, "Wedding prep")
    assert [s.name for s in tasks.list_saved_lists(db)] == ["Other"]
    journal.undo(db)
    assert [(s.name, len(s.items)) for s in tasks.list_saved_lists(db)] == [("Other", 1), ("Wedding prep", 2)]
    automation_rules.add_automation(db, "Wedding", "Booked", "enter", "create_tasks", saved_list="Other")
    refused(tasks.delete_saved_list, db, "Other", match="used by 1 automation")


def test_saved_item_refusals(db: Database, refused: Refused) -> None:
    saved = tasks.create_saved_list(db, "Prep", [("a", 0)])
    refused(tasks.add_saved_item, db, "Prep", "b", -1, match="negative")
    refused(tasks.add_saved_item, db, "Prep", "b", 1, 5, match="priority")
    refused(tasks.add_saved_item, db, "Nope", "b", match="no saved task list")
    refused(tasks.edit_saved_item, db, saved.items[0].id, "", 1, 0, match="empty")
    refused(tasks.delete_saved_item, db, 999, match="no saved task item 999")


def test_a_project_for_an_event_or_an_invoice_takes_its_client(db: Database, world: dict[str, int]) -> None:
    with db.write() as session:
        event = Event(title="Engagement shoot", client_id=world["ann"], starts_at=datetime(2026, 3, 9, 15, tzinfo=UTC))
        invoice = Invoice(number="INV-7", client_id=world["ann"], issued_on=TODAY)
        session.add_all([event, invoice])
        session.flush()
    shoot = tasks.add_project(db, "Shoot prep", event="Engagement shoot")
    billing = tasks.add_project(db, "Chase payment", invoice="INV-7")
    assert (shoot.event, shoot.client, billing.invoice, billing.client) == (
        "Engagement shoot",
        "Ann Lee",
        "INV-7",
        "Ann Lee",
    )
    labels = [label for label, _, _ in tasks.link_choices(db)]
    assert "event · Engagement shoot (2026-03-09)" in labels
    assert "invoice · INV-7" in labels
    assert "job · Smith wedding" in labels


def test_tasks_an_automation_makes_get_the_items_priorities(db: Database, world: dict[str, int]) -> None:
    tasks.create_saved_list(db, "Booking", [("Send contract", 0, 3), ("Plan", 2)])
    automation_rules.add_automation(db, "Wedding", "Booked", "enter", "create_tasks", saved_list="Booking")
    jobs.advance(db, world["jones"])
    made = tasks.list_tasks(db, job=world["jones"])
    assert sorted((t.title, t.priority) for t in made) == [("Plan", 0), ("Send contract", 3)]
