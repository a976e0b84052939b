"""What the board looks like: SVG snapshots of the screens a user sees most.

Demo dates are relative to today and cards show relative due dates ("due in 3 days"),
so these pictures do not change from one day to the next.
"""

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from studioflow.app import make_app
from studioflow.store import Database, open_database
from studioflow.workflow.files import demo
from studioflow.workflow.jobs import jobs, pipelines

SnapCompare = Callable[..., bool]


def demo_db(tmp_path: Path) -> Database:
    db = open_database(tmp_path / "studioflow.db")
    demo.write_demo(db)
    return db


def test_demo_board(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(make_app(demo_db(tmp_path)), terminal_size=(120, 35))


def test_demo_board_at_80x24_after_moving_right(snap_compare: SnapCompare, tmp_path: Path) -> None:
    # The focused column (Wedding Day, the fifth) must be in view on a narrow terminal.
    app = make_app(demo_db(tmp_path))
    assert snap_compare(app, terminal_size=(80, 24), press=["l", "l", "l", "l"])


def test_board_of_a_pipeline_without_stages(snap_compare: SnapCompare, tmp_path: Path) -> None:
    db = open_database(tmp_path / "studioflow.db")
    pipelines.create_pipeline(db, "Portraits")
    assert snap_compare(make_app(db), terminal_size=(120, 35))


def test_board_with_no_pipelines(snap_compare: SnapCompare, tmp_path: Path) -> None:
    db = open_database(tmp_path / "studioflow.db")
    assert snap_compare(make_app(db), terminal_size=(120, 35))


def test_filter_in_use(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(demo_db(tmp_path))
    assert snap_compare(app, terminal_size=(120, 35), press=["slash", *"berg", "enter"])


def test_move_to_stage_picker(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(demo_db(tmp_path))
    assert snap_compare(app, terminal_size=(120, 35), press=["l", "m"])


def test_move_warning_for_a_job_without_a_client(snap_compare: SnapCompare, tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    jobs.add_job(db, "Walk-in portraits", "Wedding Photography", stage="Consultation")  # no client
    assert snap_compare(make_app(db), terminal_size=(120, 35), press=["l", "L"])


def test_dry_run_panel(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(make_app(demo_db(tmp_path)), terminal_size=(120, 35), press=["l", "D"])


def test_help_overlay(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(demo_db(tmp_path))
    assert snap_compare(app, terminal_size=(120, 35), press=["question_mark"])


def test_new_job_dialog_with_clients_filtered(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(demo_db(tmp_path))
    assert snap_compare(app, terminal_size=(120, 35), press=["n", *"Portraits", "tab", *"ava"])


def test_stage_editor(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(demo_db(tmp_path))
    assert snap_compare(app, terminal_size=(120, 35), press=["S"])


def test_job_screen(snap_compare: SnapCompare, tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    # The history shows when each stage was entered: pin those times for the picture.
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE stage_visit SET entered_at = '2026-01-05 09:30:00.000000'")
        conn.execute("UPDATE stage_visit SET left_at = '2026-01-05 09:30:00.000000' WHERE left_at IS NOT NULL")
    assert snap_compare(make_app(db), terminal_size=(100, 40), press=["l", "l", "l", "l", "enter"])


def test_automations_of_a_stage(snap_compare: SnapCompare, tmp_path: Path) -> None:
    # Contract Sent is the third stage; the demo gives it an email, a task list, auto-move.
    app = make_app(demo_db(tmp_path))
    assert snap_compare(app, terminal_size=(120, 35), press=["S", "down", "down", "A"])


def test_template_editor_with_live_preview(
    snap_compare: SnapCompare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Templates list by name: "Contract sent" is the first; its preview uses the first job.
    monkeypatch.setenv("STUDIOFLOW_CONFIG", str(tmp_path / "no-config.toml"))  # no [me] of the machine's
    app = make_app(demo_db(tmp_path))
    assert snap_compare(app, terminal_size=(140, 35), press=["T", "e"])


@pytest.mark.parametrize("theme", ["textual-light", "gruvbox"])
def test_demo_board_in_the_theme_config_names(
    snap_compare: SnapCompare, tmp_path: Path, private_config: Path, theme: str
) -> None:
    # Statuses (on hold, waiting on payment...), due dates and the badge in the theme's own colours.
    private_config.write_text(f'[outbox]\nsend_delay_seconds = 0\n\n[ui]\ntheme = "{theme}"\n', encoding="utf-8")
    assert snap_compare(make_app(demo_db(tmp_path)), terminal_size=(120, 35))
