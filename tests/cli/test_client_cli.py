"""`client add/edit/delete/merge` from the shell, checked against the file."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Cli, DemoIds
from tests.cli.test_cli import assert_refused, dump, query

WEDDING = "Martinez-Lopez wedding"


def test_add_refuses_a_namesake_unless_allowed(cli: Cli, demo_db: Path) -> None:
    before = dump(demo_db)
    message = assert_refused(cli("client", "add", "ava MARTINEZ", "--email", "a@b.example", "--db", demo_db))
    assert "already exists" in message
    assert "--allow-duplicate" in message
    assert dump(demo_db) == before
    made = cli("client", "add", "Ava Martinez", "--allow-duplicate", "--json", "--db", demo_db).json()
    assert query(demo_db, "SELECT count(*) FROM client WHERE name = 'Ava Martinez'") == [(2,)]
    assert made["name"] == "Ava Martinez"


def test_edit_every_field_and_undo(cli: Cli, demo_db: Path) -> None:
    edited = cli(
        "client", "edit", "hugo laurent", "--name", "Hugo Laurent-Petit", "--email", "hugo@example.com",
        "--phone", "", "--tag", "Lead", "--tag", "vip", "--notes", "prefers texts", "--json", "--db", demo_db,
    ).json()  # fmt: skip
    assert (edited["name"], edited["email"], edited["phone"], edited["tags"]) == (
        "Hugo Laurent-Petit",
        "hugo@example.com",
        "",
        ["lead", "vip"],
    )
    assert query(demo_db, "SELECT notes FROM client WHERE id = ?", edited["id"]) == [("prefers texts",)]
    assert "edit client" in cli("undo", "--db", demo_db).ok()
    assert query(demo_db, "SELECT name, email FROM client WHERE id = ?", edited["id"]) == [("Hugo Laurent", "")]


def test_edit_refusals_change_nothing(cli: Cli, demo_db: Path) -> None:
    before = dump(demo_db)
    assert_refused(cli("client", "edit", "Hugo Laurent", "--db", demo_db), "nothing to change")
    assert_refused(cli("client", "edit", "Hugo Laurent", "--email", "hugo@", "--db", demo_db), "not an email")
    assert_refused(cli("client", "edit", "Hugo Laurent", "--name", "grace kim", "--db", demo_db), "already exists")
    assert_refused(cli("client", "edit", "Nobody", "--name", "X", "--db", demo_db), "no client")
    assert dump(demo_db) == before


def test_delete_says_what_happens_and_undo_brings_everything_back(cli: Cli, demo_db: Path) -> None:
    before = {t: rows for t, rows in dump(demo_db).items() if t != "journal_entry"}
    said = cli("client", "delete", "Marco Lopez", "--db", demo_db).ok()
    assert "deleted client" in said
    assert "it leaves the 1 job(s) it has a role in" in said
    assert "invoice(s)" in said
    assert query(demo_db, "SELECT count(*) FROM client WHERE name = 'Marco Lopez'") == [(0,)]
    assert query(demo_db, "SELECT count(*) FROM invoice WHERE client_id IS NULL") == [(1,)]
    cli("undo", "--db", demo_db).ok()
    assert {t: rows for t, rows in dump(demo_db).items() if t != "journal_entry"} == before


def test_merge_folds_the_duplicate_into_the_original(cli: Cli, demo_db: Path, ids: DemoIds) -> None:
    ava = ids.clients["Ava Martinez"]
    twin = cli(
        "client", "add", "Ava  Martínez", "--phone", "555 0199", "--allow-duplicate", "--json", "--db", demo_db
    ).json()
    added = cli(
        "job", "add", "Ava's album", "--pipeline", "Wedding Photography", "--client", twin["id"], "--db", demo_db
    )
    assert added.code == 0, added.err  # (a warning says the twin has no email for the stage's welcome)
    # Two clients now answer to the name: the ambiguity is said, nothing merged.
    assert_refused(cli("client", "merge", "Ava Martinez", twin["id"], "--db", demo_db), "give the id instead")
    merged = cli("client", "merge", ava, twin["id"], "--json", "--db", demo_db).json()
    assert merged["name"] == "Ava Martinez"
    assert query(demo_db, "SELECT count(*) FROM client WHERE id = ?", twin["id"]) == [(0,)]
    page = cli("client", "show", "ava martinez", "--json", "--db", demo_db).json()  # one Ava again
    assert "Ava's album" in [j["title"] for j in page["jobs"]]
    assert_refused(cli("client", "merge", ava, "ava martínez", "--db", demo_db), "into itself")


def test_status_rename_colour_delete_and_undo(cli: Cli, demo_db: Path, ids: DemoIds) -> None:
    listed = cli("status", "list", "--json", "--db", demo_db).json()
    assert len(listed) >= 2  # the demo ships a few
    name = listed[-1]["name"]  # "On hold": no automation uses it
    holders = query(demo_db, "SELECT count(*) FROM job WHERE status_id = ?", ids.statuses[name])[0][0]
    assert cli("status", "rename", name.upper(), "Paused", "--json", "--db", demo_db).json()["name"] == "Paused"
    assert cli("status", "colour", "paused", "#d08770", "--json", "--db", demo_db).json()["colour"] == "#d08770"
    before = dump(demo_db)
    assert_refused(cli("status", "colour", "paused", "blurple", "--db", demo_db), "not a colour")
    assert_refused(cli("status", "delete", listed[0]["name"], "--db", demo_db), "used by automation")
    assert_refused(cli("status", "rename", "paused", listed[0]["name"], "--db", demo_db), "already exists")
    assert dump(demo_db) == before
    said = cli("status", "delete", "paused", "--db", demo_db).ok()
    assert f"{holders} job(s) lost it" in said
    assert query(demo_db, "SELECT count(*) FROM job_status WHERE name = 'Paused'") == [(0,)]
    cli("undo", "--db", demo_db).ok()
    assert query(demo_db, "SELECT count(*) FROM job WHERE status_id = ?", ids.statuses[name]) == [(holders,)]


def test_invoice_with_two_taxes_edit_and_correct(cli: Cli, demo_db: Path) -> None:
    made = cli(
        "invoice", "add", "--job", WEDDING, "--line", "Prints", "1", "100.10",
        "--tax", "GST=5", "--tax", "QST=9.975", "--json", "--db", demo_db,
    ).json()  # fmt: skip
    number = made["number"]
    assert [(t["name"], t["amount_cents"]) for t in made["taxes"]] == [("GST", 501), ("QST", 998)]
    assert made["total_cents"] == 11509
    shown = cli("invoice", "show", number, "--db", demo_db).ok()
    assert "GST 5 %" in shown
    assert "QST 9.975 %" in shown
    before = dump(demo_db)
    assert_refused(cli("invoice", "edit", number, "--tax", "QST=9.9751", "--db", demo_db), "three decimals")
    assert_refused(cli("invoice", "edit", number, "--db", demo_db), "nothing to change")
    assert_refused(cli("invoice", "correct", number, "--db", demo_db), "only a sent invoice")
    assert dump(demo_db) == before
    edited = cli(
        "invoice", "edit", number, "--line", "Prints", "2", "50", "--no-tax", "--client", "Marco Lopez",
        "--due", "2026-12-31", "--notes", "Merci", "--json", "--db", demo_db,
    ).json()  # fmt: skip
    assert (edited["total_cents"], edited["client"], edited["due_on"], edited["notes"]) == (
        10000,
        "Marco Lopez",
        "2026-12-31",
        "Merci",
    )
    cli("invoice", "status", number, "sent", "--db", demo_db).ok()
    assert_refused(cli("invoice", "edit", number, "--notes", "x", "--db", demo_db), "only a draft")
    fresh = cli("invoice", "correct", number, "--json", "--db", demo_db).json()
    assert fresh["replaces"] == number
    assert fresh["number"] != number
    assert query(demo_db, "SELECT status FROM invoice WHERE number = ?", number) == [("void",)]


def test_csv_export_and_a_dry_run_then_apply_import(cli: Cli, demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "jobs.csv"
    assert cli("csv", "export", "jobs", out, "--db", demo_db).ok().startswith("25 jobs written")
    assert out.read_text(encoding="utf-8").startswith("id,title,pipeline,stage,client,status,due,archived\n")
    sheet = tmp_path / "people.csv"
    sheet.write_text("\ufeffFull name,E-mail\nZoé Martin,zoe@example.com\nAva Martinez,\n", encoding="utf-8")
    before = dump(demo_db)
    said = cli("csv", "import", "clients", sheet, "--map", "Full name=name", "--map", "E-mail=email", "--db", demo_db)
    assert "  + Zoé Martin <zoe@example.com>" in said.ok()
    assert "refused, line 3: a client named 'Ava Martinez' already exists" in said.out
    assert "dry run: nothing written" in said.out
    assert dump(demo_db) == before
    assert_refused(
        cli("csv", "import", "clients", sheet, "--map", "Full name=name", "--apply", "--db", demo_db),
        "nothing imported",
    )
    assert dump(demo_db) == before
    assert_refused(cli("csv", "import", "clients", sheet, "--db", demo_db), "no column gives the name")
    sheet.write_text("Full name\nZoé Martin\n", encoding="utf-8")
    assert (
        "imported 1 client"
        in cli("csv", "import", "clients", sheet, "--map", "Full name=name", "--apply", "--db", demo_db).ok()
    )
    assert query(demo_db, "SELECT count(*) FROM client WHERE name = 'Zoé Martin'") == [(1,)]
