"""Finding rows from what a user typed: an id, or an exact name (case and accents ignored)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store import models
from studioflow.store.models import (
    Client,
    Invoice,
    Job,
    JobStatus,
    Pipeline,
    Project,
    SavedTaskList,
    Stage,
    Task,
)
from studioflow.store.text import fold

Row = TypeVar("Row", bound=models.Row)

MAX_NAME = 200


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
    return func.casefold(column) == fold(name)


MAX_DAYS = 3650  # ten years: past that a day count is a typo, and dates overflow


def check_days(days: int | None, what: str) -> None:
    """Refuse a day count below 0 or beyond MAX_DAYS."""
    if days is not None and not 0 <= days <= MAX_DAYS:
        raise StudioflowError(f"{what} must be between 0 and {MAX_DAYS} days, not {days}")


def find(session: Session, model: type[Row], ref: int | str, what: str, *where: Any) -> Row:
    """The row whose id is `ref`, or else whose name/title equals it (case and accents ignored)."""
    text = str(ref).strip()
    if not text:
        raise StudioflowError(f"no {what} given")
    name_column = getattr(model, "title" if hasattr(model, "title") else "name")
    if text.isascii() and text.isdecimal() and int(text) < 2**63:  # an id SQLite can hold
        row = session.exec(select(model).where(col(model.id) == int(text), *where)).first()
        if row is not None:
            return row
    matches = session.exec(select(model).where(same_name(name_column, text), *where).limit(11)).all()
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise StudioflowError(f"no {what} {text!r}")
    ids = ", ".join(str(m.saved_id) for m in matches[:10])
    raise StudioflowError(f"{len(matches)} {what}s are named {text!r}; give the id instead ({ids})")


def pipeline(session: Session, ref: int | str) -> Pipeline:
    return find(session, Pipeline, ref, "pipeline")


def stage(session: Session, pipeline_row: Pipeline, ref: int | str) -> Stage:
    try:
        return find(session, Stage, ref, "stage", Stage.pipeline_id == pipeline_row.id)
    except StudioflowError as exc:
        raise StudioflowError(f"{exc} in pipeline {pipeline_row.name!r}") from None


def client(session: Session, ref: int | str) -> Client:
    return find(session, Client, ref, "client")


def status(session: Session, ref: int | str) -> JobStatus:
    return find(session, JobStatus, ref, "status")


def job(session: Session, ref: int | str) -> Job:
    return find(session, Job, ref, "job")


def invoice(session: Session, ref: int | str) -> Invoice:
    """By number (as printed), else by id; an int is an id (the board's cards)."""
    if isinstance(ref, int):
        found = session.get(Invoice, ref)
        if found is None:
            raise StudioflowError(f"no invoice {ref}")
        return found
    text = str(ref).strip()
    row = session.exec(select(Invoice).where(same_name(Invoice.number, text))).first()
    if row is None and text.isascii() and text.isdecimal() and int(text) < 2**63:
        row = session.get(Invoice, int(text))
    if row is None:
        raise StudioflowError(f"no invoice {text!r}")
    return row


def task(session: Session, ref: int | str) -> Task:
    return find(session, Task, ref, "task")


def project(session: Session, ref: int | str) -> Project:
    return find(session, Project, ref, "project")


def saved_list(session: Session, ref: int | str) -> SavedTaskList:
    return find(session, SavedTaskList, ref, "saved task list")


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
    query = select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(col(Stage.position), col(Stage.id))
    return list(session.exec(query).all())


def first_pipeline(session: Session) -> Pipeline | None:
    """The first unarchived pipeline in the switcher's order."""
    query = select(Pipeline).where(col(Pipeline.archived).is_(False)).order_by(col(Pipeline.position), col(Pipeline.id))
    return session.exec(query).first()
