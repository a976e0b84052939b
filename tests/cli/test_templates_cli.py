"""`studioflow template …` end to end, against a copy of the demo database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studioflow.store import open_database
from studioflow.workflow.automations import templates
from studioflow.workflow.files import demo
from tests.conftest import rows_at

from .conftest import Cli, DemoIds, Result

ME_CONFIG = '[me]\nname = "Jo Lens"\nbusiness = "Lens & Co"\n'
BODY = "Hi {{ client.first_name }},\n{% if job.due %}\nYour {{ job.title }} is due {{ job.due }}.\n{% endif %}\n"
BODY += "{{ me.name }}\n"


def rows(path: Path) -> list[tuple[Any, ...]]:
    """The templates added by a test (the demo's own are left out)."""
    demo_names = [name for name, *_ in demo.TEMPLATES]
    with rows_at(path) as conn:
        found = conn.execute("SELECT name, channel, subject, body FROM message_template ORDER BY id").fetchall()
    return [row for row in found if row[0] not in demo_names]


def add_in_process(path: Path, name: str, body: str) -> None:
    """A text template written through the service (a subprocess costs a second)."""
    db = open_database(path)
    try:
        templates.create_template(db, name, "sms", "", body)
    finally:
        db.close()


def refusal(result: Result) -> str:
    """Exit 2, nothing on stdout, exactly one line on stderr; returns that line."""
    assert result.code == 2, (result.code, result.out, result.err)
    assert result.out == ""
    assert "Traceback" not in result.err
    assert len(result.err.splitlines()) == 1, result.err
    return result.err.strip()


def test_add_show_preview_list_and_delete(cli: Cli, demo_db: Path, ids: DemoIds, tmp_path: Path) -> None:
    (tmp_path / "body.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "config.toml").write_text(ME_CONFIG, encoding="utf-8")
    env = {"STUDIOFLOW_CONFIG": str(tmp_path / "config.toml")}
    subject = "{{ stage.name }}: {{ client.name }}"
    args = ("template", "add", "Due soon", "--channel", "email", "--subject", subject, "--body-file", "body.txt")
    added = cli(*args, "--db", demo_db, "--json").json()
    assert added == {"id": added["id"], "name": "Due soon", "channel": "email", "subject": subject, "body": BODY}
    assert rows(demo_db) == [("Due soon", "email", subject, BODY)]
    assert cli("template", "show", "due SOON", "--db", demo_db).ok() == f"template {added['id']} Due soon (email)\n" + (
        f"Subject: {subject}\n\n{BODY}"
    )

    job = ids.jobs["Okafor wedding"]
    preview = cli("template", "preview", "Due soon", "--job", job, "--db", demo_db, env=env).ok()
    assert preview == (
        "Subject: Contract Sent: Ben Okafor\n\nHi Ben,\nYour Okafor wedding is due 2026-03-05.\nJo Lens\n"
    )

    add_in_process(demo_db, "Ping", "Hi {{ client.first_name }}")
    listing = cli("template", "list", "--db", demo_db).ok().splitlines()
    assert listing[0].split() == ["id", "name", "channel", "subject", "body"]
    names = [line.split()[1] for line in listing[1:]]
    assert names == sorted(names, key=str.casefold)  # by name
    assert {"Due", "Ping"} <= set(names)
    assert cli("template", "delete", "ping", "--db", demo_db).ok().endswith("'Ping' deleted\n")
    assert [name for name, *_ in rows(demo_db)] == ["Due soon"]


def test_a_placeholder_typo_is_refused_on_one_line(cli: Cli, demo_db: Path) -> None:
    before = rows(demo_db)
    args = ("template", "add", "Typo", "--channel", "email", "--subject", "Hi {{ client.nmae }}", "--body", "x")
    message = refusal(cli(*args, "--db", demo_db))
    assert message.startswith("studioflow: unknown placeholder client.nmae in the subject (known: client.name,")
    message = refusal(cli("template", "add", "Bad", "--channel", "sms", "--body", "a\n{{ job.title }", "--db", demo_db))
    assert message == "studioflow: body line 2: unexpected '}'"
    assert rows(demo_db) == before == []


def test_bad_usage_is_refused(cli: Cli, demo_db: Path, tmp_path: Path) -> None:
    assert "invalid choice: 'fax'" in refusal(cli("template", "add", "T", "--channel", "fax", "--body", "x"))
    missing = refusal(cli("template", "add", "T", "--channel", "sms", "--body-file", "nope.txt", "--db", demo_db))
    assert missing == "studioflow: cannot read nope.txt: No such file or directory"
    bomb = ("template", "add", "Bomb", "--channel", "sms", "--body", "{{ 'x' * 10**8 }}", "--db", demo_db)
    assert "would build 100,000,000 more characters" in refusal(cli(*bomb))
    assert rows(demo_db) == []


def test_preview_with_a_bad_config_names_the_key(cli: Cli, demo_db: Path, ids: DemoIds, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[me]\nname = "Jo"\nemail = "jo@example.com"\n', encoding="utf-8")
    add_in_process(demo_db, "T", "{{ me.name }}")
    env = {"STUDIOFLOW_CONFIG": str(tmp_path / "config.toml")}
    result = cli("template", "preview", "T", "--job", ids.jobs["Okafor wedding"], "--db", demo_db, env=env)
    assert refusal(result).endswith("config.toml: unknown key me.email (known: name, business)")
