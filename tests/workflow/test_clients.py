"""Clients and job statuses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.workflow.people import clients
from studioflow.workflow.views import ClientView, StatusView

Refused = Callable[..., str]


def client_row(db: Database, client_id: int) -> tuple[str, str, str, str]:
    """(name, email, phone, tags JSON) straight from the file."""
    with db.rows() as conn:
        return conn.execute("SELECT name, email, phone, tags FROM client WHERE id = ?", (client_id,)).fetchone()


# add_client


def test_add_client(db: Database) -> None:
    email, phone, tags = " Ann.Smith@Example.COM ", " +1 (555) 010-2030 ", ["VIP", " wedding", "vip"]
    view = clients.add_client(db, "  Ann Smith ", email=email, phone=phone, tags=tags)
    assert view == ClientView(view.id, "Ann Smith", "Ann.Smith@example.com", "+1 (555) 010-2030", ("vip", "wedding"))
    assert clients.get_client(db, view.id) == view
    assert clients.list_clients(db) == [view]
    assert client_row(db, view.id) == ("Ann Smith", "Ann.Smith@example.com", "+1 (555) 010-2030", '["vip", "wedding"]')


def test_add_client_with_only_a_name(db: Database) -> None:
    view = clients.add_client(db, "Bob")
    assert (view.email, view.phone, view.tags) == ("", "", ())
    assert clients.get_client(db, "bob") == view


@pytest.mark.parametrize("phone", ["555-0100", "+44 20 7946 0958", "(02) 9876.5432", "123"])
def test_phone_numbers_that_are_accepted(db: Database, phone: str) -> None:
    assert clients.get_client(db, clients.add_client(db, "C", phone=phone).id).phone == phone


@pytest.mark.parametrize(
    ("name", "kwargs", "match"),
    [
        ("", {}, "empty"),
        ("   ", {}, "empty"),
        ("Ann\nSmith", {}, "single line"),
        ("x" * 201, {}, "too long"),
        ("Ann", {"email": "ann"}, "not an email address"),
        ("Ann", {"email": "ann@"}, "not an email address"),
        ("Ann", {"email": "ann@@example.com"}, "not an email address"),
        ("Ann", {"email": "ann smith@example.com"}, "not an email address"),
        ("Ann", {"phone": "call me"}, "not a phone number"),
        ("Ann", {"phone": "12"}, "not a phone number"),
        ("Ann", {"phone": "555-0100 ext. 4"}, "not a phone number"),
        ("Ann", {"tags": ["ok", " "]}, "empty"),
    ],
)
def test_add_client_refusals(db: Database, refused: Refused, name: str, kwargs: dict, match: str) -> None:
    clients.add_client(db, "Existing")
    refused(clients.add_client, db, name, match=match, **kwargs)


def test_clients_may_share_a_name_when_allowed_and_are_listed_by_name(db: Database) -> None:
    zed = clients.add_client(db, "Zed")
    first = clients.add_client(db, "ann")
    second = clients.add_client(db, "Ann", allow_duplicate=True)
    assert clients.list_clients(db) == [first, second, zed]


# get_client


def test_get_client_by_id_or_name(db: Database) -> None:
    ann = clients.add_client(db, "Ann Smith")
    clients.add_client(db, "Bob")
    assert clients.get_client(db, ann.id) == ann
    assert clients.get_client(db, str(ann.id)) == ann
    assert clients.get_client(db, "ANN SMITH") == ann
    assert clients.get_client(db, " ann smith ") == ann


def test_an_ambiguous_client_name_lists_the_ids(db: Database) -> None:
    first = clients.add_client(db, "Ann")
    second = clients.add_client(db, "ANN", allow_duplicate=True)
    clients.add_client(db, "Bob")
    with pytest.raises(StudioflowError, match="2 clients are named 'ann'") as info:
        clients.get_client(db, "ann")
    assert f"({first.id}, {second.id})" in str(info.value)
    assert clients.get_client(db, second.id) == second


def test_an_id_wins_over_a_name_that_looks_like_one(db: Database) -> None:
    first = clients.add_client(db, "Ann")
    clients.add_client(db, str(first.id))
    assert clients.get_client(db, str(first.id)) == first


@pytest.mark.parametrize("ref", ["Nobody", 999, "999", "", "  "])
def test_get_client_refuses_unknown_refs(db: Database, ref: int | str) -> None:
    clients.add_client(db, "Ann")
    with pytest.raises(StudioflowError, match="client"):
        clients.get_client(db, ref)


# statuses


def test_add_and_list_statuses(db: Database) -> None:
    waiting = clients.add_status(db, " Waiting on documents ", "red")
    paid = clients.add_status(db, "Deposit paid", "#a3be8c")
    default = clients.add_status(db, "Blocked")
    assert waiting == StatusView(waiting.id, "Waiting on documents", "red")
    assert (paid.colour, default.colour) == ("#a3be8c", "yellow")
    assert clients.list_statuses(db) == [waiting, paid, default]


@pytest.mark.parametrize(
    ("name", "colour", "match"),
    [
        ("", "red", "empty"),
        ("New", "not-a-colour", "not a colour"),
        ("New", "#12345", "not a colour"),
        ("New", "", "not a colour"),
        ("WAITING", "blue", "already exists"),
    ],
)
def test_add_status_refusals(db: Database, refused: Refused, name: str, colour: str, match: str) -> None:
    clients.add_status(db, "Waiting", "red")
    refused(clients.add_status, db, name, colour, match=match)
