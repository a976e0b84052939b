"""What `outbox send` says: a message found interrupted and held is news for the user."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from studioflow.cli import main
from studioflow.store import Database

from .conftest import Queue


def test_outbox_send_says_a_message_needs_you_after_holding_an_interrupted_one(
    db: Database, queue: Queue, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (message,) = queue(1)
    with closing(sqlite3.connect(db.path)) as conn, conn:  # a run that died mid-send left it so
        conn.execute("UPDATE outbox_message SET state = 'sending', attempts = 1 WHERE id = ?", (message,))
    assert main(["outbox", "send", "--db", str(db.path)]) == 0
    assert capsys.readouterr().out == "1 message needs you: held\n"
    assert main(["outbox", "send", "--db", str(db.path)]) == 0
    assert capsys.readouterr().out == "nothing due to send\n"
