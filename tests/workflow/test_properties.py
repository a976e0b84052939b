"""Any sequence of moves keeps one active visit per job and a consistent, ordered history."""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studioflow.errors import StudioflowError
from studioflow.store import Database, open_database
from studioflow.workflow.jobs import jobs, pipelines

from .conftest import TAX_STAGES, WEDDING_STAGES, dump_database

PIPELINES = {"Wedding": WEDDING_STAGES, "Tax return": TAX_STAGES}
ALL_STAGES = WEDDING_STAGES + TAX_STAGES
START = (("Wedding", 0), ("Wedding", 2), ("Tax return", 0))  # where each job starts


@dataclass
class ModelJob:
    """What the services should have done to one job, kept in plain Python."""

    pipeline: str
    at: int
    archived: bool = False
    history: list[tuple[str, str]] = field(default_factory=list)

    @property
    def stages(self) -> tuple[str, ...]:
        return PIPELINES[self.pipeline]

    def leave(self, state: str) -> None:
        name, active = self.history[-1]
        assert active == "active"
        self.history[-1] = (name, state)

    def enter(self, pipeline: str, at: int) -> None:
        self.pipeline, self.at = pipeline, at
        self.history.append((PIPELINES[pipeline][at], "active"))


Op = tuple[str, int, str | None, str | None]

ops = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["advance", "skip", "archive"]), st.integers(0, 2), st.none(), st.none()),
        st.tuples(st.just("move_to"), st.integers(0, 2), st.sampled_from(ALL_STAGES), st.none()),
        st.tuples(
            st.just("move_to_pipeline"),
            st.integers(0, 2),
            st.sampled_from(list(PIPELINES)),
            st.none() | st.sampled_from(ALL_STAGES),
        ),
    ),
    max_size=12,
)


def predict(job: ModelJob, op: Op) -> bool:
    """Apply `op` to the model; False when the service must refuse it."""
    kind, _, target, stage = op
    if kind == "archive":
        job.archived = not job.archived
        return True
    if job.archived:
        return False
    if kind in ("advance", "skip"):
        if job.at == len(job.stages) - 1:
            return False
        job.leave("completed" if kind == "advance" else "skipped")
        job.enter(job.pipeline, job.at + 1)
        return True
    if kind == "move_to":
        assert target is not None
        if target not in job.stages or job.stages.index(target) == job.at:
            return False
        there = job.stages.index(target)
        if there > job.at:
            job.leave("completed")
            job.history.extend((name, "skipped") for name in job.stages[job.at + 1 : there])
        else:
            job.leave("skipped")
        job.enter(job.pipeline, there)
        return True
    assert kind == "move_to_pipeline"
    assert target is not None
    if target == job.pipeline or (stage is not None and stage not in PIPELINES[target]):
        return False
    job.leave("completed")
    job.enter(target, 0 if stage is None else PIPELINES[target].index(stage))
    return True


def perform(db: Database, job_id: int, op: Op) -> None:
    kind, _, target, stage = op
    if kind == "advance":
        jobs.advance(db, job_id)
    elif kind == "skip":
        jobs.skip(db, job_id)
    elif kind == "archive":
        if jobs.get_job(db, job_id).archived:
            jobs.unarchive(db, job_id)
        else:
            jobs.archive(db, job_id)
    elif kind == "move_to":
        jobs.move_to(db, job_id, target)  # type: ignore[arg-type]
    else:
        jobs.move_to_pipeline(db, job_id, target, stage)  # type: ignore[arg-type]


def check(db: Database, ids: list[int], model: list[ModelJob]) -> None:
    """The invariants, and the model's stage, archive flag and history for every job, read from the file."""
    with db.rows() as conn:
        stages = {sid: (pid, name) for sid, pid, name in conn.execute("SELECT id, pipeline_id, name FROM stage")}
        pipeline_names = dict(conn.execute("SELECT id, name FROM pipeline").fetchall())
        rows = {jid: rest for jid, *rest in conn.execute("SELECT id, pipeline_id, stage_id, archived FROM job")}
        visits: dict[int, list[tuple[int | None, str, str, datetime, datetime | None]]] = {jid: [] for jid in rows}
        query = "SELECT job_id, stage_id, stage_name, state, entered_at, left_at FROM stage_visit ORDER BY id"
        for jid, sid, name, state, entered, left in conn.execute(query):
            visits[jid].append((sid, name, state, _time(entered), None if left is None else _time(left)))
    assert sorted(rows) == ids
    for job_id, expected in zip(ids, model, strict=True):
        pipeline_id, stage_id, archived = rows[job_id]
        history = visits[job_id]
        active = [v for v in history if v[2] == "active"]
        assert len(active) == 1
        assert active[0] is history[-1]
        assert active[0][0] == stage_id
        assert active[0][4] is None
        assert stages[stage_id][0] == pipeline_id
        for _, _, state, entered, left in history[:-1]:
            assert state in ("completed", "skipped")
            assert left is not None
            assert left >= entered
        for before, after in itertools.pairwise(history):
            assert after[3] >= before[3]
            assert before[4] is not None
            assert after[3] >= before[4]
        assert (pipeline_names[pipeline_id], stages[stage_id][1]) == (expected.pipeline, expected.stages[expected.at])
        assert bool(archived) == expected.archived
        assert [(name, state) for _, name, state, _, _ in history] == expected.history


def _time(stored: str) -> datetime:
    return datetime.fromisoformat(stored)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two pipelines and three jobs, written once; each example starts from a copy."""
    path = tmp_path_factory.mktemp("template") / "studioflow.db"
    db = open_database(path)
    for name, stages in PIPELINES.items():
        pipelines.create_pipeline(db, name, stages)
    for number, (pipeline, at) in enumerate(START):
        jobs.add_job(db, f"Job {number}", pipeline, stage=PIPELINES[pipeline][at])
    db.close()
    return path


def copy_database(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dest:
        src.backup(dest)


@settings(max_examples=60, deadline=None)
@given(ops=ops)
def test_any_sequence_of_moves_keeps_a_consistent_history(template: Path, ops: list[Op]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "studioflow.db"
        copy_database(template, path)
        db = open_database(path)
        try:
            ids = [job.id for job in jobs.list_jobs(db, include_archived=True)]
            ids.sort()
            model = [ModelJob(p, at, history=[(PIPELINES[p][at], "active")]) for p, at in START]
            check(db, ids, model)
            for op in ops:
                job_id, job = ids[op[1]], model[op[1]]
                if predict(job, op):
                    perform(db, job_id, op)
                else:
                    before = dump_database(db)
                    with pytest.raises(StudioflowError):
                        perform(db, job_id, op)
                    assert dump_database(db) == before
                check(db, ids, model)
            assert db.health() == []
        finally:
            db.close()
