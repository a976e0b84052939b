"""`automation add … --action add_note --text …`: the option comes from the action registry."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import rows_at, studio_state

from .conftest import Cli

RULE = ("automation", "add", "wedding photography", "consultation", "--on", "enter", "--action", "add_note")


def _first_inquiry(db: Path) -> tuple[int, str, str]:
    """A demo job waiting in Inquiry: its id, its client's first name and its notes."""
    with rows_at(db) as conn:
        return conn.execute(
            "SELECT job.id, client.name, job.notes FROM job JOIN stage ON stage.id = job.stage_id"
            " JOIN client ON client.id = job.client_id WHERE stage.name = 'Inquiry' AND NOT job.archived"
            " ORDER BY job.id LIMIT 1"
        ).fetchone()


def _notes(db: Path, job_id: int) -> str:
    with rows_at(db) as conn:
        return conn.execute("SELECT notes FROM job WHERE id = ?", (job_id,)).fetchone()[0]


def test_add_note_from_the_command_line_then_a_move_writes_the_line(cli: Cli, demo_db: Path) -> None:
    rule = cli(*RULE, "--text", "Called {{ client.first_name }}", "--db", demo_db, "--json").json()
    assert (rule["action"], rule["target"]) == ("add_note", "Called {{ client.first_name }}")
    job_id, client, notes = _first_inquiry(demo_db)
    cli("job", "advance", job_id, "--db", demo_db).ok()
    line = f"Called {client.split()[0]}"
    assert _notes(demo_db, job_id) == (f"{notes.rstrip()}\n{line}" if notes.strip() else line)


def test_bad_add_note_input_is_one_line_and_exit_2(cli: Cli, demo_db: Path) -> None:
    before = studio_state(demo_db)
    for args, said in (
        ((), "add_note needs the line to add"),
        (("--text", "Hi {{ clinet.name }}"), "unknown placeholder clinet"),
        (("--text", "x", "--template", "Gallery ready"), "add_note does not use a template"),
    ):
        result = cli(*RULE, *args, "--db", demo_db)
        assert result.code == 2, result
        assert said in result.err
        assert len(result.err.strip().splitlines()) == 1
    bad = cli("automation", "add", "wedding photography", "consultation", "--on", "enter", "--action", "add_nope")
    assert bad.code == 2
    assert len(bad.err.strip().splitlines()) == 1
    assert "add_note" in bad.err  # the choices offered are the registry's
    assert studio_state(demo_db) == before


def test_automation_and_pipeline_delete_say_what_went_and_refuse_what_is_not_there(cli: Cli, demo_db: Path) -> None:
    rule = cli(*RULE, "--text", "Called", "--db", demo_db, "--json").json()
    assert cli("automation", "delete", rule["id"], "--db", demo_db).ok() == f"automation {rule['id']} deleted\n"
    with rows_at(demo_db) as conn:
        assert conn.execute("SELECT count(*) FROM automation WHERE id = ?", (rule["id"],)).fetchone() == (0,)
    gone = cli("automation", "delete", rule["id"], "--db", demo_db)
    assert gone.code == 2
    assert gone.out == ""
    cli("pipeline", "add", "Spare", "--stage", "One", "--db", demo_db).ok()
    assert cli("pipeline", "delete", "spare", "--db", demo_db).ok() == "pipeline 'spare' deleted\n"
    held = cli("pipeline", "delete", "wedding photography", "--db", demo_db)
    assert held.code == 2
    assert "holds" in held.err
