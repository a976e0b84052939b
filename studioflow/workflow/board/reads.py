"""The read path: what the board's first frame and the CLI's read commands show, read with
stdlib `sqlite3` and plain SQL into the same view dataclasses the services return.

Opening the board or running `task list` then needs neither SQLAlchemy nor the models
(a few hundred milliseconds of imports). Writes stay with the services and SQLModel.
Every read here is one snapshot (`Database.rows()`); inside a write it reads that
write's own connection. tests/workflow/test_reads.py checks each against the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, overload

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.choices import OUTBOX_STATE_ORDER, OUTBOX_STATES
from studioflow.store.db import Rows
from studioflow.store.text import escape_like, fold
from studioflow.workflow.lookup import find_id, narrow_ids
from studioflow.workflow.views import (
    AgendaItem,
    ClientView,
    JobView,
    MessageView,
    PipelineView,
    StageView,
    TaskView,
    VisitView,
)

if TYPE_CHECKING:
    from studioflow.config import Config


# A NOT NULL column's value gives a date (or datetime), a nullable one's may give None.
@overload
def day(value: str) -> date: ...
@overload
def day(value: str | None) -> date | None: ...
def day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


@overload
def utc(value: str) -> datetime: ...
@overload
def utc(value: str | None) -> datetime | None: ...
def utc(value: str | None) -> datetime | None:
    """A stored UTC time (kept without an offset) as an aware datetime, as the ORM hands it back."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def stored(moment: datetime) -> str:
    """An aware moment as the ORM stores it (UTC, no offset, always to the microsecond),
    so that comparing the stored text compares the times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def like(column: str, words: list[str]) -> tuple[str, list[str]]:
    """SQL (and its parameters) for: every word is in `column`, by the one matching rule
    (`store.text.fold`: case and accents ignored; the SQL function `casefold` is the same)."""
    clauses, params = [], []
    for word in words:
        clauses.append(f"casefold({column}) LIKE ? ESCAPE '!'")
        params.append(f"%{escape_like(fold(word))}%")
    return " AND ".join(clauses), params


# Pipelines


def stages(conn: Rows, pipeline_id: int, counts: dict[int, int]) -> tuple[StageView, ...]:
    """The pipeline's stages, first to last, each with its count from `counts`."""
    rows = conn.execute(
        "SELECT id, name, position, due_in_days FROM stage WHERE pipeline_id = ? ORDER BY position, id",
        (pipeline_id,),
    )
    return tuple(StageView(i, name, pos, wait, counts.get(i, 0)) for i, name, pos, wait in rows)


def _pipeline_view(conn: Rows, row: tuple[int, str, int, int, str, int]) -> PipelineView:
    pipeline_id, name, position, archived, kind, default_for_new = row
    if kind == "jobs":
        sql = "SELECT stage_id, count(*) FROM job WHERE pipeline_id = ? AND archived = FALSE GROUP BY stage_id"
    else:  # a tracked kind: its cards are the active stage visits
        sql = "SELECT stage_id, count(*) FROM stage_visit WHERE pipeline_id = ? AND state = 'active' GROUP BY stage_id"
    counts = dict(conn.execute(sql, (pipeline_id,)).fetchall())
    return PipelineView(
        pipeline_id, name, position, bool(archived), stages(conn, pipeline_id, counts), kind, bool(default_for_new)
    )


_PIPELINE_ROWS = "SELECT id, name, position, archived, kind, default_for_new FROM pipeline"


def list_pipelines(db: Database, include_archived: bool = False) -> list[PipelineView]:
    where = "" if include_archived else " WHERE archived = FALSE"
    with db.rows() as conn:
        rows = conn.execute(f"{_PIPELINE_ROWS}{where} ORDER BY position, id")
        return [_pipeline_view(conn, row) for row in rows.fetchall()]


def get_pipeline(db: Database, ref: int | str) -> PipelineView:
    with db.rows() as conn:
        pipeline_id = find_id(conn, "pipeline", ref, "pipeline")
        row = conn.execute(f"{_PIPELINE_ROWS} WHERE id = ?", (pipeline_id,)).fetchone()
        return _pipeline_view(conn, row)


# Jobs

_JOB_ROWS = """
    SELECT job.id, job.title, job.pipeline_id, pipeline.name, job.stage_id, stage.name, job.client_id,
           client.name, job_status.name, job_status.colour, job.due_on, job.archived, job.position,
           (SELECT count(*) FROM task WHERE task.job_id = job.id AND task.done_at IS NULL),
           (SELECT count(*) FROM task WHERE task.job_id = job.id)
    FROM job
    JOIN pipeline ON pipeline.id = job.pipeline_id
    JOIN stage ON stage.id = job.stage_id
    LEFT JOIN client ON client.id = job.client_id
    LEFT JOIN job_status ON job_status.id = job.status_id
"""


def _jobs(conn: Rows, where: str, params: tuple[Any, ...]) -> list[JobView]:
    order = " ORDER BY pipeline.position, pipeline.id, stage.position, job.position, job.id"
    rows = conn.execute(_JOB_ROWS + (f" WHERE {where}" if where else "") + order, params)
    return [
        JobView(i, title, p_id, p, s_id, s, c_id, c, st, colour, day(due), bool(archived), pos, still_open, total)
        for i, title, p_id, p, s_id, s, c_id, c, st, colour, due, archived, pos, still_open, total in rows
    ]


def list_jobs(
    db: Database, pipeline: int | str | None = None, stage: int | str | None = None, include_archived: bool = False
) -> list[JobView]:
    """Jobs in board order: pipeline, stage, card position."""
    conditions: list[str] = []
    params: list[Any] = []
    with db.rows() as conn:
        for column, row_id in zip(("job.pipeline_id", "job.stage_id"), narrow_ids(conn, pipeline, stage), strict=True):
            if row_id is not None:
                conditions.append(f"{column} = ?")
                params.append(row_id)
        if not include_archived:
            conditions.append("job.archived = FALSE")
        return _jobs(conn, " AND ".join(conditions), tuple(params))


def get_job(db: Database, ref: int | str) -> JobView:
    """One job with its whole stage history."""
    with db.rows() as conn:
        (view,) = _jobs(conn, "job.id = ?", (find_id(conn, "job", ref, "job"),))
        visits = conn.execute(
            "SELECT stage_visit.stage_id, coalesce(stage.name, stage_visit.stage_name), state, entered_at, left_at,"
            " automations_off"
            " FROM stage_visit LEFT JOIN stage ON stage.id = stage_visit.stage_id"
            " WHERE stage_visit.job_id = ? ORDER BY stage_visit.id",
            (view.id,),
        )
        history = tuple(
            VisitView(stage_id, name, state, utc(entered), utc(left), bool(off))
            for stage_id, name, state, entered, left, off in visits
        )
    return view._replace(history=history)


# Tasks

_TASK_ROWS = """
    SELECT task.id, task.title, task.done_at, task.due_on, task.priority, task.job_id, job.title,
           task.project_id, project.name, client.name, task.notes, task.position
    FROM task
    LEFT JOIN job ON job.id = task.job_id
    LEFT JOIN project ON project.id = task.project_id
    LEFT JOIN client ON client.id = coalesce(job.client_id, project.client_id)
"""


def task_rows(
    conn: Rows, where: str = "", params: tuple[Any, ...] | dict[str, Any] = ()
) -> list[TaskView]:
    """Tasks as views, unsorted."""
    rows = conn.execute(_TASK_ROWS + (f" WHERE {where}" if where else ""), params)
    return [
        TaskView(i, title, done is not None, utc(done), day(due), prio, job_id, job, proj_id, proj, client, notes, pos)
        for i, title, done, due, prio, job_id, job, proj_id, proj, client, notes, pos in rows
    ]


# Of a row outer-joined to its job: it has no job, or the job is not archived (NULL IS NOT TRUE).
# The plain-SQL twin of `tasks.ON_LIVE_JOB`.
ON_LIVE_JOB = "job.archived IS NOT TRUE"


def list_tasks(
    db: Database,
    include_done: bool = False,
    job: int | str | None = None,
    project: int | str | None = None,
    include_archived: bool = False,
) -> list[TaskView]:
    """Open tasks first, soonest due first (undated last), then higher priority; those of
    archived jobs only when asked (or when the job or project is named)."""
    conditions: list[str] = []
    params: list[Any] = []
    with db.rows() as conn:
        if not include_done:
            conditions.append("task.done_at IS NULL")
        if job is not None:
            conditions.append("task.job_id = ?")
            params.append(find_id(conn, "job", job, "job"))
        if project is not None:
            conditions.append("task.project_id = ?")
            params.append(find_id(conn, "project", project, "project"))
        if job is None and project is None and not include_archived:
            conditions.append(ON_LIVE_JOB)
        tasks = task_rows(conn, " AND ".join(conditions), tuple(params))
    tasks.sort(key=lambda t: (t.done, t.due_on is None, t.due_on or date.min, -t.priority, t.id))
    return tasks


def owner_key(job_id: int | None, project_id: int | None) -> tuple[str, int]:
    """A task with a job is grouped under the job, even when it also has a project."""
    if job_id is not None:
        return ("job", job_id)
    if project_id is not None:
        return ("project", project_id)
    return ("none", 0)


def task_rows_and_progress(
    db: Database,
    view: str,
    today: date,
    upcoming_end: date,
    keep: Iterable[int] = (),
    job: int | None = None,
    project: int | None = None,
) -> tuple[list[TaskView], dict[tuple[str, int], tuple[int, int]]]:
    """The tasks of a task view (plus those in `keep`, whatever their state), and the
    (done, total) tasks of every job, project and of neither, within the same scope."""
    wanted = {
        "today": "task.done_at IS NULL AND task.due_on <= :today",
        "overdue": "task.done_at IS NULL AND task.due_on < :today",
        "upcoming": "task.done_at IS NULL AND task.due_on > :today AND task.due_on <= :end",
        "open": "task.done_at IS NULL",
        "done": "task.done_at IS NOT NULL",
        "all": "",
    }[view]
    kept = sorted(keep)
    if kept and wanted:
        wanted = f"({wanted}) OR task.id IN ({', '.join(str(int(i)) for i in kept)})"
    scope = [c for c, v in (("task.job_id = :job", job), ("task.project_id = :project", project)) if v is not None]
    params = {"today": today.isoformat(), "end": upcoming_end.isoformat(), "job": job, "project": project}
    shown = scope or [ON_LIVE_JOB]  # an archived job's tasks leave the lists, and come back with it
    where = " AND ".join(f"({c})" for c in [wanted, *shown] if c)
    with db.rows() as conn:
        tasks = task_rows(conn, where, params)
        scope_sql = " WHERE " + " AND ".join(scope) if scope else ""
        counts = conn.execute(
            f"SELECT job_id, project_id, count(*), count(done_at) FROM task{scope_sql} GROUP BY job_id, project_id",
            params,
        ).fetchall()
    progress: dict[tuple[str, int], tuple[int, int]] = {}
    for job_id, project_id, total, done in counts:
        key = owner_key(job_id, project_id)
        before = progress.get(key, (0, 0))
        progress[key] = (before[0] + done, before[1] + total)
    return tasks, progress


# Outbox


def outbox_counts(db: Database, config: Config | None = None) -> dict[str, int]:
    """How many messages are in each state (every state present, zeros included); and
    `kept_locally` (sent to the local stub outbox only) and `mail_local` (1: no mail
    server is set, so email stays on this machine), which the badge says every time."""
    with db.rows() as conn:
        found = dict(conn.execute("SELECT state, count(*) FROM outbox_message GROUP BY state").fetchall())
        local = conn.execute("SELECT count(*) FROM outbox_message WHERE state = 'sent' AND local_only").fetchone()[0]
    shown = {state: found.get(state, 0) for state in OUTBOX_STATE_ORDER}
    return {**shown, "kept_locally": local, "mail_local": int(mail_stays_local(config))}


def mail_stays_local(config: Config | None = None) -> bool:
    """True when no mail server is set: email then goes to the stub outbox on this machine.
    `config`: the one the caller read (the app's), else config.toml now."""
    from studioflow.config import load_config

    try:
        return (config or load_config()).smtp() is None
    except StudioflowError:
        return False  # a broken [smtp] table is said by delivery, which refuses to use it


_MESSAGE_ROWS = """
    SELECT outbox_message.id, channel, to_addr, subject, body, state, send_at, attempts, last_error, reply,
           message_id, sent_at, job_id, coalesce(job.title, ''), local_only
    FROM outbox_message LEFT JOIN job ON job.id = outbox_message.job_id
"""


def _messages(rows: Iterable[tuple[Any, ...]]) -> list[MessageView]:
    return [
        # mypy cannot count the arguments of unpacked slices; MessageView's fields are in this order.
        MessageView(*row[:6], utc(row[6]), *row[7:11], utc(row[11]), row[12], row[13], bool(row[14]))  # type: ignore[call-arg]
        for row in rows
    ]


def list_messages(db: Database, states: Iterable[str] = (), limit: int | None = None) -> list[MessageView]:
    """Messages in the given states (all when none): waiting ones by send time, the rest newest first."""
    wanted = tuple(states)
    unknown = [s for s in wanted if s not in OUTBOX_STATES]
    if unknown:
        raise StudioflowError(f"unknown state {unknown[0]!r} (one of {', '.join(OUTBOX_STATE_ORDER)})")
    order = "CASE state " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(OUTBOX_STATE_ORDER)) + " END"
    where = f" WHERE state IN ({', '.join('?' * len(wanted))})" if wanted else ""
    query = (
        f"{_MESSAGE_ROWS}{where} ORDER BY {order},"
        " CASE WHEN state IN ('queued', 'sending') THEN send_at END, outbox_message.id DESC"
    )
    params: tuple[Any, ...] = wanted
    if limit is not None:
        query, params = f"{query} LIMIT ?", (*wanted, limit)
    with db.rows() as conn:
        return _messages(conn.execute(query, params))


def get_message(db: Database, message_id: int) -> MessageView:
    with db.rows() as conn:
        found = _messages(conn.execute(f"{_MESSAGE_ROWS} WHERE outbox_message.id = ?", (message_id,)))
    if not found:
        raise StudioflowError(f"no message {message_id}")
    return found[0]


# Clients


def list_clients(db: Database) -> list[ClientView]:
    with db.rows() as conn:
        sql = "SELECT id, name, email, phone, tags, notes FROM client ORDER BY casefold(name), id"
        rows = conn.execute(sql).fetchall()
    return [ClientView(i, name, mail, tel, tuple(json.loads(tags)), notes) for i, name, mail, tel, tags, notes in rows]


# Agenda

AGENDA_DAYS = 7


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone()


def agenda(
    db: Database, today: date | None = None, days: int = AGENDA_DAYS, now: datetime | None = None
) -> list[AgendaItem]:
    """Events, open tasks and jobs due, and scheduled messages from today to `days` days on, in time order."""
    today = today or date.today()
    now = now or datetime.now(UTC)
    last = today + timedelta(days=days)
    start, end = stored(local_midnight(today)), stored(local_midnight(last + timedelta(days=1)))
    first_day, last_day = today.isoformat(), last.isoformat()
    items: list[AgendaItem] = []
    with db.rows() as conn:
        events = conn.execute(
            "SELECT event.title, event.location, event.starts_at, event.job_id, job.title"
            " FROM event LEFT JOIN job ON job.id = event.job_id"
            " WHERE event.starts_at < ? AND (event.ends_at >= ? OR event.starts_at >= ?) AND " + ON_LIVE_JOB,
            (end, start, start),
        )
        for title, location, starts_at, job_id, job_title in events:
            where = f" @ {location}" if location else ""
            for_job = f" ({job_title})" if job_title else ""
            items.append(AgendaItem(utc(starts_at), False, "event", f"{title}{where}{for_job}", job_id))
        tasks = conn.execute(
            "SELECT task.title, task.due_on, task.job_id, job.title FROM task LEFT JOIN job ON job.id = task.job_id"
            " WHERE task.done_at IS NULL AND task.due_on >= ? AND task.due_on <= ? AND " + ON_LIVE_JOB,
            (first_day, last_day),
        )
        for title, due_on, job_id, job_title in tasks:
            for_job = f" ({job_title})" if job_title else ""
            items.append(AgendaItem(local_midnight(day(due_on)), True, "task", f"{title}{for_job}", job_id))
        jobs = conn.execute(
            "SELECT job.id, job.title, job.due_on, stage.name FROM job JOIN stage ON stage.id = job.stage_id"
            " WHERE job.archived = FALSE AND job.due_on >= ? AND job.due_on <= ?",
            (first_day, last_day),
        )
        for job_id, title, due_on, stage in jobs:
            items.append(AgendaItem(local_midnight(day(due_on)), True, "job", f"{title} ({stage})", job_id))
        for wait_day, text, job_id in stage_waits(conn, today, last):
            items.append(AgendaItem(local_midnight(wait_day), True, "wait", text, job_id))
        messages = conn.execute(
            "SELECT channel, to_addr, subject, body, send_at, job_id FROM outbox_message"
            " WHERE state = 'queued' AND send_at > ? AND send_at < ?",
            (stored(now), end),
        )
        for channel, to_addr, subject, body, send_at, job_id in messages:
            what = subject or body.split("\n", 1)[0][:60]
            items.append(AgendaItem(utc(send_at), False, "message", f"{channel} to {to_addr}: {what}", job_id))
    # A day's all-day items (tasks and jobs due) come before its timed ones.
    return sorted(items, key=lambda i: (i.at.astimezone().date(), not i.all_day, i.at))


def waits_due(db: Database, today: date | None = None) -> list[str]:
    """The stage waits that end today or are over ("Ada Lovelace — Call Lead After 2 Days (Leads)")."""
    today = today or date.today()
    with db.rows() as conn:
        return [text for _, text, _ in stage_waits(conn, today, today)]


def stage_waits(conn: Rows, today: date, last: date) -> list[tuple[date, str, int | None]]:
    """(day, text, job id) for each stage wait that ends by `last`, of every kind of card.

    A wait already over is shown on today ("overdue since"): it is still to be acted on.
    """
    rows = conn.execute(
        "SELECT visit.entered_at, stage.due_in_days, pipeline.name, visit.stage_name, visit.pipeline_id,"
        " visit.job_id, job.title, client.name, event.title, event.job_id, invoice.number, invoice.job_id"
        " FROM stage_visit AS visit"
        " JOIN stage ON stage.id = visit.stage_id"
        " JOIN pipeline ON pipeline.id = stage.pipeline_id"
        " LEFT JOIN job ON job.id = visit.job_id"
        " LEFT JOIN client ON client.id = visit.client_id"
        " LEFT JOIN event ON event.id = visit.event_id"
        " LEFT JOIN invoice ON invoice.id = visit.invoice_id"
        " WHERE visit.state = 'active' AND stage.due_in_days IS NOT NULL AND job.archived IS NOT TRUE"
        " ORDER BY visit.id"
    )
    found = []
    for entered, wait, pipeline, stage, on, job_id, job, client, event, event_job, invoice, invoice_job in rows:
        if job_id is not None:
            title, for_job = job, job_id
        elif on is None:  # a tracked card always names its pipeline
            continue
        elif client is not None:
            title, for_job = client, None
        elif event is not None:
            title, for_job = event, event_job
        else:
            title, for_job = invoice, invoice_job
        if title is None:  # its subject is gone
            continue
        ends = utc(entered).astimezone().date() + timedelta(days=wait)
        if ends > last:
            continue
        late = f", overdue since {ends.isoformat()}" if ends < today else ""
        found.append((max(ends, today), f"{title} — {stage} ({pipeline}{late})", for_job))
    return found
