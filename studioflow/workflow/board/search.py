"""Jobs, clients and projects found by name, for the command palette (case and accents ignored)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select

from studioflow.store import Database
from studioflow.store.models import Client, Job, Pipeline, Project
from studioflow.store.text import escape_like, fold

LIMIT = 20


@dataclass(frozen=True)
class Found:
    kind: str  # "job", "client" or "project"
    id: int
    name: str
    detail: str  # where it stands: a job's pipeline, a client's email


def find_records(db: Database, text: str, limit: int = LIMIT) -> list[Found]:
    """Records whose name holds every word of `text`; names that start with it first."""
    words = fold(text).split()
    if not words:
        return []
    found: list[Found] = []
    with db.read() as session:

        def named(column: Any) -> list[ColumnElement[bool]]:
            return [func.casefold(column).like(f"%{escape_like(word)}%", escape="!") for word in words]

        jobs = session.exec(
            select(Job.id_column(), Job.title, Pipeline.name, Job.archived)
            .join(Pipeline, col(Pipeline.id) == Job.pipeline_id)
            .where(*named(Job.title))
            .limit(limit)
        ).all()
        found += [Found("job", i, t, p + (" · archived" if a else "")) for i, t, p, a in jobs]
        people = session.exec(
            select(Client.id_column(), Client.name, Client.email).where(*named(Client.name)).limit(limit)
        ).all()
        found += [Found("client", i, n, e) for i, n, e in people]
        projects = session.exec(
            select(Project.id_column(), Project.name)
            .where(*named(Project.name), col(Project.archived).is_(False))
            .limit(limit)
        ).all()
        found += [Found("project", i, n, "") for i, n in projects]
    start = fold(text)
    return sorted(found, key=lambda f: (not fold(f.name).startswith(start), fold(f.name), f.kind))[:limit]
