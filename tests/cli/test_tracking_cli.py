"""`pipeline add --for`, `client track|advance|skip|move|untrack|pipelines` and undo, through the real CLI."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Cli
from tests.conftest import rows_at


def test_a_lead_walks_its_pipeline_from_the_command_line(cli: Cli, studio_target: Path | str) -> None:
    db = studio_target
    cli("--db", db, "pipeline", "add", "Leads", "--for", "clients", "--stage", "Email Lead", "--stage", "Call").ok()
    cli("--db", db, "client", "add", "Ada Lovelace", "--email", "ada@example.com").ok()
    cli(
        "--db", db, "template", "add", "Hello", "--channel", "email", "--subject", "Hi", "--body", "{{ client.name }}"
    ).ok()
    cli(
        "--db",
        db,
        "automation",
        "add",
        "Leads",
        "Call",
        "--on",
        "enter",
        "--action",
        "send_email",
        "--template",
        "Hello",
    )
    tracked = cli("--db", db, "client", "track", "Ada Lovelace", "--pipeline", "Leads", "--json").json()
    assert (tracked["kind"], tracked["pipeline"], tracked["stage"], tracked["tracked"]) == (
        "clients",
        "Leads",
        "Email Lead",
        True,
    )
    moved = cli("--db", db, "client", "advance", "Ada Lovelace", "--json").json()
    assert moved["stage"] == "Call"
    assert [line.split(" (")[0] for line in moved["fired"]] == ["email queued to ada@example.com"]
    (shown,) = cli("--db", db, "client", "pipelines", "Ada Lovelace", "--json").json()
    assert [(v["stage"], v["state"]) for v in shown["history"]] == [("Email Lead", "completed"), ("Call", "active")]
    assert "Leads › Call" in cli("--db", db, "client", "show", "Ada Lovelace").ok()
    assert cli("--db", db, "undo").ok().startswith("undid: advance 'Ada Lovelace' to Call")
    with rows_at(db) as conn:
        assert conn.execute("SELECT stage_name, state FROM stage_visit").fetchall() == [("Email Lead", "active")]
        assert conn.execute("SELECT state FROM outbox_message").fetchall() == [("cancelled",)]


def test_bad_input_is_one_line_and_exit_2(cli: Cli, studio_target: Path | str) -> None:
    db = studio_target
    cli("--db", db, "pipeline", "add", "Leads", "--for", "clients", "--stage", "A", "--stage", "B").ok()
    cli("--db", db, "pipeline", "add", "Wedding", "--stage", "Inquiry").ok()
    cli("--db", db, "client", "add", "Ada").ok()
    for args, message in (
        (("client", "advance", "Ada"), "is on no pipeline"),
        (("client", "track", "Ada", "--pipeline", "Wedding"), "tracks jobs, not clients"),
        (("client", "track", "Nobody", "--pipeline", "Leads"), "no client 'Nobody'"),
        (("pipeline", "add", "X", "--for", "people"), "invalid choice"),
    ):
        done = cli("--db", db, *args)
        assert done.code == 2, (args, done.err)
        assert message in done.err
        assert done.err.count("\n") == 1
    cli("--db", db, "client", "track", "Ada", "--pipeline", "Leads").ok()
    cli("--db", db, "client", "move", "Ada", "--to", "B").ok()
    done = cli("--db", db, "client", "skip", "Ada")
    assert (done.code, done.err) == (
        2,
        "studioflow: client 1 'Ada' is at the last stage ('B'); there is no stage after it\n",
    )
    cli("--db", db, "client", "untrack", "Ada").ok()
    with rows_at(db) as conn:
        assert conn.execute("SELECT stage_name, state FROM stage_visit").fetchall() == [
            ("A", "completed"),
            ("B", "untracked"),
        ]


def test_an_invoice_follows_up_from_the_command_line_and_paid_stops_it(cli: Cli, studio_target: Path | str) -> None:
    db = studio_target
    stages = ("--stage", "Sent", "--stage", "Reminder", "--stage", "Paid")
    cli("--db", db, "pipeline", "add", "Invoice follow-up", "--for", "invoices", *stages).ok()
    cli("--db", db, "pipeline", "add", "Wedding", "--stage", "Inquiry", "--stage", "Booked").ok()
    cli("--db", db, "pipeline", "default", "Invoice follow-up", "on").ok()
    cli("--db", db, "client", "add", "Ada", "--email", "ada@example.com").ok()
    body = ("--body", "Hi {{ client.first_name }}")
    cli("--db", db, "template", "add", "Nudge", "--channel", "email", "--subject", "Your invoice", *body).ok()
    cli("--db", db, "invoice", "add", "--client", "Ada", "--line", "Session", "1", "500").ok()  # INV-0001, the model
    cli("--db", db, "invoice", "untrack", "INV-0001").ok()
    rule = ("--action", "email_invoice", "--template", "Nudge", "--delay", "1d")
    cli("--db", db, "automation", "add", "Invoice follow-up", "Reminder", "--on", "enter", *rule).ok()
    new_invoice = ("--action", "send_invoice", "--from-invoice", "INV-0001", "--days", "14", "--template", "Nudge")
    cli("--db", db, "automation", "add", "Wedding", "Booked", "--on", "enter", *new_invoice).ok()
    cli("--db", db, "job", "add", "Lee wedding", "--pipeline", "Wedding", "--client", "Ada").ok()
    moved = cli("--db", db, "job", "advance", "Lee wedding", "--json").json()
    assert moved["fired"][0].startswith("invoice INV-0002 made; email queued to ada@example.com")
    (on,) = cli("--db", db, "invoice", "pipelines", "INV-0002", "--json").json()
    assert (on["pipeline"], on["stage"]) == ("Invoice follow-up", "Sent")
    cli("--db", db, "invoice", "advance", "INV-0002").ok()
    cli("--db", db, "invoice", "status", "INV-0002", "paid").ok()
    with rows_at(db) as conn:
        assert conn.execute("SELECT subject, state FROM outbox_message ORDER BY id").fetchall() == [
            ("Your invoice", "queued"),  # the new invoice, under its letter
            ("Your invoice", "cancelled"),  # the reminder a day later: paid first
        ]
        visits = "SELECT stage_name, state FROM stage_visit WHERE invoice_id = 2 ORDER BY id"
        assert conn.execute(visits).fetchall() == [("Sent", "completed"), ("Reminder", "completed")]
