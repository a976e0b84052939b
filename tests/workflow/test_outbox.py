"""Managing the outbox: list, counts, edit, retry, release, send now, cancel (and undo it)."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import OutboxMessage, utcnow
from studioflow.workflow.automations import outbox
from studioflow.workflow.jobs import journal

KEYS = count()


def put(db: Database, state: str = "queued", channel: str = "email", **fields: object) -> int:
    with db.write() as session:
        message = OutboxMessage(
            idempotency_key=f"k{next(KEYS)}",
            channel=channel,
            to_addr="anna@example.com" if channel == "email" else "+1 555 0100",
            subject="Hello",
            body="Body",
            state=state,
            **fields,
        )
        session.add(message)
        session.flush()
        assert message.id is not None
        return message.id


def test_counts_and_listing_put_what_needs_the_user_first(db: Database, private_config: Path) -> None:
    sent = put(db, "sent")
    put(db, "sent", local_only=True)  # delivered to the stub outbox only
    later = put(db, "queued", send_at=utcnow() + timedelta(hours=2))
    sooner = put(db, "queued")
    failed = put(db, "failed")
    held = put(db, "held")
    states = {"failed": 1, "held": 1, "sending": 0, "queued": 2, "sent": 2, "cancelled": 0}
    # No [smtp]: mail stays on this machine, and the counts say how much was kept locally.
    assert outbox.counts(db) == {**states, "kept_locally": 1, "mail_local": 1}
    private_config.parent.mkdir(parents=True, exist_ok=True)
    private_config.write_text('[smtp]\nhost = "smtp.example.com"\n', encoding="utf-8")
    assert outbox.counts(db) == {**states, "kept_locally": 1, "mail_local": 0}
    local = outbox.list_messages(db, ["sent"])[0]
    assert (local.local_only, local.state_label(), outbox.get_message(db, sent).state_label()) == (
        True,
        "kept locally",
        "sent",
    )
    assert outbox.get_message(db, later).state_label().startswith("queued, sends in 1 h 59 min")
    assert [m.id for m in outbox.list_messages(db)] == [failed, held, sooner, later, local.id, sent]
    assert [m.id for m in outbox.list_messages(db, ["queued"])] == [sooner, later]
    with pytest.raises(StudioflowError, match="unknown state 'lost'"):
        outbox.list_messages(db, ["lost"])


def test_editing_checks_the_recipient_and_only_touches_unsent_messages(db: Database) -> None:
    message = put(db, "failed")
    view = outbox.edit_message(db, message, to_addr="  Anna@Example.org ", subject="New subject", body="New body")
    assert (view.to_addr, view.subject, view.body, view.state) == (
        "Anna@example.org",
        "New subject",
        "New body",
        "failed",
    )
    with pytest.raises(StudioflowError, match="is not an email address"):
        outbox.edit_message(db, message, to_addr="anna at example")
    with pytest.raises(StudioflowError, match="an email needs a subject"):
        outbox.edit_message(db, message, subject="  ")
    assert outbox.get_message(db, message).subject == "New subject"  # nothing half-written

    text = put(db, channel="sms")
    with pytest.raises(StudioflowError, match="is not a phone number"):
        outbox.edit_message(db, text, to_addr="call me")
    assert outbox.edit_message(db, text, to_addr="+44 20 7946 0000").to_addr == "+44 20 7946 0000"

    gone = put(db, "sent")
    with pytest.raises(StudioflowError, match=f"cannot edit message {gone}: it is sent"):
        outbox.edit_message(db, gone, body="too late")
    with pytest.raises(StudioflowError, match="no message 999"):
        outbox.edit_message(db, 999, body="x")


def test_retry_release_and_send_now_make_a_message_due_now(db: Database) -> None:
    failed = put(db, "failed", attempts=8, last_error="gave up")
    held = put(db, "held", last_error="may have been sent")
    later = put(db, "queued", send_at=utcnow() + timedelta(days=2))
    before = utcnow()

    [view] = outbox.retry(db, [failed])
    assert (view.state, view.attempts, view.last_error) == ("queued", 0, "")
    [view] = outbox.release(db, [held])
    assert (view.state, view.last_error) == ("queued", "")
    [view] = outbox.send_now(db, [later])
    assert view.state == "queued"
    assert all(before <= outbox.get_message(db, i).send_at <= utcnow() for i in (failed, held, later))

    with pytest.raises(StudioflowError, match="only a held message can be released"):
        outbox.release(db, [failed])
    with pytest.raises(StudioflowError, match="only a failed message can be retried"):
        outbox.retry(db, [held])


def test_retry_failed_takes_every_failed_message(db: Database) -> None:
    ids = [put(db, "failed"), put(db, "failed"), put(db, "sent")]
    assert [v.id for v in outbox.retry_failed(db)] == ids[:2]
    assert outbox.counts(db)["failed"] == 0


def test_a_cancel_can_be_undone_and_redone(db: Database) -> None:
    queued, failed = put(db), put(db, "failed", last_error="550 no such user")
    outbox.cancel(db, [queued, failed])
    assert [outbox.get_message(db, i).state for i in (queued, failed)] == ["cancelled", "cancelled"]

    assert journal.undo(db) == "cancel 2 messages"
    assert [outbox.get_message(db, i).state for i in (queued, failed)] == ["queued", "failed"]
    assert outbox.get_message(db, failed).last_error == "550 no such user"

    journal.redo(db)
    assert [outbox.get_message(db, i).state for i in (queued, failed)] == ["cancelled", "cancelled"]


def test_a_message_being_sent_or_sent_cannot_be_cancelled(db: Database) -> None:
    sending, queued = put(db, "sending"), put(db)
    with pytest.raises(StudioflowError, match=f"cannot cancel message {sending}: it is being sent"):
        outbox.cancel(db, [queued, sending])
    assert outbox.get_message(db, queued).state == "queued"  # all or nothing


def test_a_subject_is_one_line_and_an_edited_held_email_gets_a_new_message_id(db: Database) -> None:
    held = put(db, "held", message_id="<first@studio.test>")
    with pytest.raises(StudioflowError, match="a subject is one line"):
        outbox.edit_message(db, held, subject="Hello\nBcc: everyone@example.com")
    assert outbox.get_message(db, held).message_id == "<first@studio.test>"
    edited = outbox.edit_message(db, held, body="Corrected")
    assert edited.message_id not in ("", "<first@studio.test>")
    failed = put(db, "failed", message_id="<never-sent@studio.test>")
    assert outbox.edit_message(db, failed, body="x").message_id == "<never-sent@studio.test>"
