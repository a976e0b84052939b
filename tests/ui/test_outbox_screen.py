"""The outbox screen and mail settings, driven by keys; the database and the mail are checked after."""

from __future__ import annotations

import mailbox
import tomllib
from contextlib import suppress
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from mail.smtpd import Inbox, start  # tests/ is on sys.path: its packages import each other
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Select, Static
from textual.worker import WorkerFailed

from studioflow.app import StudioflowApp, make_app
from studioflow.mail.transport import stub_dir
from studioflow.screens.board import BoardScreen
from studioflow.screens.dialogs import PickerDialog
from studioflow.screens.outbox import EditMessageDialog, MessageDialog, OutboxScreen
from studioflow.screens.settings import SettingsScreen
from studioflow.store import Database
from studioflow.store.models import OutboxMessage
from studioflow.widgets.outbox_badge import OutboxBadge
from studioflow.workflow.automations import outbox
from studioflow.workflow.jobs import jobs

from .conftest import effects_done

SIZE = (120, 35)
KNOWN_SMTP_KEYS = "(known: host, port, security, username, from, password_command, timeout)"
KEYS = count()


def put(db: Database, state: str = "queued", to: str = "anna@example.com", **fields: Any) -> int:
    with db.write() as session:
        message = OutboxMessage(
            idempotency_key=f"ui-{next(KEYS)}",
            to_addr=to,
            subject=f"About the {state} one",
            body="Hello",
            state=state,
            **fields,
        )
        session.add(message)
        session.flush()
        assert message.id is not None
        return message.id


def state(db: Database, message_id: int) -> str:
    return outbox.get_message(db, message_id).state


async def press(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()
    await effects_done(pilot)


async def open_outbox(pilot: Pilot[Any]) -> OutboxScreen:
    await press(pilot, "5")
    screen = pilot.app.screen
    assert isinstance(screen, OutboxScreen)
    return screen


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for the delivery worker, then for the screen to show what it did."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rows(screen: OutboxScreen) -> list[str]:
    return [str(key.value) for key in screen.query_one(DataTable).rows]


async def test_5_lists_messages_by_what_needs_the_user_first_and_views_switch(demo_db: Database) -> None:
    sent, queued, failed = put(demo_db, "sent"), put(demo_db), put(demo_db, "failed", last_error="550 unknown user")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_outbox(pilot)
        assert rows(screen) == [str(failed), str(queued), str(sent)]
        assert "550 unknown user" in str(screen.query_one("#outbox-detail", Static).render())
        assert "1 queued · 1 failed" in str(screen.query_one(OutboxBadge).render())

        await press(pilot, "right_square_bracket")  # Needs you
        assert rows(screen) == [str(failed)]
        await press(pilot, "right_square_bracket", "right_square_bracket")  # Waiting, then Sent
        assert rows(screen) == [str(sent)]
        await press(pilot, "left_square_bracket", "left_square_bracket", "left_square_bracket")
        assert rows(screen) == [str(failed), str(queued), str(sent)]

        await press(pilot, "1")
        assert isinstance(app.screen, BoardScreen)


async def test_enter_reads_a_message_whole_and_e_from_there_edits_it(demo_db: Database) -> None:
    message = put(demo_db, "held", last_error="delivery stopped while this message was being sent")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, MessageDialog)
        assert app.screen.message.id == message
        await press(pilot, "e")
        assert isinstance(app.screen, EditMessageDialog)
        await press(pilot, "escape")
        assert isinstance(app.screen, OutboxScreen)
    assert state(demo_db, message) == "held"


async def test_e_edits_recipient_subject_and_body_and_a_bad_address_keeps_the_dialog(demo_db: Database) -> None:
    message = put(demo_db, "failed")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(pilot)
        await press(pilot, "e")
        dialog = app.screen
        assert isinstance(dialog, EditMessageDialog)
        dialog.query_one("#edit-to", Input).value = "not an address"
        await press(pilot, "ctrl+s")
        assert app.screen is dialog
        assert "is not an email address" in str(dialog.query_one("#edit-error", Label).render())
        assert outbox.get_message(demo_db, message).to_addr == "anna@example.com"

        dialog.query_one("#edit-to", Input).value = "anna.new@example.com"
        dialog.query_one("#edit-subject", Input).value = "Your album"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, OutboxScreen)
    saved = outbox.get_message(demo_db, message)
    assert (saved.to_addr, saved.subject, saved.state) == ("anna.new@example.com", "Your album", "failed")


async def test_c_cancels_and_u_puts_it_back(demo_db: Database) -> None:
    message = put(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(pilot)
        await press(pilot, "c")
        assert state(demo_db, message) == "cancelled"
        await press(pilot, "u")
        assert state(demo_db, message) == "queued"
        await press(pilot, "ctrl+r")
        assert state(demo_db, message) == "cancelled"


async def test_r_retries_a_failed_message_and_it_goes_to_the_stub_outbox(demo_db: Database) -> None:
    message = put(demo_db, "failed", attempts=8, last_error="gave up")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_outbox(pilot)
        progress: list[tuple[int, int]] = []
        screen.watch(app, "delivery_progress", lambda value: progress.append(value), init=False)
        await press(pilot, "r")
        await settle(pilot)
        assert state(demo_db, message) == "sent"
        # No mail server: it went to the local outbox, and the badge says so rather than "outbox clear".
        assert str(screen.query_one(OutboxBadge).render()) == "✉ local only · 1 kept locally"
        assert progress == [(1, 1), (0, 0)]  # the bar showed 1 of 1, then went away
    assert len(mailbox.Maildir(stub_dir(demo_db.path), create=False)) == 1


async def test_R_releases_a_held_message_only_when_chosen(demo_db: Database) -> None:
    message = put(demo_db, "held", last_error="it may have been sent")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(pilot)
        await press(pilot, "R")
        assert isinstance(app.screen, PickerDialog)
        await press(pilot, "enter")  # it opens on "Keep it held"
        assert state(demo_db, message) == "held"
        await press(pilot, "R", "up", "enter")
        await settle(pilot)
        assert state(demo_db, message) == "sent"


async def test_a_move_that_queues_an_email_delivers_it_in_the_background(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch, private_config: Path
) -> None:
    monkeypatch.setattr(StudioflowApp, "deliver_in_background", True)
    private_config.parent.mkdir()
    private_config.write_text("[outbox]\nsend_delay_seconds = 0\n")  # due at once: this is about the worker
    kim = next(j for j in jobs.list_jobs(demo_db) if j.title == "Kim wedding enquiry")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "l", "H")  # Consultation back to Inquiry: "Thanks for your inquiry"
        await settle(pilot)
        [message] = outbox.list_messages(demo_db)
        assert (message.job_id, message.state, message.local_only) == (kim.id, "sent", True)
        assert str(app.screen.query_one(OutboxBadge).render()) == "✉ local only · 1 kept locally"


async def test_a_bad_mail_config_is_said_once_and_nothing_is_lost(
    demo_db: Database, private_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(StudioflowApp, "deliver_in_background", True)
    private_config.parent.mkdir()
    private_config.write_text('[smtp]\nhots = "x"\n')
    message = put(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):  # at start-up, then twice more: the same error is not said again
            with suppress(WorkerFailed):  # the worker fails (as it should); the app goes on
                await settle(pilot)
            app.deliver()
        said = [n.message for n in app._notifications]
        about_config = [m for m in said if "unknown key smtp.hots" in m]
        assert about_config == [f"Mail not sent: {private_config}: unknown key smtp.hots " + KNOWN_SMTP_KEYS]
    assert state(demo_db, message) == "queued"


async def test_settings_save_the_smtp_table_and_send_a_test_email(demo_db: Database, private_config: Path) -> None:
    inbox = Inbox()
    server = start(inbox)
    app = make_app(demo_db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_outbox(pilot)
            await press(pilot, "comma")
            screen = app.screen
            assert isinstance(screen, SettingsScreen)
            values = {
                "host": "127.0.0.1",
                "port": "not a port",
                "from": "jo@example.com",
                "test-to": "anna@example.com",
            }
            for key, value in values.items():
                screen.query_one(f"#smtp-{key}", Input).value = value
            screen.query_one("#smtp-security", Select).value = "none"
            await press(pilot, "ctrl+s")
            assert "the port must be a number, not 'not a port'" in str(screen.query_one("#settings-result").render())
            assert not private_config.exists()

            screen.query_one("#smtp-port", Input).value = str(server.port)
            screen.query_one("#me-name", Input).value = "Jo Lens"  # {{ me.name }}, set here, not in the file
            await press(pilot, "ctrl+s")
            saved = tomllib.loads(private_config.read_text())
            assert saved["smtp"] == {
                "host": "127.0.0.1",
                "port": server.port,
                "security": "none",
                "from": "jo@example.com",
                "timeout": 30.0,
            }
            assert saved["outbox"] == {"send_delay_seconds": 120}  # the default, shown and kept
            assert saved["me"] == {"name": "Jo Lens", "business": ""}

            await press(pilot, "ctrl+t")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            assert "Sent to anna@example.com. The server said: 127.0.0.1: 250" in str(
                screen.query_one("#settings-result").render()
            )
            assert [m["Subject"] for m in inbox.received] == ["studioflow test email"]
            await press(pilot, "escape")
            assert isinstance(app.screen, OutboxScreen)
    finally:
        server.stop()
