"""Killing delivery at random moments loses nothing and sends nothing twice.

A child process (`studioflow outbox send`) delivers 200 messages to a real SMTP
server and is killed with SIGKILL again and again; then delivery runs to the end.
Every message must be `sent` and received exactly once, or `held` and received at
most once (the server took it, but the child died before writing that down). Then
undo, redo and moves of jobs whose messages are held are killed the same way: a held
message is never sent again, nor a second copy queued.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from studioflow.store import Database
from studioflow.store.models import OutboxMessage
from studioflow.workflow.automations import automation_rules, templates
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.people import clients

from .conftest import Queue, Server
from .smtpd import Inbox

MESSAGES = 200
KILLS = 8


def test_sigkill_at_random_moments_loses_nothing_and_sends_nothing_twice(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path
) -> None:
    inbox, port = smtp_server(Inbox(data_delay=0.004))  # long enough for kills to land mid-send
    queue(MESSAGES)
    config = tmp_path / "smtp.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom = "jo@studio.test"\n')
    env = {**os.environ, "STUDIOFLOW_CONFIG": str(config)}
    command = [sys.executable, "-m", "studioflow", "--db", str(db.path), "outbox", "send"]
    seed = random.randrange(2**32)
    chance = random.Random(seed)
    progress = []

    for _ in range(KILLS):
        before = len(inbox.received)
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Past the child's imports (about a second): kill it once delivery is under way.
        deadline = time.monotonic() + 20
        while len(inbox.received) == before and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(chance.uniform(0, 0.25))
        child.send_signal(signal.SIGKILL)
        child.wait()
        progress.append(len(inbox.received))
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr

    with db.read() as session:
        messages = session.exec(select(OutboxMessage)).all()
    received = Counter(inbox.message_ids())
    states = Counter(m.state for m in messages)
    context = f"seed {seed}, received after each kill {progress}, states {dict(states)}"
    assert len(messages) == MESSAGES
    assert set(states) <= {"sent", "held"}, context
    assert max(received.values()) == 1, f"a message was received twice; {context}"
    for message in messages:
        times = received[message.message_id]
        assert times == 1 if message.state == "sent" else times <= 1, f"message {message.id}: {context}"
    # The kills did land while delivery was under way, not only before or after it.
    assert len({p for p in progress if 0 < p < MESSAGES}) >= KILLS // 2, context


JOBS = 3
UNDO_KILLS = 6


def test_sigkill_during_undo_redo_and_moves_of_held_messages_sends_nothing_twice(
    db: Database, smtp_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every job's email reaches the server, but its "250" comes after the client gave up: held.
    inbox, port = smtp_server(Inbox(reply_delay=2.5))
    config = tmp_path / "smtp.toml"
    config.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom = "jo@studio.test"\ntimeout = 1\n'
        "[outbox]\nsend_delay_seconds = 0\n"  # due at once, whatever the default delay
    )
    monkeypatch.setenv("STUDIOFLOW_CONFIG", str(config))  # for the moves made here, in process
    env = {**os.environ, "STUDIOFLOW_CONFIG": str(config)}
    pipelines.create_pipeline(db, "Shoots", ["Inquiry", "Booked"])
    templates.create_template(db, "Booked", "email", "Booked, {{ client.first_name }}", "See you soon.")
    automation_rules.add_automation(db, "Shoots", "Booked", "enter", "send_email", template="Booked")
    for n in range(JOBS):
        clients.add_client(db, f"Client {n}", email=f"c{n}@example.com")
        jobs.advance(db, jobs.add_job(db, f"Job {n}", "Shoots", client=f"Client {n}").id)
    studioflow = [sys.executable, "-m", "studioflow", "--db", str(db.path)]
    subprocess.run([*studioflow, "outbox", "send"], env=env, capture_output=True, timeout=60, check=False)
    deadline = time.monotonic() + 10
    while len(inbox.received) < JOBS and time.monotonic() < deadline:
        time.sleep(0.05)
    with db.read() as session:
        assert {m.state for m in session.exec(select(OutboxMessage))} == {"held"}
    assert len(inbox.received) == JOBS
    inbox.reply_delay = 0  # from now on a message sent again would be taken at once

    seed = random.randrange(2**32)
    chance = random.Random(seed)
    steps = []
    for _ in range(UNDO_KILLS):
        move = ["job", "move", str(chance.randrange(JOBS) + 1), "--to", chance.choice(["Inquiry", "Booked"])]
        step = chance.choice([["undo"], ["redo"], move])
        steps.append(" ".join(step))
        child = subprocess.Popen([*studioflow, *step], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.3, 2.5))  # before, during or after its write
        child.send_signal(signal.SIGKILL)
        child.wait()
    for step in (["undo"], ["redo"], ["undo"], ["job", "advance", "1"], ["outbox", "send"]):
        subprocess.run([*studioflow, *step], env=env, capture_output=True, timeout=60, check=False)

    context = f"seed {seed}, steps {steps}"
    received = Counter(inbox.message_ids())
    assert max(received.values()) == 1, f"a message was received twice; {context}"
    recipients = Counter(str(m["To"]) for m in inbox.received)
    assert max(recipients.values()) == 1, f"a client got a second copy; {context}"
    with db.read() as session:
        states = Counter(m.state for m in session.exec(select(OutboxMessage)))
    assert states["held"] == JOBS, f"{dict(states)}; {context}"
