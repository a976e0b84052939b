"""Texts from the shell, with a real command: a kill -9 mid-send leaves the text held, never sent twice."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from studioflow.store import open_database
from studioflow.store.models import OutboxMessage

from .conftest import Cli

NUMBER = "+1 555 0100"


def queue_text(db_path: Path) -> int:
    db = open_database(db_path)
    try:
        with db.write() as session:
            message = OutboxMessage(idempotency_key="cli-text", channel="sms", to_addr=NUMBER, body="See you at 11")
            session.add(message)
            session.flush()
            assert message.id is not None
            return message.id
    finally:
        db.close()


def test_kill_9_during_a_send_leaves_the_text_held_and_never_sends_it_twice(cli: Cli, tmp_path: Path) -> None:
    db_path = tmp_path / "sms.db"
    text = queue_text(db_path)
    log = tmp_path / "sent.log"
    sender = tmp_path / "slow-sms"
    sender.write_text(
        f"#!{sys.executable}\nimport os, sys, time\n"
        f"open({str(log)!r}, 'a').write(f'{{os.getpid()}} {{sys.argv[1]}} {{sys.stdin.read()}}\\n')\n"
        "time.sleep(60)\n",
        encoding="utf-8",
    )
    sender.chmod(sender.stat().st_mode | stat.S_IXUSR)
    config = tmp_path / "config.toml"
    config.write_text(f'[sms]\ncommand = ["{sender}", "{{to}}"]\ntimeout = 120\n', encoding="utf-8")
    env = {**os.environ, "STUDIOFLOW_CONFIG": str(config)}
    env.pop("STUDIOFLOW_DB", None)

    sending = subprocess.Popen(
        [sys.executable, "-m", "studioflow", "outbox", "send", "--db", str(db_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (log.exists() and log.read_text(encoding="utf-8").endswith("\n")):
            assert time.monotonic() < deadline, "the SMS command never ran"
            time.sleep(0.1)
        os.kill(sending.pid, signal.SIGKILL)  # mid-send: the command has the text, no answer yet
        sending.wait(10)
    finally:
        if sending.poll() is None:
            sending.kill()
        if log.exists():  # the command itself, still sleeping in its own session
            os.kill(int(log.read_text(encoding="utf-8").split()[0]), signal.SIGKILL)

    env_cli = {"STUDIOFLOW_CONFIG": str(config)}
    assert cli("outbox", "send", "--db", db_path, env=env_cli).out == "1 message needs you: held\n"
    [held] = cli("outbox", "list", "--state", "held", "--json", "--db", db_path, env=env_cli).json()
    assert held["id"] == text
    assert held["last_error"].startswith("delivery stopped while this message was being sent")
    assert cli("outbox", "send", "--db", db_path, env=env_cli).out == "nothing due to send\n"
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1  # handed over once, never again
