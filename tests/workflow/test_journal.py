"""Undo and redo: every job service can be taken back exactly, and done again, even after a restart."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studioflow.errors import StudioflowError
from studioflow.store import Database, open_database
from studioflow.workflow.jobs import jobs, journal, pipelines
from studioflow.workflow.people import clients
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import JobView
from tests.conftest import outside
from tests.workflow.conftest import dump_database

Refused = Callable[..., str]
Rows = dict[str, list[tuple[Any, ...]]]

WEDDING = ("Inquiry", "Booked", "Shoot", "Edit", "Deliver")
TAX = ("Intake", "Prepare", "File")


def rows(db: Database) -> Rows:
    """Every row of every table but the journal itself, read through a separate raw connection."""
    dump = dump_database(db)
    return {table: found for table, found in dump.items() if table != "journal_entry"}


def views(db: Database) -> list[JobView]:
    """Every job, archived ones included, with its whole history."""
    return [jobs.get_job(db, j.id) for j in jobs.list_jobs(db, include_archived=True)]


def entries(db: Database) -> list[tuple[int, str, int]]:
    with db.rows() as conn:
        return conn.execute("SELECT id, label, undone FROM journal_entry ORDER BY id").fetchall()


def raw(db: Database, sql: str, *params: Any) -> None:
    with outside(db) as conn:
        conn.execute(sql, params)


def seed(db: Database) -> dict[str, int]:
    """Two pipelines, two clients, a status and four jobs in various states; the journal left empty."""
    with db.write() as session:  # one commit: a file synced at every commit is slow to seed
        pipelines.create_pipeline(db, "Wedding", WEDDING)
        pipelines.create_pipeline(db, "Tax", TAX)
        clients.add_client(db, "Ava Martinez")
        clients.add_client(db, "Ben Okafor")
        clients.add_status(db, "Waiting on documents")
        lee = jobs.add_job(db, "Lee wedding", "Wedding", client="Ava Martinez", due_on=date(2030, 5, 1))
        jobs.advance(db, lee.id)
        kim = jobs.add_job(db, "Kim wedding", "Wedding")
        park = jobs.add_job(db, "Park wedding", "Wedding")
        old = jobs.add_job(db, "Old job", "Tax")
        jobs.set_status(db, park.id, "Waiting on documents")
        jobs.archive(db, old.id)
        journal.forget(session)
    return {"lee": lee.id, "kim": kim.id, "park": park.id, "old": old.id}


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    return seed(db)


SERVICES: dict[str, Callable[[Database, dict[str, int]], object]] = {
    "add_job": lambda db, j: jobs.add_job(db, "New job", "Wedding", client="Ben Okafor", stage="Shoot"),
    "advance": lambda db, j: jobs.advance(db, j["lee"]),
    "skip": lambda db, j: jobs.skip(db, j["kim"]),
    "move_to forward": lambda db, j: jobs.move_to(db, j["lee"], "Deliver"),
    "move_to back": lambda db, j: jobs.move_to(db, j["lee"], "Inquiry"),
    "move_to_pipeline": lambda db, j: jobs.move_to_pipeline(db, j["lee"], "Tax", "Prepare"),
    "set_status": lambda db, j: jobs.set_status(db, j["lee"], "Waiting on documents"),
    "clear status": lambda db, j: jobs.set_status(db, j["park"], None),
    "set_due": lambda db, j: jobs.set_due(db, j["kim"], date(2031, 1, 2)),
    "clear due": lambda db, j: jobs.set_due(db, j["lee"], None),
    "edit_job": lambda db, j: jobs.edit_job(db, j["lee"], "Lee & Sam wedding", "Ben Okafor", date(2030, 6, 1)),
    "reorder up": lambda db, j: jobs.reorder(db, j["kim"], -1),
    "reorder down": lambda db, j: jobs.reorder(db, j["park"], 1),
    "archive": lambda db, j: jobs.archive(db, j["kim"]),
    "unarchive": lambda db, j: jobs.unarchive(db, j["old"]),
}


@pytest.mark.parametrize("service", SERVICES)
def test_undo_gives_back_the_prior_state_and_redo_the_after_state(
    db: Database, ids: dict[str, int], service: str
) -> None:
    before_rows, before_views = rows(db), views(db)
    SERVICES[service](db, ids)
    after_rows, after_views = rows(db), views(db)
    assert after_rows != before_rows

    label = journal.undo(db)
    assert rows(db) == before_rows
    assert views(db) == before_views
    assert [(said, undone) for _, said, undone in entries(db)] == [(label, 1)]

    assert journal.redo(db) == label
    assert rows(db) == after_rows
    assert views(db) == after_views
    assert [(said, undone) for _, said, undone in entries(db)] == [(label, 0)]


def test_reorder_among_equal_positions_undoes_the_room_it_made(db: Database, ids: dict[str, int]) -> None:
    # Tied positions make reorder move other cards of the column: those are part of the step too.
    tied = jobs.add_job(db, "Tied wedding", "Wedding").id
    below = jobs.add_job(db, "Below wedding", "Wedding").id
    raw(db, "UPDATE job SET position = 0 WHERE id IN (?, ?, ?)", ids["kim"], ids["park"], tied)
    raw(db, "UPDATE job SET position = 3 WHERE id = ?", below)
    before = rows(db)
    jobs.reorder(db, ids["kim"], 1)
    after = rows(db)
    assert after["job"] != before["job"]
    journal.undo(db)
    assert rows(db) == before
    journal.redo(db)
    assert rows(db) == after


def test_labels_read_as_sentences(db: Database, ids: dict[str, int]) -> None:
    jobs.reorder(db, ids["park"], 1)
    jobs.advance(db, ids["lee"])
    jobs.archive(db, ids["kim"])
    jobs.set_status(db, ids["lee"], "Waiting on documents")
    jobs.move_to_pipeline(db, ids["lee"], "Tax")
    assert journal.undo(db) == "move 'Lee wedding' to Tax, Intake"
    assert journal.undo(db) == "set the status of 'Lee wedding' to Waiting on documents"
    assert journal.undo(db) == "archive 'Kim wedding'"
    assert journal.undo(db) == "advance 'Lee wedding' to Shoot"
    assert journal.undo(db) == "move 'Park wedding' down"


def test_undos_then_redos_go_last_in_first_out(db: Database, ids: dict[str, int]) -> None:
    states = [rows(db)]
    labels = []
    for service in ("advance", "set_due", "archive", "edit_job", "add_job"):
        SERVICES[service](db, ids)
        states.append(rows(db))
        labels.append(entries(db)[-1][1])
    for step in range(len(labels), 0, -1):
        assert journal.undo(db) == labels[step - 1]
        assert rows(db) == states[step - 1]
    with pytest.raises(StudioflowError, match=r"^nothing to undo$"):
        journal.undo(db)
    for step in range(1, len(labels) + 1):
        assert journal.redo(db) == labels[step - 1]
        assert rows(db) == states[step]
    with pytest.raises(StudioflowError, match=r"^nothing to redo$"):
        journal.redo(db)


def test_a_new_action_after_an_undo_clears_redo(db: Database, ids: dict[str, int], refused: Refused) -> None:
    jobs.advance(db, ids["lee"])
    jobs.set_due(db, ids["kim"], date(2031, 1, 1))
    journal.undo(db)
    jobs.archive(db, ids["park"])
    refused(journal.redo, db, match=r"^nothing to redo$")
    assert journal.undo(db) == "archive 'Park wedding'"
    assert journal.undo(db) == "advance 'Lee wedding' to Shoot"
    assert journal.redo(db) == "advance 'Lee wedding' to Shoot"


def test_undo_survives_reopening_the_database(db: Database, ids: dict[str, int]) -> None:
    before = rows(db)
    jobs.move_to(db, ids["lee"], "Edit")
    after = rows(db)
    db.close()
    reopened = open_database(db.target)
    try:
        assert journal.undo(reopened) == "move 'Lee wedding' to Edit"
        assert rows(reopened) == before
    finally:
        reopened.close()
    again = open_database(db.target)
    try:
        assert journal.redo(again) == "move 'Lee wedding' to Edit"
        assert rows(again) == after
    finally:
        again.close()


def test_undo_of_add_job_removes_it_and_redo_brings_it_back_with_its_id(db: Database, ids: dict[str, int]) -> None:
    new = jobs.add_job(db, "New job", "Wedding", client="Ava Martinez")
    added = jobs.get_job(db, new.id)
    assert journal.undo(db) == "add 'New job' to Inquiry"
    with pytest.raises(StudioflowError, match="no job"):
        jobs.get_job(db, new.id)
    assert journal.redo(db) == "add 'New job' to Inquiry"
    assert jobs.get_job(db, new.id) == added


def test_undo_of_add_job_is_refused_when_the_job_has_tasks(db: Database, ids: dict[str, int], refused: Refused) -> None:
    new = jobs.add_job(db, "New job", "Wedding")
    tasks.add_task(db, "Call back", job=new.id)
    journal.undo(db)  # takes back the task (its own step)
    assert tasks.list_tasks(db) == []
    with outside(db) as conn:  # a task made outside the journal
        conn.execute(
            "INSERT INTO task (title, job_id, priority, notes, position, created_at) "
            "VALUES ('Call back', ?, 0, '', 1, '2026-01-01 00:00:00.000000')",
            (new.id,),
        )
    message = refused(journal.undo, db, match="task")
    assert "New job" in message
    assert [undone for _, _, undone in entries(db)] == [0, 1]  # the job's entry is still to undo


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE job SET updated_at = '2001-01-01 00:00:00.000000' WHERE id = ?",
        "UPDATE job SET position = position + 7 WHERE id = ?",
        "UPDATE stage_visit SET stage_name = 'Elsewhere' WHERE job_id = ?",
        "DELETE FROM stage_visit WHERE job_id = ? AND state = 'completed'",
    ],
)
def test_undo_is_refused_when_the_job_changed_outside_the_journal(
    db: Database, ids: dict[str, int], refused: Refused, change: str
) -> None:
    jobs.advance(db, ids["lee"])
    raw(db, change, ids["lee"])
    message = refused(journal.undo, db, match="changed since")
    assert message.startswith("cannot undo (advance 'Lee wedding' to Shoot): job")


def test_redo_is_refused_when_the_job_changed_after_the_undo(
    db: Database, ids: dict[str, int], refused: Refused
) -> None:
    jobs.archive(db, ids["kim"])
    journal.undo(db)
    raw(db, "UPDATE job SET title = 'Kim & Jo wedding' WHERE id = ?", ids["kim"])
    refused(journal.redo, db, match=r"^cannot redo .*changed since")


def test_redo_of_add_job_is_refused_when_its_id_was_taken(db: Database, ids: dict[str, int], refused: Refused) -> None:
    new = jobs.add_job(db, "New job", "Wedding")
    journal.undo(db)
    raw(
        db,
        "INSERT INTO job (id, title, pipeline_id, stage_id, position, archived, created_at, updated_at)"
        " SELECT ?, 'Squatter', pipeline_id, stage_id, 0, FALSE, created_at, updated_at FROM job WHERE id = ?",
        new.id,
        ids["kim"],
    )
    refused(journal.redo, db, match="changed since")


def test_undo_is_refused_when_a_client_it_needs_was_deleted(
    db: Database, ids: dict[str, int], refused: Refused
) -> None:
    jobs.edit_job(db, ids["lee"], "Lee wedding", "Ben Okafor", None)
    raw(db, "DELETE FROM client WHERE name = 'Ava Martinez'")
    refused(journal.undo, db, match="was deleted since")


def test_failed_services_and_no_op_changes_record_nothing(db: Database, ids: dict[str, int]) -> None:
    with pytest.raises(StudioflowError):
        jobs.move_to(db, ids["lee"], "Booked")
    with pytest.raises(StudioflowError):
        jobs.archive(db, ids["old"])
    assert entries(db) == []


def test_recordings_inside_a_recording_make_one_undo_step(db: Database, ids: dict[str, int]) -> None:
    before = rows(db)
    with db.write() as session, journal.recording(session, "move 2 jobs to Edit"):
        jobs.move_to(db, ids["lee"], "Edit")
        jobs.move_to(db, ids["kim"], "Edit")
    assert [label for _, label, _ in entries(db)] == ["move 2 jobs to Edit"]
    assert journal.undo(db) == "move 2 jobs to Edit"
    assert rows(db) == before


def test_the_journal_keeps_the_newest_500_entries(db: Database, ids: dict[str, int]) -> None:
    # One transaction per batch keeps this quick; each call still records its own entry.
    days = [date(2031, 1, 1 + n % 28) for n in range(510)]
    with db.write():
        for day in days[:10]:
            jobs.set_due(db, ids["kim"], day)
    kept_from = rows(db)
    with db.write():
        for day in days[10:]:
            jobs.set_due(db, ids["kim"], day)
    assert len(entries(db)) == journal.MAX_ENTRIES == 500
    with db.write():
        for _ in range(500):
            journal.undo(db)
        with pytest.raises(StudioflowError, match="nothing to undo"):
            journal.undo(db)
    assert rows(db) == kept_from


def test_demo_data_leaves_nothing_to_undo(db: Database) -> None:
    from studioflow.workflow.files import demo

    demo.write_demo(db)
    assert entries(db) == []


def test_snapshots_round_trip_dates_and_aware_datetimes(db: Database, ids: dict[str, int]) -> None:
    with db.write() as session:
        shot = journal.snapshot(session, [ids["lee"], 999])
        assert shot["999"] is None
        assert shot[str(ids["lee"])]["job"]["due_on"] == "2030-05-01"
        assert shot[str(ids["lee"])]["job"]["updated_at"].endswith("+00:00")
        journal.restore(session, shot)
        assert journal.snapshot(session, [ids["lee"], 999]) == shot


# Random sequences of service calls: undo all gives the first rows back, redo all the last.

DAYS = st.none() | st.dates(date(2030, 1, 1), date(2030, 12, 31))
STAGES = st.sampled_from(WEDDING + TAX)
OPS = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(["Wedding", "Tax"]), st.none() | STAGES),
    st.tuples(st.sampled_from(["advance", "skip", "archive", "unarchive"]), st.integers(0, 9)),
    st.tuples(st.just("move_to"), st.integers(0, 9), STAGES),
    st.tuples(st.just("pipeline"), st.integers(0, 9), st.sampled_from(["Wedding", "Tax"])),
    st.tuples(st.just("status"), st.integers(0, 9), st.none() | st.just("Waiting on documents")),
    st.tuples(st.just("due"), st.integers(0, 9), DAYS),
    st.tuples(st.just("edit"), st.integers(0, 9), st.sampled_from(["A", "B"]), st.none() | st.just("Ben Okafor"), DAYS),
    st.tuples(st.just("reorder"), st.integers(0, 9), st.sampled_from([-1, 1])),
)


def run(db: Database, op: tuple[Any, ...], job_ids: list[int]) -> None:
    name, *args = op
    if name == "add":
        job_ids.append(jobs.add_job(db, "Added", args[0], stage=args[1]).id)
        return
    job = job_ids[args[0] % len(job_ids)]
    calls: dict[str, Callable[[], object]] = {
        "advance": lambda: jobs.advance(db, job),
        "skip": lambda: jobs.skip(db, job),
        "archive": lambda: jobs.archive(db, job),
        "unarchive": lambda: jobs.unarchive(db, job),
        "move_to": lambda: jobs.move_to(db, job, args[1]),
        "pipeline": lambda: jobs.move_to_pipeline(db, job, args[1]),
        "status": lambda: jobs.set_status(db, job, args[1]),
        "due": lambda: jobs.set_due(db, job, args[1]),
        "edit": lambda: jobs.edit_job(db, job, args[1], args[2], args[3]),
        "reorder": lambda: jobs.reorder(db, job, args[1]),
    }
    calls[name]()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(OPS, max_size=25))
def test_random_actions_undo_to_the_start_and_redo_to_the_end(ops: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "studioflow.db")
        try:
            job_ids = list(seed(db).values())
            first = rows(db)
            done = 0
            for op in ops:
                try:
                    run(db, op, job_ids)
                    done += 1
                except StudioflowError:
                    pass  # refused (e.g. advancing past the last stage): nothing recorded
            last = rows(db)
            assert len(entries(db)) == done
            for _ in range(done):
                journal.undo(db)
            assert rows(db) == first
            with pytest.raises(StudioflowError, match="nothing to undo"):
                journal.undo(db)
            for _ in range(done):
                journal.redo(db)
            assert rows(db) == last
            with pytest.raises(StudioflowError, match="nothing to redo"):
                journal.redo(db)
        finally:
            db.close()


# The command line.


def cli(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studioflow", *args, "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_undo_and_redo_print_the_label(db: Database, ids: dict[str, int]) -> None:
    jobs.advance(db, ids["lee"])
    db.close()
    undone = cli(db.target, "undo")
    assert (undone.returncode, undone.stdout, undone.stderr) == (0, "undid: advance 'Lee wedding' to Shoot\n", "")
    assert jobs.get_job(db, ids["lee"]).stage == "Booked"
    redone = cli(db.target, "redo", "--json")
    assert (redone.returncode, redone.stdout, redone.stderr) == (0, "\"redid: advance 'Lee wedding' to Shoot\"\n", "")
    assert jobs.get_job(db, ids["lee"]).stage == "Shoot"


@pytest.mark.parametrize("command", ["undo", "redo"])
def test_cli_with_nothing_to_undo_exits_2_with_one_line(tmp_path: Path, command: str) -> None:
    result = cli(tmp_path / "empty.db", command)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"studioflow: nothing to {command}\n"
