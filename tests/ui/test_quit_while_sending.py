"""Quitting during a slow send says so; a second q leaves at once, and the message is then held, not resent."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from mail.smtpd import Inbox, start  # tests/ is on sys.path: its packages import each other

from studioflow.app import make_app
from studioflow.store import Database

from .test_outbox_screen import SIZE, put, state

SLOW = 20.0  # the server's "250" comes this long after it has the message


async def test_a_second_q_leaves_without_waiting_for_the_server(demo_db: Database, private_config: Path) -> None:
    inbox = Inbox(reply_delay=SLOW)
    server = start(inbox)
    private_config.parent.mkdir(parents=True, exist_ok=True)
    private_config.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\nfrom = "jo@example.com"\ntimeout = 60\n',
        encoding="utf-8",
    )
    message = put(demo_db)
    try:
        app = make_app(demo_db)
        async with app.run_test(size=SIZE) as pilot:
            app.deliver(asked=True)
            deadline = time.monotonic() + 10
            while not inbox.received and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert inbox.received, "the server never got the message"
            await pilot.press("q")
            await pilot.pause()
            said = [n.message for n in app._notifications]
            assert any("Press q again to leave now" in line for line in said), said
            assert app.is_running
            await pilot.press("q")
            pressed = time.monotonic()
        assert time.monotonic() - pressed < 5, "the app waited for the mail server"
        # Left in flight: the next delivery run (after this process is gone) holds it for the user,
        # as tests/mail/test_crash.py shows for a process that dies mid-send.
        assert state(demo_db, message) == "sending"
        assert len(inbox.received) == 1
    finally:
        server.stop()
