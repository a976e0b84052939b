"""The console script end to end: each test runs `python -m studioflow` in a subprocess.

Bad input must exit 2 with one line on stderr, no traceback and an unchanged database.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from studioflow.store import open_database
from studioflow.workflow.files import demo
from studioflow.workflow.jobs import pipelines
from studioflow.workflow.people import clients
from tests.conftest import dump_studio, rows_at, sqlite_only, studio_state

from .conftest import Cli, DemoIds, Result

Dump = dict[str, list[tuple[Any, ...]]]

DEMO_JOBS = {title: (pipeline, stage, client, status) for title, pipeline, client, stage, status, _, _ in demo.JOBS}
PIPELINE_ORDER = list(demo.PIPELINES)


def dump(path: Path | str) -> Dump:
    """Every row of every table, read with a plain sqlite3 connection (or every row of a PostgreSQL studio)."""
    if not isinstance(path, Path):
        return dump_studio(path)
    with rows_at(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}


def query(path: Path | str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with rows_at(path) as conn:
        return conn.execute(sql, params).fetchall()


def assert_refused(result: Result, match: str | None = None) -> str:
    """Exit 2, exactly one line on stderr, nothing on stdout, no traceback; returns the message."""
    assert result.code == 2, f"{result.args} exited {result.code}\nstdout: {result.out}\nstderr: {result.err}"
    assert "Traceback" not in result.err + result.out
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, f"{result.args} wrote {len(lines)} lines to stderr: {result.err!r}"
    assert lines[0].strip()
    assert result.err.endswith("\n")
    if match is not None:
        assert match.casefold() in lines[0].casefold(), lines[0]
    return lines[0]


def history(job: dict[str, Any]) -> list[tuple[str, str]]:
    return [(visit["stage"], visit["state"]) for visit in job["history"]]


# The done-when flow


def test_demo_writes_jobs_with_stages_then_refuses_a_second_run_unless_forced(
    cli: Cli, studio_target: Path | str
) -> None:
    db = studio_target
    today = date.today()
    assert "25 jobs" in cli("demo", "--db", db).ok()

    listed = cli("job", "list", "--db", db, "--json").json()
    assert len(listed) == 25
    assert {job["title"] for job in listed} == set(DEMO_JOBS)
    for job in listed:
        assert (job["pipeline"], job["stage"], job["client"], job["status"]) == DEMO_JOBS[job["title"]]
        assert isinstance(job["id"], int)
        assert isinstance(job["stage_id"], int)
        assert job["archived"] is False
    # Board order: pipeline by pipeline, and first stage to last within each.
    places = [(PIPELINE_ORDER.index(j["pipeline"]), demo.PIPELINES[j["pipeline"]].index(j["stage"])) for j in listed]
    assert places == sorted(places)
    # Due dates are ISO dates, relative to the day the demo was written.
    due_in = {title: days for title, _, _, _, _, days, _ in demo.JOBS}
    for job in listed:
        if due_in[job["title"]] is None:
            assert job["due_on"] is None
        else:
            offset = date.fromisoformat(job["due_on"]) - today
            assert offset in (timedelta(days=due_in[job["title"]]), timedelta(days=due_in[job["title"]] + 1))

    assert cli("check", "--db", db).ok().strip().endswith(": ok")

    before = dump(db)
    assert_refused(cli("demo", "--db", db), match="--force")
    assert dump(db) == before

    cli("demo", "--force", "--db", db).ok()
    names = [p["name"] for p in cli("pipeline", "list", "--json", "--db", db).json()]
    every = [*PIPELINE_ORDER, *(name for name, *_ in demo.KIND_PIPELINES)]  # jobs', then leads', invoices', events'
    assert names == [*every, *(f"{name} (demo 2)" for name in every)]
    assert query(db, "SELECT count(*) FROM job") == [(50,)]
    assert query(db, "SELECT count(*) FROM job_status") == [(len(demo.STATUSES),)]  # statuses are not doubled
    assert query(db, "SELECT count(*) FROM client") == [(len(demo.CLIENTS),)]  # nor clients


def test_advance_skip_and_move_change_the_stage_and_show_records_the_history(
    cli: Cli, demo_db: Path, ids: DemoIds
) -> None:
    job = ids.jobs["Okafor wedding"]  # at "Contract Sent", reached by two advances
    wedding = "Wedding Photography"

    moved = cli("job", "advance", job, "--json", "--db", demo_db).json()
    assert (moved["id"], moved["pipeline"], moved["stage"]) == (job, wedding, "Engagement Session")
    assert cli("job", "skip", job, "--json", "--db", demo_db).json()["stage"] == "Wedding Day"
    # A forward move over "Editing", by stage name in another case.
    assert cli("job", "move", job, "--to", "DELIVERED", "--json", "--db", demo_db).json()["stage"] == "Delivered"

    before = dump(demo_db)
    assert_refused(cli("job", "advance", job, "--db", demo_db), match="last stage")
    assert dump(demo_db) == before

    # Back again, by stage id.
    back = cli("job", "move", job, "--to", ids.stages[wedding, "Consultation"], "--json", "--db", demo_db).json()
    assert back["stage"] == "Consultation"
    assert back["stage_id"] == ids.stages[wedding, "Consultation"]
    assert query(demo_db, "SELECT stage_id FROM job WHERE id = ?", job) == [(ids.stages[wedding, "Consultation"],)]

    shown = cli("job", "show", job, "--json", "--db", demo_db).json()
    expected = [
        ("Inquiry", "completed"),
        ("Consultation", "completed"),
        ("Contract Sent", "completed"),
        ("Engagement Session", "skipped"),
        ("Wedding Day", "completed"),
        ("Editing", "skipped"),
        ("Delivered", "skipped"),
        ("Consultation", "active"),
    ]
    assert history(shown) == expected
    for visit in shown["history"]:
        entered = datetime.fromisoformat(visit["entered_at"])
        assert entered.tzinfo is not None
        if visit["state"] == "active":
            assert visit["left_at"] is None
        else:
            assert datetime.fromisoformat(visit["left_at"]) >= entered
    assert shown["client"] == "Ben Okafor"
    assert shown["status"] == "Waiting on payment"

    text = cli("job", "show", job, "--db", demo_db).ok()
    assert "Okafor wedding" in text
    assert "Ben Okafor" in text
    lines = text.splitlines()
    assert "history" in lines[-len(expected) - 1]
    for line, (stage, state) in zip(lines[-len(expected) :], expected, strict=True):
        assert line.split()[2:] == [state, *stage.split()]


def test_status_due_pipeline_archive_and_unarchive(cli: Cli, demo_db: Path, ids: DemoIds) -> None:
    job = ids.jobs["Martinez-Lopez wedding"]  # Wedding Photography / Wedding Day, no status

    assert cli("job", "status", job, "waiting ON payment", "--json", "--db", demo_db).json()["status"] == (
        "Waiting on payment"
    )
    by_id = cli("job", "status", job, ids.statuses["Client review"], "--json", "--db", demo_db).json()
    assert by_id["status"] == "Client review"
    assert cli("job", "due", job, "2027-03-01", "--json", "--db", demo_db).json()["due_on"] == "2027-03-01"

    leads = ids.pipelines["Leads"]
    final = ids.stages["Leads", "Send Final Email"]
    moved = cli("job", "pipeline", job, leads, "--stage", final, "--json", "--db", demo_db).json()
    assert (moved["pipeline"], moved["pipeline_id"], moved["stage"]) == ("Leads", leads, "Send Final Email")
    visits = query(demo_db, "SELECT stage_name, state FROM stage_visit WHERE job_id = ? ORDER BY id", job)
    assert visits[-2:] == [("Wedding Day", "completed"), ("Send Final Email", "active")]

    assert cli("job", "archive", job, "--json", "--db", demo_db).json()["archived"] is True
    # Archived jobs are left out of a list, here filtered by names in another case.
    listed = cli("job", "list", "--pipeline", "LEADS", "--stage", "send final email", "--json", "--db", demo_db).json()
    titles = {t for t, (p, s, _, _) in DEMO_JOBS.items() if (p, s) == ("Leads", "Send Final Email")}
    assert titles
    assert {j["title"] for j in listed} == titles
    assert {(j["pipeline"], j["stage"]) for j in listed} == {("Leads", "Send Final Email")}

    back = cli("job", "unarchive", job, "--json", "--db", demo_db).json()
    assert back["archived"] is False
    assert (back["pipeline"], back["stage"], back["status"], back["due_on"]) == (
        "Leads",
        "Send Final Email",
        "Client review",
        "2027-03-01",
    )


def test_names_are_looked_up_case_insensitively_and_ids_work_too(cli: Cli, demo_db: Path, ids: DemoIds) -> None:
    added = cli(
        "job",
        "add",
        "Okafor print order",
        "--pipeline",
        "leads",
        "--client",
        ids.clients["Ben Okafor"],
        "--stage",
        "CALL LEAD AFTER 2 DAYS",
        "--json",
        "--db",
        demo_db,
    ).json()
    assert (added["title"], added["pipeline"], added["stage"], added["client"]) == (
        "Okafor print order",
        "Leads",
        "Call Lead After 2 Days",
        "Ben Okafor",
    )
    assert added["stage_id"] == ids.stages["Leads", "Call Lead After 2 Days"]

    shown = cli("pipeline", "show", "wedding photography", "--json", "--db", demo_db).json()
    assert (shown["id"], shown["name"]) == (ids.pipelines["Wedding Photography"], "Wedding Photography")
    stages = demo.PIPELINES["Wedding Photography"]
    assert [s["name"] for s in shown["stages"]] == stages
    counts = Counter(s for p, s, _, _ in DEMO_JOBS.values() if p == "Wedding Photography")
    assert [s["job_count"] for s in shown["stages"]] == [counts[name] for name in stages]
    assert [s["id"] for s in shown["stages"]] == [ids.stages["Wedding Photography", name] for name in stages]


def test_names_outside_ascii_are_looked_up_case_insensitively(cli: Cli, tmp_path: Path) -> None:
    db_path = tmp_path / "accents.db"
    db = open_database(db_path)
    try:
        pipelines.create_pipeline(db, "Équipe", ["Über", "Ärger"])
        clients.add_client(db, "Zoë")
    finally:
        db.close()
    added = cli(
        "job", "add", "Été", "--pipeline", "équipe", "--stage", "über", "--client", "ZOË", "--json", "--db", db_path
    )
    assert added.code == 0, added.err
    assert (added.json()["pipeline"], added.json()["stage"], added.json()["client"]) == ("Équipe", "Über", "Zoë")


def test_pipeline_client_and_job_commands_on_a_new_database(cli: Cli, studio_target: Path | str) -> None:
    db = studio_target
    made = cli("pipeline", "add", "Studio", "--stage", "Plan", "--stage", "Shoot", "--stage", "Deliver", "--db", db)
    lines = made.ok().splitlines()  # printed like `pipeline show`: a title, then a table of stages
    assert lines[0] == "pipeline 1 Studio"
    assert [line.split()[1] for line in lines[2:]] == ["Plan", "Shoot", "Deliver"]

    client = cli(
        "client", "add", "Dana Ray", "--email", "dana@example.com", "--phone", "+1 555 0199", "--json", "--db", db
    )
    assert {k: client.json()[k] for k in ("name", "email", "phone")} == {
        "name": "Dana Ray",
        "email": "dana@example.com",
        "phone": "+1 555 0199",
    }

    job = cli(
        "job",
        "add",
        "Dana portraits",
        "--pipeline",
        "studio",
        "--client",
        "DANA RAY",
        "--due",
        "2026-05-01",
        "--json",
        "--db",
        db,
    ).json()
    assert (job["pipeline"], job["stage"], job["client"], job["due_on"]) == ("Studio", "Plan", "Dana Ray", "2026-05-01")

    text = cli("client", "list", "--db", db).ok()
    assert "Dana Ray" in text
    assert "dana@example.com" in text
    text = cli("job", "list", "--db", db).ok()
    row = next(line for line in text.splitlines() if "Dana portraits" in line)
    for cell in ("Studio", "Plan", "Dana Ray", "2026-05-01"):
        assert cell in row


def test_task_add_done_list_and_reopen(cli: Cli, demo_db: Path, ids: DemoIds) -> None:
    open_before = query(demo_db, "SELECT count(*) FROM task WHERE done_at IS NULL")[0][0]
    total_before = query(demo_db, "SELECT count(*) FROM task")[0][0]

    for_job = cli(
        "task",
        "add",
        "Pack spare batteries",
        "--job",
        ids.jobs["Okafor wedding"],
        "--due",
        "2026-05-01",
        "--json",
        "--db",
        demo_db,
    ).json()
    assert (for_job["job"], for_job["due_on"], for_job["done"]) == ("Okafor wedding", "2026-05-01", False)
    for_project = cli("task", "add", "File receipts", "--project", "studio ADMIN", "--json", "--db", demo_db).json()
    assert (for_project["project"], for_project["job"]) == ("Studio admin", None)

    done = cli("task", "done", for_job["id"], "--json", "--db", demo_db).json()
    assert done["done"] is True
    assert datetime.fromisoformat(done["done_at"]).tzinfo is not None

    open_tasks = cli("task", "list", "--json", "--db", demo_db).json()
    assert len(open_tasks) == open_before + 1
    assert for_project["id"] in {t["id"] for t in open_tasks}
    assert for_job["id"] not in {t["id"] for t in open_tasks}
    assert not any(t["done"] for t in open_tasks)

    every = cli("task", "list", "--all", "--json", "--db", demo_db).json()
    assert len(every) == total_before + 2
    assert {t["id"]: t["done"] for t in every}[for_job["id"]] is True

    reopened = cli("task", "reopen", for_job["id"], "--json", "--db", demo_db).json()
    assert (reopened["done"], reopened["done_at"]) == (False, None)


# Choosing the database


def test_db_before_the_subcommand_wins_over_the_environment(cli: Cli, demo_db: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    listed = cli("--db", demo_db, "job", "list", "--json", env={"STUDIOFLOW_DB": str(elsewhere)}).json()
    assert {j["title"] for j in listed} == set(DEMO_JOBS)
    assert not elsewhere.exists()


def test_studioflow_db_selects_the_database(cli: Cli, demo_db: Path, tmp_path: Path) -> None:
    listed = cli("job", "list", "--json", env={"STUDIOFLOW_DB": str(demo_db)}).json()
    assert {j["title"] for j in listed} == set(DEMO_JOBS)
    assert not (tmp_path / "xdg-data").exists()  # the default database was not made


# Bad input: exit 2, one line, nothing written


BAD_INPUT = {
    "unknown job title": (("job", "advance", "No such job"), "No such job"),
    "empty pipeline name": (("pipeline", "add", "   ", "--stage", "A"), "empty"),
    "unknown stage": (("job", "move", "Okafor wedding", "--to", "Nope"), "Nope"),
    "unknown status": (("job", "status", "Okafor wedding", "Nope"), "Nope"),
    "unknown client": (("job", "add", "X", "--pipeline", "Leads", "--client", "Nobody"), "Nobody"),
}


@pytest.mark.parametrize(("args", "match"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    cli: Cli, demo_db: Path, args: tuple[str, ...], match: str
) -> None:
    before = dump(demo_db)
    assert_refused(cli(*args, "--db", demo_db), match=match)
    assert dump(demo_db) == before


USAGE_ERRORS = {
    "missing required argument": (("job", "add", "--pipeline", "Leads"), "title"),
    "impossible date": (("task", "add", "Call", "--due", "2026-13-40"), "2026-13-40"),
    "unknown subcommand": (("frobnicate",), "frobnicate"),
}


@pytest.mark.parametrize(("args", "match"), USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_usage_errors_exit_2_with_one_line(cli: Cli, demo_db: Path, args: tuple[str, ...], match: str) -> None:
    before = dump(demo_db)
    assert_refused(cli(*args, "--db", demo_db), match=match)
    assert dump(demo_db) == before


# Files that are not (healthy) studioflow databases


def files_beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


@pytest.mark.parametrize(
    ("content", "args"),
    [
        (b"pipelines:\n  - Wedding\nnot a database at all\n", ("demo",)),
        (random.Random(7).randbytes(8192), ("job", "add", "X", "--pipeline", "Leads")),
    ],
    ids=["text file", "random bytes"],
)
def test_a_file_that_is_not_sqlite_is_refused_and_left_byte_identical(
    cli: Cli, tmp_path: Path, content: bytes, args: tuple[str, ...]
) -> None:
    target = tmp_path / "data" / "notes.db"
    target.parent.mkdir()
    target.write_bytes(content)
    stamp = target.stat().st_mtime_ns
    assert_refused(cli(*args, "--db", target), match="not a studioflow database")
    assert target.read_bytes() == content
    assert target.stat().st_mtime_ns == stamp
    assert files_beside(target) == ["notes.db"]


def damage_page(path: Path, page: int, end: int | None = None) -> None:
    """Overwrite pages `page` .. `end` (1-based, default just `page`) with junk."""
    with rows_at(path) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    start, stop = (page - 1) * size, (end or page) * size
    data[start:stop] = b"\xa5" * (min(stop, len(data)) - start)
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged_job_table(demo_db: Path) -> Path:
    """The demo database with the root page of the `job` table overwritten (the header is intact)."""
    (root,) = query(demo_db, "SELECT rootpage FROM sqlite_master WHERE name = 'job'")[0]
    damage_page(demo_db, root)
    return demo_db


@sqlite_only  # a page of an SQLite file, damaged by hand
def test_a_damaged_database_is_refused_with_exit_2(cli: Cli, damaged_job_table: Path) -> None:
    content = damaged_job_table.read_bytes()
    assert_refused(cli("job", "list", "--json", "--db", damaged_job_table))
    assert damaged_job_table.read_bytes() == content


@sqlite_only  # a page of an SQLite file, damaged by hand
def test_check_reports_a_damaged_database(cli: Cli, damaged_job_table: Path) -> None:
    content = damaged_job_table.read_bytes()
    assert_refused(cli("check", "--db", damaged_job_table), match="damaged")
    assert damaged_job_table.read_bytes() == content


@sqlite_only  # a page of an SQLite file, damaged by hand
def test_a_database_damaged_past_its_first_page_is_refused_without_leaving_files(cli: Cli, demo_db: Path) -> None:
    pages = demo_db.stat().st_size // query(demo_db, "PRAGMA page_size")[0][0]
    damage_page(demo_db, 2, pages)
    content = studio_state(demo_db)
    before = files_beside(demo_db)
    assert_refused(cli("job", "list", "--db", demo_db))
    assert studio_state(demo_db) == content
    assert files_beside(demo_db) == before  # no -wal / -shm left next to the damaged file
