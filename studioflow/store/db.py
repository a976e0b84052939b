"""Opening the database: an SQLite file (the default) or a PostgreSQL database by URL
(`store/postgres.py`); transactions, schema version and migrations.

Reads go through the DB-API driver (`Database.rows()`: stdlib `sqlite3`, or psycopg);
SQLAlchemy and the models are imported only when something writes or a migration is due,
so opening the board or running a read command never pays for the ORM.

Schema versions live in `PRAGMA user_version` (a table on PostgreSQL). A new file gets the
current schema from the models in one go; an older file is backed up (online backup API)
and then brought forward by the ordered `MIGRATIONS`, all in one transaction. A file from
a newer studioflow, or a SQLite file that is not ours, is refused before anything is written.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from studioflow.config import DB_URL_SCHEMES
from studioflow.errors import DatabaseTrouble, StudioflowError
from studioflow.store.text import fold

if TYPE_CHECKING:  # SQLAlchemy is loaded on the first write (or migration), never to read
    from sqlalchemy import Connection, Engine
    from sqlmodel import Session

    from studioflow.store.changes import Changes

APPLICATION_ID = 0x53464C57  # "SFLW": marks the file as ours in its header
BUSY_TIMEOUT_MS = 5000
# The execution option of a write transaction: SQLite begins it IMMEDIATE, PostgreSQL takes the
# studio's write lock first; either way writers go one at a time and see each other's commits.
WRITE = {"studio_write": True}

Migration = Callable[["Connection"], None]


# MIGRATIONS[i] takes a file at version i + 1 to version i + 2. Never edit a released
# entry: append a new one, and change the models to match what it produces.
def _add_outbox_reply(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE outbox_message ADD COLUMN reply VARCHAR DEFAULT '' NOT NULL")


def _add_saved_item_priority(conn: Connection) -> None:
    """Saved task items get a priority, passed on to the tasks made from them."""
    conn.exec_driver_sql(
        "ALTER TABLE saved_task_item ADD COLUMN priority INTEGER NOT NULL DEFAULT 0"
        " CONSTRAINT saved_task_priority_range CHECK (priority BETWEEN 0 AND 3)"
    )


def _add_job_clients_and_notes(conn: Connection) -> None:
    """Several clients per job, each with a role; and a notes field on the job.

    Old journal snapshots lack `notes`: restoring one leaves the notes as they are,
    which is right for every entry made before notes existed.
    """
    conn.exec_driver_sql(
        "CREATE TABLE job_client ("
        " id INTEGER NOT NULL, job_id INTEGER NOT NULL, client_id INTEGER NOT NULL, role VARCHAR NOT NULL,"
        " PRIMARY KEY (id), CONSTRAINT job_client_once UNIQUE (job_id, client_id),"
        " FOREIGN KEY(job_id) REFERENCES job (id) ON DELETE CASCADE,"
        " FOREIGN KEY(client_id) REFERENCES client (id) ON DELETE CASCADE)"
    )
    conn.exec_driver_sql("CREATE INDEX job_client_by_client ON job_client (client_id)")
    conn.exec_driver_sql("ALTER TABLE job ADD COLUMN notes VARCHAR NOT NULL DEFAULT ''")


def _add_outbox_local_only(conn: Connection) -> None:
    """A message delivered only to the local stub outbox says so (it never left the machine).

    Old files: messages "sent" to the stub had a reply starting "stored in"; they are marked local.
    """
    conn.exec_driver_sql("ALTER TABLE outbox_message ADD COLUMN local_only BOOLEAN NOT NULL DEFAULT '0'")
    conn.exec_driver_sql("UPDATE outbox_message SET local_only = 1 WHERE state = 'sent' AND reply LIKE 'stored in %'")


def _add_reentry_and_quiet_moves(conn: Connection) -> None:
    """Each automation's re-entry rule (every visit, first only, not again within N days),
    and visits entered by a move made without automations."""
    conn.exec_driver_sql("ALTER TABLE automation ADD COLUMN reentry VARCHAR NOT NULL DEFAULT 'every'")
    conn.exec_driver_sql("ALTER TABLE stage_visit ADD COLUMN automations_off BOOLEAN NOT NULL DEFAULT '0'")


def _add_pipeline_kinds(conn: Connection) -> None:
    """Pipelines for clients, events and invoices as well as jobs (schema 7).

    A pipeline gets its kind (every existing one tracks jobs) and a "default for new
    resources" flag. A stage visit may now belong to a client, event or invoice instead
    of a job: SQLite cannot make `job_id` nullable in place, so the table is rebuilt the
    way SQLite documents (new table, copy, drop, rename; foreign keys are off during
    migrations, see `_migrate`), keeping every row and id. Journal entries are cleared:
    their snapshots describe visit rows without the new columns.
    """
    conn.exec_driver_sql(
        "ALTER TABLE pipeline ADD COLUMN kind VARCHAR NOT NULL DEFAULT 'jobs'"
        " CONSTRAINT pipeline_kind_known CHECK (kind IN ('jobs', 'clients', 'events', 'invoices'))"
    )
    conn.exec_driver_sql("ALTER TABLE pipeline ADD COLUMN default_for_new BOOLEAN NOT NULL DEFAULT 0")
    conn.exec_driver_sql(
        "CREATE TABLE new_stage_visit ("
        " id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,"
        " job_id INTEGER, client_id INTEGER, event_id INTEGER, invoice_id INTEGER, pipeline_id INTEGER,"
        " stage_id INTEGER, stage_name VARCHAR NOT NULL, state VARCHAR NOT NULL,"
        " entered_at DATETIME NOT NULL, left_at DATETIME, automations_off BOOLEAN NOT NULL DEFAULT '0',"
        " position INTEGER NOT NULL DEFAULT 0,"
        " CONSTRAINT stage_visit_state_known CHECK (state IN ('active', 'completed', 'skipped', 'untracked')),"
        " CONSTRAINT stage_visit_open_iff_active CHECK ((state = 'active') = (left_at IS NULL)),"
        " CONSTRAINT stage_visit_one_resource CHECK ((job_id IS NOT NULL) + (client_id IS NOT NULL)"
        " + (event_id IS NOT NULL) + (invoice_id IS NOT NULL) = 1),"
        " CONSTRAINT stage_visit_tracked_in_pipeline CHECK (job_id IS NOT NULL OR pipeline_id IS NOT NULL),"
        " FOREIGN KEY(job_id) REFERENCES job (id) ON DELETE CASCADE,"
        " FOREIGN KEY(client_id) REFERENCES client (id) ON DELETE CASCADE,"
        " FOREIGN KEY(event_id) REFERENCES event (id) ON DELETE CASCADE,"
        " FOREIGN KEY(invoice_id) REFERENCES invoice (id) ON DELETE CASCADE,"
        " FOREIGN KEY(pipeline_id) REFERENCES pipeline (id) ON DELETE CASCADE,"
        " FOREIGN KEY(stage_id) REFERENCES stage (id) ON DELETE SET NULL)"
    )
    conn.exec_driver_sql(
        "INSERT INTO new_stage_visit (id, job_id, stage_id, stage_name, state, entered_at, left_at, automations_off)"
        " SELECT id, job_id, stage_id, stage_name, state, entered_at, left_at, automations_off FROM stage_visit"
    )
    # AUTOINCREMENT's high-water mark goes along: a deleted visit's id never comes back.
    conn.exec_driver_sql(
        "UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'stage_visit')"
        " WHERE name = 'new_stage_visit'"
    )
    conn.exec_driver_sql("DROP TABLE stage_visit")
    conn.exec_driver_sql("ALTER TABLE new_stage_visit RENAME TO stage_visit")
    for name, columns, unique in (
        ("one_active_visit_per_job", "job_id", True),
        ("one_active_visit_per_client", "client_id, pipeline_id", True),
        ("one_active_visit_per_event", "event_id, pipeline_id", True),
        ("one_active_visit_per_invoice", "invoice_id, pipeline_id", True),
        ("visit_by_job", "job_id, id", False),
        ("visit_by_client", "client_id, id", False),
        ("visit_by_event", "event_id, id", False),
        ("visit_by_invoice", "invoice_id, id", False),
        ("visit_by_column", "stage_id, state, position", False),
    ):
        where = " WHERE state = 'active'" if unique else ""
        conn.exec_driver_sql(f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON stage_visit ({columns}){where}")
    # Two new actions: SQLite cannot change a CHECK in place either.
    _rebuild_automation(
        conn,
        " CONSTRAINT automation_trigger_known CHECK (trigger IN ('enter', 'complete', 'skip', 'status')),"
        " CONSTRAINT automation_action_known CHECK (action IN ('send_email', 'send_sms', 'create_tasks',"
        " 'set_status', 'set_due', 'move_to_pipeline', 'archive', 'send_invoice', 'email_invoice')),",
        "INSERT INTO new_automation SELECT * FROM automation",
    )
    conn.exec_driver_sql("DELETE FROM journal_entry")


def _add_invoice_taxes(conn: Connection) -> None:
    """Several named taxes per invoice (rates to a thousandth of a percent); notes; corrections.

    Each invoice's single rate becomes one tax named "Tax" (basis points times 100 = ppm),
    and its old column is left 0 so that no reader counts it twice.
    """
    conn.exec_driver_sql(
        "CREATE TABLE invoice_tax ("
        " id INTEGER NOT NULL, invoice_id INTEGER NOT NULL, name VARCHAR NOT NULL, rate_ppm INTEGER NOT NULL,"
        " position INTEGER NOT NULL, PRIMARY KEY (id),"
        " CONSTRAINT invoice_tax_name_not_empty CHECK (length(trim(name)) > 0),"
        " CONSTRAINT invoice_tax_rate_range CHECK (rate_ppm BETWEEN 0 AND 1000000),"
        " FOREIGN KEY(invoice_id) REFERENCES invoice (id) ON DELETE CASCADE)"
    )
    conn.exec_driver_sql("CREATE INDEX tax_by_invoice ON invoice_tax (invoice_id, position)")
    conn.exec_driver_sql(
        "INSERT INTO invoice_tax (invoice_id, name, rate_ppm, position)"
        " SELECT id, 'Tax', tax_rate_bp * 100, 0 FROM invoice WHERE tax_rate_bp > 0 ORDER BY id"
    )
    conn.exec_driver_sql("UPDATE invoice SET tax_rate_bp = 0")
    conn.exec_driver_sql("ALTER TABLE invoice ADD COLUMN notes VARCHAR NOT NULL DEFAULT ''")
    conn.exec_driver_sql(
        "ALTER TABLE invoice ADD COLUMN replaces_id INTEGER REFERENCES invoice (id) ON DELETE SET NULL"
    )


def _automation_without_fixed_lists(conn: Connection) -> None:
    """The trigger and action of an automation are no longer CHECKed against fixed lists:
    the registry of actions checks them when a rule is made, so adding an action needs no
    migration. SQLite cannot drop a CHECK in place: the table is rebuilt (foreign keys are
    off during migrations), keeping every row and id; the journal is kept, it holds no
    automation rows."""
    columns = (
        'id, stage_id, "trigger", status_id, action, params, delay_minutes, required_tags,'
        " keep_on_leave, enabled, position, reentry"
    )
    _rebuild_automation(conn, "", f"INSERT INTO new_automation ({columns}) SELECT {columns} FROM automation")


def _rebuild_automation(conn: Connection, checks: str, copy_rows: str) -> None:
    """The automation table built again, as SQLite changes no CHECK in place: the same columns
    with `checks` before the two every version has, filled by `copy_rows`, ids and all."""
    conn.exec_driver_sql(
        "CREATE TABLE new_automation ("
        " id INTEGER NOT NULL, stage_id INTEGER NOT NULL, \"trigger\" VARCHAR NOT NULL, status_id INTEGER,"
        " action VARCHAR NOT NULL, params JSON NOT NULL, delay_minutes INTEGER NOT NULL, required_tags JSON NOT NULL,"
        " keep_on_leave BOOLEAN NOT NULL, enabled BOOLEAN NOT NULL, position INTEGER NOT NULL,"
        " reentry VARCHAR NOT NULL DEFAULT 'every', PRIMARY KEY (id),"
        f"{checks}"
        " CONSTRAINT automation_status_trigger_has_status CHECK ((trigger = 'status') = (status_id IS NOT NULL)),"
        " CONSTRAINT automation_delay_positive CHECK (delay_minutes >= 0),"
        " FOREIGN KEY(stage_id) REFERENCES stage (id) ON DELETE CASCADE,"
        " FOREIGN KEY(status_id) REFERENCES job_status (id) ON DELETE CASCADE)"
    )
    conn.exec_driver_sql(copy_rows)
    conn.exec_driver_sql("DROP TABLE automation")
    conn.exec_driver_sql("ALTER TABLE new_automation RENAME TO automation")
    conn.exec_driver_sql("CREATE INDEX automation_by_stage ON automation (stage_id, position)")


MIGRATIONS: list[Migration] = [
    _add_outbox_reply,
    _add_saved_item_priority,
    _add_job_clients_and_notes,
    _add_outbox_local_only,
    _add_reentry_and_quiet_moves,
    _add_pipeline_kinds,
    _add_invoice_taxes,
    _automation_without_fixed_lists,
]


def schema_version() -> int:
    return 1 + len(MIGRATIONS)


class Rows(Protocol):
    """A read connection of the read path: the DB-API's `execute(sql, params)` with `?` or
    `:name` parameters (sqlite3's own; adapted for psycopg in store/postgres.py)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...


class Database:
    """One SQLite file; hands out sessions that are each one transaction.

    Calls nest: a `write()` or `read()` opened while a write is active in the same
    context joins it (a write as a savepoint), so several service calls can be made
    into one all-or-nothing transaction by wrapping them in an outer `write()`.
    The engine (and SQLAlchemy with it) is made on first use, once, whichever thread
    asks first; `rows()` reads without it. `PostgresDatabase` replaces the few methods
    that differ by engine (engine, read connection, health, backup, delivery lock).
    """

    engine_name = "sqlite"

    def __init__(self, path: Path, engine: Engine | None = None) -> None:
        self.path = path  # for PostgreSQL, a stand-in in the data dir: the stub outbox and exports go beside it
        self._engine = engine
        self._engine_lock = threading.Lock()
        self._active: ContextVar[Session | None] = ContextVar(f"studioflow-write-{id(self)}", default=None)
        self._readers = threading.local()  # one read connection per thread
        self._reader_list: list[Any] = []

    @property
    def label(self) -> str:
        """The database as messages name it: the file, or the URL without its password."""
        return str(self.path)

    @property
    def target(self) -> Path | str:
        """What `open_database` takes to open this studio again (the file, or the URL)."""
        return self.path

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    self._engine = self._make_engine()
        return self._engine

    def _make_engine(self) -> Engine:
        return _make_engine(self.path)

    @property
    def _writer(self) -> Engine:
        return self.engine.execution_options(**WRITE)

    @contextmanager
    def rows(self) -> Iterator[Rows]:
        """A read on the DB-API driver, in one snapshot (no ORM loaded).

        Inside a write it reads that write's own connection (flushed first), so a
        service reads what it has just written, dry runs included.
        """
        active = self._active.get()
        if active is not None:
            active.flush()
            yield self._wrap(active.connection().connection.driver_connection)
            return
        conn = getattr(self._readers, "conn", None)
        if conn is None:
            conn = self._readers.conn = self._connect_reader()
            self._reader_list.append(conn)
        if self._reading(conn):  # a read inside a read: the same snapshot
            yield self._wrap(conn)
            return
        try:
            self._begin_read(conn)
            try:
                yield self._wrap(conn)
            finally:
                conn.execute("COMMIT")
        except Exception as exc:  # busy, damaged, unreachable...: one line, as for the ORM's transactions
            if not database_error(exc):
                raise
            raise trouble(self.label, exc) from exc

    # The read path's connection, by engine.
    def _connect_reader(self) -> Any:
        return _connect_reader(self.path)

    def _reading(self, conn: Any) -> bool:
        return bool(conn.in_transaction)

    def _begin_read(self, conn: Any) -> None:
        conn.execute("BEGIN")

    def _wrap(self, driver_connection: Any) -> Rows:
        return _sqlite(driver_connection)

    @contextmanager
    def read(self) -> Iterator[Session]:
        from sqlmodel import Session

        active = self._active.get()
        if active is not None:
            yield active
            return
        with self._told(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (one writer at a time), committed on success, rolled back on any error."""
        from sqlmodel import Session

        active = self._active.get()
        if active is not None:
            with active.begin_nested():
                yield active
            return
        with self._told(), Session(self._writer, expire_on_commit=False) as session:
            token = self._active.set(session)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                self._active.reset(token)

    @contextmanager
    def write_rows(self) -> Iterator[Connection]:
        """A write transaction on a bare connection (no ORM session): for a hot loop of a
        few statements, where a session's set-up would cost more than the work."""
        if self._active.get() is not None:
            raise RuntimeError("write_rows() cannot join a write in progress")
        with self._told(), self._writer.begin() as conn:
            yield conn

    @contextmanager
    def dry_run(self) -> Iterator[Session]:
        """A write transaction that is always rolled back: calls made inside it show what
        they would do (their return values) and leave the file as it was."""
        from sqlmodel import Session

        if self._active.get() is not None:
            raise RuntimeError("a dry run cannot be nested in a write")
        with self._told(), Session(self._writer, expire_on_commit=False) as session:
            token = self._active.set(session)
            try:
                yield session
            finally:
                session.rollback()
                self._active.reset(token)

    @contextmanager
    def _told(self) -> Iterator[None]:
        """Every transaction's boundary: a database error leaves it as one line (DatabaseTrouble),
        so the CLI and every screen that shows a StudioflowError show this too."""
        from sqlalchemy.exc import DBAPIError, IntegrityError

        try:
            yield
        except IntegrityError:
            raise  # a rule the services missed: a bug, left for the caller's boundary to tell
        except DBAPIError as exc:
            raise trouble(self.label, exc) from exc

    def health(self) -> list[str]:
        """Problems found by SQLite's integrity and foreign-key checks (empty when healthy)."""
        from sqlalchemy.exc import DBAPIError

        try:
            with self.engine.connect() as conn:
                problems = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check") if row[0] != "ok"]
                for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check"):
                    problems.append(f"{table} row {rowid} points to a missing {parent}")
        except DBAPIError as exc:  # damage bad enough that the checks themselves fail
            return [str(exc.orig)]
        return problems

    def backup_to(self, target: Path) -> None:
        """Copy the database with SQLite's online backup API (safe while others write)."""
        _backup(self.engine, target)

    def read_counters(self, rows: Rows, tables: Iterable[str]) -> dict[str, int]:
        """The id counters of `tables` that have been used (a deleted row's id never comes back)."""
        wanted = set(tables)
        counted = rows.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name").fetchall()
        return {name: int(seq) for name, seq in counted if name in wanted}

    def write_counters(self, conn: Connection, counters: dict[str, int], tables: Iterable[str]) -> None:
        """Set the id counters (after rows were loaded with their ids), in the write `conn`."""
        for name, seq in counters.items():
            conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (name,))
            conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, seq))

    def changes(self) -> Changes:
        """A watcher of what other connections commit to this studio (store/changes.py)."""
        from studioflow.store.changes import FileChanges

        return FileChanges(self.path, BUSY_TIMEOUT_MS)

    @contextmanager
    def delivery_lock(self) -> Iterator[bool]:
        """True while this process is the only one delivering this database's outbox (a lock
        file beside it, one per file however it is reached; released if the process dies)."""
        path = delivery_lock_path(self.path)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:  # e.g. a folder where the lock file should be
            raise StudioflowError(
                f"cannot use the delivery lock {path}: {exc.strerror}; remove what is there"
            ) from None
        try:
            try:
                _lock(fd)
            except OSError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # closing the file releases the lock

    def close(self) -> None:
        for conn in self._reader_list:
            conn.close()
        self._reader_list.clear()
        self._readers = threading.local()
        if self._engine is not None:
            self._engine.dispose()


if sys.platform == "win32":  # the form the type checker reads as a platform check
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def trouble(where: str | Path | None, exc: Exception) -> DatabaseTrouble:
    """One line for what went wrong in the database, in words a user can act on.

    `exc`: a sqlite3 or psycopg error (the read path) or SQLAlchemy's DBAPIError around one.
    """
    orig = getattr(exc, "orig", exc)
    said = " ".join(str(orig).split())
    if not isinstance(orig, sqlite3.Error) and "psycopg" in sys.modules:
        from studioflow.store.postgres import trouble as server_trouble

        return server_trouble(orig, said)
    if isinstance(orig, sqlite3.IntegrityError):  # a rule the services missed
        return DatabaseTrouble(f"could not save: {said}")
    if "locked" in said or "busy" in said:
        return DatabaseTrouble(BUSY)
    if isinstance(orig, sqlite3.OperationalError):  # disk full, I/O error, read-only file
        return DatabaseTrouble(f"the database could not do it: {said}; nothing was changed")
    return DatabaseTrouble(f"{where or 'the database'} is damaged ({said}); see `studioflow check`", damaged=True)


BUSY = "the database is busy: another program is writing to it; nothing was changed, try again in a moment"


def first_line(error: object) -> str:
    """The first line of a driver's message (PostgreSQL's go on with DETAIL and HINT lines)."""
    return " ".join(str(error).strip().splitlines()[:1])


def database_error(error: BaseException) -> TypeGuard[Exception]:
    """True for an error of the database itself: sqlite3's or psycopg's (the read path) or
    SQLAlchemy's DBAPIError, told without loading a driver or SQLAlchemy that nothing has loaded
    (then none of theirs was raised)."""
    if isinstance(error, sqlite3.Error):
        return True
    if "psycopg" in sys.modules:
        import psycopg

        if isinstance(error, psycopg.Error):
            return True
    if "sqlalchemy" not in sys.modules:
        return False
    from sqlalchemy.exc import DBAPIError

    return isinstance(error, DBAPIError)


def is_url(target: Path | str) -> bool:
    """True for a PostgreSQL URL (the shared store); anything else names an SQLite file."""
    return isinstance(target, str) and target.startswith(DB_URL_SCHEMES)


COMPANIONS = ("-wal", "-shm", "-journal")  # SQLite's own files beside the database


def delivery_lock_path(path: Path) -> Path:
    """The lock file that keeps delivery to one process per database (one per file, however it is reached)."""
    real = path.resolve()
    return real.with_name(f"{real.name}.delivery-lock")


def migration_backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.v{version}-backup")


def output_path(db_path: Path, target: Path) -> Path:
    """Where a command may write a file: `target` resolved (symlinks followed), refused when it is
    the database, its -wal/-shm/-journal, a migration backup of it or its delivery lock.

    Every command that writes a file asks here first; nothing writes over the studio's data.
    """
    try:
        wanted = target.expanduser().resolve()
        real = db_path.expanduser().resolve()
        protected = [real, *(real.with_name(real.name + end) for end in COMPANIONS), delivery_lock_path(real)]
        backups = re.escape(real.name) + r"\.v\d+-backup(-\d+)?"
        backup = wanted.parent == real.parent and re.fullmatch(backups, wanted.name) is not None
        same = any(wanted == p or (wanted.exists() and p.exists() and os.path.samefile(wanted, p)) for p in protected)
        is_dir = wanted.is_dir()
    except (OSError, ValueError) as exc:  # a name too long, a NUL, a loop of symlinks
        raise StudioflowError(f"cannot write {target}: {getattr(exc, 'strerror', None) or exc}") from None
    if same or backup:
        raise StudioflowError(f"refusing to write {target}: it is the database {db_path} or one of its files")
    if is_dir:
        raise StudioflowError(f"{target} is a directory; give a file name")
    return wanted


def open_database(target: Path | str, password_command: str = "") -> Database:
    """Open (creating if need be) and migrate the studioflow database at `target`: a file path,
    or a `postgresql://` URL (its password, when the URL has none, from `password_command`
    or the environment, never stored).

    A database already at the current schema is opened without SQLAlchemy.
    """
    if is_url(target):
        from studioflow.store.postgres import open_postgres

        return open_postgres(str(target), password_command)
    path = Path(target).expanduser()
    if path.is_dir():
        raise StudioflowError(f"{path} is a directory, not a database file")
    _refuse_foreign_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StudioflowError(f"cannot create the folder for {path}: {exc.strerror}") from exc
    if path.exists() and path.stat().st_size > 0 and _current_version(path) == schema_version():
        return Database(path)
    return Database(path, migrated(_make_engine(path), path, lambda engine: _migrate(engine, path)))


def migrated(engine: Engine, where: Path | str, migrate: Callable[[Engine], None]) -> Engine:
    """`engine` once `migrate` has brought its database to this schema; disposed when it could not."""
    from sqlalchemy.exc import DBAPIError

    try:
        migrate(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise StudioflowError(f"cannot open {where}: {first_line(exc.orig)}") from exc
    except BaseException:
        engine.dispose()
        raise
    return engine


def open_current(target: Path | str) -> Database | None:
    """The database at `target` for reading only when it is already at this schema; None when
    it is missing, empty, older or newer. Never creates, migrates or writes a file (shell
    completion: a TAB must not change the studio)."""
    if is_url(target):
        from studioflow.store.postgres import open_current_postgres

        return open_current_postgres(str(target))
    path = Path(target).expanduser()
    if not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        _refuse_foreign_file(path)
        current = _current_version(path) == schema_version()
    except StudioflowError:
        return None
    return Database(path) if current else None


def _sqlite(driver_connection: object) -> sqlite3.Connection:
    """The stdlib connection under SQLAlchemy's (the read path, migrations and backups use it)."""
    if not isinstance(driver_connection, sqlite3.Connection):
        raise TypeError(f"not an SQLite connection: {type(driver_connection).__name__}")
    return driver_connection


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions every connection has, the ORM's and the read path's alike."""
    conn.create_function("casefold", 1, _casefold, deterministic=True)


def _connect_reader(path: Path) -> sqlite3.Connection:
    # Shared by the threads of one Database (each gets its own, closed by Database.close).
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only=ON")  # the read path never writes, by construction
    register_functions(conn)
    return conn


def _current_version(path: Path) -> int:
    """The schema version as a reader sees it (through the WAL, unlike the header check)."""
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StudioflowError(f"cannot open {path}: {exc}") from exc


def _make_engine(path: Path) -> Engine:
    from sqlalchemy import create_engine, event

    from studioflow.store import models  # noqa: F401  (registers every table on SQLModel.metadata)

    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred and late).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a power cut must not undo a committed "sent"
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()
    register_functions(dbapi_connection)


def _casefold(value: str | bytes | int | float | None) -> str | bytes | int | float | None:
    # The matching rule of store.text: case and accents ignored ("emilie" = "Émilie").
    return fold(value) if isinstance(value, str) else value


def _on_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("studio_write") else "BEGIN")


def _read_header(path: Path) -> tuple[int, int, int]:
    """(application_id, user_version, table count), read without writing a byte."""
    # immutable=1: a read-only look that leaves no -wal/-shm files beside a file we refuse.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    finally:
        conn.close()
    return app_id, version, tables


def _refuse_foreign_file(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        app_id, version, tables = _read_header(path)
    except sqlite3.Error as exc:
        raise StudioflowError(f"cannot open {path}: not a studioflow database ({exc})") from exc
    if app_id != APPLICATION_ID and (app_id != 0 or tables > 0):
        raise StudioflowError(f"cannot open {path}: it is a SQLite database of another program")
    if version > schema_version():
        raise StudioflowError(
            f"cannot open {path}: it was written by a newer studioflow (schema {version}, "
            f"this one knows up to {schema_version()}); upgrade studioflow to open it"
        )


def _migrate(engine: Engine, path: Path) -> None:
    with engine.connect() as conn:
        version = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
    target = schema_version()
    if version == target:
        return
    if version > target:  # the header check saw an older page; the WAL says newer
        raise StudioflowError(
            f"cannot open {path}: it was written by a newer studioflow (schema {version}, "
            f"this one knows up to {target}); upgrade studioflow to open it"
        )
    if version > 0:
        _migration_backup(engine, path, version)
    with engine.execution_options(**WRITE).connect() as conn:
        # Foreign keys off while migrating (set outside a transaction, where SQLite honours
        # it): rebuilding a table drops the old one, which would otherwise cascade into the
        # rows that point to it. The whole result is checked before it commits.
        raw = _sqlite(conn.connection.driver_connection)
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                # Another process may have migrated while this one waited for the write lock.
                if conn.exec_driver_sql("PRAGMA user_version").scalar_one() == target:
                    return
                damaged = _dangling(conn)  # already there: `health` reports it, not ours to refuse
                if version == 0:
                    from sqlmodel import SQLModel

                    SQLModel.metadata.create_all(conn)
                    conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                else:
                    for migration in MIGRATIONS[version - 1 :]:
                        migration(conn)
                broken = sorted(_dangling(conn) - damaged)
                if broken:
                    table, rowid, parent = broken[0]
                    raise StudioflowError(f"cannot migrate {path}: {table} row {rowid} would lose its {parent}")
                conn.exec_driver_sql(f"PRAGMA user_version={target}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def _dangling(conn: Connection) -> set[tuple[str, int, str]]:
    return {(table, rowid, parent) for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check")}


def _migration_backup(engine: Engine, path: Path, version: int) -> Path:
    """The copy taken before migrating, under a name nothing holds yet: a leftover (a backup
    half-written when a crash stopped it, a folder) is left alone and never blocks the file."""
    target = migration_backup_path(path, version)
    tries = 1
    while target.exists() or target.is_symlink():
        tries += 1
        target = target.with_name(f"{path.name}.v{version}-backup-{tries}")
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.v{version}-backup.", suffix=".tmp")
    os.close(fd)
    temporary = Path(name)
    try:
        _backup(engine, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def _backup(engine: Engine, target: Path) -> None:
    raw = engine.raw_connection()
    dest = sqlite3.connect(target)
    try:
        _sqlite(raw.driver_connection).backup(dest)
    finally:
        dest.close()
        raw.close()
