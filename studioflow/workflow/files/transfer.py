"""The whole database to JSON and back, and backups.

The JSON holds every row of every table as SQLite stores it (dates as their stored
text, booleans as 0/1), in key order, plus the autoincrement counters, so an import
into an empty database reproduces every row and id, and its export is identical, on
either engine (a studio moves from SQLite to PostgreSQL and back by export and import).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Table
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from studioflow.errors import StudioflowError
from studioflow.store import Database, models  # noqa: F401  (models: every table on SQLModel.metadata)
from studioflow.store.choices import AUTOMATION_TRIGGERS
from studioflow.store.db import open_database, output_path, schema_version
from studioflow.workflow.automations import actions

FORMAT = "studioflow-export"
# Values that end up in mail headers: one line, as the services that store them insist (a line
# break there would forge a header, or stop delivery).
ONE_LINE_COLUMNS = {
    "client": ("name", "email", "phone"),
    "message_template": ("subject",),
    "outbox_message": ("to_addr", "subject", "message_id"),
}
BATCH = 1000

Progress = Callable[[str, int, int], None]  # (table, tables done, tables in all)


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)  # parents before children


def export_json(db: Database, target: Path, progress: Progress | None = None) -> dict[str, int]:
    """Write every row to `target` (atomically: a half-written export never replaces a file); rows per table."""
    text, counts = _export(db, progress)
    write_file(db, target, text)
    return counts


def copy_to(db: Database, target: Path | str, password_command: str = "", progress: Progress | None = None) -> tuple[
    str, dict[str, int]
]:
    """Copy every row of this studio into a new, empty database at `target` (a file or a
    `postgresql://` URL), ids and counters kept; returns the target's name and rows per table.

    Checked before it commits: the copy exports the very bytes this studio exports, so a
    studio moved to PostgreSQL and back is the same studio. All or nothing on the target."""
    text, counts = _export(db, progress)
    other = open_database(target, password_command)
    try:
        if other.label == db.label:
            raise StudioflowError(f"{other.label} is this studio; give another database to copy it to")
        with other.write():
            _import(other, json.loads(text), other.label, None)
            again, _ = _export(other, None)
            if again != text:
                raise StudioflowError(f"the copy in {other.label} does not read back the same; nothing was copied")
        return other.label, counts
    finally:
        other.close()


def _export(db: Database, progress: Progress | None) -> tuple[bytes, dict[str, int]]:
    """Every row, as the export's bytes.

    Read through the read path, which hands back every value as the SQLite file stores it on
    either engine, so the same studio exports the same bytes from SQLite and PostgreSQL."""
    tables = _tables()
    data: dict[str, Any] = {"format": FORMAT, "schema": schema_version(), "tables": {}}
    counts: dict[str, int] = {}
    with db.rows() as conn:
        for done, table in enumerate(tables):
            if progress:
                progress(table.name, done, len(tables))
            columns = list(table.columns.keys())
            names = ", ".join(f'"{c}"' for c in columns)
            keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            rows = [list(row) for row in conn.execute(f'SELECT {names} FROM "{table.name}" ORDER BY {keys}')]
            data["tables"][table.name] = {"columns": columns, "rows": rows}
            counts[table.name] = len(rows)
        data["sequences"] = db.read_counters(conn, _counted())
    if progress:
        progress("", len(tables), len(tables))
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8"), counts


def _counted() -> list[str]:
    """The tables whose ids are never used again (SQLite's AUTOINCREMENT): their counters are exported."""
    return [t.name for t in _tables() if t.dialect_options["sqlite"].get("autoincrement")]


def import_json(db: Database, source: Path, progress: Progress | None = None) -> dict[str, int]:
    """Load an export into this (empty) database, all or nothing; rows per table."""
    return _import(db, _read_export(source), source, progress)


def _import(db: Database, data: dict[str, Any], source: Path | str, progress: Progress | None) -> dict[str, int]:
    known = {table.name: table for table in _tables()}
    given: dict[str, Any] = data["tables"]
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise StudioflowError(f"{source}: unknown table(s) {', '.join(unknown)}")
    counts: dict[str, int] = {}
    sqlite = db.engine_name == "sqlite"
    with db.write() as session:
        conn = session.connection()
        for table in known.values():
            if conn.exec_driver_sql(f'SELECT 1 FROM "{table.name}" LIMIT 1').first() is not None:
                raise StudioflowError(f"{db.label} already has data ({table.name}); import into a new, empty database")
        if sqlite:  # rows may point at rows of a table loaded later (or at themselves): check at commit
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        # PostgreSQL checks each row as it comes: tables go parents first, rows in id order.
        tables = [t for t in known.values() if t.name in given]
        for done, table in enumerate(tables):
            if progress:
                progress(table.name, done, len(tables))
            counts[table.name] = _insert(conn, table, given[table.name], source)
        sequences = data.get("sequences", {})
        for name, seq in sequences.items():
            if name not in known or not isinstance(seq, int):
                raise StudioflowError(f"{source}: a bad counter for {name!r}")
        db.write_counters(conn, sequences, [t.name for t in tables if "id" in t.columns])
        try:
            session.flush()
            # The deferred foreign keys are checked now, while the error can still be told well.
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first() if sqlite else None
        except IntegrityError as exc:
            raise StudioflowError(f"{source}: the rows do not fit together ({exc.orig})") from None
        if broken is not None:
            raise StudioflowError(f"{source}: a row of {broken[0]} points to a missing row of {broken[2]}")
    if progress:
        progress("", len(tables), len(tables))
    return counts


def backup(db: Database, target: Path, overwrite: bool = False) -> Path:
    """A copy made with SQLite's online backup API (consistent even while the app writes), checked
    before it takes the name: a damaged source or a full disk leaves no file behind. A PostgreSQL
    studio is backed up into an SQLite file (`copy_to`: one snapshot, read back and compared)."""
    target = _free_target(db, target, overwrite)
    with _temporary_beside(target) as temp:
        try:
            if db.engine_name == "sqlite":
                db.backup_to(temp)
            else:  # a PostgreSQL studio is kept as an SQLite file of the same rows (one snapshot, checked)
                copy_to(db, temp)
            with closing(sqlite3.connect(temp)) as copy:
                problems = [row[0] for row in copy.execute("PRAGMA integrity_check") if row[0] != "ok"]
        except sqlite3.OperationalError as exc:  # disk full, I/O error
            raise StudioflowError(f"cannot write the backup {target}: {exc}") from None
        except sqlite3.DatabaseError as exc:  # a page of the source that cannot be read
            problems = [str(exc)]
        if problems:
            raise StudioflowError(f"{db.label} is damaged ({problems[0]}); no backup written, see `studioflow check`")
        os.replace(temp, target)
    return target


def write_file(db: Database, target: Path, data: bytes, overwrite: bool = True) -> Path:
    """Write a file a command makes (an export, a CSV, an .ics): never over the database or its
    companions, and atomically (a full disk or a crash never leaves half a file)."""
    target = _free_target(db, target, overwrite)
    with _temporary_beside(target) as temp:
        try:
            with temp.open("wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
        except OSError as exc:
            raise StudioflowError(f"cannot write {target}: {exc.strerror}") from None
        os.replace(temp, target)
    return target


def _free_target(db: Database, target: Path, overwrite: bool) -> Path:
    real = output_path(db.path, target)
    if real.exists() and not overwrite:
        raise StudioflowError(f"{target} already exists; choose another name (or --force to replace it)")
    if not real.parent.is_dir():
        raise StudioflowError(f"no folder {real.parent} for {target.name}")
    return real


@contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    """A fresh file in the target's folder (so the final rename is atomic), removed unless renamed."""
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:100]}.", suffix=".tmp")
    except OSError as exc:
        raise StudioflowError(f"cannot write in {target.parent}: {exc.strerror}") from None
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
    finally:
        temp.unlink(missing_ok=True)
        Path(f"{temp}-journal").unlink(missing_ok=True)


def _insert(conn: Any, table: Table, block: Any, source: Path | str) -> int:
    shaped = isinstance(block, dict) and isinstance(block.get("columns"), list) and isinstance(block.get("rows"), list)
    if not shaped:
        raise StudioflowError(f"{source}: table {table.name} is not in the export format")
    columns: list[str] = block["columns"]
    missing = set(columns) - set(table.columns.keys())
    if missing:
        raise StudioflowError(f"{source}: table {table.name} has unknown column(s) {', '.join(sorted(missing))}")
    rows = block["rows"]
    if any(not isinstance(row, list) or len(row) != len(columns) for row in rows):
        raise StudioflowError(f"{source}: a row of {table.name} does not match its {len(columns)} columns")
    if any(isinstance(value, dict | list) for row in rows for value in row):
        raise StudioflowError(f"{source}: a value in {table.name} is not a plain value")
    for column in ONE_LINE_COLUMNS.get(table.name, ()):
        if column in columns:
            at = columns.index(column)
            for number, row in enumerate(rows, start=1):
                if isinstance(row[at], str) and ("\n" in row[at] or "\r" in row[at]):
                    raise StudioflowError(f"{source}: {table.name}.{column} of row {number} holds a line break")
    if table.name == "automation":  # what CHECKs once refused: the registry knows the actions now
        for column, allowed in (("trigger", AUTOMATION_TRIGGERS), ("action", tuple(actions.names()))):
            place = columns.index(column) if column in columns else None
            bad = [row[place] for row in rows if place is not None and row[place] not in allowed]
            if bad:
                known = ", ".join(allowed)
                raise StudioflowError(f"{source}: an automation's {column} {bad[0]!r} is not one of {known}")
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" if conn.dialect.paramstyle == "qmark" else "%s" for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    # The export keeps booleans as SQLite's 1/0; PostgreSQL takes them as truth values.
    flags = [i for i, c in enumerate(columns) if conn.dialect.name != "sqlite" and isinstance(table.c[c].type, Boolean)]
    for start in range(0, len(rows), BATCH):
        chunk = [_flags_as_truth(row, flags) for row in rows[start : start + BATCH]]
        try:
            conn.exec_driver_sql(sql, chunk)
        except IntegrityError as exc:
            raise StudioflowError(f"{source}: a row of {table.name} is refused ({exc.orig})") from None
    return len(rows)


def _flags_as_truth(row: list[Any], flags: list[int]) -> tuple[Any, ...]:
    if not flags:
        return tuple(row)
    return tuple(bool(value) if i in flags and value is not None else value for i, value in enumerate(row))


def _read_export(source: Path) -> dict[str, Any]:
    try:
        text = source.expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise StudioflowError(f"cannot read {source}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise StudioflowError(f"{source} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise StudioflowError(f"{source} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("tables"), dict):
        raise StudioflowError(f"{source} is not a studioflow export")
    if data.get("schema") != schema_version():
        raise StudioflowError(
            f"{source} was exported with schema {data.get('schema')}; this studioflow imports schema {schema_version()}"
        )
    return data
