"""Several clients per job, with roles; the primary one is the job's own client (and undoable)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from studioflow.store import Database
from studioflow.workflow.jobs import jobs, journal
from studioflow.workflow.people import clients, jobclients
from studioflow.workflow.views import PipelineView


@pytest.fixture
def job_id(db: Database, wedding: PipelineView) -> int:
    for name in ("Ava Martinez", "Marco Lopez", "Rosa Lopez"):
        clients.add_client(db, name)
    return jobs.add_job(db, "Martinez-Lopez wedding", "Wedding", client="Ava Martinez").id


def shown(db: Database, job_id: int) -> list[tuple[str, str, bool]]:
    return [(c.name, c.role, c.primary) for c in jobclients.list_job_clients(db, job_id)]


def test_add_roles_and_primary(db: Database, job_id: int) -> None:
    assert shown(db, job_id) == [("Ava Martinez", "", True)]
    jobclients.add_job_client(db, job_id, "Marco Lopez", "groom")
    jobclients.add_job_client(db, job_id, "Rosa Lopez", "  payer  ")
    jobclients.set_role(db, job_id, "Ava Martinez", "bride")
    assert shown(db, job_id) == [
        ("Ava Martinez", "bride", True),
        ("Marco Lopez", "groom", False),
        ("Rosa Lopez", "payer", False),
    ]
    jobclients.set_primary(db, job_id, "Rosa Lopez")
    assert shown(db, job_id)[0] == ("Rosa Lopez", "payer", True)
    assert jobs.get_job(db, job_id).client == "Rosa Lopez"  # the board's client follows
    assert ("Ava Martinez", "bride", False) in shown(db, job_id)
    journal.undo(db)  # changing the primary client is a change to the job: undoable
    assert jobs.get_job(db, job_id).client == "Ava Martinez"


def test_removing_the_primary_client_promotes_the_next(db: Database, job_id: int) -> None:
    jobclients.add_job_client(db, job_id, "Marco Lopez", "groom")
    jobclients.remove_job_client(db, job_id, "Ava Martinez")
    assert shown(db, job_id) == [("Marco Lopez", "groom", True)]
    jobclients.remove_job_client(db, job_id, "Marco Lopez")
    assert shown(db, job_id) == []
    assert jobs.get_job(db, job_id).client is None
    jobclients.add_job_client(db, job_id, "Rosa Lopez")  # the first client of a job is its primary one
    assert shown(db, job_id) == [("Rosa Lopez", "", True)]


def test_refusals(db: Database, job_id: int, refused: Callable[..., str]) -> None:
    refused(jobclients.add_job_client, db, job_id, "Ava Martinez", match="already a client")
    refused(jobclients.add_job_client, db, job_id, "Nobody", match="no client 'Nobody'")
    refused(jobclients.remove_job_client, db, job_id, "Rosa Lopez", match="not a client of")
    refused(jobclients.set_role, db, job_id, "Rosa Lopez", "payer", match="not a client of")
    refused(jobclients.set_primary, db, job_id, "Ava Martinez", match="already the primary")
    refused(jobclients.add_job_client, db, job_id, "Rosa Lopez", "x" * 61, match="role is too long")


def test_the_client_page_lists_jobs_with_role_events_invoices_and_owed(db: Database, job_id: int) -> None:
    from studioflow.workflow.money import invoices

    jobclients.add_job_client(db, job_id, "Marco Lopez", "payer")
    invoice = invoices.add_invoice(db, [("Album", 1, 950_00)], job=job_id, client="Marco Lopez")
    invoices.set_status(db, invoice.id, "sent")
    page = clients.client_page(db, "Marco Lopez")
    assert [(j.title, j.stage, j.role) for j in page.jobs] == [("Martinez-Lopez wedding", "Inquiry", "payer")]
    assert [i.number for i in page.invoices] == [invoice.number]
    assert page.owed_cents == 950_00
    assert [j.title for j in clients.client_page(db, "Ava Martinez").jobs] == ["Martinez-Lopez wedding"]


def test_search_matches_every_word_in_name_email_phone_or_tags(db: Database, wedding: PipelineView) -> None:
    clients.add_client(db, "Zoë Ünal", "zoe@example.com", tags=["vip", "wedding"])
    clients.add_client(db, "50% Off_Ltd")
    assert [c.name for c in clients.search_clients(db, "zoë VIP")] == ["Zoë Ünal"]
    assert [c.name for c in clients.search_clients(db, "ünal")] == ["Zoë Ünal"]  # beyond ASCII
    assert [c.name for c in clients.search_clients(db, "50%")] == ["50% Off_Ltd"]  # % is a letter here
    clients.add_client(db, "Boax")
    assert clients.search_clients(db, "o_x") == []  # and so is _ (as a pattern it would match "oax")


def test_notes_are_saved_and_undoable(db: Database, job_id: int, refused: Callable[..., str]) -> None:
    jobs.set_notes(db, job_id, "# Plan\n- first look at 2pm\n")
    assert jobs.get_notes(db, job_id) == "# Plan\n- first look at 2pm\n"
    journal.undo(db)
    assert jobs.get_notes(db, job_id) == ""
    refused(jobs.set_notes, db, job_id, "x" * 100_001, match="too long")


def test_a_new_client_is_made_with_the_link_in_one_step(db: Database, job_id: int, refused: Callable[..., str]) -> None:
    jobclients.add_job_client(db, job_id, None, "second shooter", new_client="Ben Okafor")
    assert ("Ben Okafor", "second shooter", False) in shown(db, job_id)
    # A refused link leaves no client behind: the name taken, a role too long, no such job.
    before = [c.name for c in clients.list_clients(db)]
    refused(jobclients.add_job_client, db, job_id, None, new_client="Ben Okafor", match="already exists")
    refused(jobclients.add_job_client, db, job_id, None, "x" * 500, new_client="Nia Okafor", match="too long")
    refused(jobclients.add_job_client, db, job_id + 99, None, new_client="Nia Okafor", match="no job")
    assert [c.name for c in clients.list_clients(db)] == before


def test_client_exists_follows_a_delete(db: Database, job_id: int) -> None:
    ben = clients.add_client(db, "Ben Okafor")
    assert clients.client_exists(db, ben.id)
    clients.delete_client(db, ben.id)
    assert not clients.client_exists(db, ben.id)
