"""The one matching rule (store.text.fold): case and accents ignored, in Python and in SQL alike."""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studioflow.store import Database, open_database
from studioflow.store.text import fold, matches
from studioflow.workflow.board import board
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.people import clients
from studioflow.workflow.tasks import tasks

ACCENTED = {
    "a": "àáâäãå",
    "c": "ç",
    "e": "èéêë",
    "i": "ìíîï",
    "n": "ñ",
    "o": "òóôöõ",
    "u": "ùúûü",
    "y": "ýÿ",
}


@pytest.mark.parametrize(
    ("typed", "name"),
    [("emilie", "Émilie Dubois"), ("dubois", "DUBOIS"), ("EMILIE", "émilie"), ("francois", "François"), ("ss", "ß")],
)
def test_fold_ignores_case_and_accents(typed: str, name: str) -> None:
    assert matches(typed, name)


def test_fold_keeps_letters_apart() -> None:
    assert fold("Émilie") == "emilie"
    assert fold("  Marc   MARTIN ") == "marc martin"
    assert not matches("emile", "Émilie")
    assert not matches("emilie x", "Émilie Dubois")


def test_lookup_search_and_board_filter_use_the_rule(db: Database) -> None:
    pipelines.create_pipeline(db, "Weddings", ["Inquiry"])
    emilie = clients.add_client(db, "Émilie Dubois", email="emilie@example.com")
    clients.add_client(db, "DUBOIS SA")
    job = jobs.add_job(db, "Mariage Château", "weddings", client="emilie dubois")
    assert job.client == "Émilie Dubois"
    assert clients.get_client(db, "EMILIE DUBOIS").id == emilie.id
    assert [c.name for c in clients.search_clients(db, "dubois")] == ["DUBOIS SA", "Émilie Dubois"]
    stage = jobs.get_job(db, job.id).stage_id
    assert [c.title for c in board.cards(db, stage, 0, 10, "emilie")] == ["Mariage Château"]
    assert [c.title for c in board.cards(db, stage, 0, 10, "chateau")] == ["Mariage Château"]
    assert board.cards(db, stage, 0, 10, "zoé") == []
    # Quick add's @name is looked up by the same rule.
    task = tasks.quick_add(db, 'Call about flowers @"mariage chateau"')
    assert task.job_id == job.id


letters = st.sampled_from("abcdefghijklmnopqrstuvwxyz")
base_names = st.lists(st.text(letters, min_size=2, max_size=8), min_size=1, max_size=3).map(" ".join)


def dress(base: str, choices: list[int]) -> str:
    """`base` with each letter's case and accent chosen by `choices` (one number per letter)."""
    out = []
    for ch, pick in zip(base, choices + [0] * len(base), strict=False):
        variants = ch + ch.upper() + ACCENTED.get(ch, "") + ACCENTED.get(ch, "").upper()
        out.append(variants[pick % len(variants)])
    return "".join(out)


@settings(max_examples=40, deadline=None)
@given(
    bases=st.lists(base_names, min_size=1, max_size=6, unique=True),
    stored=st.lists(st.integers(0, 40), min_size=30, max_size=30),
    typed=st.lists(st.integers(0, 40), min_size=30, max_size=30),
    nfd=st.booleans(),
)
def test_any_dressed_variant_finds_its_record_and_no_other(
    bases: list[str], stored: list[int], typed: list[int], nfd: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "studioflow.db")
        try:
            ids = {base: clients.add_client(db, dress(base, stored)).id for base in bases}
            for base, client_id in ids.items():
                query = dress(base, typed)
                if nfd:
                    query = unicodedata.normalize("NFD", query)
                assert clients.get_client(db, query).id == client_id
                assert client_id in {c.id for c in clients.search_clients(db, query)}
                # Every client the search finds holds every typed word: no stray match.
                for found in clients.search_clients(db, query):
                    assert all(word in fold(found.name) for word in base.split())
        finally:
            db.close()
