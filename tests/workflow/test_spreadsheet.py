"""CSV out for every kind of record; clients and jobs in, with a header mapping, a dry run, all or nothing."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database, open_database
from studioflow.workflow.automations import automation_rules, outbox, templates
from studioflow.workflow.files import spreadsheet
from studioflow.workflow.jobs import jobs, journal
from studioflow.workflow.people import clients
from studioflow.workflow.views import PipelineView
from tests.workflow.conftest import Dump

CLIENTS = 'Full name,E-mail,Tags,Company\nZoé Martin,zoe@example.com,"vip; wedding",ACME\nMarc Martin,,,\n'


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_dry_run_says_what_would_be_made_and_writes_nothing(db: Database, dump: Callable[[], Dump]) -> None:
    before = dump()
    plan = spreadsheet.plan(db, "clients", CLIENTS, {"Full name": "name", "e-mail": "email"})
    assert dump() == before
    assert plan.columns == {"Full name": "name", "E-mail": "email", "Tags": "tags"}
    assert plan.ignored == ("Company",)
    assert plan.made == ("Zoé Martin <zoe@example.com>", "Marc Martin")
    assert plan.refused == ()
    assert plan.summary() == "would import 2 clients"


def test_apply_imports_every_row_in_one_undo_step(db: Database) -> None:
    done = spreadsheet.apply(db, "clients", CLIENTS, {"Full name": "name", "E-mail": "email"})
    assert done.summary() == "imported 2 clients"
    zoe = clients.get_client(db, "zoe martin")
    assert (zoe.email, zoe.tags) == ("zoe@example.com", ("vip", "wedding"))
    assert journal.undo(db) == "import clients from CSV"
    assert clients.list_clients(db) == []


def test_one_refused_row_imports_nothing_and_the_dry_run_says_why(db: Database, dump: Callable[[], Dump]) -> None:
    clients.add_client(db, "Marc Martin")
    text = CLIENTS + "Bad,not-an-email,,\n,x@example.com,,\n"
    plan = spreadsheet.plan(db, "clients", text, {"Full name": "name", "E-mail": "email"})
    assert plan.made == ("Zoé Martin <zoe@example.com>",)
    assert [(line, why.split(" (")[0].split(":")[0]) for line, why in plan.refused] == [
        (3, "a client named 'Marc Martin' already exists"),
        (4, "'not-an-email' is not an email address"),
        (5, "a client name cannot be empty"),
    ]
    before = dump()
    with pytest.raises(StudioflowError, match=r"nothing imported: 3 row\(s\) refused \(line 3"):
        spreadsheet.apply(db, "clients", text, {"Full name": "name", "E-mail": "email"})
    assert dump() == before


@pytest.mark.parametrize(
    ("mapping", "match"),
    [
        ({}, "no column gives the name"),
        ({"Full name": "nom"}, "'nom' .* is not a field of clients"),
        ({"Nope": "name"}, "the file has no column 'Nope'"),
        ({"Full name": "name", "Company": "name"}, "two columns give the name"),
    ],
)
def test_a_bad_mapping_is_refused(
    db: Database, refused: Callable[..., str], mapping: dict[str, str], match: str
) -> None:
    refused(spreadsheet.plan, db, "clients", CLIENTS, mapping, match=match)


def test_mappings_parse_from_the_command_line_form() -> None:
    assert spreadsheet.parse_mapping(["Full name=name", "E-mail = Email"]) == {"Full name": "name", "E-mail": "email"}
    with pytest.raises(StudioflowError, match="Header in the file=field"):
        spreadsheet.parse_mapping(["name"])


def test_jobs_import_into_their_stage_without_firing_automations(db: Database, wedding: PipelineView) -> None:
    clients.add_client(db, "Émilie Dubois", email="emilie@example.com")
    templates.create_template(db, "Welcome", "email", "Hi", "Hello\n")
    automation_rules.add_automation(db, wedding.id, "Booked", "enter", "send_email", template="welcome")
    text = (
        "Job,Board,Column,Customer,Due\n"
        "Dubois wedding,wedding,booked,emilie dubois,2026-06-13\n"
        "Lost,Nope,,,\n"
        "Late,wedding,,,13/06/2026\n"
    )
    mapping = {"Job": "title", "Board": "pipeline", "Column": "stage", "Customer": "client"}
    plan = spreadsheet.plan(db, "jobs", text, mapping)
    assert plan.made == ("Dubois wedding (Wedding › Booked, Émilie Dubois)",)
    assert [why for _, why in plan.refused] == [
        "no pipeline 'Nope'",
        "the due date '13/06/2026' is not a date (YYYY-MM-DD)",
    ]
    spreadsheet.apply(db, "jobs", text.rsplit("Lost", 1)[0], mapping)
    (job,) = jobs.list_jobs(db)
    assert (job.stage, job.client, str(job.due_on)) == ("Booked", "Émilie Dubois", "2026-06-13")
    assert outbox.counts(db).get("queued", 0) == 0  # old work sends no mail


def test_every_kind_exports_a_header_and_a_row_per_record(demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    db = open_database(path)
    expected = {
        "jobs": len(jobs.list_jobs(db, include_archived=True)),
        "clients": len(clients.list_clients(db)),
    }
    for kind in spreadsheet.EXPORTS:
        text, count = spreadsheet.export(db, kind)
        assert len(rows(text)) == count > 0, kind
        if kind in expected:
            assert count == expected[kind]
    jobs_out = rows(spreadsheet.export(db, "jobs")[0])
    assert set(jobs_out[0]) == {"id", "title", "pipeline", "stage", "client", "status", "due", "archived"}
    with pytest.raises(StudioflowError, match="cannot be exported"):
        spreadsheet.export(db, "outbox")
    db.close()
