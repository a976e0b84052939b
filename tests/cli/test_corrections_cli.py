"""Corrections from the shell: within the send delay, and without automations."""

from __future__ import annotations

from pathlib import Path

from mail.smtpd import Inbox, start  # tests/ is on sys.path: its packages import each other

from .conftest import Cli, DemoIds


def test_advance_back_and_forward_within_the_delay_sends_one_email(
    cli: Cli, demo_db: Path, ids: DemoIds, tmp_path: Path
) -> None:
    inbox = Inbox()
    server = start(inbox)
    try:
        config = tmp_path / "config.toml"  # no [outbox]: the default delay of 2 minutes
        config.write_text(
            f'[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\nfrom = "jo@studio.test"\n'
        )
        env = {"STUDIOFLOW_CONFIG": str(config)}
        kim = str(ids.jobs["Kim wedding enquiry"])  # Consultation; Contract Sent emails the client
        before = {m["id"] for m in cli("outbox", "list", "--json", "--db", demo_db, env=env).json()}

        cli("job", "advance", kim, "--db", demo_db, env=env).ok()  # L
        cli("job", "move", kim, "--to", "Consultation", "--db", demo_db, env=env).ok()  # H
        cli("job", "advance", kim, "--db", demo_db, env=env).ok()  # L
        assert cli("outbox", "send", "--db", demo_db, env=env).out == "nothing due to send\n"  # still in its delay

        made = [m for m in cli("outbox", "list", "--json", "--db", demo_db, env=env).json() if m["id"] not in before]
        assert sorted(m["state"] for m in made) == ["cancelled", "queued"]
        [waiting] = [m for m in made if m["state"] == "queued"]
        cli("outbox", "now", waiting["id"], "--db", demo_db, env=env).ok()  # the delay is over
        assert cli("outbox", "send", "--db", demo_db, env=env).out == "1 sent\n"
        assert cli("outbox", "send", "--db", demo_db, env=env).out == "nothing due to send\n"
    finally:
        server.stop()
    assert [m["To"] for m in inbox.received] == ["grace.kim@example.com"]


def test_no_automations_moves_and_reentry_rules_from_the_shell(cli: Cli, demo_db: Path, ids: DemoIds) -> None:
    kim = str(ids.jobs["Kim wedding enquiry"])
    before = len(cli("outbox", "list", "--json", "--db", demo_db).json())

    moved = cli("job", "advance", kim, "--no-automations", "--json", "--db", demo_db).json()
    assert (moved["stage"], moved["fired"], moved["tasks_total"]) == ("Contract Sent", [], 0)
    cli("job", "move", kim, "--to", "Consultation", "--no-automations", "--db", demo_db).ok()
    cli("job", "skip", kim, "--no-automations", "--db", demo_db).ok()
    assert len(cli("outbox", "list", "--json", "--db", demo_db).json()) == before
    shown = cli("job", "show", kim, "--db", demo_db).ok()
    assert shown.count("(moved without automations)") == 3
    history = cli("job", "show", kim, "--json", "--db", demo_db).json()["history"]
    assert [v["automations_off"] for v in history][-3:] == [True, True, True]

    rule = ("automation", "add", "wedding photography", "consultation", "--on", "enter", "--db", demo_db)
    added = cli(
        *rule, "--action", "send_email", "--template", "Thanks for your inquiry", "--reentry", "first", "--json"
    )
    assert (added.json()["reentry"], added.json()["summary"].endswith("(first visit only)")) == ("first", True)
    bad = cli(*rule, "--action", "archive", "--reentry", "twice")
    assert (bad.code, bad.out) == (2, "")
    assert bad.err.startswith("studioflow: a re-entry rule is every, first or days:N")


def test_a_move_that_emails_nobody_is_made_and_said_on_stderr(cli: Cli, demo_db: Path) -> None:
    job = cli(
        "job",
        "add",
        "Walk-in portraits",
        "--pipeline",
        "wedding photography",
        "--stage",
        "consultation",
        "--json",
        "--db",
        demo_db,
    ).json()
    moved = cli("job", "advance", job["id"], "--db", demo_db)
    assert moved.code == 0
    assert moved.err == (
        "studioflow: warning: email held: the job has no client (see 'studioflow outbox list --state held')\n"
    )
    [held] = [
        m
        for m in cli("outbox", "list", "--state", "held", "--json", "--db", demo_db).json()
        if m["job_id"] == job["id"]
    ]
    assert held["last_error"] == "the job has no client"
