"""Workflow fixtures: two seeded pipelines, a raw dump of the file, and a refusal checker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import SQLModel

from studioflow.errors import StudioflowError
from studioflow.store import Database, models  # noqa: F401  (every table on the metadata)
from studioflow.workflow.jobs import pipelines
from studioflow.workflow.views import PipelineView

Dump = dict[str, list[tuple[Any, ...]]]

WEDDING_STAGES = ("Inquiry", "Booked", "Shoot", "Edit", "Deliver")
TAX_STAGES = ("Intake", "Prepare", "File")


@pytest.fixture
def db(any_db: Database) -> Database:
    """The workflow suite runs on both engines: every test here gets SQLite, then PostgreSQL."""
    return any_db


def dump_database(db: Database) -> Dump:
    """Every row of every table, in key order, read on its own connection (the read path: values as
    SQLite stores them, on either engine)."""
    with db.rows() as conn:
        return {
            table.name: conn.execute(
                f'SELECT * FROM "{table.name}" ORDER BY '
                + ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            ).fetchall()
            for table in sorted(SQLModel.metadata.sorted_tables, key=lambda t: t.name)
        }


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
