"""The benchmarks on PostgreSQL: `--db URL` (a database of a server you run) or `--pg` (a private
server started for the run, as the test suite starts one: tests/postgres.py).

The database must be empty: a benchmark fills it, and empties it again between sizes and at
the end (it drops the tables studioflow made, so it refuses a database that holds anything
beforehand). Rows are seeded into an SQLite file in bulk (seed.py) and copied over with
`studioflow transfer`'s own copy, so both engines measure the same studio.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from studioflow.store.db import is_url

# The test server trades durability for speed; measured against SQLite's synchronous=FULL, it must not.
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}

HELP = """\
PostgreSQL: --db postgresql://USER@HOST:PORT/DBNAME names an empty database the benchmark may
fill (it is emptied again afterwards; one holding anything is refused). To get one: any local
server (`createdb studioflow_bench`), or --pg, which starts a private server from the test
extra's `pgserver` binaries (or Debian's postgresql) in a temporary folder and removes it after.
Without either, the benchmark runs on SQLite files in a temporary folder, as always."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", metavar="URL", help="an empty PostgreSQL database to run on (see below)")
    where.add_argument("--pg", action="store_true", help="run on a private PostgreSQL server started for the run")


@contextmanager
def target(args: argparse.Namespace) -> Iterator[str | None]:
    """The URL to run on (None: SQLite), checked empty; emptied again on leaving."""
    if args.pg:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from postgres import running_server

        with running_server(DURABLE) as server, server.database() as url:
            yield url
        return
    if args.db is None:
        yield None
        return
    if not is_url(args.db):
        raise SystemExit(f"--db takes a postgresql:// URL, not {args.db!r} (SQLite is the default)")
    if tables(args.db):
        raise SystemExit(f"{args.db}: the database holds tables; give an empty one (the benchmark empties it after)")
    try:
        yield args.db
    finally:
        empty(args.db)


TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"


def tables(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return [name for (name,) in conn.execute(TABLES)]


def empty(url: str) -> None:
    """Drop what studioflow made in the database (it was empty before the benchmark)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for (name,) in conn.execute(TABLES).fetchall():
            conn.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')
        conn.execute("DROP FUNCTION IF EXISTS casefold(text) CASCADE")


def place(url: str | None, path: Path, make: Callable[[Path], Any]) -> Path | str:
    """Where the studio `make` writes is measured: `path` itself (SQLite), or `url` once the file
    made at `path` is copied there (emptied first: each size starts from nothing)."""
    make(path)
    if url is None:
        return path
    empty(url)
    # In a process of its own: the copy holds the whole export in memory, and a child measured
    # later would count this process's size in its peak RSS (Linux keeps it across fork and exec).
    subprocess.run([sys.executable, __file__, str(path), url], check=True)
    return url


def copy(path: Path, url: str) -> None:
    from studioflow.store import open_database
    from studioflow.workflow.files import transfer

    db = open_database(path)
    try:
        transfer.copy_to(db, url)
    finally:
        db.close()


if __name__ == "__main__":
    copy(Path(sys.argv[1]), sys.argv[2])
