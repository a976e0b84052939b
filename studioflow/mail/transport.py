"""Handing one message over: to the user's SMTP server, or to the stub outbox (a Maildir).

A transport either returns what the receiving side said ("250 2.0.0 Ok: queued as …")
or raises `SendFailure`, which says whether trying again later may help and whether
the message may have gone anyway (the server took it, but its answer never came).
"""

from __future__ import annotations

import contextlib
import mailbox
import os
import re
import smtplib
import ssl
import subprocess
from dataclasses import dataclass
from email.charset import QP, Charset
from email.errors import MessageError
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path

from studioflow.config import SmtpConfig
from studioflow.errors import StudioflowError

PASSWORD_ENV = "STUDIOFLOW_SMTP_PASSWORD"
STUB_FROM = "studioflow@localhost"
# What a message delivered to the stub outbox records: it never left this machine.
LOCAL_REPLY = "local outbox (no mail server set)"


class SendFailure(Exception):
    """Not delivered. `retry`: a later try may work (4xx, timeouts, refused connections).

    `maybe_sent`: the whole message was handed over but no answer came back, so the
    server may have taken it; such a message must not be sent again unasked.
    """

    def __init__(self, reason: str, *, retry: bool, maybe_sent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.maybe_sent = maybe_sent


@dataclass(frozen=True)
class Letter:
    """One outbox message as the transports need it (plain data, no ORM row)."""

    channel: str  # email | sms
    to_addr: str
    subject: str
    body: str
    message_id: str


def build_email(letter: Letter, from_addr: str) -> Message:
    # Header values are refused with a line break when stored; this catches older rows, so that
    # one such message fails on its own (never the batch, and never held as "may have gone").
    for header, value in (("From", from_addr), ("To", letter.to_addr), ("Subject", letter.subject)):
        if "\r" in value or "\n" in value:
            raise SendFailure(f"the {header} header holds a line break ({value!r}): edit the message", retry=False)
    # The compat32 message classes: six times faster to write out than EmailMessage,
    # which counts when a thousand go in one batch. Non-ASCII headers are encoded here.
    # typeshed says str, but MIMEText takes a Charset too (how quoted-printable is chosen).
    message = MIMEText(letter.body.replace("\r\n", "\n"), "plain", _QUOTED_PRINTABLE_UTF8)  # type: ignore[arg-type]
    message["From"] = _address_header(from_addr)
    message["To"] = _address_header(letter.to_addr)
    # A Header is a valid value (it encodes non-ASCII); typeshed types compat32 values as str only.
    message["Subject"] = letter.subject if letter.subject.isascii() else Header(letter.subject, "utf-8")  # type: ignore[assignment]
    message["Date"] = formatdate(localtime=True)
    if letter.message_id:  # fixed when queued, so every retry carries the same one
        message["Message-ID"] = letter.message_id
    return message


def _address_header(text: str) -> str:
    if text.isascii():
        return text
    name, address = parseaddr(text)
    return formataddr((name, address), charset="utf-8")


# Quoted-printable keeps every line short and 7-bit, whatever the server supports.
_QUOTED_PRINTABLE_UTF8 = Charset("utf-8")
_QUOTED_PRINTABLE_UTF8.body_encoding = QP
_CRLF = compat32.clone(linesep="\r\n")


def stub_dir(db_path: Path) -> Path:
    """The stub outbox of a database: a Maildir beside it (`studioflow.outbox/` by default)."""
    return db_path.with_name(f"{db_path.stem}.outbox")


class MaildirTransport:
    """The stub outbox: what "was sent" is a file any mail reader can open; labelled local, never "sent"
    as if it had left. Texts never come here: a text in a file reaches nobody."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def send(self, letter: Letter) -> str:
        try:
            self.root.parent.mkdir(parents=True, exist_ok=True)  # a PostgreSQL studio's lives in the data dir
            box = mailbox.Maildir(self.root, create=True)
            key = box.add(build_email(letter, STUB_FROM))  # written to tmp/, then renamed into new/: never half a file
        except OSError as exc:
            raise SendFailure(f"cannot write to the stub outbox {self.root}: {exc.strerror}", retry=True) from None
        except (ValueError, TypeError, MessageError) as exc:
            raise SendFailure(f"the message cannot be written as email: {exc}", retry=False) from None
        return f"{LOCAL_REPLY}: {self.root / 'new' / key}"

    def close(self) -> None:
        pass


class SmtpTransport:
    """The user's own server; one connection reused for a whole batch."""

    def __init__(self, config: SmtpConfig, password: str | None, ssl_context: ssl.SSLContext | None = None) -> None:
        if config.username and password is None:
            raise StudioflowError(
                f"smtp.username is set but there is no password: set smtp.password_command in the config "
                f"or ${PASSWORD_ENV}"
            )
        if not (config.from_addr or config.username):
            raise StudioflowError("smtp.from is missing: the address your messages are sent from")
        self.config = config
        self.password = password or ""
        # Certificates are always verified; tests hand in a context that trusts their own CA.
        self.context = ssl_context or ssl.create_default_context()
        self.from_addr = config.from_addr or config.username
        self._smtp: smtplib.SMTP | None = None

    def connect(self) -> None:
        if self._smtp is not None:
            return
        config = self.config
        where = f"{config.host}:{config.port}"
        smtp: smtplib.SMTP | None = None
        try:
            if config.security == "ssl":
                smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=self.context)
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            smtp.ehlo()
            if config.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise SendFailure(f"{where} does not offer STARTTLS (set smtp.security)", retry=False)
                smtp.starttls(context=self.context)
                smtp.ehlo()
            if config.username:
                smtp.login(config.username, self.password)
        except (SendFailure, UnicodeError, OSError) as exc:  # SMTPException is an OSError
            _quietly_close(smtp)
            raise _connect_failure(exc, where, config.username) from None
        self._smtp = smtp

    def send(self, letter: Letter) -> str:
        self.connect()
        smtp = self._smtp
        assert smtp is not None
        try:
            content = build_email(letter, self.from_addr).as_bytes(policy=_CRLF)
        except SendFailure:
            raise
        except UnicodeError:
            raise SendFailure(
                f"{letter.to_addr}: an address with non-ASCII characters cannot be sent to", retry=False
            ) from None
        except (ValueError, TypeError, MessageError) as exc:  # a message that cannot be written
            raise SendFailure(f"the message cannot be written as email: {exc}", retry=False) from None
        handed_over = False
        try:
            self._expect(smtp.mail(self.from_addr), (250,), "the sender")
            self._expect(smtp.rcpt(letter.to_addr), (250, 251), f"the recipient {letter.to_addr}")
            self._expect(smtp.docmd("data"), (354,), "the message")
            # One write: the end-of-data dot goes with the message (two small writes would
            # wait ~40 ms on Nagle + delayed ACK). If the write fails, the dot never left.
            smtp.send(_dot_stuffed(content) + b".\r\n")
            handed_over = True
            code, text = smtp.getreply()
        except SendFailure:
            raise
        except UnicodeError:  # a non-ASCII address, which plain SMTP cannot carry; nothing was handed over
            with contextlib.suppress(OSError):
                smtp.rset()
            raise SendFailure(
                f"{letter.to_addr}: an address with non-ASCII characters cannot be sent to", retry=False
            ) from None
        except OSError as exc:
            self._drop()
            if handed_over:
                raise SendFailure(
                    f"{self.config.host} did not confirm the message ({_os_reason(exc)}): it may have been sent",
                    retry=False,
                    maybe_sent=True,
                ) from None
            raise SendFailure(f"connection to {self.config.host} lost: {_os_reason(exc)}", retry=True) from None
        if code == -1:  # an answer that could not be read, after the whole message went
            self._drop()
            raise SendFailure(
                f"{self.config.host} gave no readable answer: it may have been sent", retry=False, maybe_sent=True
            )
        if code != 250:
            self._refused(code, text, "the message")
        return f"{self.config.host}: {code} {text.decode('utf-8', 'replace')}"

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._drop()

    def _expect(self, answer: tuple[int, bytes], ok: tuple[int, ...], what: str) -> None:
        code, text = answer
        if code not in ok:
            self._refused(code, text, what)

    def _refused(self, code: int, text: bytes, what: str) -> None:
        reply = f"{code} {text.decode('utf-8', 'replace')}"
        if code == 421 or code == -1:  # the server is closing the connection
            self._drop()
        elif self._smtp is not None:
            try:
                self._smtp.rset()  # end this transaction; the connection serves the next message
            except OSError:
                self._drop()
        raise SendFailure(f"{self.config.host} refused {what}: {reply}", retry=400 <= code < 500 or code == -1)

    def _drop(self) -> None:
        _quietly_close(self._smtp)
        self._smtp = None


def smtp_password(config: SmtpConfig) -> str | None:
    """$STUDIOFLOW_SMTP_PASSWORD, else the first line printed by `password_command`; never stored."""
    return command_secret(config.password_command, PASSWORD_ENV, "smtp.password_command")


def command_secret(command: str, env: str, key: str) -> str | None:
    """$`env` if set, else the first line `command` prints (as aerc, msmtp and himalaya do); None if neither."""
    if env in os.environ:
        return os.environ[env]
    if not command:
        return None
    try:
        done = subprocess.run(
            # No stdin: a command that prompts must not fight the TUI for the keyboard.
            command,
            shell=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise StudioflowError(f"{key} did not finish within 120 s") from None
    except OSError as exc:
        raise StudioflowError(f"{key} could not run: {exc.strerror}") from None
    if done.returncode != 0:
        # Never its output: a password manager's error may hold the secret (or part of it).
        raise StudioflowError(f"{key} failed (exit {done.returncode}); run it yourself in a terminal to see why")
    lines = done.stdout.splitlines()
    return lines[0] if lines else ""


def _dot_stuffed(content: bytes) -> bytes:
    # A line that starts with "." gets another one, so it cannot end the message early.
    stuffed = re.sub(rb"(?m)^\.", b"..", content)
    return stuffed if stuffed.endswith(b"\r\n") else stuffed + b"\r\n"


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {text}"


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _connect_failure(exc: SendFailure | UnicodeError | OSError, where: str, username: str) -> SendFailure:
    """What went wrong while connecting and logging in, as the one-line failure the outbox keeps."""
    if isinstance(exc, SendFailure):
        return exc
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # 454 is "temporary authentication failure": worth another try later; 535 is not.
        return SendFailure(f"{where} refused the login of {username}: {_reply(exc)}", retry=400 <= exc.smtp_code < 500)
    if isinstance(exc, UnicodeError):
        # smtplib logs in with ASCII only; the error's text would show the password, so it is not used.
        return SendFailure(f"{where}: the user name or password has characters SMTP login cannot send", retry=False)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return SendFailure(f"{where}: {exc}", retry=False)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SendFailure(f"{where}: the server's certificate is not trusted ({exc.verify_message})", retry=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        return SendFailure(f"{where} answered {_reply(exc)}", retry=400 <= exc.smtp_code < 500)
    # Refused, unreachable, timed out, disconnected.
    return SendFailure(f"cannot reach {where}: {_os_reason(exc)}", retry=True)


def _quietly_close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with contextlib.suppress(OSError):
            smtp.close()


def send_test_email(config: SmtpConfig, to_addr: str, ssl_context: ssl.SSLContext | None = None) -> str:
    """Send one message straight to the server (not through the outbox); returns its reply."""
    transport = SmtpTransport(config, smtp_password(config), ssl_context)
    letter = Letter(
        channel="email",
        to_addr=to_addr,
        subject="studioflow test email",
        body=f"This is a test from studioflow: {config.host}:{config.port} ({config.security}) delivers your mail.\n",
        message_id="",
    )
    try:
        return transport.send(letter)
    finally:
        transport.close()
