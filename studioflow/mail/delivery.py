"""Delivering the outbox: claim, send, record — so nothing is lost and nothing goes twice.

Each message is claimed (`sending`) in a committed transaction before it is handed to
a transport, and its outcome is recorded in another. SMTP cannot be exactly-once (a
lost "250" looks like a failure), so a message found `sending` by the next delivery
run was interrupted mid-send and becomes `held`: it is never resent unless the user
releases it. One delivery run at a time per database, kept so by a lock file that the
operating system releases when its process dies, so a `sending` row seen while
holding the lock can only be a leftover of a crash.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Table, and_, bindparam, select, update

from studioflow.config import Config, SmsConfig, SmtpConfig, load_sms, load_smtp
from studioflow.mail.sms import NO_WAY, sms_transport
from studioflow.mail.transport import Letter, MaildirTransport, SendFailure, SmtpTransport, smtp_password, stub_dir
from studioflow.store import Database
from studioflow.store.models import OutboxMessage, utcnow

MESSAGES: Table = OutboxMessage.__table__
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=2)
INTERRUPTED = (
    "delivery stopped while this message was being sent, so it may have gone: "
    "check your Sent folder, then release it to send again, or cancel it"
)

Progress = Callable[[int, int], None]


class Transport(Protocol):
    def send(self, letter: Letter) -> str: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class MailSettings:
    """Where messages go: `smtp` None means every email goes to the stub outbox (local only);
    `sms` None means texts wait, since nothing here can send them."""

    smtp: SmtpConfig | None
    stub_root: Path
    ssl_context: ssl.SSLContext | None = None
    sms: SmsConfig | None = None

    @classmethod
    def load(cls, db_path: Path, config: Config | None = None) -> MailSettings:
        """From the config the caller read (the app's, read once), else from config.toml now."""
        if config is None:
            return cls(smtp=load_smtp(), stub_root=stub_dir(db_path), sms=load_sms())
        return cls(smtp=config.smtp(), stub_root=stub_dir(db_path), sms=config.sms())

    @property
    def destination(self) -> str:
        if self.smtp is None:
            return f"the stub outbox {self.stub_root}"
        return f"{self.smtp.host}:{self.smtp.port}"


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0
    texts_waiting: int = 0  # texts left queued: no way to send texts is set up
    busy: bool = False  # another process was delivering: nothing was done here
    interrupted: int = 0  # found `sending` after a crash, and held for the user now
    problems: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.held

    def summary(self) -> str:
        if self.busy:
            return "another studioflow is delivering the outbox right now; nothing done"
        waiting = f"{self.texts_waiting} text(s) wait: {NO_WAY.split(':')[0]}" if self.texts_waiting else ""
        needs_you = ""
        if self.interrupted:
            n = self.interrupted
            needs_you = f"{n} message{'s' if n != 1 else ''} need{'s' if n == 1 else ''} you: held"
        if not self.handled:
            return "; ".join(part for part in (needs_you, waiting) if part) or "nothing due to send"
        parts = [f"{self.sent} sent"]
        parts += [
            f"{n} {what}"
            for n, what in ((self.retrying, "to retry later"), (self.failed, "failed"), (self.held, "held"))
            if n
        ]
        return ", ".join(parts + ([waiting] if waiting else [])) + (f"; {needs_you}" if needs_you else "")


def deliver_due(
    db: Database, settings: MailSettings, progress: Progress | None = None, now: Callable[[], datetime] = utcnow
) -> DeliveryReport:
    """Send every message whose time has come; returns what happened."""
    report = DeliveryReport()
    with db.delivery_lock() as got:
        if not got:
            report.busy = True
            return report
        report.interrupted = hold_interrupted(db)
        email = _EmailRoute(settings)
        sms = _SmsRoute(settings)
        if settings.sms is None:
            report.texts_waiting = _texts_wait(db, now())
        ledger = _Ledger(db, report, now)
        try:
            while due := _due_ids(db, now(), texts=settings.sms is not None):
                for done, (message_id, channel) in enumerate(due, start=1):
                    route = sms if channel == "sms" else email
                    if (failure := route.unreachable()) is not None:
                        ledger.unreachable(message_id, failure)
                    else:
                        ledger.deliver(message_id, route.transport, local=route.local)
                    if progress is not None:
                        progress(done, len(due))
                ledger.flush()
        finally:
            try:
                ledger.flush()
            finally:
                email.close()
                sms.close()
    return report


def hold_interrupted(db: Database) -> int:
    """Messages left `sending` by a run that died; only called while holding the delivery lock."""
    with db.write() as session:
        result = session.connection().execute(
            update(MESSAGES).where(MESSAGES.c.state == "sending").values(state="held", last_error=INTERRUPTED)
        )
        return result.rowcount


def retry_delay(attempts: int) -> timedelta:
    """1 min, 2, 4 … doubling after each failed attempt, at most 2 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


def _texts_wait(db: Database, cutoff: datetime) -> int:
    """Texts due with no way to send them stay queued (never marked sent), saying why."""
    with db.write() as session:
        waiting = and_(MESSAGES.c.state == "queued", MESSAGES.c.channel == "sms", MESSAGES.c.send_at <= cutoff)
        conn = session.connection()
        conn.execute(update(MESSAGES).where(waiting, MESSAGES.c.last_error != NO_WAY).values(last_error=NO_WAY))
        return len(conn.execute(select(MESSAGES.c.id).where(waiting)).all())


class _EmailRoute:
    """The email transport, connected once per run; a server that cannot be reached fails the whole batch alike."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._transport: Transport | None = None
        self._failure: SendFailure | None = None
        self.local = settings.smtp is None  # the stub outbox: nothing leaves the machine

    @property
    def transport(self) -> Transport:
        assert self._transport is not None
        return self._transport

    def unreachable(self) -> SendFailure | None:
        """Connect if not yet done; the failure that stands for every email of this run, if any."""
        if self._transport is None and self._failure is None:
            smtp = self.settings.smtp
            if smtp is None:
                self._transport = MaildirTransport(self.settings.stub_root)
            else:
                transport = SmtpTransport(smtp, smtp_password(smtp), self.settings.ssl_context)
                try:
                    transport.connect()
                except SendFailure as failure:
                    self._failure = failure
                else:
                    self._transport = transport
        return self._failure

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class _SmsRoute(_EmailRoute):
    """The texts' transport (a command or an HTTP API), made once per run when a text is due."""

    def __init__(self, settings: MailSettings) -> None:
        super().__init__(settings)
        self.local = False

    def unreachable(self) -> SendFailure | None:
        if self._transport is None and self._failure is None:
            assert self.settings.sms is not None  # texts are only due when a way to send them is set
            try:
                self._transport = sms_transport(self.settings.sms, self.settings.ssl_context)
            except SendFailure as failure:
                self._failure = failure
        return self._failure


def _due_ids(db: Database, cutoff: datetime, texts: bool = True) -> list[tuple[int, str]]:
    with db.read() as session:
        query = select(MESSAGES.c.id, MESSAGES.c.channel).where(
            MESSAGES.c.state == "queued", MESSAGES.c.send_at <= cutoff
        )
        if not texts:
            query = query.where(MESSAGES.c.channel != "sms")
        rows = session.connection().execute(query.order_by(MESSAGES.c.send_at, MESSAGES.c.id))
        return [(row.id, row.channel) for row in rows]


class _Ledger:
    """Writes claims and outcomes. An outcome is written with the next claim, in one
    transaction: one commit (one fsync) per message instead of two, and still every
    claim is committed before its message is handed over."""

    def __init__(self, db: Database, report: DeliveryReport, now: Callable[[], datetime]) -> None:
        self.db = db
        self.report = report
        self.now = now
        self._pending: tuple[int, str | SendFailure, bool] | None = None

    def deliver(self, message_id: int, transport: Transport, local: bool = False) -> None:
        """Hand one message over; `local`: the transport is the stub outbox (recorded as local only)."""
        letter = self._claim(message_id)
        if letter is None:
            return  # cancelled or edited away from `queued` since it was picked
        try:
            self._pending = (message_id, transport.send(letter), local)
        except SendFailure as failure:
            self._pending = (message_id, failure, local)

    def unreachable(self, message_id: int, failure: SendFailure) -> None:
        """An attempt that never got to send (the server could not be reached or refused the login)."""
        with self.db.write_rows() as conn:
            self._settle(conn)
            self._fail(conn, message_id, failure, "queued")

    def flush(self) -> None:
        if self._pending is not None:
            with self.db.write_rows() as conn:
                self._settle(conn)

    def _claim(self, message_id: int) -> Letter | None:
        with self.db.write_rows() as conn:
            self._settle(conn)
            row = conn.execute(_CLAIM, {"message": message_id}).first()
            if row is None:
                return None
            return Letter(row.channel, row.to_addr, row.subject, row.body, row.message_id)

    def _settle(self, conn: Connection) -> None:
        if self._pending is None:
            return
        message_id, outcome, local = self._pending
        self._pending = None
        if isinstance(outcome, SendFailure):
            self._fail(conn, message_id, outcome, "sending")
            return
        conn.execute(_SENT, {"message": message_id, "sent_at": self.now(), "reply": outcome[:1000], "local": local})
        self.report.sent += 1

    def _fail(self, conn: Connection, message_id: int, failure: SendFailure, state: str) -> None:
        """Later (with backoff), failed, or held; `state` is the one the message is expected in."""
        report = self.report
        where = and_(MESSAGES.c.id == message_id, MESSAGES.c.state == state)
        attempts = conn.execute(select(MESSAGES.c.attempts).where(where)).scalar()
        if attempts is None:
            return
        attempts += int(state == "queued")  # not claimed, but an attempt all the same
        values: dict[str, object] = {"attempts": attempts, "last_error": failure.reason[:1000]}
        if failure.maybe_sent:
            values["state"] = "held"
            report.held += 1
        elif failure.retry and attempts < MAX_ATTEMPTS:
            values.update(state="queued", send_at=self.now() + retry_delay(attempts))
            report.retrying += 1
        else:
            values["state"] = "failed"
            if failure.retry:
                values["last_error"] = f"gave up after {attempts} attempts: {failure.reason}"[:1000]
            report.failed += 1
        conn.execute(update(MESSAGES).where(where).values(**values))
        if failure.reason not in report.problems:
            report.problems.append(failure.reason)


# Built once: a batch runs these a thousand times, and building a statement costs more than running it.
# The claim hands back the letter it claimed: one statement, one round trip to a server.
_CLAIM = (
    update(MESSAGES)
    .where(MESSAGES.c.id == bindparam("message"), MESSAGES.c.state == "queued")
    .values(state="sending", attempts=MESSAGES.c.attempts + 1)
    .returning(MESSAGES.c.channel, MESSAGES.c.to_addr, MESSAGES.c.subject, MESSAGES.c.body, MESSAGES.c.message_id)
)
_SENT = (
    update(MESSAGES)
    .where(MESSAGES.c.id == bindparam("message"), MESSAGES.c.state == "sending")
    .values(
        state="sent",
        sent_at=bindparam("sent_at"),
        reply=bindparam("reply"),
        local_only=bindparam("local"),
        last_error="",
    )
)
