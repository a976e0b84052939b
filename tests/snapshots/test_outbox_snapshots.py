"""What the outbox and the mail settings look like (fixed times, so the pictures hold still)."""

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studioflow.app import make_app
from studioflow.store import Database, open_database
from studioflow.store.models import OutboxMessage
from studioflow.workflow.files import demo

SnapCompare = Callable[..., bool]
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LOCAL = "local outbox (no mail server set)"

MESSAGES = [
    # (state, to, subject, attempts, problem, reply)
    (
        "failed",
        "grace.kim@example.com",
        "Your contract",
        1,
        "mail.example.com refused the recipient: 550 5.1.1 no such user",
        "",
    ),
    (
        "held",
        "ava.martinez@example.com",
        "Your gallery is ready",
        1,
        "delivery stopped while this message was being sent, so it may have gone",
        "",
    ),
    ("queued", "ben.okafor@example.com", "Thanks for your inquiry, Ben", 0, "", ""),
    (
        "sent",
        "chloe.nguyen@example.com",
        "Engagement session: what to bring",
        1,
        "",
        "smtp.example.com: 250 2.0.0 Ok: queued as 4F2A",
    ),
    # Delivered before a mail server was set: it never left the machine, and says so.
    ("sent", "isla.murphy@example.com", "Your gallery", 1, "", f"{LOCAL}: studioflow.outbox/new/1772452800.M1P1.jo"),
]


def outbox_db(tmp_path: Path) -> Database:
    db = open_database(tmp_path / "studioflow.db")
    demo.write_demo(db)
    with db.write() as session:
        for n, (state, to, subject, attempts, problem, reply) in enumerate(MESSAGES):
            session.add(
                OutboxMessage(
                    idempotency_key=f"snap-{n}",
                    to_addr=to,
                    subject=subject,
                    body=f"Hi,\n\nabout: {subject.lower()}.\n\nJo\n",
                    state=state,
                    attempts=attempts,
                    last_error=problem,
                    reply=reply,
                    send_at=NOON,
                    sent_at=NOON if state == "sent" else None,
                    message_id=f"<snap{n}@studioflow.local>",
                    job_id=n + 1,
                    local_only=reply.startswith(LOCAL),
                )
            )
    return db


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times are shown in the local zone: make it UTC here, whatever the machine's."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_outbox(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(make_app(outbox_db(tmp_path)), terminal_size=(120, 35), press=["5"])


def test_outbox_message_read_whole(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(make_app(outbox_db(tmp_path)), terminal_size=(120, 35), press=["5", "down", "enter"])


def test_outbox_delivery_record_of_a_local_only_message(snap_compare: SnapCompare, tmp_path: Path) -> None:
    # The Sent view, newest first: the local one, its "went to" line, and the badge saying "local only".
    app = make_app(outbox_db(tmp_path))
    assert snap_compare(
        app, terminal_size=(120, 35), press=["5", "right_square_bracket"] + ["right_square_bracket"] * 2
    )


def test_mail_settings_at_80x24(snap_compare: SnapCompare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIOFLOW_CONFIG", "/home/jo/.config/studioflow/config.toml")  # shown on screen
    assert snap_compare(make_app(outbox_db(tmp_path)), terminal_size=(80, 24), press=["5", "comma"])


def test_outbox_in_a_light_theme(snap_compare: SnapCompare, tmp_path: Path, private_config: Path) -> None:
    # Held, failed, local-only and sent, each readable on a light background.
    private_config.write_text('[outbox]\nsend_delay_seconds = 0\n\n[ui]\ntheme = "textual-light"\n', encoding="utf-8")
    assert snap_compare(make_app(outbox_db(tmp_path)), terminal_size=(120, 35), press=["5"])
