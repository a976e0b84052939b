"""The task, project and saved-list commands: the inline syntax, and output that agrees with the file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tests.cli.conftest import Cli
from tests.conftest import rows_at


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with rows_at(path) as conn:
        return conn.execute(sql).fetchall()


def test_task_add_understands_the_inline_syntax_and_list_agrees(cli: Cli, demo_db: Path) -> None:
    made = cli("task", "add", 'Call Anna about album due:+3d !high @"okafor WEDDING"', "--json", "--db", demo_db).json()
    due = (date.today() + timedelta(days=3)).isoformat()
    assert (made["title"], made["due_on"], made["priority"], made["job"]) == (
        "Call Anna about album",
        due,
        3,
        "Okafor wedding",
    )
    assert rows(demo_db, f"SELECT title, due_on, priority FROM task WHERE id = {made['id']}") == [
        ("Call Anna about album", due, 3)
    ]
    listed = cli("task", "list", "--json", "--db", demo_db).json()
    assert made in listed

    refused = cli("task", "add", "Call @Nobody", "--db", demo_db)
    assert (refused.code, refused.out) == (2, "")
    assert refused.err.strip() == "studioflow: no job or project named 'Nobody'"


def test_projects_and_saved_lists_from_the_command_line(cli: Cli, demo_db: Path) -> None:
    project = cli("project", "add", "Album", "--job", "Okafor wedding", "--json", "--db", demo_db).json()
    assert (project["client"], project["job"], project["tasks_total"]) == ("Ben Okafor", "Okafor wedding", 0)
    saved = cli(
        "savedtasks",
        "add",
        "Album order",
        "--item",
        "Pick photos +2 !high",
        "--item",
        "Order album +7",
        "--item",
        "Deliver",
        "--json",
        "--db",
        demo_db,
    ).json()
    assert [(i["title"], i["due_offset_days"], i["priority"]) for i in saved["items"]] == [
        ("Pick photos", 2, 3),
        ("Order album", 7, 0),
        ("Deliver", None, 0),
    ]
    assert "Pick photos +2d !high; Order album +7d; Deliver" in cli("savedtasks", "list", "--db", demo_db).ok()
    cli("savedtasks", "apply", "album ORDER", "--project", "Album", "--start", "2026-03-02", "--db", demo_db).ok()
    shown = cli("project", "show", "Album", "--json", "--db", demo_db).json()
    assert shown["project"]["tasks_total"] == 3
    assert shown["project"]["next_due"] == "2026-03-04"
    assert [(t["title"], t["due_on"], t["priority"]) for t in shown["tasks"]] == [
        ("Pick photos", "2026-03-04", 3),
        ("Order album", "2026-03-09", 0),
        ("Deliver", None, 0),
    ]
    text = cli("project", "show", "Album", "--db", demo_db).ok()
    assert "Pick photos" in text
    assert "Okafor wedding" in text
