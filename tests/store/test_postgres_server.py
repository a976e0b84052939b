"""The test session's private PostgreSQL server (tests/postgres.py) and its per-test databases."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from postgres import SUPERUSER, PostgresServer, copy_install, find_bindir, running_server


def process_uid(pid: int) -> int:
    """The real uid of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for process {pid}")


def user_tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return [row[0] for row in rows]


def database_exists(server: PostgresServer, name: str) -> bool:
    with psycopg.connect(server.admin_url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def test_the_server_answers_through_psycopg(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.admin_url) as conn:
        version = conn.execute("SELECT version()").fetchone()
        user = conn.execute("SELECT current_user").fetchone()
    assert version is not None
    assert version[0].startswith("PostgreSQL ")
    assert user == (SUPERUSER,)
    assert postgres_server.admin_url == f"postgresql://studioflow@127.0.0.1:{postgres_server.port}/postgres"


def test_a_test_database_is_utf8_and_lower_folds_non_ascii(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        encoding = conn.execute("SHOW server_encoding").fetchone()
        folded = conn.execute("SELECT lower('ÉCOLE Ährenfeld')").fetchone()
    assert encoding == ("UTF8",)
    assert folded == ("école ährenfeld",)


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_gets_its_own_empty_database(postgres_url: str, turn: int) -> None:
    # The second turn finds the first one's table if a database were handed out twice.
    assert user_tables(postgres_url) == []
    with psycopg.connect(postgres_url) as conn:
        conn.execute(f"CREATE TABLE left_by_turn_{turn} (id integer)")
    assert user_tables(postgres_url) == [f"left_by_turn_{turn}"]


def test_two_databases_at_once_are_apart(postgres_server: PostgresServer, postgres_url: str) -> None:
    with postgres_server.database() as other_url:
        assert other_url != postgres_url
        with psycopg.connect(postgres_url) as conn:
            conn.execute("CREATE TABLE only_here (id integer)")
        assert user_tables(other_url) == []


def test_a_database_is_gone_after_use_even_with_a_connection_left_open(postgres_server: PostgresServer) -> None:
    with postgres_server.database() as url:
        name = url.rsplit("/", 1)[1]
        left_open = psycopg.connect(url)  # a test that forgets to close must not block the drop
        assert database_exists(postgres_server, name)
    assert not database_exists(postgres_server, name)
    with pytest.raises(psycopg.OperationalError):  # FORCE ended it
        left_open.execute("SELECT 1")
    left_open.close()


def test_the_server_never_runs_as_root(postgres_server: PostgresServer) -> None:
    expected = os.geteuid() if os.geteuid() != 0 else postgres_server.run_as.uid
    assert expected != 0
    assert process_uid(postgres_server.pid) == expected  # the postmaster
    with psycopg.connect(postgres_server.admin_url) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        assert process_uid(row[0]) == expected  # the backend serving this connection, while it lives


def test_a_server_stops_and_leaves_nothing_behind() -> None:
    with running_server() as server:
        process = server.process
        root = server.root
        assert process is not None
        assert process.poll() is None
    assert process.poll() is not None
    assert not root.exists()


def test_a_copy_of_the_install_runs_where_the_unprivileged_user_can_reach_it(tmp_path: Path) -> None:
    # Under root with the venv in /root, the server runs from such a copy; initdb needs the wheel's libpq.
    bindir = copy_install(find_bindir(), tmp_path / "install")
    assert bindir.is_relative_to(tmp_path)
    for tool in ("initdb", "postgres"):
        done = subprocess.run([str(bindir / tool), "--version"], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert "(PostgreSQL)" in done.stdout
