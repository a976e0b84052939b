"""Clients edited, deleted and merged; every change undoable from the journal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.workflow.jobs import jobs, journal
from studioflow.workflow.money import invoices
from studioflow.workflow.people import clients, jobclients
from studioflow.workflow.schedule import events
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import PipelineView

from .conftest import Dump, dump_database

Refused = Callable[..., str]


def rows(db: Database, sql: str, *args: object) -> list[tuple[object, ...]]:
    with db.rows() as conn:
        return conn.execute(sql, args).fetchall()


def test_a_second_client_of_the_same_name_is_refused_unless_allowed(db: Database, refused: Refused) -> None:
    first = clients.add_client(db, "Marc Martin", email="marc@example.com")
    message = refused(clients.add_client, db, "MARC MARTIN", email="other@example.com")
    assert message == f"a client named 'MARC MARTIN' already exists (id {first.id})"
    second = clients.add_client(db, "Marc Martin", allow_duplicate=True)
    assert second.id != first.id
    assert len(clients.list_clients(db)) == 2


def test_edit_changes_every_field_and_undo_puts_them_back(db: Database) -> None:
    ann = clients.add_client(db, "Ann Smith", email="ann@example.com", tags=["vip"])
    before = dump_database(db)["client"]
    edited = clients.edit_client(
        db,
        "ann smith",
        name="Ann Smyth",
        email="ann@smyth.example",
        phone="555 0100",
        tags=["Wedding"],
        notes="Met 3/2",
    )
    assert (edited.name, edited.email, edited.phone, edited.tags) == (
        "Ann Smyth",
        "ann@smyth.example",
        "555 0100",
        ("wedding",),
    )
    assert rows(db, "SELECT notes FROM client WHERE id = ?", ann.id) == [("Met 3/2",)]
    assert journal.undo(db) == "edit client 'Ann Smith'"
    assert dump_database(db)["client"] == before
    journal.redo(db)
    assert clients.get_client(db, ann.id).name == "Ann Smyth"


def test_edit_refuses_a_bad_email_and_another_clients_name(db: Database, refused: Refused) -> None:
    clients.add_client(db, "Ann")
    bob = clients.add_client(db, "Bob")
    refused(clients.edit_client, db, bob.id, email="bob@", match="not an email address")
    refused(clients.edit_client, db, bob.id, name="ann", match="already exists")
    assert clients.edit_client(db, bob.id, name="BOB").name == "BOB"  # its own name, recased


def test_delete_says_what_happens_keeps_the_work_and_undo_brings_it_all_back(
    db: Database, wedding: PipelineView, dump: Callable[[], Dump]
) -> None:
    ann = clients.add_client(db, "Ann")
    bob = clients.add_client(db, "Bob")
    job = jobs.add_job(db, "Ann's wedding", wedding.id, client=ann.id)
    other = jobs.add_job(db, "Bob's wedding", wedding.id, client=bob.id)
    jobclients.add_job_client(db, other.id, ann.id, "bridesmaid")
    start = datetime(2026, 6, 1, 10, tzinfo=UTC)
    events.add_event(db, "Shoot", start, job=job.id, client=ann.id)
    invoices.add_invoice(db, job=job.id, client=ann.id, lines=[("Package", 1, 100000)], issued_on=date(2026, 3, 1))
    tasks.add_project(db, "Album", client=ann.id)
    before = dump()

    links = clients.client_links(db, "ann")
    assert (links.jobs, links.roles, links.events, links.invoices, links.projects) == (1, 1, 1, 1, 1)
    assert "1 job(s) keep going without a client" in links.consequence()
    assert clients.delete_client(db, "ann") == links

    assert [c.name for c in clients.list_clients(db)] == ["Bob"]
    assert jobs.get_job(db, job.id).client is None  # the job stays, without a client
    assert rows(db, "SELECT client_id FROM event") == [(None,)]
    assert rows(db, "SELECT client_id FROM invoice") == [(None,)]
    assert rows(db, "SELECT count(*) FROM job_client WHERE client_id = ?", ann.id) == [(0,)]

    assert journal.undo(db) == "delete client 'Ann'"
    after_undo = dump()
    assert {t: r for t, r in after_undo.items() if t != "journal_entry"} == {
        t: r for t, r in before.items() if t != "journal_entry"
    }
    journal.redo(db)
    assert [c.name for c in clients.list_clients(db)] == ["Bob"]


def test_merge_folds_the_duplicate_into_the_original(
    db: Database, wedding: PipelineView, dump: Callable[[], Dump]
) -> None:
    marc = clients.add_client(db, "Marc Martin", email="marc@example.com", tags=["wedding"])
    twin = clients.add_client(
        db, "marc martin", phone="555 0199", tags=["vip"], notes="the album", allow_duplicate=True
    )
    clients.edit_client(db, marc.id, notes="met at the fair")
    mine = jobs.add_job(db, "Martin wedding", wedding.id, client=twin.id)
    shared = jobs.add_job(db, "Martin + Lopez", wedding.id, client=marc.id)
    jobclients.add_job_client(db, shared.id, twin.id, "pays the album")
    jobs.advance(db, mine.id)  # history travels with the job
    events.add_event(db, "Call", datetime(2026, 5, 1, 9, tzinfo=UTC), client=twin.id)
    invoices.add_invoice(db, client=twin.id, lines=[("Album", 1, 50000)], issued_on=date(2026, 3, 1))
    before = dump()

    merged = clients.merge_clients(db, marc.id, twin.id)

    assert (merged.id, merged.email, merged.phone, merged.tags) == (
        marc.id,
        "marc@example.com",
        "555 0199",
        ("wedding", "vip"),
    )
    assert rows(db, "SELECT notes FROM client WHERE id = ?", marc.id) == [("met at the fair\n\nthe album",)]
    assert [c.id for c in clients.list_clients(db)] == [marc.id]
    assert jobs.get_job(db, mine.id).client == "Marc Martin"
    assert [(v.stage, v.state) for v in jobs.get_job(db, mine.id).history] == [
        ("Inquiry", "completed"),
        ("Booked", "active"),
    ]
    assert rows(db, "SELECT job_id, client_id, role FROM job_client") == [(shared.id, marc.id, "pays the album")]
    assert rows(db, "SELECT client_id FROM event") == [(marc.id,)]
    assert rows(db, "SELECT client_id FROM invoice") == [(marc.id,)]
    page = clients.client_page(db, marc.id)
    assert {j.title for j in page.jobs} == {"Martin wedding", "Martin + Lopez"}

    journal.undo(db)
    assert {t: r for t, r in dump().items() if t != "journal_entry"} == {
        t: r for t, r in before.items() if t != "journal_entry"
    }


def test_merge_refuses_a_client_into_itself(db: Database, refused: Refused) -> None:
    ann = clients.add_client(db, "Ann")
    refused(clients.merge_clients, db, ann.id, "ann", match="into itself")
    refused(clients.merge_clients, db, ann.id, "nobody", match="no client 'nobody'")


def test_undoing_a_new_job_removes_the_client_made_for_it(db: Database, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Lee portraits", wedding.id, new_client="Zed Studio")
    assert job.client == "Zed Studio"
    journal.undo(db)
    assert jobs.list_jobs(db, include_archived=True) == []
    assert clients.list_clients(db) == []
    journal.redo(db)
    assert jobs.get_job(db, job.id).client == "Zed Studio"


def test_a_new_client_for_a_job_is_refused_when_the_name_exists(
    db: Database, wedding: PipelineView, refused: Refused
) -> None:
    clients.add_client(db, "Zed Studio")
    refused(jobs.add_job, db, "Lee portraits", wedding.id, new_client="zed studio", match="already exists")


@pytest.mark.parametrize("ref", ["", "999"])
def test_edit_and_delete_of_a_missing_client_are_refused(db: Database, refused: Refused, ref: str) -> None:
    refused(clients.edit_client, db, ref, name="X")
    with pytest.raises(StudioflowError):
        clients.delete_client(db, ref)


# Statuses


def test_statuses_are_renamed_recoloured_and_deleted_undoably(
    db: Database, wedding: PipelineView, refused: Refused, dump: Callable[[], Dump]
) -> None:
    hold = clients.add_status(db, "On hold", "yellow")
    clients.add_status(db, "Waiting")
    job = jobs.add_job(db, "Ann's wedding", wedding.id)
    jobs.set_status(db, job.id, "on hold")
    refused(clients.rename_status, db, hold.id, "WAITING", match="already exists")
    refused(clients.recolour_status, db, hold.id, "blurple", match="not a colour")
    assert clients.rename_status(db, "ON HOLD", "Paused").name == "Paused"
    assert clients.recolour_status(db, "paused", "#d08770").colour == "#d08770"
    before = dump()

    assert clients.status_holders(db, hold.id) == 1
    assert clients.delete_status(db, "paused") == 1
    assert jobs.get_job(db, job.id).status is None
    assert [s.name for s in clients.list_statuses(db)] == ["Waiting"]

    assert journal.undo(db) == "delete status 'Paused'"
    assert {t: r for t, r in dump().items() if t != "journal_entry"} == {
        t: r for t, r in before.items() if t != "journal_entry"
    }
    assert jobs.get_job(db, job.id).status == "Paused"
    journal.undo(db)
    journal.undo(db)
    assert [s.name for s in clients.list_statuses(db)] == ["On hold", "Waiting"]


def test_a_status_an_automation_uses_is_not_deleted(db: Database, wedding: PipelineView, refused: Refused) -> None:
    from studioflow.workflow.automations import automation_rules

    clients.add_status(db, "Signed")
    automation_rules.add_automation(db, wedding.id, "Booked", "enter", "set_status", to_status="signed")
    refused(clients.delete_status, db, "signed", match="used by automation")
