"""Two processes on one PostgreSQL studio at the same moment: the guarantees of one machine hold.

Each side is its own OS process. The move race runs each side's 200 command lines inside
one process (tests/cli/race_driver.py: the console script's entry point, a fresh database
connection per run), since 400 interpreter starts would take minutes; the outbox race runs
the installed `studioflow` console script twice at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from email.utils import make_msgid
from pathlib import Path

import pytest
from mail.smtpd import Inbox, start  # tests/ is on sys.path: its packages import each other

from studioflow.store import open_database
from studioflow.store.models import OutboxMessage
from studioflow.workflow.automations import automation_rules, templates
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.people import clients
from studioflow.workflow.tasks import tasks
from tests.cli.conftest import script_env
from tests.conftest import rows_of

TIMES = 200
PAUSE_MS = 250  # longer than a run: now and then one side moves twice in a row (see race_driver)
MESSAGES = 500
DRIVER = Path(__file__).with_name("race_driver.py")
STAGES = ["Inquiry", "Booked", "Shoot"]
# What a losing side may be told: the move it asked for no longer makes sense, or it waited too long.
EXPECTED_REFUSALS = ("is already at stage", "is at the last stage", "the database is busy", "changed on another")


def shoot_studio(url: str) -> int:
    """A pipeline whose every stage acts on entering (mail, tasks), one that acts on completing,
    and a delayed email taken back on leaving; one job in it. Returns the job's id."""
    db = open_database(url)
    try:
        templates.create_template(db, "Hello", "email", "At {{ stage.name }}", "Hi {{ client.first_name }}.")
        tasks.create_saved_list(db, "Prep", [("Pack the bag", 1)])
        pipelines.create_pipeline(db, "Shoots", STAGES)
        add = automation_rules.add_automation
        add(db, "Shoots", "Inquiry", "enter", "create_tasks", saved_list="Prep")
        add(db, "Shoots", "Booked", "enter", "send_email", template="Hello")
        add(db, "Shoots", "Booked", "enter", "create_tasks", saved_list="Prep")
        add(db, "Shoots", "Booked", "complete", "create_tasks", saved_list="Prep")
        add(db, "Shoots", "Shoot", "enter", "send_email", template="Hello")
        add(db, "Shoots", "Shoot", "enter", "send_email", template="Hello", delay_minutes=60)
        clients.add_client(db, "Ann Race", email="ann@example.com")
        return jobs.add_job(db, "Ann's shoot", "Shoots", client="Ann Race").id
    finally:
        db.close()


def race(tmp_path: Path, *sides: list[str]) -> list[list[tuple[int, str]]]:
    """Run each side's command line TIMES in its own process, all started at once."""
    env = script_env(tmp_path)
    procs = [
        subprocess.Popen(
            [sys.executable, str(DRIVER), str(TIMES), str(PAUSE_MS), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for args in sides
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
    for proc in procs:  # both are imported and waiting: let them go together
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        results.append([(code, said) for code, said in json.loads(out)])
    return results


def assert_one_line_or_nothing(runs: list[tuple[int, str]]) -> None:
    """Every run succeeded quietly or failed with one expected line and exit 1 or 2, never a traceback."""
    for code, said in runs:
        if code == 0:
            assert said == "", said
            continue
        assert code in (1, 2), (code, said)
        assert said.startswith("studioflow: "), said
        assert said.index("\n") == len(said) - 1, said
        assert any(reason in said for reason in EXPECTED_REFUSALS), said


def test_two_clis_advancing_and_moving_back_one_job_keep_one_visit_and_fire_once(
    postgres_url: str, tmp_path: Path
) -> None:
    job = shoot_studio(postgres_url)
    db = ["--db", postgres_url]
    advancing, moving_back = race(
        tmp_path, ["job", "advance", str(job), *db], ["job", "move", str(job), "--to", "Inquiry", *db]
    )
    assert_one_line_or_nothing(advancing)
    assert_one_line_or_nothing(moving_back)
    moves = sum(code == 0 for code, _ in advancing + moving_back)
    assert any(code == 0 for code, _ in advancing)
    assert any(code == 0 for code, _ in moving_back)

    # One active visit, and it is where the job row says the job is.
    [(active_stage, active_count)] = rows_of(
        postgres_url,
        "SELECT stage_id, count(*) FROM stage_visit WHERE job_id = ? AND state = 'active' GROUP BY 1",
        job,
    )
    assert active_count == 1
    assert rows_of(postgres_url, "SELECT stage_id FROM job WHERE id = ?", job) == [(active_stage,)]
    # A visit per successful move, plus the first.
    assert rows_of(postgres_url, "SELECT count(*) FROM stage_visit WHERE job_id = ?", job) == [(moves + 1,)]

    # Every visit fired exactly its stage's automations, each once: those on entering, and those on
    # completing when it was left by an advance (a move back fires nothing on the stage it leaves).
    entering: dict[int, set[int]] = {}
    completing: dict[int, set[int]] = {}
    for automation, stage, trigger in rows_of(postgres_url, "SELECT id, stage_id, trigger FROM automation"):
        (entering if trigger == "enter" else completing).setdefault(stage, set()).add(automation)
    runs = rows_of(postgres_url, "SELECT visit_id, automation_id FROM automation_run")
    assert [pair for pair, n in Counter(runs).items() if n > 1] == []
    fired: dict[int, set[int]] = {}
    for visit, automation in runs:
        fired.setdefault(visit, set()).add(automation)
    for visit, stage, state in rows_of(
        postgres_url, "SELECT id, stage_id, state FROM stage_visit WHERE job_id = ?", job
    ):
        expected = entering.get(stage, set()) | (completing.get(stage, set()) if state == "completed" else set())
        assert fired.get(visit, set()) == expected, (visit, stage, state)

    # One message per (automation, visit) that sends one, and one task per run that makes tasks.
    messages = rows_of(postgres_url, "SELECT automation_id, visit_id FROM outbox_message")
    assert len(messages) == len(set(messages))
    emailing = {a for (a,) in rows_of(postgres_url, "SELECT id FROM automation WHERE action = 'send_email'")}
    assert sorted(messages) == sorted((a, v) for v, a in runs if a in emailing)
    assert rows_of(postgres_url, "SELECT run_id, count(*) FROM task GROUP BY run_id HAVING count(*) > 1") == []
    task_runs = rows_of(postgres_url, "SELECT count(DISTINCT run_id) FROM task")[0][0]
    assert task_runs == sum(1 for _, a in runs if a not in emailing)
    # The delayed email of every Shoot visit the job left was taken back, never two of them waiting.
    waiting = rows_of(
        postgres_url,
        "SELECT count(*) FROM outbox_message m JOIN stage_visit v ON v.id = m.visit_id"
        " WHERE m.send_at > (now() AT TIME ZONE 'UTC') + interval '30 minutes'"
        " AND m.state = 'queued' AND v.state <> 'active'",
    )
    assert waiting == [(0,)]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    received = Inbox()
    server = start(received)
    yield received, server.port
    server.stop()


def test_two_outbox_sends_at_once_send_each_of_500_messages_once(
    postgres_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    received, port = inbox
    db = open_database(postgres_url)
    try:
        with db.write() as session:
            for n in range(MESSAGES):
                session.add(
                    OutboxMessage(
                        idempotency_key=f"race-{n}",
                        to_addr=f"client{n}@example.com",
                        subject=f"Your gallery ({n})",
                        body="Your photos are ready.\n",
                        message_id=make_msgid(idstring=f"race{n}", domain="studio.test"),
                    )
                )
    finally:
        db.close()
    config = tmp_path / "config.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom = "jo@studio.test"\n')
    env = {**script_env(tmp_path), "STUDIOFLOW_CONFIG": str(config)}
    script = Path(sys.executable).with_name("studioflow")
    sends = [
        subprocess.Popen(
            [str(script), "outbox", "send", "--db", postgres_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for _ in range(2)
    ]
    said = [(proc.communicate(timeout=120), proc.returncode) for proc in sends]

    sent = 0
    for (out, err), code in said:
        assert code == 0, err
        assert all(line.startswith("sending to 127.0.0.1") for line in err.splitlines()), err
        if out.endswith(" sent\n"):
            sent += int(out.split()[0])
        else:  # the other one was delivering (or had already sent everything)
            assert out in (
                "another studioflow is delivering the outbox right now; nothing done\n",
                "nothing due to send\n",
            ), out
    assert sent == MESSAGES
    ids = received.message_ids()
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    stored = rows_of(postgres_url, "SELECT message_id, state FROM outbox_message")
    assert sorted(ids) == sorted(message_id for message_id, _ in stored)
    assert {state for _, state in stored} == {"sent"}
