"""The send delay from the shell: a slip corrected within it sends one email, not two."""

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
