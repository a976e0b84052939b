"""The Tasks screen, projects and saved lists, driven from the keyboard (Pilot), checked in the database.

The demo database's dates are relative to DEMO_TODAY (2026-03-02), so on any later day
every dated demo task is overdue: the Today view (due today or before) lists them all.
"""

from __future__ import annotations

import sqlite3
import stat
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Label

from studioflow.app import make_app
from studioflow.screens.job import JobScreen
from studioflow.screens.projects import ProjectsScreen, SavedListsScreen
from studioflow.screens.task_dialogs import QuickAddDialog, TaskDialog
from studioflow.screens.tasks import ProjectTasksScreen, TasksScreen
from studioflow.store import Database
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import TaskView

from .conftest import effects_done

SIZE = (120, 35)


def screen(app: App[Any]) -> TasksScreen:
    found = app.screen
    assert isinstance(found, TasksScreen), f"expected the Tasks screen, found {type(found).__name__}"
    return found


def current(app: App[Any]) -> TaskView:
    task = screen(app).task_list.current()
    assert task is not None
    return task


def shown(app: App[Any]) -> list[str]:
    return [line.task.title for line in screen(app).task_list.lines if line.task is not None]


def row(db: Database, task_id: int) -> dict[str, Any] | None:
    with closing(sqlite3.connect(db.path)) as conn:
        conn.row_factory = sqlite3.Row
        found = conn.execute("SELECT * FROM task WHERE id = ?", (task_id,)).fetchone()
        return None if found is None else dict(found)


async def open_tasks(pilot: Pilot[Any]) -> None:
    await pilot.press("2")
    await pilot.pause()


async def test_check_two_off_and_undo_one(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        first = current(app)
        await pilot.press("space")
        await pilot.press("j")
        second = current(app)
        await pilot.press("x")
        await effects_done(pilot)  # check-offs are written in a thread worker
        assert row(demo_db, first.id)["done_at"] is not None  # type: ignore[index]
        assert row(demo_db, second.id)["done_at"] is not None  # type: ignore[index]
        # Both stay on screen, struck through, until the view is read again.
        assert first.title in shown(app)
        assert [t.done for t in (screen(app).task_list.lines[1].task, current(app))] == [True, True]  # type: ignore[union-attr]

        await pilot.press("u")
        await effects_done(pilot)
        await pilot.pause()
        assert row(demo_db, second.id)["done_at"] is None  # type: ignore[index]
        assert row(demo_db, first.id)["done_at"] is not None  # type: ignore[index]
        assert current(app).id == second.id
        assert first.title in shown(app)  # still there, struck through

        await pilot.press("r")  # refresh: done tasks leave the Today view
        assert first.id not in {t.id for t in (line.task for line in screen(app).task_list.lines) if t}
        listed = tasks.task_list(demo_db, "today")
        assert len(shown(app)) == listed.count


async def test_space_again_takes_a_check_off_back(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        task = current(app)
        await pilot.press("space", "space")
        assert row(demo_db, task.id)["done_at"] is None  # type: ignore[index]
        assert current(app).done is False


async def test_view_keys_show_each_view(demo_db: Database) -> None:
    tasks.add_task(demo_db, "Next week", due_on=date.today() + timedelta(days=3))
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        for key, view in (("o", "overdue"), ("w", "upcoming"), ("a", "open"), ("c", "done"), ("t", "today")):
            await pilot.press(key)
            assert screen(app).view_name == view
            assert len(shown(app)) == tasks.task_list(demo_db, view).count, view
        assert "Next week" not in shown(app)
        await pilot.press("tab", "tab")
        assert (screen(app).view_name, shown(app)) == ("upcoming", ["Next week"])


async def test_quick_add_with_completion_from_the_list(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, QuickAddDialog)
        await pilot.press(*"Call Anna about album due:+3d !high @oka")
        await pilot.press("down", "tab")  # the second match: Okafor wedding (after ...headshots)
        field = app.screen.query_one("#quickadd-input", Input)
        assert field.value == 'Call Anna about album due:+3d !high @"Okafor wedding" '
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TasksScreen)
        made = current(app)
        assert (made.title, made.job, made.due_on, made.priority) == (
            "Call Anna about album",
            "Okafor wedding",
            date.today() + timedelta(days=3),
            3,
        )
        assert row(demo_db, made.id)["title"] == "Call Anna about album"  # type: ignore[index]


async def test_quick_add_error_keeps_the_dialog_and_writes_nothing(demo_db: Database) -> None:
    before = len(tasks.list_tasks(demo_db, include_done=True))
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        await pilot.press("n", *"Call due:someday", "enter")
        assert isinstance(app.screen, QuickAddDialog)
        assert "unknown due date 'someday'" in str(app.screen.query_one("#quickadd-error", Label).content)
        await pilot.press("escape")
        assert isinstance(app.screen, TasksScreen)
    assert len(tasks.list_tasks(demo_db, include_done=True)) == before


async def test_edit_every_field(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        task = current(app)
        await pilot.press("e")
        assert isinstance(app.screen, TaskDialog)
        dialog = app.screen
        dialog.query_one("#task-title", Input).value = "Renamed task"
        dialog.query_one("#task-owner", Input).value = "studio admin"
        dialog.query_one("#task-due", Input).value = "+1d"
        dialog.query_one("#task-priority", Input).value = "high"
        dialog.query_one("#task-notes").load_text("bring the forms")  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        stored = row(demo_db, task.id)
        assert stored is not None
        assert (stored["title"], stored["due_on"], stored["priority"], stored["notes"]) == (
            "Renamed task",
            (date.today() + timedelta(days=1)).isoformat(),
            3,
            "bring the forms",
        )
        assert tasks.get_task(demo_db, task.id).project == "Studio admin"
        assert stored["job_id"] is None


async def test_notes_in_the_editor(demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "first line\\nsecond line\\n" >> "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(editor))
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        task = current(app)
        await pilot.press("ctrl+e")
        await pilot.pause()
    assert row(demo_db, task.id)["notes"] == "first line\nsecond line\n"  # type: ignore[index]


async def test_notes_in_the_editor_from_the_edit_dialog(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "from the editor" > "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("VISUAL", str(editor))
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        task = current(app)
        await pilot.press("e")
        app.screen.query_one("#task-notes").focus()  # the box itself would take ctrl+e as end of line
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert app.screen.query_one("#task-notes").text == "from the editor"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert row(demo_db, task.id)["notes"] == "from the editor"  # type: ignore[index]


async def test_set_and_clear_the_due_date(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        task = current(app)
        await pilot.press("d", "ctrl+u", *"+2w", "enter")
        await pilot.pause()
        assert row(demo_db, task.id)["due_on"] == (date.today() + timedelta(days=14)).isoformat()  # type: ignore[index]
        assert current(app).id == task.id  # kept in view, though no longer due today
        await pilot.press("d", "ctrl+u", "enter")
        await pilot.pause()
        assert row(demo_db, task.id)["due_on"] is None  # type: ignore[index]


async def test_delete_and_undo(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        task = current(app)
        before = row(demo_db, task.id)
        await pilot.press("D")
        await pilot.pause()
        assert row(demo_db, task.id) is None
        assert task.id not in {t.id for t in (line.task for line in screen(app).task_list.lines) if t}
        await pilot.press("u")
        await effects_done(pilot)
        await pilot.pause()
        assert row(demo_db, task.id) == before


async def test_reorder_within_a_group(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        first = current(app)
        await pilot.press("J")
        await pilot.pause()
        assert current(app).id == first.id
        second = screen(app).task_list.neighbour(-1)
        assert second is not None
        assert row(demo_db, first.id)["position"] > row(demo_db, second.id)["position"]  # type: ignore[index]
        await pilot.press("K")
        await pilot.pause()
        assert row(demo_db, first.id)["position"] < row(demo_db, second.id)["position"]  # type: ignore[index]


async def test_filter_live_then_check_off_a_match(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        await pilot.press("slash", *"haddad w-2")
        assert shown(app) == ["Request W-2s and 1099s"]
        await pilot.press("enter", "space")
        task = current(app)
        assert task.job == "Haddad amended 1040-X"
        assert row(demo_db, task.id)["done_at"] is not None  # type: ignore[index]
        await pilot.press("escape")
        assert len(shown(app)) > 1


async def test_enter_opens_the_job_or_the_project(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        job_task = current(app)
        await pilot.press("enter")
        assert isinstance(app.screen, JobScreen)
        assert app.screen.job_id == job_task.job_id
        await pilot.press("escape")
        await pilot.press("slash", *"photo archive", "enter", "enter")
        assert isinstance(app.screen, ProjectTasksScreen)
        assert screen(app).project_id == tasks.get_project(demo_db, "Studio admin").id
        assert "Back up the photo archive" in shown(app)
        assert "Renew liability insurance" in shown(app)  # a project view shows all its tasks


async def test_projects_new_open_add_and_apply_a_list(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        await pilot.press("p")
        assert isinstance(app.screen, ProjectsScreen)
        await pilot.press("n", *"Album", "enter")
        await pilot.press(*"okafor wedding", "enter")  # the picker: "job · Okafor wedding"
        await pilot.pause()
        (album,) = [p for p in tasks.list_projects(demo_db) if p.name == "Album"]
        assert (album.job, album.client) == ("Okafor wedding", "Ben Okafor")
        await pilot.press("enter")
        assert isinstance(app.screen, ProjectTasksScreen)
        actions = {active.binding.action for active in app.screen.active_bindings.values()}
        assert "apply_list" in actions
        assert "next_view(1)" not in actions  # the Tasks screen's view keys are not a project's
        await pilot.press("n", *"Pick photos !low", "enter")
        await pilot.pause()
        await pilot.press("A", *"wedding prep", "enter")
        await pilot.pause()
        made = tasks.list_tasks(demo_db, project=album.id)
        assert sorted(t.title for t in made) == sorted(
            [
                "Pick photos",
                "Confirm timeline with couple",
                "Scout venue light",
                "Pack and charge gear",
                "Send shot list to second shooter",
            ]
        )
        assert min(t.due_on for t in made if t.due_on) == date.today()
        assert len(shown(app)) == 5
        await pilot.press("space")
        assert tasks.get_project(demo_db, album.id).tasks_open == 4


async def test_saved_lists_manager(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        await pilot.press("S")
        assert isinstance(app.screen, SavedListsScreen)
        await pilot.press("N", *"Album order", "enter", *"Pick photos +2 !high", "enter")
        await pilot.pause()
        await pilot.press("a", *"Order album +7", "enter")
        await pilot.pause()
        saved = tasks.get_saved_list(demo_db, "Album order")
        assert [(i.title, i.due_offset_days, i.priority) for i in saved.items] == [
            ("Pick photos", 2, 3),
            ("Order album", 7, 0),
        ]
        await pilot.press("tab")  # to the list's tasks: the last added is highlighted
        await pilot.press("K")
        await pilot.pause()
        assert [i.title for i in tasks.get_saved_list(demo_db, "Album order").items] == ["Order album", "Pick photos"]
        await pilot.press("A", *"okafor wedding", "enter")
        await pilot.pause()
        made = [t for t in tasks.list_tasks(demo_db, job="Okafor wedding") if t.title in ("Pick photos", "Order album")]
        assert sorted((t.title, t.due_on, t.priority) for t in made) == [
            ("Order album", date.today() + timedelta(days=7), 0),
            ("Pick photos", date.today() + timedelta(days=2), 3),
        ]
        await pilot.press("D")  # the highlighted task of the list
        await pilot.pause()
        assert len(tasks.get_saved_list(demo_db, "Album order").items) == 1


async def test_apply_a_saved_list_to_the_job_of_the_task_under_the_cursor(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        job = current(app).job
        await pilot.press("A", *"lead call", "enter")
        await pilot.pause()
        (made,) = [t for t in tasks.list_tasks(demo_db, job=job) if t.title == "Call the lead"]
        assert made.due_on == date.today() + timedelta(days=2)
        assert current(app).id == made.id  # shown (though not due today), with its due date
        assert current(app).due_on == made.due_on


async def test_ten_thousand_tasks_are_one_widget_and_scroll_to_the_end(db: Database) -> None:
    project = tasks.add_project(db, "Big")
    with closing(sqlite3.connect(db.path)) as conn, conn:
        conn.executemany(
            "INSERT INTO task (title, project_id, priority, notes, position, created_at)"
            " VALUES (?, ?, 0, '', ?, '2026-01-01 00:00:00.000000')",
            [(f"Task {n}", project.id, n) for n in range(1, 10_001)],
        )
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(pilot)
        await pilot.press("a", "G")
        await pilot.pause()
        assert current(app).title == "Task 10000"
        assert len(screen(app).task_list.lines) == 10_001  # one header, then every task
        assert len(list(screen(app).query("*"))) < 40  # drawn line by line, not a widget per task
        await pilot.press("space")
        assert tasks.get_task(db, current(app).id).done is True
