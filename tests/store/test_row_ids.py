"""The typed ids of the tables: a saved row's id is an int, an unsaved one's is refused."""

from __future__ import annotations

import pytest
from sqlmodel import select

from studioflow.store import Database
from studioflow.store.models import Client, Pipeline, Stage, StageVisit


def test_saved_id_is_the_id_once_flushed_and_refused_before(db: Database) -> None:
    with db.write() as session:
        client = Client(name="Ada")
        with pytest.raises(RuntimeError, match="this Client has no id yet"):
            _ = client.saved_id
        session.add(client)
        session.flush()
        assert client.id is not None
        assert client.saved_id == client.id


def test_id_column_selects_the_ids(db: Database) -> None:
    with db.write() as session:
        session.add_all([Client(name="Ada"), Client(name="Grace")])
    with db.read() as session:
        ids = session.exec(select(Client.id_column()).order_by(Client.id_column())).all()
        names = session.exec(select(Client.id_column(), Client.name).order_by(Client.id_column())).all()
    assert ids == [1, 2]
    assert names == [(1, "Ada"), (2, "Grace")]


def test_tracked_pipeline_id_is_a_tracked_visits_pipeline_and_refused_for_a_jobs(db: Database) -> None:
    with db.write() as session:
        pipeline = Pipeline(name="Leads", kind="clients")
        client = Client(name="Ada")
        session.add_all([pipeline, client])
        session.flush()
        stage = Stage(pipeline_id=pipeline.saved_id, name="New")
        session.add(stage)
        session.flush()
        tracked = StageVisit(
            client_id=client.saved_id, pipeline_id=pipeline.saved_id, stage_id=stage.saved_id, stage_name="New"
        )
        assert tracked.tracked_pipeline_id == pipeline.saved_id
        jobs = StageVisit(job_id=1, stage_id=stage.saved_id, stage_name="New")
        with pytest.raises(RuntimeError, match="is a job's"):
            _ = jobs.tracked_pipeline_id
