"""The CLI faces of the job container: invoices, events to .ics, mileage, export/import, backup."""

from __future__ import annotations

import csv
from pathlib import Path

import icalendar

from tests.cli.conftest import Cli
from tests.cli.test_cli import assert_refused, dump
from tests.conftest import rows_at

WEDDING = "Martinez-Lopez wedding"


def test_the_demo_wedding_has_two_sessions_two_payers_and_mileage(cli: Cli, demo_db: Path, tmp_path: Path) -> None:
    listed = cli("invoice", "list", "--job", WEDDING, "--json", "--db", demo_db).json()
    assert {i["client"] for i in listed} == {"Ava Martinez", "Marco Lopez"}
    assert [i["total_cents"] for i in listed] == [438413, 163458]
    ics = tmp_path / "wedding.ics"
    assert cli("event", "ics", ics, "--job", WEDDING, "--db", demo_db).ok().startswith("2 event(s) written")
    sessions = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in sessions] == ["Engagement session", "Wedding day"]
    trips = cli("mileage", "list", "--job", WEDDING, "--db", demo_db).ok()
    assert "total: 2 trip(s), 60.4 mi, 42.28" in trips
    page = cli("client", "show", "Marco Lopez", "--db", demo_db).ok()
    assert "owed  1,634.58" in page
    assert "(groom, pays the album)" in page


def test_invoice_add_status_and_csv(cli: Cli, demo_db: Path, tmp_path: Path) -> None:
    made = cli(
        "invoice", "add", "--job", WEDDING, "--line", "Prints", "3", "12.50", "--tax", "8.25", "--json", "--db", demo_db
    ).json()
    assert (made["number"], made["status"], made["total_cents"]) == ("INV-0003", "draft", 4059)  # 3.09375 -> 3.09
    assert cli("invoice", "status", "INV-0003", "sent", "--json", "--db", demo_db).json()["status"] == "sent"
    out = tmp_path / "invoices.csv"
    cli("invoice", "csv", out, "--db", demo_db).ok()
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["number"], r["total"]) for r in rows][-1] == ("INV-0003", "40.59")
    before = dump(demo_db)
    assert_refused(cli("invoice", "add", "--job", WEDDING, "--line", "Prints", "-1", "5", "--db", demo_db), "quantity")
    assert_refused(cli("invoice", "add", "--job", WEDDING, "--client", "Nobody", "--db", demo_db), "no client")
    assert_refused(
        cli("event", "add", "X", "--start", "2026-05-01 10:00", "--end", "2026-05-01 09:00", "--db", demo_db),
        "before it starts",
    )
    assert_refused(cli("mileage", "add", "--job", WEDDING, "-3", "--db", demo_db), "negative")
    assert dump(demo_db) == before


def test_export_import_export_is_identical_and_backup_works(cli: Cli, demo_db: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert "written to" in cli("export", first, "--db", demo_db).ok()
    fresh = tmp_path / "fresh.db"
    cli("import", first, "--db", fresh).ok()
    cli("export", second, "--db", fresh).ok()
    assert first.read_bytes() == second.read_bytes()
    assert_refused(cli("import", first, "--db", fresh), "already has data")
    backup = tmp_path / "backup.db"
    cli("backup", backup, "--db", demo_db).ok()
    with rows_at(backup) as conn:
        assert conn.execute("SELECT count(*) FROM invoice").fetchone()[0] == 2
