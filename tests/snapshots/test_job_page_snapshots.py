"""What the job page, the Clients screen and a client page look like (SVG snapshots).

The demo is written for DEMO_TODAY, so invoice, event and trip dates are fixed; the
wedding's due date is then set relative to the real today (the header says "due in 12
days") and its stage visits get fixed times, so the pictures do not change by the day.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

from studioflow.app import make_app
from studioflow.store import Database, open_database
from studioflow.workflow.files import demo
from studioflow.workflow.jobs import jobs
from tests.conftest import DEMO_TODAY

SnapCompare = Callable[..., bool]
OPEN_WEDDING = ["l", "l", "l", "l", "enter"]  # the board's fifth column: the Martinez-Lopez wedding


def wedding_db(tmp_path: Path) -> Database:
    path = tmp_path / "studioflow.db"
    db = open_database(path)
    demo.write_demo(db, today=DEMO_TODAY)
    wedding = next(j for j in jobs.list_jobs(db) if j.title == "Martinez-Lopez wedding")
    jobs.set_due(db, wedding.id, date.today() + timedelta(days=12))
    with closing(sqlite3.connect(path)) as conn, conn:
        visits = conn.execute("SELECT id FROM stage_visit WHERE job_id = ? ORDER BY id", (wedding.id,)).fetchall()
        for n, (visit_id,) in enumerate(visits):
            entered = f"2026-01-{n * 7 + 1:02d} 09:00:00.000000"
            left = f"2026-01-{n * 7 + 8:02d} 09:00:00.000000" if n < len(visits) - 1 else None
            conn.execute("UPDATE stage_visit SET entered_at = ?, left_at = ? WHERE id = ?", (entered, left, visit_id))
    return db


def test_job_page_timeline(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(wedding_db(tmp_path))
    assert snap_compare(app, terminal_size=(120, 35), press=[*OPEN_WEDDING, "left_square_bracket"])


def test_job_page_clients_with_roles(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(wedding_db(tmp_path))
    assert snap_compare(app, terminal_size=(120, 35), press=[*OPEN_WEDDING, "right_square_bracket"])


def test_job_page_invoices_with_lines_and_totals(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(wedding_db(tmp_path))
    assert snap_compare(app, terminal_size=(120, 35), press=[*OPEN_WEDDING, *["right_square_bracket"] * 3, "down"])


def test_job_page_mileage_with_totals(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(wedding_db(tmp_path))
    assert snap_compare(app, terminal_size=(120, 35), press=[*OPEN_WEDDING, *["right_square_bracket"] * 4])


def test_clients_screen(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(wedding_db(tmp_path))
    assert snap_compare(app, terminal_size=(120, 35), press=["4"])


def test_client_page_of_a_payer(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(wedding_db(tmp_path))
    assert snap_compare(app, terminal_size=(120, 35), press=["4", "slash", *"marco", "enter", "enter"])
