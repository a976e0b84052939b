"""Changes committed by another connection: what lets an open board follow another machine.

`Database.changes()` hands out a `Changes` watcher; its `wait(timeout)` returns the kinds of
record another studioflow committed (a set of KINDS) or None when nothing changed in that
time. A screen re-reads only what shows a changed kind.

On SQLite the file says only *that* it changed (`PRAGMA data_version`, polled on a connection
of the watcher's own, differs once any other connection has committed), so every kind is
reported, this process's own writes included: the file cannot tell who wrote. On PostgreSQL
every write transaction says what it changed with `pg_notify` as it commits (store/postgres.py),
and the watcher `LISTEN`s; the writes of its own `Database` are not reported back.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

# The kinds of record a screen follows, by the tables that hold them: a board's cards show
# jobs (or tracked clients, events, invoices) and their task counts; the outbox badge counts messages.
JOBS = frozenset({"job", "job_client", "job_status", "stage_visit", "pipeline", "stage", "client", "event", "invoice"})
TASKS = frozenset({"task", "project", "saved_task_list", "saved_task_item"})
OUTBOX = frozenset({"outbox_message"})
KINDS = frozenset({"jobs", "tasks", "outbox", "other"})

POLL_SECONDS = 0.3  # how often the SQLite watcher looks at the file (a read of one number)

# The table a statement writes: INSERT INTO t, UPDATE t, DELETE FROM t (as the ORM and the services write them).
_WRITES = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_READS = re.compile(r"\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|SET|SHOW)\b", re.IGNORECASE)


def kind_of(table: str) -> str:
    if table in JOBS:
        return "jobs"
    if table in TASKS:
        return "tasks"
    if table in OUTBOX:
        return "outbox"
    return "other"


def kinds_written(statement: str) -> frozenset[str]:
    """The kinds of record `statement` may change: none for a read, every kind for a statement
    whose table is not plain to see (a CTE, DDL), so nothing written goes unreported."""
    if _READS.match(statement):
        return frozenset()
    found = _WRITES.match(statement)
    return frozenset({kind_of(found.group(1).lower())}) if found else KINDS


class Changes(Protocol):
    """A watcher of another connection's commits to one studio; used by one thread."""

    def wait(self, timeout: float) -> set[str] | None:
        """The kinds changed by others since the last call, as soon as there are any, within
        `timeout` seconds; None when nothing changed meanwhile."""
        ...

    def close(self) -> None: ...


class FileChanges:
    """An SQLite file's commits by any other connection, seen by polling `PRAGMA data_version`."""

    def __init__(self, path: Path, busy_timeout_ms: int) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        self._lock = threading.Lock()
        self._seen = self._version()

    def _version(self) -> int | None:
        with self._lock:
            try:
                return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:  # busy or damaged: the next look tells; the screens say the rest
                return None

    def wait(self, timeout: float) -> set[str] | None:
        deadline = time.monotonic() + timeout
        while True:
            version = self._version()
            if version is not None and version != self._seen:
                self._seen = version
                return set(KINDS)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(POLL_SECONDS, left))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
