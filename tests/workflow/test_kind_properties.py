"""Random moves, undo and redo over jobs, leads, events and invoices at once: one active visit per
resource and pipeline, a history that only grows or is undone whole, and never two firings on a visit."""

from __future__ import annotations

import sqlite3
import tempfile
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studioflow.errors import StudioflowError
from studioflow.store import Database, open_database
from studioflow.workflow.automations import automation_rules, templates
from studioflow.workflow.jobs import jobs, journal, pipelines, tracking
from studioflow.workflow.money import invoices
from studioflow.workflow.people import clients
from studioflow.workflow.schedule import events
from studioflow.workflow.tasks import tasks

from .conftest import dump_database

STAGES = ("One", "Two", "Three")
# (kind, resource, pipeline): the subjects the random moves pick from.
SUBJECTS = [
    ("jobs", "Job A", "Work"),
    ("clients", "Ada", "Leads"),
    ("clients", "Ada", "Nurture"),  # the same client on a second pipeline of its kind
    ("clients", "Ben", "Leads"),
    ("events", "Shoot", "Prep"),
    ("invoices", "INV-0001", "Follow-up"),
]
VERBS = ("advance", "skip", "move_to", "untrack", "track", "undo", "redo")

ops = st.lists(
    st.tuples(st.sampled_from(VERBS), st.integers(0, len(SUBJECTS) - 1), st.sampled_from(STAGES)), max_size=14
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kinds") / "studioflow.db"
    db = open_database(path)
    with db.write():
        templates.create_template(db, "Hello", "email", "Hi", "{{ client.name }} at {{ stage.name }}")
        tasks.create_saved_list(db, "Do", [("Do it", 1)])
        for kind, name in (("jobs", "Work"), ("clients", "Leads"), ("clients", "Nurture")):
            pipelines.create_pipeline(db, name, STAGES, kind=kind)
        pipelines.create_pipeline(db, "Prep", STAGES, kind="events")
        pipelines.create_pipeline(db, "Follow-up", STAGES, kind="invoices")
        for _, _, pipeline in SUBJECTS[:5]:
            automation_rules.add_automation(db, pipeline, "Two", "enter", "send_email", template="Hello")
            automation_rules.add_automation(db, pipeline, "Three", "enter", "create_tasks", saved_list="Do")
            automation_rules.add_automation(
                db, pipeline, "Three", "enter", "send_email", template="Hello", delay_minutes=60
            )
        automation_rules.add_automation(db, "Follow-up", "Two", "enter", "email_invoice", template="Hello")
        clients.add_client(db, "Ada", email="ada@example.com")
        clients.add_client(db, "Ben", email="ben@example.com")
        job = jobs.add_job(db, "Job A", "Work", client="Ada")
        events.add_event(db, "Shoot", datetime.now(UTC) + timedelta(days=3), job=job.id)
        invoices.add_invoice(db, [("Session", 1, 1000)], client="Ben")
        for kind, name, pipeline in SUBJECTS[1:]:
            tracking.track(db, kind, name, pipeline)
    db.close()
    return path


def perform(db: Database, verb: str, subject: int, stage: str) -> None:
    kind, name, pipeline = SUBJECTS[subject]
    if verb == "undo":
        journal.undo(db)
    elif verb == "redo":
        journal.redo(db)
    elif kind == "jobs":
        if verb in ("track", "untrack"):
            (jobs.unarchive if verb == "track" else jobs.archive)(db, name)
        elif verb == "move_to":
            jobs.move_to(db, name, stage)
        else:
            getattr(jobs, verb)(db, name)
    elif verb == "track":
        tracking.track(db, kind, name, pipeline, stage)
    elif verb == "move_to":
        tracking.move_to(db, kind, name, stage, pipeline)
    else:
        getattr(tracking, verb)(db, kind, name, pipeline)


def check(db: Database) -> None:
    with db.rows() as conn:
        for column in ("client_id", "event_id", "invoice_id"):
            doubled = conn.execute(
                f"SELECT {column}, pipeline_id FROM stage_visit WHERE state = 'active' AND {column} IS NOT NULL "
                f"GROUP BY {column}, pipeline_id HAVING count(*) > 1"
            ).fetchall()
            assert doubled == []
        assert conn.execute(
            "SELECT job_id FROM stage_visit WHERE state = 'active' AND job_id IS NOT NULL "
            "GROUP BY job_id HAVING count(*) > 1"
        ).fetchall() == []
        # Never two firings of one automation on one visit; never two messages from one firing.
        assert conn.execute(
            "SELECT automation_id, visit_id FROM automation_run GROUP BY automation_id, visit_id HAVING count(*) > 1"
        ).fetchall() == []
        assert conn.execute(
            "SELECT idempotency_key FROM outbox_message GROUP BY idempotency_key HAVING count(*) > 1"
        ).fetchall() == []
        live = conn.execute(
            "SELECT count(*) FROM outbox_message WHERE automation_id IS NOT NULL AND state = 'queued'"
            " AND idempotency_key NOT IN (SELECT 'automation-run-' || id FROM automation_run)"
        ).fetchone()
        assert live == (0,)  # a queued message always has its ledger row (undo cancels both together)
        # Each resource's visits on a pipeline: at most the last is active.
        for column in ("client_id", "event_id", "invoice_id"):
            pairs = conn.execute(
                f"SELECT DISTINCT {column}, pipeline_id FROM stage_visit WHERE {column} IS NOT NULL"
            ).fetchall()
            for resource, pipeline in pairs:
                states = [
                    s
                    for (s,) in conn.execute(
                        f"SELECT state FROM stage_visit WHERE {column} = ? AND pipeline_id = ? ORDER BY id",
                        (resource, pipeline),
                    )
                ]
                assert "active" not in states[:-1]


def copy_database(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dest:
        src.backup(dest)


@settings(max_examples=40, deadline=None)
@given(ops=ops)
def test_random_moves_on_mixed_kinds_keep_one_active_visit_and_one_firing_per_visit(
    template: Path, ops: list[tuple[str, int, str]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "studioflow.db"
        copy_database(template, path)
        db = open_database(path)
        try:
            check(db)
            for verb, subject, stage in ops:
                before = dump_database(db)
                try:
                    perform(db, verb, subject, stage)
                except StudioflowError:
                    assert dump_database(db) == before  # a refusal writes nothing
                check(db)
            assert db.health() == []
        finally:
            db.close()
