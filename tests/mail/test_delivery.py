"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1): sent, retried, failed, held."""

from __future__ import annotations

import mailbox
import ssl
from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
import trustme
from sqlmodel import select

from studioflow.mail.delivery import INTERRUPTED, MAX_ATTEMPTS, MailSettings, deliver_due, retry_delay
from studioflow.mail.transport import stub_dir
from studioflow.store import Database
from studioflow.store.models import OutboxMessage, utcnow

from .conftest import Queue, Server, smtp_settings
from .smtpd import Inbox, free_port


def rows(db: Database) -> dict[int, OutboxMessage]:
    with db.read() as session:
        return {m.id: m for m in session.exec(select(OutboxMessage)).all()}  # type: ignore[misc]


def test_due_messages_are_delivered_over_one_connection(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path
) -> None:
    inbox, port = smtp_server()
    ids = queue(3)
    report = deliver_due(db, smtp_settings(tmp_path, port))

    assert (report.sent, report.handled) == (3, 3)
    assert inbox.connections == 1
    stored = rows(db)
    assert [stored[i].state for i in ids] == ["sent"] * 3
    assert all(stored[i].sent_at is not None and stored[i].reply.startswith("127.0.0.1: 250 2.0.0 Ok") for i in ids)
    assert inbox.message_ids() == [stored[i].message_id for i in ids]
    first = inbox.received[0]
    assert (first["From"], first["To"], first["Subject"]) == ("jo@studio.test", "anna@example.com", "Message 1")
    # The dot-only line survives the transfer (dot stuffing) and the body is intact.
    assert first.get_content().replace("\r\n", "\n") == "Hello, this is message 1.\n.\nA line with only a dot, above.\n"


def test_a_message_not_yet_due_waits(db: Database, queue: Queue, smtp_server: Server, tmp_path: Path) -> None:
    inbox, port = smtp_server()
    later = queue(1, send_at=utcnow() + timedelta(hours=1))[0]
    now = queue(1)[0]
    deliver_due(db, smtp_settings(tmp_path, port))
    assert (rows(db)[later].state, rows(db)[now].state) == ("queued", "sent")
    assert len(inbox.received) == 1


def test_421_is_retried_later_with_the_same_message_id(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path
) -> None:
    inbox, port = smtp_server(Inbox(data_answers=["421 4.7.0 Try again later"]))
    [message_id] = queue(1)
    settings = smtp_settings(tmp_path, port)
    before = utcnow()
    report = deliver_due(db, settings)

    row = rows(db)[message_id]
    assert (report.retrying, row.state, row.attempts) == (1, "queued", 1)
    assert "421 4.7.0 Try again later" in row.last_error
    assert row.send_at >= before + retry_delay(1)
    assert inbox.received == []

    # Time passes: the next run sends it, under the Message-ID fixed when it was queued.
    report = deliver_due(db, settings, now=lambda: utcnow() + timedelta(minutes=2))
    row = rows(db)[message_id]
    assert (report.sent, row.state, row.attempts) == (1, "sent", 2)
    assert inbox.message_ids() == [row.message_id]


def test_550_fails_at_once_with_the_reply(db: Database, queue: Queue, smtp_server: Server, tmp_path: Path) -> None:
    _, port = smtp_server(Inbox(rcpt_answer="550 5.1.1 <anna@example.com>: user unknown"))
    ids = queue(2)
    report = deliver_due(db, smtp_settings(tmp_path, port))
    assert report.failed == 2
    for message_id in ids:
        row = rows(db)[message_id]
        assert (row.state, row.attempts) == ("failed", 1)
        assert "550 5.1.1 <anna@example.com>: user unknown" in row.last_error


def test_a_refused_connection_leaves_every_message_queued_with_backoff(
    db: Database, queue: Queue, tmp_path: Path
) -> None:
    ids = queue(3)
    report = deliver_due(db, smtp_settings(tmp_path, free_port()))  # nothing listens there
    assert (report.retrying, report.sent) == (3, 0)
    for message_id in ids:
        row = rows(db)[message_id]
        assert (row.state, row.attempts) == ("queued", 1)
        assert row.last_error.startswith("cannot reach 127.0.0.1:")
        assert row.send_at > utcnow()
    assert report.problems == [rows(db)[ids[0]].last_error]


def test_after_the_last_attempt_a_message_fails(db: Database, queue: Queue, tmp_path: Path) -> None:
    [message_id] = queue(1)
    settings = smtp_settings(tmp_path, free_port())
    for attempt in range(MAX_ATTEMPTS):
        deliver_due(db, settings, now=lambda days=attempt: utcnow() + timedelta(days=days))
    row = rows(db)[message_id]
    assert (row.state, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert row.last_error.startswith(f"gave up after {MAX_ATTEMPTS} attempts: cannot reach")


def test_retry_delays_double_up_to_a_cap() -> None:
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert retry_delay(30) == timedelta(hours=2)


def test_a_wrong_password_fails_with_a_clear_message(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def authenticator(server: object, session: object, envelope: object, mechanism: str, auth_data: object) -> object:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        assert isinstance(auth_data, LoginPassword)
        return AuthResult(success=auth_data.password == b"right", handled=False)

    inbox, port = smtp_server(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    [message_id] = queue(1)
    monkeypatch.setenv("STUDIOFLOW_SMTP_PASSWORD", "wrong")
    report = deliver_due(db, smtp_settings(tmp_path, port, username="jo"))
    row = rows(db)[message_id]
    assert (report.failed, row.state) == (1, "failed")
    assert row.last_error.startswith(f"127.0.0.1:{port} refused the login of jo: 535")
    assert "wrong" not in row.last_error

    monkeypatch.setenv("STUDIOFLOW_SMTP_PASSWORD", "right")
    [second] = queue(1)
    assert deliver_due(db, smtp_settings(tmp_path, port, username="jo")).sent == 1
    assert inbox.message_ids() == [rows(db)[second].message_id]


def test_a_temporary_login_failure_is_retried_later(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiosmtpd.smtp import AuthResult

    def busy(server: object, session: object, envelope: object, mechanism: str, auth_data: object) -> object:
        return AuthResult(success=False, handled=False, message="454 4.7.0 Temporary authentication failure")

    _, port = smtp_server(authenticator=busy, auth_required=True, auth_require_tls=False)
    [message_id] = queue(1)
    monkeypatch.setenv("STUDIOFLOW_SMTP_PASSWORD", "right")
    report = deliver_due(db, smtp_settings(tmp_path, port, username="jo"))
    assert (report.retrying, rows(db)[message_id].state) == (1, "queued")
    assert "454 4.7.0" in rows(db)[message_id].last_error


def test_a_non_ascii_address_fails_alone_and_the_batch_goes_on(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path
) -> None:
    inbox, port = smtp_server()
    [bad] = queue(1, to="jösé@example.com")
    [good] = queue(1)
    report = deliver_due(db, smtp_settings(tmp_path, port))
    assert (rows(db)[bad].state, rows(db)[good].state) == ("failed", "sent")
    assert "non-ASCII" in rows(db)[bad].last_error
    assert (report.failed, report.sent) == (1, 1)
    assert inbox.message_ids() == [rows(db)[good].message_id]


def test_the_lock_is_one_per_file_even_through_a_symlink(db: Database, queue: Queue, tmp_path: Path) -> None:
    queue(1)
    link = tmp_path / "elsewhere" / "link.db"
    link.parent.mkdir()
    link.symlink_to(db.path)
    with Database(link).delivery_lock() as got:
        assert got
        assert deliver_due(db, MailSettings(smtp=None, stub_root=tmp_path / "stub")).busy


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


def test_starttls_with_a_verified_certificate(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path, certificate_authority: trustme.CA
) -> None:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(server_context)
    inbox, port = smtp_server(tls_context=server_context, require_starttls=True)
    ids = queue(2)
    settings = smtp_settings(tmp_path, port, security="starttls")

    # Not trusted by default: refused before anything is sent, with the reason.
    report = deliver_due(db, settings)
    assert report.failed == 2
    assert "certificate is not trusted" in rows(db)[ids[0]].last_error
    assert inbox.received == []

    client_context = ssl.create_default_context()
    certificate_authority.configure_trust(client_context)
    [message_id] = queue(1)
    report = deliver_due(db, MailSettings(settings.smtp, settings.stub_root, ssl_context=client_context))
    assert report.sent == 1
    assert inbox.message_ids() == [rows(db)[message_id].message_id]


def test_implicit_tls_on_the_ssl_port(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path, certificate_authority: trustme.CA
) -> None:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(server_context)
    inbox, port = smtp_server(ssl_context=server_context)  # TLS from the first byte
    [message_id] = queue(1)
    client_context = ssl.create_default_context()
    certificate_authority.configure_trust(client_context)
    settings = smtp_settings(tmp_path, port, security="ssl")
    report = deliver_due(db, MailSettings(settings.smtp, settings.stub_root, ssl_context=client_context))
    assert report.sent == 1
    assert inbox.message_ids() == [rows(db)[message_id].message_id]


def test_a_server_that_drops_the_connection_before_data_gets_a_retry(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path
) -> None:
    _inbox, port = smtp_server(Inbox(drop_at="MAIL"))
    [message_id] = queue(1)
    report = deliver_due(db, smtp_settings(tmp_path, port))
    assert (report.retrying, rows(db)[message_id].state) == (1, "queued")


def test_no_answer_after_the_message_was_handed_over_holds_it(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path
) -> None:
    """The lost "250": the server may have taken it, so it must not go again unasked."""
    _inbox, port = smtp_server(Inbox(data_delay=3))
    first, _second = queue(2)
    report = deliver_due(db, smtp_settings(tmp_path, port, timeout=1.0))
    row = rows(db)[first]
    assert row.state == "held"
    assert "may have been sent" in row.last_error
    assert report.held >= 1


def test_a_message_left_sending_by_a_crash_is_held_not_resent(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path
) -> None:
    inbox, port = smtp_server()
    crashed, waiting = queue(2)
    with db.write() as session:
        message = session.get(OutboxMessage, crashed)
        assert message is not None
        message.state = "sending"
    report = deliver_due(db, smtp_settings(tmp_path, port))
    assert (rows(db)[crashed].state, rows(db)[crashed].last_error) == ("held", INTERRUPTED)
    assert (rows(db)[waiting].state, report.sent) == ("sent", 1)
    assert inbox.message_ids() == [rows(db)[waiting].message_id]


def test_without_smtp_email_goes_to_the_stub_maildir_labelled_local_and_texts_wait(
    db: Database, queue: Queue, tmp_path: Path
) -> None:
    email_id = queue(1)[0]
    sms_id = queue(1, to="+1 555 0100", channel="sms")[0]
    root = stub_dir(db.path)
    report = deliver_due(db, MailSettings(smtp=None, stub_root=root))
    assert (report.sent, report.texts_waiting) == (1, 1)
    assert report.summary() == "1 sent, 1 text(s) wait: no way to send texts is set up"

    box = mailbox.Maildir(root, create=False)
    [stored] = [message_from_bytes(box.get_bytes(key), policy=default) for key in box.iterkeys()]
    assert (stored["To"], stored["Subject"], stored["Message-ID"]) == (
        "anna@example.com",
        "Message 1",
        rows(db)[email_id].message_id,
    )
    assert box.list_folders() == []  # no text is "sent" into a folder on this machine
    email, text = rows(db)[email_id], rows(db)[sms_id]
    assert (email.state, email.local_only) == ("sent", True)
    assert email.reply.startswith(f"local outbox (no mail server set): {root}/new/")
    assert (text.state, text.attempts, text.sent_at) == ("queued", 0, None)
    assert text.last_error.startswith("no way to send texts is set up")
    # Still waiting, and still saying so, on the next run.
    assert deliver_due(db, MailSettings(smtp=None, stub_root=root)).texts_waiting == 1
    assert rows(db)[sms_id].state == "queued"


def test_with_smtp_email_records_the_servers_answer_and_texts_still_wait(
    db: Database, queue: Queue, smtp_server: Server, tmp_path: Path
) -> None:
    inbox, port = smtp_server()
    [email_id] = queue(1)
    [sms_id] = queue(1, to="+1 555 0100", channel="sms")
    deliver_due(db, smtp_settings(tmp_path, port))
    email = rows(db)[email_id]
    assert (email.state, email.local_only) == ("sent", False)
    assert email.reply.startswith("127.0.0.1: 250 ")
    assert rows(db)[sms_id].state == "queued"
    assert len(inbox.received) == 1


def test_a_second_delivery_run_at_the_same_time_does_nothing(db: Database, queue: Queue, tmp_path: Path) -> None:
    queue(1)
    with db.delivery_lock() as got:
        assert got
        report = deliver_due(db, MailSettings(smtp=None, stub_root=tmp_path / "stub"))
    assert report.busy
    assert report.handled == 0
    assert "another studioflow" in report.summary()
