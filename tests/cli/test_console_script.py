"""The installed `studioflow` console script, in real subprocesses: the exit status a shell sees
(0; 2 with one line on stderr for what the user typed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from studioflow import __version__

from .conftest import Cli, DemoIds, script_env


def test_the_script_runs_a_command_and_prints_json(console: Cli, demo_db: Path, ids: DemoIds) -> None:
    job = ids.jobs["Okafor wedding"]
    moved = console("job", "advance", job, "--db", demo_db, "--json").json()
    assert (moved["id"], moved["stage"]) == (job, "Engagement Session")
    assert console("--version").ok() == f"studioflow {__version__}\n"
    assert console("--help").ok().startswith("Usage: studioflow")


def test_json_is_indented_at_a_terminal_and_one_line_for_a_script(
    console: Cli, demo_db: Path, tmp_path: Path
) -> None:
    piped = console("job", "show", "1", "--db", demo_db, "--json").ok()
    assert piped.count("\n") == 1

    # The same command with a terminal (a pseudo-terminal) as its standard output.
    reader, writer = os.openpty()
    script = Path(sys.executable).parent / "studioflow"
    args = [str(script), "job", "show", "1", "--db", str(demo_db), "--json"]
    with subprocess.Popen(args, stdout=writer, stderr=subprocess.PIPE, env=script_env(tmp_path)) as done:
        os.close(writer)
        chunks = []
        while True:
            try:
                chunk = os.read(reader, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(reader)
    assert done.returncode == 0, done.stderr
    at_terminal = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    assert '\n  "id": 1,\n' in at_terminal
    assert json.loads(at_terminal) == json.loads(piped)


def test_bad_input_and_bad_usage_exit_2_with_one_line(console: Cli, demo_db: Path) -> None:
    for args, said in (
        (("job", "advance", "No such job"), "studioflow: no job 'No such job'"),
        (("frobnicate",), "studioflow: No such command 'frobnicate'."),
        (("job", "add", "--pipeline", "Leads"), "studioflow job add: Missing argument 'TITLE'."),
        (("mileage", "list", "--year", "0"), "'0' is not a year (1 to 9999)"),
    ):
        done = console(*args, "--db", demo_db)
        assert (done.code, done.out) == (2, ""), done
        assert done.err.count("\n") == 1
        assert said in done.err


def test_a_file_where_the_database_folder_goes_is_one_line_and_exit_2(console: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "a-file"
    folder.write_text("not a folder", encoding="utf-8")
    done = console("job", "list", "--db", folder / "studioflow.db")
    assert (done.code, done.out) == (2, "")
    assert done.err.count("\n") == 1
    assert "Traceback" not in done.err
