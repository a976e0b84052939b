"""Export/import/backup benchmark: 10,000 jobs (plus events, invoices, trips) to JSON and back.

    python bench/transfer.py

Prints the time of each step, the file sizes, and checks that export → import → export
gives the same bytes. Also times the reads behind the job page, the Clients screen and
the Agenda on that database.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import seed

from studioflow.store import open_database
from studioflow.workflow.files import transfer
from studioflow.workflow.money import invoices, mileage
from studioflow.workflow.people import clients, jobclients
from studioflow.workflow.schedule import agenda

JOBS = 10_000


def add_containers(path: Path) -> None:
    """One event, one two-line invoice and one trip per job, in bulk."""
    now = datetime.now(UTC).replace(tzinfo=None)
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO event (job_id, client_id, title, starts_at, location) VALUES (?, ?, 'Session', ?, 'Studio')",
            [(n, n % 200 + 1, (now + timedelta(hours=n)).isoformat(sep=" ")) for n in range(1, JOBS + 1)],
        )
        conn.executemany(
            "INSERT INTO invoice (job_id, client_id, number, issued_on, status, tax_rate_bp)"
            " VALUES (?, ?, ?, ?, 'sent', 825)",
            [(n, n % 200 + 1, f"INV-{n:05d}", date.today().isoformat()) for n in range(1, JOBS + 1)],
        )
        conn.executemany(
            "INSERT INTO invoice_line (invoice_id, description, quantity, unit_price_cents, position)"
            " VALUES (?, ?, ?, ?, ?)",
            [(n, f"Line {k}", k + 1, 12345, k) for n in range(1, JOBS + 1) for k in range(2)],
        )
        conn.executemany(
            "INSERT INTO mileage_log (job_id, event_id, trip_on, distance, unit, purpose, rate_cents)"
            " VALUES (?, ?, ?, 12.5, 'mi', 'there and back', 70)",
            [(n, n, date.today().isoformat()) for n in range(1, JOBS + 1)],
        )
    conn.close()


def timed(label: str, call):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = call()
    print(f"{label:<44} {(time.perf_counter() - start) * 1000:9.1f} ms")
    return result


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        source = base / "source.db"
        seed(source, JOBS)
        add_containers(source)
        db = open_database(source)
        first, second = base / "first.json", base / "second.json"
        timed(f"export {JOBS:,} jobs + containers to JSON", lambda: transfer.export_json(db, first))
        fresh = open_database(base / "fresh.db")
        timed("import that JSON into an empty database", lambda: transfer.import_json(fresh, first))
        timed("export the imported database", lambda: transfer.export_json(fresh, second))
        print(f"{'JSON size':<44} {first.stat().st_size / 1e6:9.1f} MB")
        print(f"{'export → import → export identical':<44} {first.read_bytes() == second.read_bytes()!s:>9}")
        timed("backup (online backup API)", lambda: transfer.backup(db, base / "backup.db"))
        job = JOBS // 2
        timed(
            "job page reads: clients, invoices, trips",
            lambda: (
                jobclients.list_job_clients(db, job),
                invoices.list_invoices(db, job=job),
                mileage.list_trips(db, job=job),
            ),
        )
        timed("clients screen: search 'client 1' (≤1,000 rows)", lambda: clients.search_clients(db, "client 1"))
        timed("client page (50 jobs, 50 invoices)", lambda: clients.client_page(db, 7))
        items = timed("agenda, 7 days", lambda: agenda.agenda(db))
        print(f"{'agenda items':<44} {len(items):9d}")
        db.close()
        fresh.close()


if __name__ == "__main__":
    main()
