"""`Database.changes()`: a commit by another connection (another machine) is seen within a
second, what it changed is said where the engine can tell, and nothing is reported when
nothing changed. A second `open_database(db.target)` plays the other machine."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from studioflow.store import Database, open_database
from studioflow.store.changes import KINDS, Changes, kinds_written
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.tasks import tasks
from tests.conftest import outside

SEEN_WITHIN = 1.5  # seconds


@pytest.fixture
def other(any_db: Database) -> Iterator[Database]:
    """The other machine: the same studio, opened again."""
    database = open_database(any_db.target)
    yield database
    database.close()


@pytest.fixture
def watcher(any_db: Database) -> Iterator[Changes]:
    watching = any_db.changes()
    yield watching
    watching.close()


def seen(watcher: Changes) -> tuple[set[str] | None, float]:
    """What the watcher reports within SEEN_WITHIN, and after how long."""
    started = time.monotonic()
    changed = watcher.wait(SEEN_WITHIN)
    return changed, time.monotonic() - started


def test_a_move_on_the_other_machine_is_seen_within_a_second(
    any_db: Database, other: Database, watcher: Changes
) -> None:
    pipeline = pipelines.create_pipeline(other, "Weddings", ["Enquiry", "Booked"])
    job = jobs.add_job(other, "Smith wedding", pipeline.id)
    watcher.wait(SEEN_WITHIN)  # the set-up itself
    assert watcher.wait(0.5) is None

    jobs.advance(other, job.id)
    changed, after = seen(watcher)

    assert changed is not None
    assert "jobs" in changed
    assert after < 1.0
    if any_db.engine_name == "postgresql":  # the server is told what changed; a file only that it did
        assert "tasks" not in changed


def test_a_check_off_says_tasks(any_db: Database, other: Database, watcher: Changes) -> None:
    task = tasks.add_task(other, "Call the venue")
    watcher.wait(SEEN_WITHIN)

    tasks.toggle_task(other, task.id)
    changed, _ = seen(watcher)

    assert changed is not None
    assert "tasks" in changed
    if any_db.engine_name == "postgresql":
        assert "jobs" not in changed  # the board has nothing to re-read


def test_nothing_changed_reports_nothing(other: Database, watcher: Changes) -> None:
    tasks.list_saved_lists(other)  # reads tell nobody
    started = time.monotonic()
    assert watcher.wait(0.8) is None
    assert time.monotonic() - started >= 0.75  # it waited, rather than returning at once


def test_a_rolled_back_write_reports_nothing(other: Database, watcher: Changes) -> None:
    with other.dry_run():  # written, then taken back: nobody else ever saw it
        tasks.add_task(other, "Only rehearsed")
    assert watcher.wait(0.8) is None


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)  # a file cannot tell who wrote it
def test_postgres_does_not_report_its_own_writes_back(any_db: Database, watcher: Changes, other: Database) -> None:
    tasks.add_task(any_db, "Mine")
    assert watcher.wait(0.8) is None
    tasks.add_task(other, "Theirs")
    changed = watcher.wait(SEEN_WITHIN)
    assert changed is not None
    assert "tasks" in changed


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_lost_listener_comes_back_and_reports_everything(any_db: Database, other: Database, watcher: Changes) -> None:
    with outside(any_db) as conn:  # the server restarted, a network cut: the listener's connection ends
        ended = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    assert ended == 1
    reported = [watcher.wait(0.3) for _ in range(5)]
    assert set(KINDS) in reported  # back: what was missed meanwhile cannot be told, so everything is
    tasks.add_task(other, "After the cut")
    changed = watcher.wait(SEEN_WITHIN)
    assert changed is not None
    assert "tasks" in changed


def test_the_kinds_a_statement_writes() -> None:
    assert kinds_written('UPDATE "task" SET done_at = ? WHERE id = ?') == {"tasks"}
    assert kinds_written("INSERT INTO stage_visit (job_id) VALUES (?)") == {"jobs"}
    assert kinds_written("delete from outbox_message where id = ?") == {"outbox"}
    assert kinds_written("INSERT INTO journal_entry (label) VALUES (?)") == {"other"}
    assert kinds_written("SELECT pg_advisory_xact_lock(1)") == set()
    assert kinds_written("WITH moved AS (SELECT 1) UPDATE job SET title = ''") == KINDS  # not plain: everything
