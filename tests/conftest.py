"""Fixtures shared by every test: a real studioflow database in pytest's tmp_path."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from postgres import PostgresServer, postgres_server, postgres_url  # noqa: F401  (fixtures; tests/ is on sys.path)

from studioflow.store import Database, open_database
from studioflow.workflow.files import demo

DEMO_TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test reads its own config.toml (absent unless the test writes it), never the user's."""
    path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("STUDIOFLOW_CONFIG", str(path))
    monkeypatch.delenv("STUDIOFLOW_SMTP_PASSWORD", raising=False)
    return path


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "studioflow.db")
    yield database
    database.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a test's studio runs on: the suites that take it run once on each."""
    name: str = request.param
    return name


# For a test of SQLite itself (its files, pragmas, backups): the engine parameter narrowed to SQLite.
sqlite_only = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


@pytest.fixture
def studio_target(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """Where a new studio goes: a file in tmp_path, or a fresh PostgreSQL database on this worker's
    private server."""
    if engine == "sqlite":
        yield tmp_path / "studioflow.db"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    # A copy of a database that already has the schema: cheaper than making the schema each time.
    with server.database(template=request.getfixturevalue("schema_template_postgres")) as url:
        yield url


@pytest.fixture(scope="session")
def schema_template_postgres(request: pytest.FixtureRequest) -> str:
    """A database of this worker's server with a new studio's schema and nothing else, made once."""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    open_database(server.url(name)).close()
    return name


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish() -> None:
    """The process exits next: set its objects aside from the collector. What a worker's tests leave
    grows with them (660,000 objects after the 169 app tests of tests/ui, 0.9 s for one full
    collection), and its collections at exit outlasted the 5 s execnet gives a worker before it
    interrupts it (a KeyboardInterrupt printed inside hypothesis's gc callback)."""
    gc.freeze()


@contextmanager
def outside(db: Database) -> Iterator[Any]:
    """A connection of another program writing the studio behind the services' back (a crash's
    leftovers, a row changed since): `?` parameters on both engines, committed on leaving."""
    if db.engine_name == "sqlite":
        with closing(sqlite3.connect(db.path)) as file, file:
            yield file
        return
    from studioflow.store.postgres import PostgresDatabase, ReadConnection

    assert isinstance(db, PostgresDatabase)
    with psycopg.connect(db.url) as server:  # commits on leaving the block
        yield ReadConnection(server)


@pytest.fixture
def any_db(studio_target: Path | str) -> Iterator[Database]:
    """A new studio on each engine in turn."""
    database = open_database(studio_target)
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_template_postgres(request: pytest.FixtureRequest) -> str:
    """The demo data in a database of this worker's server, made once: tests get copies of it
    (CREATE DATABASE … TEMPLATE), as they get byte copies of the SQLite demo file."""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    database = open_database(server.url(name))
    try:
        demo.write_demo(database, today=DEMO_TODAY)
    finally:
        database.close()
    return name


@contextmanager
def studio_at(target: Path | str) -> Iterator[Database]:
    """The studio at `target`, opened for a test's own look and closed after."""
    database = open_database(target)
    try:
        yield database
    finally:
        database.close()


@contextmanager
def rows_at(target: Path | str) -> Iterator[Any]:
    """A read of the studio at `target` on a connection of its own, `?` parameters: a plain sqlite3
    connection to a file (it reads a file it may not open as a studio: damaged, older, foreign), or
    the read path of a PostgreSQL studio."""
    if isinstance(target, Path):
        with closing(sqlite3.connect(target)) as conn:
            yield conn
        return
    with studio_at(target) as database, database.rows() as conn:
        yield conn


@contextmanager
def outside_at(target: Path | str) -> Iterator[Any]:
    """`outside` for the studio at `target`: another program's write, committed on leaving."""
    if isinstance(target, Path):
        with closing(sqlite3.connect(target)) as conn, conn:
            yield conn
        return
    with studio_at(target) as database, outside(database) as conn:
        yield conn


def studio_state(target: Path | str) -> object:
    """All a test needs to say "nothing was written": the file's bytes, or every row on PostgreSQL."""
    return target.read_bytes() if isinstance(target, Path) else dump_studio(target)


def rows_of(target: Path | str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """What `sql` reads from the studio at `target` (either engine), on a connection of its own."""
    with studio_at(target) as database, database.rows() as conn:
        return list(conn.execute(sql, params).fetchall())


Dump = dict[str, list[tuple[Any, ...]]]


def dump_database(db: Database) -> Dump:
    """Every row of every table, in key order, read on its own connection (the read path: values as
    SQLite stores them, on either engine)."""
    from sqlmodel import SQLModel

    from studioflow.store import models  # noqa: F401  (every table on the metadata)

    with db.rows() as conn:
        return {
            table.name: conn.execute(
                f'SELECT * FROM "{table.name}" ORDER BY '
                + ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            ).fetchall()
            for table in sorted(SQLModel.metadata.sorted_tables, key=lambda t: t.name)
        }


def dump_studio(target: Path | str) -> Dump:
    """`dump_database` of the studio at `target`."""
    with studio_at(target) as database:
        return dump_database(database)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data (due dates relative to DEMO_TODAY) in a fully checkpointed file.

    Made once per worker; tests copy it rather than writing the demo again.
    """
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    database = open_database(path)
    try:
        demo.write_demo(database, today=DEMO_TODAY)
    finally:
        database.close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert not path.with_name(path.name + "-wal").exists()
    return path
