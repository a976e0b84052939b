"""What the board shows: column counts and pages of cards, read lazily and filtered.

A column of 10,000 jobs is never read whole: the board asks for the count, then for
the page of cards it is about to draw. Read with plain SQL (the read path, see
`reads`): the first frame needs no ORM. A pipeline of clients, events or invoices is
read from its active stage visits (see `subjects`) through the ORM, in `tracked_board`,
loaded only when such a board is shown; `kind` says which.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.text import fold
from studioflow.workflow import lookup
from studioflow.workflow.board import reads
from studioflow.workflow.views import StageView

LAST_PIPELINE = "board.last_pipeline"


class CardView(NamedTuple):
    id: int
    title: str
    client: str | None
    status: str | None
    status_colour: str | None
    due_on: date | None
    tasks_open: int
    tasks_total: int
    kind: str = "jobs"  # a tracked client's, event's or invoice's card has its id as `id`
    detail: str = ""  # what else the card's last line says ("last contact 2026-11-30")


class BoardView(NamedTuple):
    pipeline_id: int
    pipeline: str
    columns: tuple[StageView, ...]  # job_count is the number of cards the filter lets through
    kind: str = "jobs"


class CardSource(NamedTuple):
    """Where the cards of one kind of pipeline come from, as SQL fragments.

    `table` holds the cards (with stage_id, pipeline_id, archived and position columns);
    `source` is the FROM clause with the joins a card shows, that table named `card`;
    `fields` the columns of a card, in the order of `make`'s arguments; `match` the text
    columns the filter looks in. A kind of pipeline plugs in its own (CARD_SOURCES).
    """

    table: str
    source: str
    fields: str
    match: tuple[str, ...]
    make: Callable[..., Any]


def _job_card(
    i: int,
    title: str,
    client: str | None,
    status: str | None,
    colour: str | None,
    due: str | None,
    tasks_open: int,
    tasks_total: int,
) -> CardView:
    return CardView(i, title, client, status, colour, reads.day(due), tasks_open, tasks_total)


JOB_CARDS = CardSource(
    table="job",
    source="job AS card LEFT JOIN client ON client.id = card.client_id"
    " LEFT JOIN job_status ON job_status.id = card.status_id",
    fields="card.id, card.title, client.name, job_status.name, job_status.colour, card.due_on,"
    " (SELECT count(*) FROM task WHERE task.job_id = card.id AND task.done_at IS NULL),"
    " (SELECT count(*) FROM task WHERE task.job_id = card.id)",
    match=("card.title", "client.name", "job_status.name"),
    make=_job_card,
)
CARD_SOURCES = {"jobs": JOB_CARDS}


def _filtered(text: str, cards: CardSource = JOB_CARDS) -> tuple[str, str, list[Any]]:
    """(FROM, WHERE, parameters) over unarchived cards, narrowed by the filter text."""
    words = fold(text).split()  # the one matching rule: case and accents ignored
    if not words:
        return f"{cards.table} AS card", "card.archived = FALSE", []  # no joins: counts come from the indexes alone
    clauses, params = ["card.archived = FALSE"], []
    for word in words:
        each = [reads.like(column, [word]) for column in cards.match]
        clauses.append("(" + " OR ".join(sql for sql, _ in each) + ")")
        params += [p for _, ps in each for p in ps]
    return cards.source, " AND ".join(clauses), params


def board(db: Database, pipeline: int | str, text: str = "") -> BoardView:
    """The pipeline's columns with how many (filtered, unarchived) cards each holds."""
    source, where, params = _filtered(text)
    with db.rows() as conn:
        pipeline_id = lookup.find_id(conn, "pipeline", pipeline, "pipeline")
        name, kind = conn.execute("SELECT name, kind FROM pipeline WHERE id = ?", (pipeline_id,)).fetchone()
        if kind == "jobs":
            query = f"SELECT card.stage_id, count(*) FROM {source} WHERE {where} AND card.pipeline_id = ? GROUP BY 1"
            found = dict(conn.execute(query, (*params, pipeline_id)).fetchall())
            return BoardView(pipeline_id, name, reads.stages(conn, pipeline_id, found), kind)
        stage_ids = {int(row[0]) for row in conn.execute("SELECT id FROM stage WHERE pipeline_id = ?", (pipeline_id,))}
    found = counts(db, stage_ids, text, kind)
    with db.rows() as conn:
        return BoardView(pipeline_id, name, reads.stages(conn, pipeline_id, found), kind)


def counts(db: Database, stage_ids: set[int], text: str = "", kind: str = "jobs") -> dict[int, int]:
    """How many (filtered, unarchived) cards each of the given columns holds."""
    if kind != "jobs":
        from studioflow.workflow.board import tracked_board

        return tracked_board.counts(db, stage_ids, text, kind) if stage_ids else {}
    source, where, params = _filtered(text)
    ids = sorted(stage_ids)
    marks = ", ".join("?" * len(ids))
    query = f"SELECT card.stage_id, count(*) FROM {source} WHERE {where} AND card.stage_id IN ({marks}) GROUP BY 1"
    with db.rows() as conn:
        found = dict(conn.execute(query, (*params, *ids)).fetchall())
    return {stage_id: found.get(stage_id, 0) for stage_id in stage_ids}


def cards(db: Database, stage_id: int, offset: int, limit: int, text: str = "", kind: str = "jobs") -> list[CardView]:
    """Cards `offset` to `offset + limit` of a column, in board order."""
    if kind != "jobs":
        from studioflow.workflow.board import tracked_board

        return tracked_board.cards(db, stage_id, offset, limit, text, kind)
    _, where, params = _filtered(text)
    query = (
        f"SELECT {JOB_CARDS.fields} FROM {JOB_CARDS.source} WHERE {where} AND card.stage_id = ?"
        " ORDER BY card.position, card.id LIMIT ? OFFSET ?"
    )
    with db.rows() as conn:
        rows = conn.execute(query, (*params, stage_id, max(limit, 0), max(offset, 0))).fetchall()
    return [JOB_CARDS.make(*row) for row in rows]


def locate(
    db: Database, job_id: int, text: str = "", kind: str = "jobs", pipeline_id: int | None = None
) -> tuple[int, int] | None:
    """(stage id, index in its column) of a job (or of a tracked resource on `pipeline_id`)
    as the board shows it; None if filtered out."""
    if kind != "jobs":
        from studioflow.workflow.board import tracked_board

        return tracked_board.locate(db, job_id, text, kind, pipeline_id)
    source, where, params = _filtered(text)
    count = f"SELECT count(*) FROM {source} WHERE {where}"
    with db.rows() as conn:
        job = conn.execute(f"SELECT stage_id, position FROM {JOB_CARDS.table} WHERE id = ?", (job_id,)).fetchone()
        if job is None:
            raise StudioflowError(f"no job {job_id}")
        if not conn.execute(f"{count} AND card.id = ?", (*params, job_id)).fetchone()[0]:
            return None  # archived, or filtered out
        stage_id, position = job
        earlier = "card.stage_id = ? AND (card.position < ? OR (card.position = ? AND card.id < ?))"
        return stage_id, conn.execute(
            f"{count} AND {earlier}", (*params, stage_id, position, position, job_id)
        ).fetchone()[0]


def last_pipeline(db: Database) -> int | None:
    """The pipeline the board showed last, if it still exists; else the first one."""
    with db.rows() as conn:
        remembered = conn.execute("SELECT value FROM setting WHERE key = ?", (LAST_PIPELINE,)).fetchone()
        if remembered is not None:
            try:
                return lookup.find_id(conn, "pipeline", remembered[0], "pipeline")
            except StudioflowError:
                pass
        first = conn.execute("SELECT id FROM pipeline WHERE archived = FALSE ORDER BY position, id LIMIT 1").fetchone()
        return None if first is None else int(first[0])


def remember_pipeline(db: Database, pipeline_id: int) -> None:
    from studioflow.store.models import Setting

    with db.write() as session:
        session.merge(Setting(key=LAST_PIPELINE, value=str(pipeline_id)))
