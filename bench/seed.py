"""Fill a studioflow database with many jobs quickly, for the benchmarks.

The services write one job per transaction (with an fsync each), which is right for a
person and far too slow for 100,000 jobs; this writes the same rows in bulk.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from studioflow.store import open_database
from studioflow.workflow.jobs import pipelines
from studioflow.workflow.people import clients


def seed(path: Path, jobs: int, stages: int = 8, clients_count: int = 200) -> int:
    """A pipeline "Bench" with `stages` stages and `jobs` jobs spread evenly; returns its id."""
    db = open_database(path)
    pipeline = pipelines.create_pipeline(db, "Bench", [f"Stage {n}" for n in range(1, stages + 1)])
    status = clients.add_status(db, "Waiting on documents", "yellow")
    db.close()
    stage_ids = [s.id for s in pipeline.stages]
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    today = date.today()
    conn = sqlite3.connect(path)
    with conn:
        _add_clients(conn, clients_count, now)
        conn.executemany(
            "INSERT INTO job (id, title, client_id, pipeline_id, stage_id, status_id, due_on, position, archived,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            [
                (
                    n,
                    f"Job {n}",
                    n % clients_count + 1,
                    pipeline.id,
                    stage_ids[n % stages],
                    status.id if n % 7 == 0 else None,
                    (today + timedelta(days=n % 30 - 5)).isoformat() if n % 3 else None,
                    -n,
                    now,
                    now,
                )
                for n in range(1, jobs + 1)
            ],
        )
        conn.executemany(
            "INSERT INTO stage_visit (job_id, stage_id, stage_name, state, entered_at) VALUES (?, ?, ?, 'active', ?)",
            [(n, stage_ids[n % stages], f"Stage {n % stages + 1}", now) for n in range(1, jobs + 1)],
        )
        conn.executemany(
            "INSERT INTO task (title, job_id, priority, notes, position, created_at) VALUES (?, ?, 0, '', 1, ?)",
            [(f"Task for job {n}", n, now) for n in range(1, jobs + 1, 10)],
        )
    conn.close()
    return pipeline.id


def seed_invoices(path: Path, invoices: int, stages: int = 8, clients_count: int = 200) -> int:
    """An invoice pipeline "Bench invoices" with `invoices` sent invoices spread over its stages; returns its id."""
    db = open_database(path)
    pipeline = pipelines.create_pipeline(
        db, "Bench invoices", [f"Step {n}" for n in range(1, stages + 1)], kind="invoices"
    )
    db.close()
    stage_ids = [s.id for s in pipeline.stages]
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    today = date.today()
    conn = sqlite3.connect(path)
    with conn:
        _add_clients(conn, clients_count, now)
        conn.executemany(
            "INSERT INTO invoice (id, client_id, number, issued_on, due_on, status, tax_rate_bp)"
            " VALUES (?, ?, ?, ?, ?, 'sent', 825)",
            [
                (
                    n,
                    n % clients_count + 1,
                    f"INV-{n:05d}",
                    (today - timedelta(days=40)).isoformat(),
                    (today + timedelta(days=n % 60 - 30)).isoformat(),
                )
                for n in range(1, invoices + 1)
            ],
        )
        conn.executemany(
            "INSERT INTO invoice_line (invoice_id, description, quantity, unit_price_cents, position)"
            " VALUES (?, 'Session', 1, ?, 0)",
            [(n, 10_000 + n) for n in range(1, invoices + 1)],
        )
        conn.executemany(
            "INSERT INTO stage_visit (invoice_id, pipeline_id, stage_id, stage_name, state, entered_at, position)"
            " VALUES (?, ?, ?, ?, 'active', ?, ?)",
            [
                (n, pipeline.id, stage_ids[n % stages], f"Step {n % stages + 1}", now, -n)
                for n in range(1, invoices + 1)
            ],
        )
        conn.execute("INSERT OR REPLACE INTO setting (key, value) VALUES ('board.last_pipeline', ?)", (pipeline.id,))
    conn.close()
    return pipeline.id


def _add_clients(conn: sqlite3.Connection, count: int, now: str) -> None:
    """Clients 1..count (kept when already there: a file may hold both benchmarks)."""
    conn.executemany(
        "INSERT OR IGNORE INTO client (id, name, email, phone, tags, notes, created_at)"
        " VALUES (?, ?, ?, '', '[]', '', ?)",
        [(n, f"Client {n}", f"client{n}@example.com", now) for n in range(1, count + 1)],
    )
