"""`studioflow outbox …` end to end: the stub outbox, a real SMTP server, and refusals."""

from __future__ import annotations

import mailbox
from pathlib import Path

from mail.smtpd import Inbox, start  # tests/ is on sys.path: its packages import each other

from studioflow.store import open_database
from studioflow.workflow.automations import outbox
from studioflow.workflow.jobs import jobs
from tests.conftest import sqlite_only

from .conftest import Cli


def queue_inquiry(db_path: Path, title: str = "Hale wedding") -> None:
    """A new wedding job: the demo's Inquiry automation queues a thank-you email (in process: faster),
    made due at once (the send delay has tests of its own)."""
    db = open_database(db_path)
    try:
        before = {m.id for m in outbox.list_messages(db)}
        jobs.add_job(db, title, "Wedding Photography", client="Ava Martinez")
        outbox.send_now(db, [m.id for m in outbox.list_messages(db, ["queued"]) if m.id not in before])
    finally:
        db.close()


@sqlite_only  # the stub outbox beside the studio's file
def test_send_without_smtp_goes_to_the_stub_maildir(cli: Cli, demo_db: Path) -> None:
    queue_inquiry(demo_db)
    [queued] = cli("outbox", "list", "--state", "queued", "--json", "--db", demo_db).json()
    assert (queued["to_addr"], queued["job_title"]) == ("ava.martinez@example.com", "Hale wedding")

    sent = cli("outbox", "send", "--db", demo_db)
    assert (sent.code, sent.out) == (0, "1 sent\n")
    assert f"sending to the stub outbox {demo_db.with_name('studioflow.outbox')}: 1/1" in sent.err

    box = mailbox.Maildir(demo_db.with_name("studioflow.outbox"), create=False)
    [message] = [box[key] for key in box.iterkeys()]
    assert message["Subject"] == queued["subject"]
    shown = cli("outbox", "show", queued["id"], "--db", demo_db).ok()
    assert f"message  {queued['id']} (email) kept locally" in shown
    assert f"went to  local outbox (no mail server set): {demo_db.with_name('studioflow.outbox')}/new/" in shown
    [kept] = cli("outbox", "list", "--state", "sent", "--json", "--db", demo_db).json()
    assert (kept["id"], kept["local_only"]) == (queued["id"], True)
    assert f"\n{queued['id']}   kept locally  ava.martinez@example.com" in cli("outbox", "list", "--db", demo_db).ok()
    assert cli("outbox", "send", "--db", demo_db).ok() == "nothing due to send\n"


def test_send_through_smtp_with_a_refusal_then_retry(cli: Cli, demo_db: Path, tmp_path: Path) -> None:
    inbox = Inbox(rcpt_answer="550 5.1.1 mailbox unavailable")
    server = start(inbox)
    try:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\nfrom = "jo@studio.test"\n'
        )
        env = {"STUDIOFLOW_CONFIG": str(config)}
        queue_inquiry(demo_db)

        failed = cli("outbox", "send", "--db", demo_db, env=env)
        assert (failed.code, failed.out) == (0, "0 sent, 1 failed\n")
        assert "studioflow: 127.0.0.1 refused the recipient ava.martinez@example.com: 550 5.1.1" in failed.err
        [row] = cli("outbox", "list", "--state", "failed", "--json", "--db", demo_db, env=env).json()

        inbox.rcpt_answer = None  # the address is fixed on the server's side
        assert cli("outbox", "retry", "--failed", "--db", demo_db, env=env).code == 0
        assert cli("outbox", "send", "--db", demo_db, env=env).out == "1 sent\n"
        assert inbox.message_ids() == [row["message_id"]]

        tested = cli("outbox", "test", "jo@example.com", "--db", demo_db, env=env).ok()
        assert tested.startswith(f"sent a test email to jo@example.com through 127.0.0.1:{server.port}: 250")
        assert inbox.received[-1]["Subject"] == "studioflow test email"
    finally:
        server.stop()


def test_refusals_are_one_line_with_exit_2(cli: Cli, demo_db: Path, tmp_path: Path) -> None:
    missing = cli("outbox", "retry", "999", "--db", demo_db)
    assert (missing.code, missing.err) == (2, "studioflow: no message 999\n")
    assert cli("outbox", "list", "--state", "lost", "--db", demo_db).code == 2

    config = tmp_path / "config.toml"
    config.write_text('[smtp]\nhost = "mail.example.com"\nprot = 587\n')
    bad = cli("outbox", "send", "--db", demo_db, env={"STUDIOFLOW_CONFIG": str(config)})
    assert bad.code == 2
    assert bad.err.startswith(f"studioflow: {config}: unknown key smtp.prot (known: host, port, security,")
