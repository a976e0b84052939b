"""Header values never carry a line break: refused when stored; an old stored one fails alone at send."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlmodel import select

from studioflow.cli import main
from studioflow.errors import StudioflowError
from studioflow.mail.delivery import MailSettings, deliver_due
from studioflow.store import Database, open_database
from studioflow.store.models import OutboxMessage
from studioflow.workflow.files import transfer
from studioflow.workflow.people import clients

from .conftest import Queue, Server, smtp_settings

FORGED = "anna@example.com\r\nBcc: everyone@example.com"


def states(db: Database) -> dict[int, tuple[str, str]]:
    with db.read() as session:
        return {m.id: (m.state, m.last_error) for m in session.exec(select(OutboxMessage))}  # type: ignore[misc]


@pytest.mark.parametrize("settings_for", ["smtp", "stub"])
def test_an_old_message_with_a_line_break_in_its_address_fails_alone(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path, settings_for: str
) -> None:
    inbox, port = smtp_server()
    good = queue(2)
    (bad,) = queue(1, to=FORGED)  # stored before addresses were checked (or written by another program)
    settings = smtp_settings(tmp_path, port) if settings_for == "smtp" else MailSettings(None, tmp_path / "stub")
    report = deliver_due(db, settings)
    found = states(db)
    assert found[bad][0] == "failed"
    assert "line break" in found[bad][1]
    assert [found[i][0] for i in good] == ["sent", "sent"]
    assert (report.sent, report.failed, report.held) == (2, 1, 0)
    if settings_for == "smtp":
        assert len(inbox.received) == 2


def test_a_from_address_with_a_line_break_fails_each_message_cleanly(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path
) -> None:
    _, port = smtp_server()
    ids = queue(2)
    report = deliver_due(db, smtp_settings(tmp_path, port, from_addr="Jo\r\nBcc: all <jo@studio.test>"))
    assert [states(db)[i][0] for i in ids] == ["failed", "failed"]
    assert report.held == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["client", "add", "Anna", "--email", FORGED],
        ["client", "add", "Anna\r\nBcc: x", "--email", "anna@example.com"],
        ["template", "add", "T", "--channel", "email", "--subject", "Hi\r\nBcc: x@example.com", "--body", "b"],
    ],
)
def test_a_header_value_with_a_line_break_is_refused_when_stored(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--db", str(tmp_path / "s.db")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1


def test_import_refuses_a_line_break_in_a_client_address(db: Database, tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    clients.add_client(db, "Anna", email="anna@example.com")
    with closing(sqlite3.connect(db.path)) as conn, conn:  # as another program (or an old version) left it
        conn.execute("UPDATE client SET email = ?", (FORGED,))
    transfer.export_json(db, export)
    fresh = open_database(tmp_path / "fresh.db")
    try:
        with pytest.raises(StudioflowError, match=r"client\.email of row 1 holds a line break"):
            transfer.import_json(fresh, export)
        assert json.loads(export.read_text())["tables"]["client"]["rows"]
        with closing(sqlite3.connect(fresh.path)) as conn:
            assert conn.execute("SELECT count(*) FROM client").fetchone()[0] == 0
    finally:
        fresh.close()
