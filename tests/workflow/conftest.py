"""Workflow fixtures: two seeded pipelines, a raw dump of the file, and a refusal checker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.workflow.jobs import pipelines
from studioflow.workflow.views import PipelineView
from tests.conftest import Dump, dump_database

__all__ = ["Dump", "dump_database"]  # the tests here take them from this conftest

WEDDING_STAGES = ("Inquiry", "Booked", "Shoot", "Edit", "Deliver")
TAX_STAGES = ("Intake", "Prepare", "File")


@pytest.fixture
def db(any_db: Database) -> Database:
    """The workflow suite runs on both engines: every test here gets SQLite, then PostgreSQL."""
    return any_db


@pytest.fixture
def dump(db: Database) -> Callable[[], Dump]:
    return lambda: dump_database(db)


@pytest.fixture
def refused(db: Database) -> Callable[..., str]:
    """Call `fn(*args, **kwargs)`; assert StudioflowError, a one-line message and an unchanged file."""

    def check(fn: Callable[..., Any], *args: Any, match: str | None = None, **kwargs: Any) -> str:
        before = dump_database(db)
        with pytest.raises(StudioflowError, match=match) as info:
            fn(*args, **kwargs)
        assert dump_database(db) == before
        message = str(info.value)
        assert message
        assert "\n" not in message
        return message

    return check


@pytest.fixture
def wedding(db: Database) -> PipelineView:
    return pipelines.create_pipeline(db, "Wedding", WEDDING_STAGES)


@pytest.fixture
def tax(db: Database) -> PipelineView:
    return pipelines.create_pipeline(db, "Tax return", TAX_STAGES)
