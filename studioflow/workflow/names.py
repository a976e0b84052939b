"""The names a user may type for a pipeline, stage, client, job or status: what the shell
completes. Read on the ORM-free path, so a TAB costs no ORM import."""

from __future__ import annotations

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.db import Rows
from studioflow.workflow.lookup import find_id


def shown_pipelines(db: Database) -> list[tuple[int, str, str]]:
    """(id, name, kind) of every pipeline on show, in board order: also the board's pipeline bar,
    which needs no card counts (on 100,000 jobs, counting them was some 10 ms of the board's start)."""
    with db.rows() as conn:
        return list(conn.execute("SELECT id, name, kind FROM pipeline WHERE archived = FALSE ORDER BY position, id"))


def pipelines(db: Database) -> list[tuple[str, str]]:
    """(name, kind) of every pipeline on show, in board order."""
    return [(name, kind) for _, name, kind in shown_pipelines(db)]


def stages(db: Database, pipeline: str | None = None, job: str | None = None) -> list[tuple[str, str]]:
    """(stage, pipeline) of the pipeline named, else of the job's pipeline, else of every pipeline."""
    with db.rows() as conn:
        pipeline_id = _pipeline_of(conn, pipeline, job)
        where, params = ("", ()) if pipeline_id is None else (" AND pipeline.id = ?", (pipeline_id,))
        rows = conn.execute(
            "SELECT stage.name, pipeline.name FROM stage JOIN pipeline ON pipeline.id = stage.pipeline_id"
            f" WHERE pipeline.archived = FALSE{where} ORDER BY pipeline.position, pipeline.id, stage.position",
            params,
        )
        return list(rows)


def _pipeline_of(conn: Rows, pipeline: str | None, job: str | None) -> int | None:
    try:
        if pipeline:
            return find_id(conn, "pipeline", pipeline, "pipeline")
        if job:
            job_id = find_id(conn, "job", job, "job")
            return int(conn.execute("SELECT pipeline_id FROM job WHERE id = ?", (job_id,)).fetchone()[0])
    except StudioflowError:  # typed wrong so far: every stage is a better offer than none
        pass
    return None


def clients(db: Database) -> list[tuple[str, str]]:
    """(name, email) of every client, by name."""
    with db.rows() as conn:
        return list(conn.execute("SELECT name, email FROM client ORDER BY casefold(name), id"))


def jobs(db: Database) -> list[tuple[int, str]]:
    """(id, title) of every job on a board (archived ones left out), by id."""
    with db.rows() as conn:
        return list(conn.execute("SELECT id, title FROM job WHERE archived = FALSE ORDER BY id"))


def statuses(db: Database) -> list[tuple[str, str]]:
    """(name, colour) of every job status, in order."""
    with db.rows() as conn:
        return list(conn.execute("SELECT name, colour FROM job_status ORDER BY position, id"))
