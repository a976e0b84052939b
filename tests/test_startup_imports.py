"""Start-up loads nothing the first frame or a read command does not need.

Each check is a fresh process, as a user's launch is: what a test process has already
imported would hide a heavy import.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studioflow.store import Database
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.tasks import tasks

# The ORM, templates, mail address checks, calendars, the job page's Markdown and PostgreSQL's driver.
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "jinja2", "markdown_it", "pygments", "email_validator", "icalendar")
HEAVY += ("psycopg",)
# What only a PostgreSQL studio needs, which a SQLite studio's writes do without.
POSTGRESQL = ("psycopg", "sqlalchemy.dialects.postgresql")

BOARD = """
import json, sys
from textual.app import App
from studioflow import cli
from studioflow.widgets.board.column import CardColumn

HEAVY = {heavy!r}
found = {{}}
draw = CardColumn.render_line

def render_line(self, y):
    strip = draw(self, y)
    if not found and self.count and strip.text.strip():
        found["loaded"] = [name for name in HEAVY if name in sys.modules]
        found["card"] = strip.text.strip()
        self.app.exit()
    return strip

CardColumn.render_line = render_line
run = App.run
App.run = lambda self, **_: run(self, headless=True, size=(120, 30))
cli.main(["--db", {db!r}])
sys.__stderr__.write("\\n" + json.dumps(found) + "\\n")
"""

COMMAND = """
import json, runpy, sys
sys.argv = ["studioflow", *{argv!r}]
try:
    runpy.run_module("studioflow", run_name="__main__")
except SystemExit as exit:
    code = exit.code
sys.stdout.flush()
sys.__stderr__.write("\\n" + json.dumps({{"code": code, "loaded": [m for m in {heavy!r} if m in sys.modules]}}) + "\\n")
"""


def _run(script: str, tmp_path: Path) -> dict[str, object]:
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none", "STUDIOFLOW_CONFIG": str(tmp_path / "config.toml")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    return json.loads(out.stderr.strip().splitlines()[-1])  # the script's last word, on stderr


@pytest.fixture
def board_db(db: Database) -> Path:
    pipeline = pipelines.create_pipeline(db, "Weddings", ["Enquiry", "Booked"])
    job = jobs.add_job(db, "Smith wedding", pipeline.id)
    tasks.add_task(db, "Call the venue", job=job.id)
    return db.path


def test_the_boards_first_frame_loads_no_orm_templates_markdown_or_click(board_db: Path, tmp_path: Path) -> None:
    found = _run(BOARD.format(heavy=(*HEAVY, "click"), db=str(board_db)), tmp_path)
    assert found["card"] == "Smith wedding"  # the frame measured is one with a card drawn
    assert found["loaded"] == []


@pytest.mark.parametrize("db", ["\udcff", "a file/studio.db"], ids=["undecodable", "under a file"])
def test_the_boards_own_launch_says_a_bad_db_in_one_line_as_click_would(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`studioflow --db X` is read without click; `--db=X` goes through click: the same one line."""
    from studioflow.cli import main

    (tmp_path / "a file").write_text("not a folder")
    path = db if db == "\udcff" else str(tmp_path / db)
    assert main(["--db", path]) == 2
    fast = capsys.readouterr().err
    assert main([f"--db={path}"]) == 2
    assert capsys.readouterr().err == fast
    assert fast.count("\n") == 1
    assert fast.startswith("studioflow: ")


@pytest.mark.parametrize(
    "argv", [["--help"], ["task", "list"], ["job", "list"], ["job", "list", "--json"]], ids=" ".join
)
def test_a_read_command_loads_no_orm(argv: list[str], board_db: Path, tmp_path: Path) -> None:
    found = _run(COMMAND.format(argv=[*argv, "--db", str(board_db)], heavy=HEAVY), tmp_path)
    assert found["code"] in (0, None)
    assert found["loaded"] == []


def test_the_check_sees_a_heavy_import(board_db: Path, tmp_path: Path) -> None:
    """The check itself can fail: a write command does load the ORM."""
    found = _run(COMMAND.format(argv=["task", "done", "1", "--db", str(board_db)], heavy=HEAVY), tmp_path)
    assert found["code"] in (0, None)
    assert "sqlalchemy" in found["loaded"]  # type: ignore[operator]


def test_a_sqlite_studios_writes_load_nothing_of_postgresql(board_db: Path, tmp_path: Path) -> None:
    argv = ["job", "advance", "1", "--db", str(board_db)]
    found = _run(COMMAND.format(argv=argv, heavy=HEAVY + POSTGRESQL), tmp_path)
    assert found["code"] in (0, None)
    assert "sqlalchemy" in found["loaded"]  # type: ignore[operator]  (so the list is the write path's)
    assert not set(POSTGRESQL) & set(found["loaded"])  # type: ignore[call-overload]


COLLECTOR = """
import gc, json, runpy, sys
sys.argv = ["studioflow", *{argv!r}]
from studioflow.workflow.board import reads
seen = {{}}
list_tasks = reads.list_tasks
def watched(*args, **kwargs):
    seen.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count())
    return list_tasks(*args, **kwargs)
reads.list_tasks = watched
try:
    runpy.run_module("studioflow", run_name="__main__")
except SystemExit:
    pass
sys.__stderr__.write("\\n" + json.dumps(seen) + "\\n")
"""


def test_the_process_entry_pauses_the_collector_only_while_loading(board_db: Path, tmp_path: Path) -> None:
    """While the command runs, garbage is collected as usual, and what was loaded is frozen out of it."""
    seen = _run(COLLECTOR.format(argv=["task", "list", "--all", "--db", str(board_db)]), tmp_path)
    assert seen["enabled"] is True
    assert seen["frozen"] > 10_000  # type: ignore[operator]


def test_a_process_calling_the_cli_itself_keeps_its_collector(board_db: Path) -> None:
    from studioflow.cli import main

    frozen = gc.get_freeze_count()
    assert main(["task", "list", "--db", str(board_db)]) == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
