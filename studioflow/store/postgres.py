"""PostgreSQL as the shared store: the same `Database`, reached by a `postgresql://` URL.

What SQLite gives by being one file, PostgreSQL gives by locks. Every write transaction
first takes one transaction-scoped advisory lock, so writers from every machine go one at
a time, as SQLite's BEGIN IMMEDIATE makes them: a service reads the state it is about to
change and nobody changes it meanwhile, so one active visit per job and automations once
per visit hold across machines exactly as they hold across processes on one file.
Delivery holds a session advisory lock in place of the lock file. Each read of the read
path is one REPEATABLE READ snapshot on psycopg, its SQL (qmark, as sqlite3 takes it)
adapted, and every value handed back as sqlite3 hands back what the file stores (times and
dates as text, to the microsecond; booleans 1/0; JSON as its text): `workflow/board/reads.py`
and the export are one body of SQL for both engines.

The schema version is a one-row table, `studioflow_schema`; a database with tables but
without it belongs to another program and is refused, as a foreign SQLite file is.
"""

from __future__ import annotations

import functools
import re
import secrets
import shlex
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

import platformdirs
import psycopg
import psycopg.errors
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from psycopg.types.string import TextLoader

from studioflow.errors import DatabaseTrouble, StudioflowError
from studioflow.store.changes import KINDS, kinds_written
from studioflow.store.db import (
    BUSY,
    BUSY_TIMEOUT_MS,
    MIGRATIONS,
    WRITE,
    Database,
    Rows,
    first_line,
    migrated,
    schema_version,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

WRITE_LOCK = 0x53464C57  # "SFLW": the studio's one writer at a time (advisory locks are per database)
DELIVERY_LOCK = WRITE_LOCK + 1  # the one process delivering the outbox
CHANNEL = "studioflow"  # what each commit is announced on (notifications are per database)
CONNECT_TIMEOUT_S = 5

# The matching rule of store.text.fold, in SQL: case folded, accents and other combining marks
# dropped, runs of spaces made one (the SQLite connections register the Python function itself).
CASEFOLD = r"""
CREATE FUNCTION casefold(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT btrim(regexp_replace(replace(lower(regexp_replace(normalize(lower(value), NFKD),
    '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g')), 'ß', 'ss'),
    '\s+', ' ', 'g'))
$$
"""


class PostgresDatabase(Database):
    """A studio in a PostgreSQL database; the engine-specific parts of `Database`."""

    engine_name = "postgresql"

    def __init__(self, url: str, password: str | None, engine: Engine | None = None) -> None:
        super().__init__(stand_in_path(url), engine)
        self.url = url
        self._password = password  # asked once (password_command) and kept in memory only
        self._delivery_guard = threading.Lock()
        # Names this Database's commits, so that its own watcher does not report them back.
        self.origin = secrets.token_hex(8)
        if engine is not None:
            announce_commits(engine, self.origin)

    @property
    def label(self) -> str:
        return redact(self.url)

    @property
    def target(self) -> str:
        return self.url

    def _make_engine(self) -> Engine:
        engine = make_engine(self.url, self._password)
        announce_commits(engine, self.origin)
        return engine

    def changes(self) -> ServerChanges:
        return ServerChanges(self.url, self._password, self.label, self.origin)

    def _connect_reader(self) -> psycopg.Connection[Any]:
        return connect(self.url, self._password, self.label)

    def _reading(self, conn: Any) -> bool:
        return bool(conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)

    def _begin_read(self, conn: Any) -> None:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def _wrap(self, driver_connection: Any) -> ReadConnection:
        return ReadConnection(driver_connection)

    def health(self) -> list[str]:
        """PostgreSQL keeps its own pages and foreign keys checked; what is left to see is
        whether the server answers and the schema is this studioflow's."""
        try:
            with connect(self.url, self._password, self.label) as conn:
                version = conn.execute("SELECT version FROM studioflow_schema").fetchone()
        except (psycopg.Error, DatabaseTrouble) as exc:
            return [" ".join(str(exc).split())]
        if version is None or version[0] != schema_version():
            return [f"schema version {version and version[0]}, expected {schema_version()}"]
        return []

    def backup_to(self, target: Path) -> None:
        # Backups of a PostgreSQL studio are SQLite files made row by row (workflow.files.transfer.backup).
        raise StudioflowError("a PostgreSQL studio is backed up with `studioflow backup FILE`, as an SQLite file")

    def read_counters(self, rows: Rows, tables: Iterable[str]) -> dict[str, int]:
        found = {}
        for table in sorted(tables):
            sequence = rows.execute("SELECT pg_get_serial_sequence(?, 'id')", (table,)).fetchone()[0]
            used = rows.execute(f"SELECT last_value FROM {sequence} WHERE is_called").fetchone()
            if used is not None:
                found[table] = int(used[0])
        return found

    def write_counters(self, conn: Connection, counters: dict[str, int], tables: Iterable[str]) -> None:
        # Every table's sequence goes past its highest id, not only the counted ones: a row
        # loaded with its id leaves the sequence where it was, and the next insert would collide.
        for table in tables:
            top = conn.exec_driver_sql(f'SELECT coalesce(max(id), 0) FROM "{table}"').scalar_one()
            value = max(int(top), counters.get(table, 0))
            if value > 0:
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {value})")
        # Rows loaded in bulk: the planner learns them now, not when autovacuum next comes by
        # (until then a board of thousands of cards is read by the wrong plan).
        conn.exec_driver_sql("ANALYZE")

    @contextmanager
    def delivery_lock(self) -> Iterator[bool]:
        """True while this process holds the studio's delivery lock: a session advisory lock on a
        connection of its own, so it is released when delivery ends or the process dies."""
        if not self._delivery_guard.acquire(blocking=False):  # advisory locks nest within a session
            yield False
            return
        try:
            with connect(self.url, self._password, self.label) as conn:
                got = bool(_value(conn, f"SELECT pg_try_advisory_lock({DELIVERY_LOCK})"))
                try:
                    yield got
                finally:
                    if got:
                        conn.execute("SELECT pg_advisory_unlock(%s)", (DELIVERY_LOCK,))
        finally:
            self._delivery_guard.release()


class ReadConnection:
    """A psycopg connection as the read path uses sqlite3's: `?`/`:name` parameters, and dates,
    times and JSON as the text sqlite3 returns (each cursor's own loaders: the ORM sharing a
    write's connection still gets its datetimes)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Any = (), /) -> psycopg.Cursor[Any]:
        cursor = self._conn.cursor()
        for name in ("date", "json", "jsonb"):
            cursor.adapters.register_loader(name, TextLoader)
        cursor.adapters.register_loader("timestamp", StoredTime)
        cursor.adapters.register_loader("bool", StoredFlag)
        return cursor.execute(adapt(sql), parameters or None)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> None:
        self._conn.cursor().executemany(adapt(sql), parameters)


class StoredTime(Loader):
    """A timestamp as the SQLite file stores it: always to the microsecond, so texts compare as times."""

    def load(self, data: Buffer) -> str:
        text = bytes(data).decode()
        whole, _, fraction = text.partition(".")
        return f"{whole}.{fraction.ljust(6, '0')}"


class StoredFlag(Loader):
    """A boolean as SQLite hands it back: 1 or 0."""

    def load(self, data: Buffer) -> int:
        return 1 if bytes(data) == b"t" else 0


_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|\?|:([A-Za-z_]\w*)|%")


@functools.lru_cache(maxsize=512)
def adapt(sql: str) -> str:
    """sqlite3's placeholders (`?`, `:name`) as psycopg's (`%s`, `%(name)s`); a literal % doubled
    everywhere (psycopg reads % even inside quotes), a ? or : inside quotes left as it is."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if match.group(1):
            return f"%({match.group(1)})s"
        return token.replace("%", "%%")

    return _TOKENS.sub(swap, sql)


def redact(url: str) -> str:
    """The URL without its password, for messages and titles."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def stand_in_path(url: str) -> Path:
    """A path in the user data dir that stands for the database where a file is wanted beside it
    (the stub outbox, default export names)."""
    parts = urlsplit(url)
    name = "-".join(p for p in (parts.hostname or "local", str(parts.port or ""), parts.path.strip("/")) if p)
    return Path(platformdirs.user_data_dir("studioflow")) / re.sub(r"[^\w.-]", "_", name)


def conninfo(url: str, password: str | None) -> str:
    """The libpq URL: `postgresql://`, with the password set when one was asked for (never stored).
    Without one, libpq looks in PGPASSWORD and ~/.pgpass itself."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if password is not None and parts.password is None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user}:{quote(password, safe='')}@{host}" if user else netloc
    return urlunsplit(("postgresql", netloc, parts.path, parts.query, parts.fragment))


# What every connection sets: waits for a lock end in "busy" after the time SQLite waits,
# and dates and times are written and read as ISO text in UTC, as the SQLite file keeps them.
OPTIONS = f"-c lock_timeout={BUSY_TIMEOUT_MS} -c DateStyle=ISO -c TimeZone=UTC"


def connect(url: str, password: str | None, label: str) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(
            conninfo(url, password),
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            options=OPTIONS,
            application_name="studioflow",
        )
    except psycopg.Error as exc:
        raise StudioflowError(f"cannot open {label}: {first_line(exc)}") from None


def make_engine(url: str, password: str | None) -> Engine:
    from sqlalchemy import create_engine, event

    from studioflow.store import models  # registers every table on SQLModel.metadata

    models.partial_on_postgresql()
    engine = create_engine(
        "postgresql+psycopg://" + conninfo(url, password).split("://", 1)[1],
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "options": OPTIONS, "application_name": "studioflow"},
    )
    event.listen(engine, "begin", _on_begin)
    event.listen(engine, "checkin", _rested)
    event.listen(engine, "checkout", _still_there)
    return engine


IDLE_CHECK_S = 10.0  # a connection idle this long is asked whether the server is still there


def _rested(_driver: Any, record: Any) -> None:
    record.info["rested_at"] = time.monotonic()


def _still_there(driver: Any, record: Any, _proxy: Any) -> None:
    """A server restarted under a long-running TUI: a connection that sat idle is checked before
    use and replaced if dead (a busy loop, as delivery is, pays no round trip for it)."""
    from sqlalchemy.exc import DisconnectionError

    if time.monotonic() - record.info.get("rested_at", time.monotonic()) < IDLE_CHECK_S:
        return
    try:
        driver.execute("SELECT 1")
        driver.rollback()
    except psycopg.Error as exc:
        raise DisconnectionError(str(exc)) from exc


def _on_begin(conn: Connection) -> None:
    if conn.get_execution_options().get("studio_write"):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")


def announce_commits(engine: Engine, origin: str) -> None:
    """Every write transaction on `engine` tells the studio's listeners, as it commits, which kinds
    of record it changed (`pg_notify` inside the transaction: a rollback tells nobody)."""
    from sqlalchemy import event

    def begun(conn: Connection) -> None:
        if conn.get_execution_options().get("studio_write"):
            conn.info["studio_changed"] = set()

    def executing(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        changed = conn.info.get("studio_changed")
        if changed is not None:
            changed |= kinds_written(statement)

    def committing(conn: Connection) -> None:
        changed = conn.info.pop("studio_changed", None)
        driver = conn.connection.driver_connection  # not through SQLAlchemy: the transaction is its to end
        if changed and driver is not None:
            driver.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"{origin} {','.join(sorted(changed))}"))

    def rolled_back(conn: Connection) -> None:
        conn.info.pop("studio_changed", None)

    event.listen(engine, "begin", begun)
    event.listen(engine, "before_cursor_execute", executing)
    event.listen(engine, "commit", committing)
    event.listen(engine, "rollback", rolled_back)


class ServerChanges:
    """Commits to the studio by other `Database`s (other machines), heard with LISTEN on a
    connection of the watcher's own. A lost connection is made again; what may have been
    missed meanwhile is reported as every kind changed."""

    def __init__(self, url: str, password: str | None, label: str, origin: str) -> None:
        self._where = (url, password, label)
        self._origin = origin
        self._conn: psycopg.Connection[Any] | None = self._listen()

    def _listen(self) -> psycopg.Connection[Any]:
        conn = connect(*self._where)
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def wait(self, timeout: float) -> set[str] | None:
        if self._conn is None:  # lost: try again, and tell everything once back
            try:
                self._conn = self._listen()
            except StudioflowError:
                time.sleep(timeout)
                return None
            return set(KINDS)
        changed: set[str] = set()
        deadline = time.monotonic() + timeout
        try:
            while not changed and (left := deadline - time.monotonic()) > 0:
                changed |= self._heard(left, stop_after=1)
            if changed:  # a burst of commits is one refresh
                changed |= self._heard(0.01)
        except psycopg.Error:
            self.close()
            return None
        return changed or None

    def _heard(self, timeout: float, stop_after: int | None = None) -> set[str]:
        assert self._conn is not None
        heard: set[str] = set()
        for note in self._conn.notifies(timeout=timeout, stop_after=stop_after):
            origin, _, kinds = note.payload.partition(" ")
            if origin != self._origin:
                heard.update(kinds.split(","))
        return heard

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def ask_password(url: str, password_command: str) -> str | None:
    """The password of a URL that has none, from `password_command` ([store] in config.toml), run
    once per process; None leaves it to libpq (PGPASSWORD, ~/.pgpass)."""
    if urlsplit(url).password is not None or not password_command:
        return None
    try:
        done = subprocess.run(
            shlex.split(password_command), capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise StudioflowError(f"[store] password_command could not run: {exc}") from None
    if done.returncode != 0:
        raise StudioflowError(
            f"[store] password_command failed (exit {done.returncode}): {first_line(done.stderr) or 'no message'}"
        )
    return done.stdout.rstrip("\n")


def open_postgres(url: str, password_command: str = "") -> PostgresDatabase:
    """Open the studio at `url`, making its schema in an empty database and bringing an older one
    forward; one refused when it is newer than this studioflow or belongs to another program."""
    password = ask_password(url, password_command)
    label = redact(url)
    with connect(url, password, label) as conn:
        version = _version(conn, label)
    if version == schema_version():
        return PostgresDatabase(url, password)
    _refuse_newer(version, label)
    engine = migrated(make_engine(url, password), label, lambda engine: _migrate(engine, label))
    return PostgresDatabase(url, password, engine)


def open_current_postgres(url: str) -> PostgresDatabase | None:
    """The studio at `url` for reading when it is at this schema, else None; never writes."""
    try:
        with connect(url, None, redact(url)) as conn:
            current = _version(conn, redact(url)) == schema_version()
    except StudioflowError:
        return None
    return PostgresDatabase(url, None) if current else None


def _version(conn: psycopg.Connection[Any], label: str) -> int:
    """The schema version (0: an empty database); a database of another program is refused."""
    if _value(conn, "SELECT to_regclass('studioflow_schema')") is None:
        tables = _value(conn, "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")
        if tables:
            raise StudioflowError(f"cannot open {label}: the database holds the tables of another program")
        return 0
    row = conn.execute("SELECT version FROM studioflow_schema").fetchone()
    return int(row[0]) if row else 0


def _value(conn: psycopg.Connection[Any], sql: str) -> Any:
    row = conn.execute(sql.encode()).fetchone()
    return None if row is None else row[0]


def _refuse_newer(version: int, label: str) -> None:
    if version > schema_version():
        raise StudioflowError(
            f"cannot open {label}: it was written by a newer studioflow (schema {version}, "
            f"this one knows up to {schema_version()}); upgrade studioflow to open it"
        )


def _migrate(engine: Engine, label: str) -> None:
    """Make the schema (an empty database) or bring it forward, in one transaction under the
    write lock: two machines opening a new database at once make it once."""
    target = schema_version()
    with engine.execution_options(**WRITE).begin() as conn:
        made = conn.exec_driver_sql("SELECT to_regclass('studioflow_schema')").scalar() is not None
        version = int(conn.exec_driver_sql("SELECT version FROM studioflow_schema").scalar() or 0) if made else 0
        if version == target:  # another machine made it while this one waited for the lock
            return
        _refuse_newer(version, label)
        if version == 0:
            from sqlmodel import SQLModel

            SQLModel.metadata.create_all(conn)
            conn.exec_driver_sql(CASEFOLD.replace("%", "%%"))
            conn.exec_driver_sql("CREATE TABLE studioflow_schema (version integer NOT NULL)")
            conn.exec_driver_sql(f"INSERT INTO studioflow_schema VALUES ({target})")
            return
        # A PostgreSQL studio starts at the schema of the release that first supported it; a
        # migration appended after that must be written for both engines.
        for migration in MIGRATIONS[version - 1 :]:
            migration(conn)
        conn.exec_driver_sql(f"UPDATE studioflow_schema SET version = {target}")


def trouble(error: BaseException, said: str) -> DatabaseTrouble:
    """One line for a PostgreSQL error (see store.db.trouble)."""
    if isinstance(error, psycopg.errors.IntegrityError):  # a rule the services missed
        return DatabaseTrouble(f"could not save: {said}")
    if isinstance(error, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled):
        return DatabaseTrouble(BUSY.replace("another program", "another studioflow"))
    if isinstance(error, psycopg.errors.SerializationFailure | psycopg.errors.DeadlockDetected):
        return DatabaseTrouble("changed on another machine at the same moment; nothing was changed, try again")
    if isinstance(error, psycopg.OperationalError):  # the server went away, refused, restarted
        return DatabaseTrouble(f"cannot reach the database server ({first_line(error)}); nothing was changed")
    return DatabaseTrouble(f"the database could not do it: {said}; nothing was changed")


