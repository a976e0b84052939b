"""The dialogs this release changed, at 80 x 24: the focused field is in view, the footer keeps ? and q."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from studioflow.app import make_app
from tests.snapshots.test_board_snapshots import demo_db
from tests.snapshots.test_job_page_snapshots import OPEN_WEDDING, wedding_db

SnapCompare = Callable[..., bool]
SMALL = (80, 24)


def test_invoice_dialog_scrolled_to_the_due_field(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(wedding_db(tmp_path))
    # The due date starts a month from today: typed over, so the picture holds still.
    keys = [*OPEN_WEDDING, *["right_square_bracket"] * 3, "a", *["tab"] * 5, "end", "ctrl+u", *"2026-12-31"]
    assert snap_compare(app, terminal_size=SMALL, press=keys)


def test_client_edit_form(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(wedding_db(tmp_path))
    assert snap_compare(app, terminal_size=SMALL, press=["4", "e", *["tab"] * 4])


def test_status_picker_offers_a_new_status(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(demo_db(tmp_path))  # the board behind: dates relative to today, as the board's snapshots
    assert snap_compare(app, terminal_size=SMALL, press=["t", *"Booked"])


def test_statuses_dialog(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(demo_db(tmp_path))
    assert snap_compare(app, terminal_size=SMALL, press=["ctrl+t"])


def test_archived_jobs_dialog(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(demo_db(tmp_path))
    assert snap_compare(app, terminal_size=SMALL, press=["a", "A"])
