"""The outbox: the one way a message is queued (`enqueue`), and the user's services on it:
list, read, edit, retry, release, cancel, send now.

Delivery itself is `studioflow.mail.delivery`; these services only change what it will
find. A message can be changed only while it has not gone: queued, held or failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from email.utils import make_msgid

from sqlmodel import Session, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.choices import OUTBOX_STATE_ORDER
from studioflow.store.models import Job, OutboxMessage, utcnow
from studioflow.workflow import lookup
from studioflow.workflow.board import reads
from studioflow.workflow.jobs import journal
from studioflow.workflow.people.clients import clean_email
from studioflow.workflow.views import MessageView, from_row

EDITABLE = ("queued", "held", "failed")
STATE_ORDER = OUTBOX_STATE_ORDER
MESSAGE_DOMAIN = "studioflow.local"


def enqueue(
    session: Session,
    key: str,
    channel: str,
    to: str,
    subject: str,
    body: str,
    job_id: int | None,
    send_delay: int,
    *,
    seed: str,
    delay_minutes: int = 0,
    automation_id: int | None = None,
    visit_id: int | None = None,
    held_because: str = "",
    cancel_on_leave: bool = False,
) -> OutboxMessage:
    """Queue a message inside the caller's transaction (it commits with what made it).

    `key` is its idempotency key; `seed` names it in an email's Message-ID (kept short: a long
    Message-ID is folded onto a second header line). It waits its own delay plus the user's `send_delay`
    ("undo send"); `held_because` holds it for the user instead. An email gets its
    Message-ID now, so a copy that went twice is recognisable.
    """
    message = OutboxMessage(
        idempotency_key=key,
        channel=channel,
        to_addr=to,
        subject=subject,
        body=body,
        job_id=job_id,
        automation_id=automation_id,
        visit_id=visit_id,
        state="held" if held_because else "queued",
        last_error=held_because,
        send_at=utcnow() + timedelta(minutes=delay_minutes, seconds=send_delay),
        message_id=make_msgid(idstring=seed, domain=MESSAGE_DOMAIN) if channel == "email" else "",
        cancel_on_leave=cancel_on_leave,
    )
    session.add(message)
    session.flush()
    return message


# Read with plain SQL (no ORM): see `reads`.
list_messages = reads.list_messages
counts = reads.outbox_counts  # read with plain SQL (no ORM): see `reads`


get_message = reads.get_message


def edit_message(
    db: Database, message_id: int, to_addr: str | None = None, subject: str | None = None, body: str | None = None
) -> MessageView:
    """Change the recipient, subject or body of a message that has not gone."""
    with db.write() as session:
        message = _changeable(session, message_id, "edit")
        if to_addr is not None:
            message.to_addr = _clean_recipient(message.channel, to_addr)
        if subject is not None:
            if message.channel == "email" and not subject.strip():
                raise StudioflowError("an email needs a subject")
            if "\n" in subject.strip() or "\r" in subject:
                raise StudioflowError("a subject is one line")
            message.subject = subject.strip()
        if body is not None:
            if not body.strip():
                raise StudioflowError("the message is empty")
            message.body = body
        if message.state == "held" and message.channel == "email":
            # It may have gone once: servers that drop a Message-ID seen before would drop the correction.
            message.message_id = make_msgid(idstring=f"edit{message.id}", domain=MESSAGE_DOMAIN)
        session.flush()
        return _view(message, _job_title(session, message))


def retry(db: Database, message_ids: Sequence[int]) -> list[MessageView]:
    """Failed messages back in the queue, due now, with a fresh count of attempts."""
    return _move(db, message_ids, ("failed",), "retry", "queued", "only a failed message can be retried")


def retry_failed(db: Database) -> list[MessageView]:
    with db.read() as session:
        ids = session.exec(select(OutboxMessage.id).where(OutboxMessage.state == "failed")).all()
    return retry(db, [i for i in ids if i is not None])


def release(db: Database, message_ids: Sequence[int]) -> list[MessageView]:
    """Held messages back in the queue: the user says they may go (again)."""
    return _move(db, message_ids, ("held",), "release", "queued", "only a held message can be released")


def send_now(db: Database, message_ids: Sequence[int]) -> list[MessageView]:
    """Queued messages due now rather than later (a delayed or backed-off one)."""
    return _move(db, message_ids, ("queued",), "send now", "queued", "only a queued message can be sent now")


def cancel(db: Database, message_ids: Sequence[int]) -> list[MessageView]:
    """Messages that will not be sent (undoable: `undo` puts them back as they were)."""
    with db.write() as session:
        label = f"cancel message {message_ids[0]}" if len(message_ids) == 1 else f"cancel {len(message_ids)} messages"
        with journal.recording(session, label):
            views = []
            for message_id in message_ids:
                message = _changeable(session, message_id, "cancel")
                journal.note(
                    session, "cancelled", message_id, prior={"state": message.state, "last_error": message.last_error}
                )
                message.state = "cancelled"
                message.last_error = "cancelled by you"
                views.append(_view(message, _job_title(session, message)))
            session.flush()
        return views


def _move(
    db: Database, message_ids: Sequence[int], allowed: tuple[str, ...], verb: str, state: str, refusal: str
) -> list[MessageView]:
    with db.write() as session:
        views = []
        for message_id in message_ids:
            message = lookup.get(session, OutboxMessage, message_id, "message")
            if message.state not in allowed:
                raise StudioflowError(f"cannot {verb} message {message_id}: it is {message.state}; {refusal}")
            message.state = state
            message.send_at = utcnow()
            if verb == "retry":
                message.attempts = 0
            if verb != "send now":
                message.last_error = ""
            views.append(_view(message, _job_title(session, message)))
        session.flush()
        return views


def _changeable(session: Session, message_id: int, verb: str) -> OutboxMessage:
    message = lookup.get(session, OutboxMessage, message_id, "message")
    if message.state not in EDITABLE:
        why = "it is being sent" if message.state == "sending" else f"it is {message.state}"
        raise StudioflowError(f"cannot {verb} message {message_id}: {why}")
    return message


def _clean_recipient(channel: str, to_addr: str) -> str:
    if channel == "email":
        address = clean_email(to_addr)
        if not address:
            raise StudioflowError("an email needs a recipient address")
        return address
    number = to_addr.strip()
    if not number or not any(c.isdigit() for c in number):
        raise StudioflowError(f"{to_addr!r} is not a phone number")
    return number


def _job_title(session: Session, message: OutboxMessage) -> str:
    job = None if message.job_id is None else session.get(Job, message.job_id)
    return "" if job is None else job.title


def _view(message: OutboxMessage, job_title: str | None) -> MessageView:
    return from_row(MessageView, message, id=message.saved_id, job_title=job_title or "")
