"""Shell completion: `studioflow completion SHELL` prints the script, and the script completes
commands, options and names from the database (--db, $STUDIOFLOW_DB or the default)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from studioflow.store.db import APPLICATION_ID
from studioflow.workflow.files import demo
from tests.conftest import rows_at

from .conftest import Cli, DemoIds

SCHEMAS = Path(__file__).parents[1] / "store" / "schemas"
WEDDING_STAGES = demo.PIPELINES["Wedding Photography"]


def escaped(name: str) -> str:
    """A name as bash inserts it: one word, its spaces escaped."""
    return name.replace(" ", "\\ ")


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bash script as the installed console script prints it."""
    script = tmp_path_factory.mktemp("completion") / "studioflow.bash"
    done = subprocess.run(
        [Path(sys.executable).parent / "studioflow", "completion", "bash"],
        capture_output=True,
        text=True,
        check=True,
    )
    script.write_text(done.stdout, encoding="utf-8")
    return script


def tab(script: Path, *words: str, env: dict[str, str] | None = None) -> list[str]:
    """What bash offers for the last of `words` (the word being typed): the sourced script's function
    is called as bash calls it, and asks `studioflow` through $_STUDIOFLOW_COMPLETE."""
    line = " ".join(f"'{word}'" for word in ("studioflow", *words))
    program = "\n".join(
        [
            f"source {script}",
            f"COMP_WORDS=({line})",
            f"COMP_CWORD={len(words)}",
            "_studioflow_completion studioflow",
            'printf "%s\\n" "${COMPREPLY[@]}"',
        ]
    )
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # the venv's studioflow first
    base = {k: v for k, v in os.environ.items() if k != "STUDIOFLOW_DB"}
    done = subprocess.run(
        [shutil.which("bash") or "bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        env={**base, "PATH": path, **(env or {})},
        timeout=60,
        check=True,
    )
    assert done.stderr == ""
    return [word for word in done.stdout.splitlines() if word]  # printf prints one empty line for none


def test_bash_completes_job_ids_then_the_stages_of_that_jobs_pipeline(
    bash_script: Path, demo_db: Path, ids: DemoIds
) -> None:
    env = {"STUDIOFLOW_DB": str(demo_db)}
    assert sorted(map(int, tab(bash_script, "job", "move", "", env=env))) == sorted(ids.jobs.values())
    job = str(ids.jobs["Okafor wedding"])
    # Names with spaces come escaped, so the shell reads back one word.
    assert tab(bash_script, "job", "move", job, "--to", "", env=env) == [escaped(s) for s in WEDDING_STAGES]
    assert tab(bash_script, "job", "move", job, "--to", "wed", env=env) == ["Wedding\\ Day"]
    # Another job, another pipeline's stages; the option may come before the job too.
    rossi = str(ids.jobs["Rossi 1040 (2025)"])
    stages = [escaped(s) for s in demo.PIPELINES["1040 Tax Return"]]
    assert tab(bash_script, "job", "move", rossi, "--to", "", env=env) == stages


def test_bash_reads_the_database_given_with_db(bash_script: Path, demo_db: Path) -> None:
    pipelines = [*demo.PIPELINES, *(name for name, *_ in demo.KIND_PIPELINES)]
    offered = tab(bash_script, "--db", str(demo_db), "job", "add", "X", "--pipeline", "")
    assert offered == [escaped(name) for name in pipelines]
    assert tab(bash_script, "client", "show", "--db", str(demo_db), "ben") == ["Ben\\ Okafor"]


def test_bash_completes_commands_and_options_and_never_makes_a_database(bash_script: Path, tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    env = {"STUDIOFLOW_DB": str(missing), "XDG_DATA_HOME": str(tmp_path / "data")}
    assert tab(bash_script, "jo", env=env) == ["job", "jobclient"]
    options = tab(bash_script, "job", "move", "1", "--", env=env)
    assert {"--to", "--dry-run", "--no-automations", "--db", "--json"} <= set(options)
    assert tab(bash_script, "job", "move", "", env=env) == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("shell", "marks"),
    [
        ("bash", ["complete -o nosort -F _studioflow_completion studioflow", "_STUDIOFLOW_COMPLETE=bash_complete"]),
        ("zsh", ["#compdef studioflow", "_STUDIOFLOW_COMPLETE=zsh_complete"]),
        ("fish", ["complete --no-files --command studioflow", "_STUDIOFLOW_COMPLETE=fish_complete"]),
    ],
)
def test_completion_prints_each_shells_script(cli: Cli, shell: str, marks: list[str], tmp_path: Path) -> None:
    script = cli("completion", shell).ok()
    for mark in marks:
        assert mark in script
    assert list(tmp_path.iterdir()) == []  # printing a script opens no database


def test_zsh_and_fish_get_names_with_their_help(cli: Cli, demo_db: Path, ids: DemoIds) -> None:
    job = ids.jobs["Okafor wedding"]
    env = {"STUDIOFLOW_DB": str(demo_db), "_STUDIOFLOW_COMPLETE": "zsh_complete"}
    zsh = cli(env={**env, "COMP_WORDS": "studioflow job move ", "COMP_CWORD": "3"}).ok().splitlines()
    assert ["plain", str(job), "Okafor wedding"] in [zsh[i : i + 3] for i in range(0, len(zsh), 3)]
    env["_STUDIOFLOW_COMPLETE"] = "fish_complete"
    fish = cli(env={**env, "COMP_WORDS": f"studioflow job move {job} --to Con", "COMP_CWORD": "Con"}).ok()
    assert fish.splitlines() == ["plain,Consultation\tWedding Photography", "plain,Contract Sent\tWedding Photography"]


def test_an_unknown_shell_is_a_usage_error(cli: Cli) -> None:
    done = cli("completion", "tcsh")
    assert done.code == 2
    assert done.err.count("\n") == 1
    assert "invalid choice: 'tcsh'" in done.err


def test_a_tab_never_migrates_an_older_file(bash_script: Path, tmp_path: Path) -> None:
    """Completing reads only a file at this schema: an older one is left exactly as it was
    (no migration, no backup beside it), and nothing is offered from it."""
    old = tmp_path / "old.db"
    with rows_at(old) as conn:
        conn.executescript((SCHEMAS / "v4.sql").read_text())
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute("PRAGMA user_version=4")
    before = old.read_bytes()
    assert tab(bash_script, "--db", str(old), "job", "add", "X", "--pipeline", "") == []
    assert old.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.db"]
