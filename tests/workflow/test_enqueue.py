"""One outbox enqueue (outbox.enqueue) for automations and emailed invoices, and config.toml
read once per call chain rather than once per message."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from studioflow import config
from studioflow.store import Database
from studioflow.store.models import OutboxMessage, utcnow
from studioflow.workflow.automations import automation_rules, automations, templates
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.money import invoices
from studioflow.workflow.people import clients


@pytest.fixture
def reads_of_config(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per read of config.toml."""
    seen: list[int] = []
    real = config._read_config

    def counted() -> dict[str, object]:
        seen.append(1)
        return real()

    monkeypatch.setattr(config, "_read_config", counted)
    return seen


def messages(db: Database) -> list[OutboxMessage]:
    with db.read() as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_a_move_that_queues_three_messages_reads_the_config_once(
    db: Database, private_config: Path, reads_of_config: list[int]
) -> None:
    private_config.parent.mkdir(parents=True, exist_ok=True)
    private_config.write_text('[me]\nname = "Jo"\n[outbox]\nsend_delay_seconds = 300\n')
    pipelines.create_pipeline(db, "Weddings", ["Inquiry", "Booked"])
    clients.add_client(db, "Ava Martinez", email="ava@example.com", phone="+15550100")
    templates.create_template(db, "Hello", "email", "Hello {{ client.first_name }}", "From {{ me.name }}")
    templates.create_template(db, "Text", "sms", "", "See you, from {{ me.name }}")
    for action, template in (("send_email", "Hello"), ("send_sms", "Text"), ("send_email", "hello")):
        automation_rules.add_automation(db, "Weddings", "Booked", "enter", action, template=template)
    job = jobs.add_job(db, "Martinez wedding", "Weddings", client="Ava Martinez")
    before = len(reads_of_config)
    moment = utcnow()
    jobs.advance(db, job.id)
    assert len(reads_of_config) - before == 1
    queued = messages(db)
    assert [(m.channel, m.state, m.body) for m in queued] == [
        ("email", "queued", "From Jo"),
        ("sms", "queued", "See you, from Jo"),
        ("email", "queued", "From Jo"),
    ]
    # Made by the one enqueue: the send delay waited, an email's Message-ID, none for a text.
    for message in queued:
        assert timedelta(seconds=299) < message.send_at - moment < timedelta(seconds=310)
        assert message.message_id.endswith("@studioflow.local>") == (message.channel == "email")
        assert message.idempotency_key.startswith("automation-run-")


def test_an_emailed_invoice_is_queued_by_the_same_enqueue(db: Database, private_config: Path) -> None:
    private_config.parent.mkdir(parents=True, exist_ok=True)
    private_config.write_text("[outbox]\nsend_delay_seconds = 60\n")
    clients.add_client(db, "Ava Martinez", email="ava@example.com")
    templates.create_template(db, "Letter", "email", "Your invoice", "Hi {{ client.first_name }}")
    invoice = invoices.add_invoice(db, [("Album", 1, 950_00)], client="ava martinez", today=date(2026, 6, 1))
    moment = utcnow()
    invoices.email_invoice(db, invoice.number, "letter", {})
    (message,) = messages(db)
    assert (message.idempotency_key, message.state, message.to_addr) == (
        f"invoice-{invoice.id}-1",
        "queued",
        "ava@example.com",
    )
    assert timedelta(seconds=59) < message.send_at - moment < timedelta(seconds=70)
    assert message.message_id.endswith("@studioflow.local>")
    assert not message.cancel_on_leave


def test_a_config_given_by_the_caller_is_used_without_reading_the_file(
    db: Database, reads_of_config: list[int]
) -> None:
    given = config.Config({"me": {"name": "Given"}})
    with db.write() as session:
        assert automations.message_config(session, given) is given
        assert automations.message_config(session).me()["name"] == "Given"
    assert reads_of_config == []
