"""Fill a studioflow database with many jobs quickly, for the benchmarks.

The services write one job per transaction (with an fsync each), which is right for a
person and far too slow for 100,000 jobs; this writes the same rows in bulk.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from studioflow.store import open_database
from studioflow.workflow import clients, pipelines


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
        conn.executemany(
            "INSERT INTO client (id, name, email, phone, tags, notes, created_at) VALUES (?, ?, ?, '', '[]', '', ?)",
            [(n, f"Client {n}", f"client{n}@example.com", now) for n in range(1, clients_count + 1)],
        )
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
