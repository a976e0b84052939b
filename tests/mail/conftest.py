"""Mail fixtures: a running SMTP server, settings pointing at it, and messages in the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest

from studioflow.config import SmtpConfig
from studioflow.mail.delivery import MailSettings
from studioflow.store import Database
from studioflow.store.models import OutboxMessage

from .smtpd import Inbox, start

Server = Callable[..., tuple[Inbox, int]]


@pytest.fixture
def smtp_server() -> Iterator[Server]:
    """`smtp_server(inbox=Inbox(...), **aiosmtpd options)` → (inbox, port); stopped after the test."""
    running = []

    def run(inbox: Inbox | None = None, **options: Any) -> tuple[Inbox, int]:
        inbox = inbox or Inbox()
        controller = start(inbox, **options)
        running.append(controller)
        return inbox, controller.port

    yield run
    for controller in running:
        controller.stop()


def smtp_settings(tmp_path: Path, port: int, **smtp: Any) -> MailSettings:
    config = SmtpConfig(
        **{"host": "127.0.0.1", "port": port, "security": "none", "from_addr": "jo@studio.test", "timeout": 5.0, **smtp}
    )
    return MailSettings(smtp=config, stub_root=tmp_path / "stub")


Queue = Callable[..., list[int]]


@pytest.fixture
def queue(db: Database) -> Queue:
    """`queue(n, to=..., channel=..., send_at=...)`: n messages in the outbox, as an automation would leave them."""
    made = 0

    def add(
        n: int = 1, to: str = "anna@example.com", channel: str = "email", send_at: datetime | None = None
    ) -> list[int]:
        nonlocal made
        ids = []
        with db.write() as session:
            for _ in range(n):
                made += 1
                message = OutboxMessage(
                    idempotency_key=f"test-{made}",
                    channel=channel,
                    to_addr=to,
                    subject=f"Message {made}",
                    body=f"Hello, this is message {made}.\n.\nA line with only a dot, above.\n",
                    message_id=make_msgid(idstring=f"test{made}", domain="studio.test") if channel == "email" else "",
                )
                if send_at is not None:
                    message.send_at = send_at
                session.add(message)
                session.flush()
                ids.append(message.id)
        return ids

    return add
