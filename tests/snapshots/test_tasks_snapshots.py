"""What the Tasks screen looks like: each view, at 120x35 and 80x24, and its two other screens.

The demo's dates are relative to the day it is written and rows show relative due
dates ("3 days overdue"), so these pictures do not change from one day to the next.
"""

from collections.abc import Callable
from pathlib import Path

import pytest

from studioflow.app import make_app
from studioflow.store import Database, open_database
from studioflow.workflow.files import demo

SnapCompare = Callable[..., bool]


def demo_db(tmp_path: Path) -> Database:
    db = open_database(tmp_path / "studioflow.db")
    demo.write_demo(db)
    return db


@pytest.mark.parametrize(
    ("keys", "size"),
    [
        (["2"], (120, 35)),
        (["2"], (80, 24)),
        (["2", "o"], (120, 35)),
        (["2", "w"], (80, 24)),
        (["2", "a"], (120, 35)),
        (["2", "c"], (80, 24)),
    ],
    ids=["today-120", "today-80", "overdue-120", "upcoming-80", "all-open-120", "done-80"],
)
def test_task_views(snap_compare: SnapCompare, tmp_path: Path, keys: list[str], size: tuple[int, int]) -> None:
    assert snap_compare(make_app(demo_db(tmp_path)), terminal_size=size, press=keys)


def test_quick_add_offers_jobs_and_projects(snap_compare: SnapCompare, tmp_path: Path) -> None:
    keys = ["2", "space", "n", *"Call Anna due:fri !high @wed"]
    assert snap_compare(make_app(demo_db(tmp_path)), terminal_size=(120, 35), press=keys)


def test_saved_lists_manager(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(make_app(demo_db(tmp_path)), terminal_size=(120, 35), press=["2", "S", "down"])
