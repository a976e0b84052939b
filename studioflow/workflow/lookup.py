"""Finding rows from what a user typed: an id, or an exact name (case and accents ignored).

The one rule for every face (CLI, TUI, services) and both read paths: `find` for the ORM's
writes, `find_id` for the ORM-free reads (`board.reads`), both deciding through `pick`. This
module imports no ORM at start-up (the board's first frame and the CLI's reads use it); the ORM
finders import SQLModel when first called.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from studioflow.errors import StudioflowError
from studioflow.store.db import Rows
from studioflow.store.text import fold

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlmodel import Session

    from studioflow.store.models import (
        Client,
        Invoice,
        Job,
        JobStatus,
        MessageTemplate,
        Pipeline,
        Project,
        SavedTaskList,
        Stage,
        Task,
    )
    from studioflow.store.models import (
        Row as TableRow,
    )

Row = TypeVar("Row")
Model = TypeVar("Model", bound="TableRow")

MAX_NAME = 200
NAME_MATCHES = 11  # enough to say "10 are named ..." and list ten ids


def clean_name(value: str, what: str) -> str:
    """A name stripped of surrounding space; refused when empty, too long or multi-line."""
    name = value.strip()
    if not name:
        raise StudioflowError(f"{what} cannot be empty")
    if len(name) > MAX_NAME:
        raise StudioflowError(f"{what} is too long ({len(name)} characters, at most {MAX_NAME})")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise StudioflowError(f"{what} is not valid text (check the terminal's encoding)") from None
    if any(ch in name for ch in "\r\n\t\x00"):
        raise StudioflowError(f"{what} must be a single line")
    return name


def same_name(column: Any, name: str) -> ColumnElement[bool]:
    """Names compare by the one matching rule, case and accents ignored (SQLite's NOCASE folds ASCII only)."""
    from sqlalchemy import func

    return func.casefold(column) == fold(name)


def as_id(text: str) -> int | None:
    """`text` as a row id when it is one SQLite can hold (ASCII digits, below 2**63), else None."""
    return int(text) if text.isascii() and text.isdecimal() and int(text) < 2**63 else None


def pick(
    ref: int | str,
    what: str,
    by_id: Callable[[int], Row | None],
    by_name: Callable[[str], Sequence[Row]],
    id_of: Callable[[Row], object],
    name_first: bool = False,
) -> Row:
    """The one rule: the row whose id is `ref`, or else the one whose name equals it by `fold`.

    `by_name` gets the folded text and returns at most NAME_MATCHES rows; several are refused,
    naming their ids, so the user can say which.
    """
    text = str(ref).strip()
    if not text:
        raise StudioflowError(f"no {what} given")
    row_id, folded = as_id(text), fold(text)
    matches = by_name(folded) if name_first else ()
    if not matches and row_id is not None:
        row = by_id(row_id)
        if row is not None:
            return row
    if not name_first:
        matches = by_name(folded)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise StudioflowError(f"no {what} {text!r}")
    ids = ", ".join(str(id_of(m)) for m in matches[:10])
    raise StudioflowError(f"{len(matches)} {what}s are named {text!r}; give the id instead ({ids})")


def get(session: Session, model: type[Model], row_id: int, what: str) -> Model:
    """The row of `model` with this id (an id the app itself holds: a card, a table row)."""
    row = session.get(model, row_id)
    if row is None:
        raise StudioflowError(f"no {what} {row_id}")
    return row


MAX_DAYS = 3650  # ten years: past that a day count is a typo, and dates overflow


def check_days(days: int | None, what: str) -> None:
    """Refuse a day count below 0 or beyond MAX_DAYS."""
    if days is not None and not 0 <= days <= MAX_DAYS:
        raise StudioflowError(f"{what} must be between 0 and {MAX_DAYS} days, not {days}")


def find(session: Session, model: type[Model], ref: int | str, what: str, *where: Any) -> Model:
    """The row whose id is `ref`, or else whose name/title equals it (case and accents ignored)."""
    from sqlalchemy import func
    from sqlmodel import select

    ids = model.id_column()
    name_column = getattr(model, "title" if hasattr(model, "title") else "name")
    return pick(
        ref,
        what,
        lambda row_id: session.exec(select(model).where(ids == row_id, *where)).first(),
        lambda folded: session.exec(
            select(model).where(func.casefold(name_column) == folded, *where).order_by(ids).limit(NAME_MATCHES)
        ).all(),
        lambda row: row.saved_id,
    )


def find_id(conn: Rows, table: str, ref: int | str, what: str, where: str = "", *params: Any) -> int:
    """`find` for the ORM-free read path: the id of the row of `table`, by the same rule and messages."""
    name = "title" if table in ("job", "task") else "name"
    extra = f" AND {where}" if where else ""
    return pick(
        ref,
        what,
        lambda row_id: conn.execute(f"SELECT id FROM {table} WHERE id = ?{extra}", (row_id, *params)).fetchone(),
        lambda folded: conn.execute(
            f"SELECT id FROM {table} WHERE casefold({name}) = ?{extra} ORDER BY id LIMIT {NAME_MATCHES}",
            (folded, *params),
        ).fetchall(),
        lambda row: row[0],
    )[0]


def stage_id(conn: Rows, pipeline_id: int, ref: int | str) -> int:
    """`find_id` of a stage of the pipeline; a refusal names the pipeline, as `stage` does."""
    try:
        return find_id(conn, "stage", ref, "stage", "pipeline_id = ?", pipeline_id)
    except StudioflowError as exc:
        name = conn.execute("SELECT name FROM pipeline WHERE id = ?", (pipeline_id,)).fetchone()[0]
        raise StudioflowError(f"{exc} in pipeline {name!r}") from None


def narrow(
    pipeline_ref: int | str | None,
    stage_ref: int | str | None,
    find_pipeline: Callable[[int | str], Row],
    find_stage: Callable[[Row, int | str], Any],
) -> tuple[Row | None, Any]:
    """The pipeline and stage a list is narrowed to (None: not narrowed); a stage needs its pipeline."""
    if pipeline_ref is None:
        if stage_ref is not None:
            raise StudioflowError("a stage is only meaningful with its pipeline")
        return None, None
    found = find_pipeline(pipeline_ref)
    return found, None if stage_ref is None else find_stage(found, stage_ref)


def narrow_ids(
    conn: Rows, pipeline_ref: int | str | None, stage_ref: int | str | None
) -> tuple[int | None, int | None]:
    """`narrow` for the ORM-free read path: the ids."""
    return narrow(
        pipeline_ref,
        stage_ref,
        lambda ref: find_id(conn, "pipeline", ref, "pipeline"),
        lambda p, ref: stage_id(conn, p, ref),
    )


def narrow_rows(
    session: Session, pipeline_ref: int | str | None, stage_ref: int | str | None
) -> tuple[Pipeline | None, Stage | None]:
    """`narrow` for the ORM's services: the rows."""
    return narrow(pipeline_ref, stage_ref, lambda ref: pipeline(session, ref), lambda p, ref: stage(session, p, ref))


def _models() -> Any:
    from studioflow.store import models  # on use: the ORM-free read path never loads it

    return models


def pipeline(session: Session, ref: int | str) -> Pipeline:
    return find(session, _models().Pipeline, ref, "pipeline")


def stage(session: Session, pipeline_row: Pipeline, ref: int | str) -> Stage:
    stage_model = _models().Stage
    try:
        return find(session, stage_model, ref, "stage", stage_model.pipeline_id == pipeline_row.id)
    except StudioflowError as exc:
        raise StudioflowError(f"{exc} in pipeline {pipeline_row.name!r}") from None


def client(session: Session, ref: int | str) -> Client:
    return find(session, _models().Client, ref, "client")


def status(session: Session, ref: int | str) -> JobStatus:
    return find(session, _models().JobStatus, ref, "status")


def job(session: Session, ref: int | str) -> Job:
    return find(session, _models().Job, ref, "job")


def template(session: Session, ref: int | str) -> MessageTemplate:
    return find(session, _models().MessageTemplate, ref, "template")


def invoice(session: Session, ref: int | str) -> Invoice:
    """By number, else by id; an int is an id (the board's cards).

    The one rule with its order turned: an invoice is named by its printed number, which may be
    all digits ("1001"), so the number a user reads off the invoice wins over an id.
    """
    from sqlalchemy import func
    from sqlmodel import select

    invoice_model = _models().Invoice
    if isinstance(ref, int):
        return get(session, invoice_model, ref, "invoice")
    return pick(
        ref,
        "invoice",
        lambda row_id: session.get(invoice_model, row_id),
        lambda folded: session.exec(
            select(invoice_model).where(func.casefold(invoice_model.number) == folded).limit(NAME_MATCHES)
        ).all(),
        lambda row: row.id,
        name_first=True,
    )


def of_job_and_client(
    session: Session, model: Any, job_ref: int | str | None, client_ref: int | str | None
) -> list[Any]:
    """The conditions that narrow rows of `model` (events, invoices) to a job and a client (None: any)."""
    conditions = []
    if job_ref is not None:
        conditions.append(model.job_id == job(session, job_ref).id)
    if client_ref is not None:
        conditions.append(model.client_id == client(session, client_ref).id)
    return conditions


def job_and_client(
    session: Session, job_ref: int | str | None, client_ref: int | str | None
) -> tuple[Job | None, int | None]:
    """The job and the client's id a new event or invoice is for: the client, when none is
    given, is the job's primary client."""
    job_row = None if job_ref is None else job(session, job_ref)
    client_id = None if client_ref is None else client(session, client_ref).id
    if client_id is None and job_row is not None:
        client_id = job_row.client_id
    return job_row, client_id


def with_job_and_client(model: Any) -> Any:
    """A select of `model`'s rows (events, invoices) each with its job's title and its client's
    name (None where it has none): add the conditions and the order."""
    from sqlmodel import col, select

    job_model, client_model = _models().Job, _models().Client
    return (
        select(model, col(job_model.title), col(client_model.name))
        .join(job_model, col(job_model.id) == model.job_id, isouter=True)
        .join(client_model, col(client_model.id) == model.client_id, isouter=True)
    )


def task(session: Session, ref: int | str) -> Task:
    return find(session, _models().Task, ref, "task")


def project(session: Session, ref: int | str) -> Project:
    return find(session, _models().Project, ref, "project")


def saved_list(session: Session, ref: int | str) -> SavedTaskList:
    return find(session, _models().SavedTaskList, ref, "saved task list")


def pipeline_of_kind(session: Session, ref: int | str, kind: str) -> Pipeline:
    """The pipeline, refused when its cards are not `kind` (jobs, clients, events, invoices)."""
    found = pipeline(session, ref)
    if found.kind != kind:
        raise StudioflowError(f"pipeline {found.name!r} tracks {found.kind}, not {kind}")
    return found


def target_stage(session: Session, pipeline_row: Pipeline, ref: int | str | None) -> Stage:
    """The named stage of `pipeline_row`, or its first stage when none is named."""
    if ref is not None:
        return stage(session, pipeline_row, ref)
    stages = ordered_stages(session, pipeline_row.saved_id)
    if not stages:
        raise StudioflowError(f"pipeline {pipeline_row.name!r} has no stages yet; add one first")
    return stages[0]


def ordered_stages(session: Session, pipeline_id: int) -> list[Stage]:
    """The stages of a pipeline, first to last."""
    from sqlmodel import col, select

    Stage = _models().Stage
    query = select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(col(Stage.position), col(Stage.id))
    return list(session.exec(query).all())


def first_pipeline(session: Session) -> Pipeline | None:
    """The first unarchived pipeline in the switcher's order."""
    from sqlmodel import col, select

    Pipeline = _models().Pipeline
    query = select(Pipeline).where(col(Pipeline.archived).is_(False)).order_by(col(Pipeline.position), col(Pipeline.id))
    return session.exec(query).first()
