"""One lookup rule (workflow/lookup.py): an id, or else the whole name by the one matching rule,
the same on the ORM's path and on the ORM-free read path, with the same refusals."""

from __future__ import annotations

import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.workflow import lookup
from studioflow.workflow.automations import automation_rules
from studioflow.workflow.board import reads
from studioflow.workflow.jobs import pipelines
from studioflow.workflow.money import invoices
from studioflow.workflow.people import clients
from studioflow.workflow.tasks import tasks


def both(db: Database, table: str, ref: int | str, what: str) -> tuple[int | str, int | str]:
    """(ORM answer, ORM-free answer): an id, or the refusal's text."""
    from studioflow.store.models import Client, Pipeline

    model = {"client": Client, "pipeline": Pipeline}[table]
    try:
        with db.read() as session:
            orm: int | str = lookup.find(session, model, ref, what).id  # type: ignore[assignment]
    except StudioflowError as exc:
        orm = str(exc)
    try:
        with db.rows() as conn:
            raw: int | str = lookup.find_id(conn, table, ref, what)
    except StudioflowError as exc:
        raw = str(exc)
    return orm, raw


def test_an_id_then_a_whole_name_and_the_same_refusals_on_both_paths(db: Database) -> None:
    emilie = clients.add_client(db, "Émilie Dubois")
    twin_a = clients.add_client(db, "Sam Lee")
    twin_b = clients.add_client(db, "sam  LEE", allow_duplicate=True)
    numbered = clients.add_client(db, str(twin_a.id))  # a client named like another's id
    assert both(db, "client", emilie.id, "client") == (emilie.id, emilie.id)
    assert both(db, "client", "  emilie dubois ", "client") == (emilie.id, emilie.id)
    # An id wins over a name that looks like one; an id that is no row falls back to the name.
    assert both(db, "client", str(twin_a.id), "client") == (twin_a.id, twin_a.id)
    assert both(db, "client", "999", "client") == ("no client '999'", "no client '999'")
    many = f"2 clients are named 'Sam Lee'; give the id instead ({twin_a.id}, {twin_b.id})"
    assert both(db, "client", "Sam Lee", "client") == (many, many)
    assert both(db, "client", "emilie", "client") == ("no client 'emilie'", "no client 'emilie'")
    assert both(db, "client", "  ", "client") == ("no client given", "no client given")
    assert numbered.id != twin_a.id


def test_as_id_takes_only_ids_sqlite_can_hold() -> None:
    assert lookup.as_id("42") == 42
    assert lookup.as_id(str(2**63)) is None
    assert lookup.as_id("٤٢") is None  # Arabic-Indic digits are decimal, but no id
    assert lookup.as_id("4 2") is None


def test_an_invoice_is_named_by_its_number_first_in_every_service(db: Database) -> None:
    first = invoices.add_invoice(db, [("Album", 1, 100)], client=clients.add_client(db, "Ava").id)
    numbered = invoices.add_invoice(db, [("Prints", 1, 50)], client="ava", number=str(first.id))
    # "1" is the number of the second invoice: the number printed on it wins over the id.
    assert invoices.get_invoice(db, str(first.id)).id == numbered.id
    assert invoices.get_invoice(db, first.id).id == first.id  # an int is an id (the board's cards)
    assert invoices.get_invoice(db, first.number.lower()).id == first.id  # case ignored, as for names
    # The task service finds it by the same rule (it compared the number exactly before).
    project = tasks.add_project(db, "Print run", invoice=first.number.lower())
    assert project.invoice == first.number
    with pytest.raises(StudioflowError, match="no invoice 'INV-9999'"):
        invoices.get_invoice(db, "INV-9999")


def test_a_stage_narrows_a_list_only_with_its_pipeline(db: Database) -> None:
    pipelines.create_pipeline(db, "Weddings", ["Inquiry", "Booked"])
    for narrow in (reads.list_jobs, automation_rules.list_automations):
        with pytest.raises(StudioflowError, match="a stage is only meaningful with its pipeline"):
            narrow(db, None, "inquiry")
        with pytest.raises(StudioflowError, match="no stage 'shoot' in pipeline 'Weddings'"):
            narrow(db, "weddings", "shoot")
        assert narrow(db, "weddings", "booked") == []


def test_get_refuses_an_id_that_is_gone(db: Database) -> None:
    from studioflow.store.models import Event

    with db.read() as session, pytest.raises(StudioflowError, match=r"^no event 7$"):
        lookup.get(session, Event, 7, "event")
