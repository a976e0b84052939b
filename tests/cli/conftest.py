"""CLI fixtures: run the command line in process (or, for a few tests, the console script in a
subprocess), and a demo database made once per worker.

The demo data is written once, in-process through the real services, and each test gets a
byte copy of that file.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from postgres import PostgresServer

from studioflow.cli import studioflow


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def json(self) -> Any:
        """The parsed stdout of a successful `--json` run."""
        assert self.code == 0, f"{self.args} exited {self.code}: {self.err}"
        assert self.err == "", self.err
        return json.loads(self.out)

    def ok(self) -> str:
        assert self.code == 0, f"{self.args} exited {self.code}: {self.err}"
        assert self.err == "", self.err
        return self.out


Cli = Callable[..., Result]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`cli(*args, env={...})`: run the command line in this process (click's CliRunner), with cwd
    and the default data dir in tmp_path: the same error boundary as the console script."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str | Path | int, env: dict[str, str] | None = None) -> Result:
        argv = tuple(str(a) for a in args)
        done = runner.invoke(studioflow, argv, env={**_isolated(tmp_path), **(env or {})}, catch_exceptions=False)
        return Result(argv, done.exit_code, done.stdout, done.stderr)

    return run


@pytest.fixture
def console(tmp_path: Path) -> Cli:
    """`console(*args, env={...})`: run the installed `studioflow` console script in a subprocess
    (about a second each: kept for the few tests of exit codes and the script itself)."""
    script = Path(sys.executable).parent / "studioflow"
    base = script_env(tmp_path)

    def run(*args: str | Path | int, env: dict[str, str] | None = None) -> Result:
        argv = tuple(str(a) for a in args)
        done = subprocess.run(
            [str(script), *argv],
            capture_output=True,
            encoding="utf-8",
            env={**base, **(env or {})},
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        return Result(argv, done.returncode, done.stdout, done.stderr)

    return run


ISOLATED = ("STUDIOFLOW_DB", "STUDIOFLOW_DEBUG", "STUDIOFLOW_CONFIG")


def script_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a command run in a subprocess: this one's, without the user's database or config."""
    base = {k: v for k, v in os.environ.items() if k not in ISOLATED}
    base["PYTHONIOENCODING"] = "utf-8"
    return {**base, **{k: v for k, v in _isolated(tmp_path).items() if v is not None}}


def _isolated(tmp_path: Path) -> dict[str, str | None]:
    """The environment of a test's command: no database or config of the user's (None unsets)."""
    return {
        **dict.fromkeys(ISOLATED),
        # Where the default database would go: a test that forgets --db must not touch the real one.
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        # Nor may the user's own config.toml change what a test sees.
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
    }


@pytest.fixture
def demo_db(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """A private copy of the demo studio, on each engine in turn: a byte copy of the demo file, or a
    PostgreSQL database copied from the worker's demo database."""
    if engine == "sqlite":
        path = tmp_path / "studioflow.db"
        shutil.copyfile(request.getfixturevalue("demo_template"), path)
        yield path
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.database(template=request.getfixturevalue("demo_template_postgres")) as url:
        yield url


@dataclass(frozen=True)
class DemoIds:
    jobs: dict[str, int]
    pipelines: dict[str, int]
    stages: dict[tuple[str, str], int]
    statuses: dict[str, int]
    clients: dict[str, int]


@pytest.fixture(scope="session")
def ids(demo_template: Path) -> DemoIds:
    """Ids of the demo rows by name, read straight from the file."""
    with closing(sqlite3.connect(demo_template)) as conn:
        return DemoIds(
            jobs=dict(conn.execute("SELECT title, id FROM job")),
            pipelines=dict(conn.execute("SELECT name, id FROM pipeline")),
            stages={
                (p, s): i
                for p, s, i in conn.execute(
                    "SELECT pipeline.name, stage.name, stage.id FROM stage JOIN pipeline ON pipeline.id = pipeline_id"
                )
            },
            statuses=dict(conn.execute("SELECT name, id FROM job_status")),
            clients=dict(conn.execute("SELECT name, id FROM client")),
        )
