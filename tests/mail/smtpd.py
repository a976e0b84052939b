"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, with scripted answers."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    # aiosmtpd's start-up check connects to the port it was given, so port 0 will not do.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it accepts.

    `data_answers`: replies to the next DATA commands, one each, then it accepts.
    `rcpt_answer`: the reply to every RCPT (None: accept). `drop_at`: "MAIL" or "DATA"
    closes the connection at that command. `data_delay`: seconds before answering DATA.
    `reply_delay`: seconds between keeping a message and saying "250" (a reply the client may never see).
    """

    data_answers: list[str] = field(default_factory=list)
    rcpt_answer: str | None = None
    drop_at: str | None = None
    data_delay: float = 0.0
    reply_delay: float = 0.0
    received: list[EmailMessage] = field(default_factory=list)
    connections: int = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if self.drop_at == "MAIL":
            server.transport.close()
            return "421 4.3.2 closing"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if self.rcpt_answer is not None:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        if self.drop_at == "DATA":
            server.transport.close()
            return "421 4.3.2 closing"
        if self.data_answers:
            return self.data_answers.pop(0)
        message = message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        if self.reply_delay:
            await asyncio.sleep(self.reply_delay)
        return f"250 2.0.0 Ok: queued as {len(self.received)}"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


def start(handler: Inbox, **smtp_options: Any) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **smtp_options)
    controller.start()
    return controller
