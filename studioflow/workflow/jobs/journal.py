"""Undo and redo: every job service records the rows it changes, before and after.

An entry holds whole snapshots (each job's row and all its stage visits), not inverse
operations, so undo and redo are one `restore` each and cannot drift from what the
services do. Entries live in the database, so undo survives a restart. The undone
entries are the redo stack: always the newest ones, deleted by any new action.

A snapshot is JSON: `{"<job id>": null}` for a job that does not exist, else
`{"<job id>": {"job": {column: value}, "visits": [{column: value}, ...]}}`, with dates
and datetimes as ISO strings. A client, event or invoice tracked on pipelines has the
key "<kind>:<id>" ("clients:5") and only its visits: `{"visits": [...]}`. A migration
that changes the job or stage_visit columns should clear the journal: old snapshots no longer describe whole rows.

Rows of other tables that a person edits by hand (tasks, projects, saved task lists,
clients, statuses, events, invoices, a job's clients) are recorded the same way, before
and after, in the entry's effects under "rows":
`[{"table": "task", "id": 7, "before": {...} | None, "after": {...} | None}, ...]`.
Clients and statuses are parents of jobs: they are put back before the jobs are
restored and removed after, so a job never points to a row that is not there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Date, DateTime, RowMapping, Table, and_, delete, func, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import (
    AutomationRun,
    Client,
    Event,
    Invoice,
    InvoiceLine,
    InvoiceTax,
    Job,
    JobClient,
    JobStatus,
    JournalEntry,
    OutboxMessage,
    Project,
    SavedTaskItem,
    SavedTaskList,
    StageVisit,
    Task,
    utcnow,
)
from studioflow.workflow.jobs.subjects import COLUMN

MAX_ENTRIES = 500
JOBS: Table = Job.__table__
VISITS: Table = StageVisit.__table__
ENTRIES: Table = JournalEntry.__table__
TASKS: Table = Task.__table__
RUNS: Table = AutomationRun.__table__
MESSAGES: Table = OutboxMessage.__table__
INVOICES: Table = Invoice.__table__
LINES: Table = InvoiceLine.__table__
TAXES: Table = InvoiceTax.__table__
# "invoice": an invoice an automation made (send_invoice); its lines and taxes are kept with it.
_EFFECT_TABLES = {"task": TASKS, "run": RUNS, "queued": MESSAGES, "cancelled": MESSAGES, "invoice": INVOICES}
# Tables whose rows `watch_rows` records, parents before children (inserts go in this order).
ROW_TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Client.__table__,
        JobStatus.__table__,
        SavedTaskList.__table__,
        SavedTaskItem.__table__,
        Event.__table__,
        Invoice.__table__,
        InvoiceLine.__table__,
        InvoiceTax.__table__,
        Project.__table__,
        TASKS,
        JobClient.__table__,
    )
}
# Rows jobs point to: they exist before the jobs are restored and go after them.
JOB_PARENTS = ("client", "job_status")
CHILD_TABLES = tuple(t for t in ROW_TABLES if t not in JOB_PARENTS)
# A held message that was handed to a transport may have gone (a lost "250"): nothing but the
# user's release sends it again, so undo, redo and re-entry leave it exactly as it is. A
# message held before any attempt (no address, a broken template) never left: undo may cancel it.
MAY_HAVE_GONE: ColumnElement[bool] = and_(MESSAGES.c.state == "held", MESSAGES.c.attempts > 0)
_RECORDING = "studioflow.journal.recording"  # session.info key of the recording in progress
_CHUNK = 900  # ids per IN (...): below SQLite's oldest limit of 999 bound variables

Snapshot = dict[str, Any]
Effects = dict[str, list[int]]  # kind of effect -> row ids, gathered while an action runs


class Recording:
    """What the body of `recording()` may adjust: its label and the jobs it touches."""

    def __init__(self, session: Session, label: str, before: Snapshot, effects: Effects | None = None) -> None:
        self.label = label
        self._session = session
        self._before = before
        self._effects: Effects = {} if effects is None else effects
        self._priors: dict[int, dict[str, Any]] = {}  # cancelled message id -> its state before
        self._rows: dict[tuple[str, int], dict[str, Any] | None] = {}  # (table, id) -> row before

    def watch_rows(self, table: str, ids: Iterable[int]) -> None:
        """Snapshot rows of a ROW_TABLES table the body is about to change or delete."""
        fresh = sorted({i for i in ids if (table, i) not in self._rows})
        if fresh:
            self._rows.update({(table, i): row for i, row in _read_rows(self._session, table, fresh).items()})

    def add_row(self, table: str, row_id: int) -> None:
        """Note a row the body created: undo deletes it."""
        self._rows.setdefault((table, row_id), None)

    def watch(self, job_ids: Iterable[int | str]) -> None:
        """Snapshot jobs the body is about to change (call it before changing them)."""
        fresh = [i for i in job_ids if str(i) not in self._before]
        if fresh:
            self._before.update(snapshot(self._session, fresh))

    def add_job(self, job_id: int) -> None:
        """Note a job the body created: it did not exist before, so undo deletes it."""
        self._before.setdefault(str(job_id), None)


@contextmanager
def recording(session: Session, label: str, job_ids: Iterable[int | str] = ()) -> Iterator[Recording]:
    """Record the body's changes to `job_ids` (plus jobs it adds) as one undoable entry.

    Used inside a service's transaction; if the body raises, nothing is recorded. A
    recording inside another joins it: an action built from several services (a bulk
    move) is one undo step, under the outer label.
    """
    outer: Recording | None = session.info.get(_RECORDING)
    if outer is not None:
        inner = Recording(session, label, outer._before, outer._effects)
        inner._priors = outer._priors
        inner._rows = outer._rows
        inner.watch(job_ids)
        yield inner
        return
    rec = Recording(session, label, {})
    rec.watch(job_ids)
    session.info[_RECORDING] = rec
    try:
        yield rec
    finally:
        del session.info[_RECORDING]
    _record(session, rec.label, rec._before, rec._effects, rec._priors, rec._rows)


def note(session: Session, kind: str, row_id: int, prior: dict[str, Any] | None = None) -> None:
    """Tell the recording in progress (if any) about a row an automation made or changed.

    kind: "task" (created), "run" (ledger row), "queued" (message queued), "cancelled"
    (message cancelled because its job left the stage; `prior` is its state before).
    """
    rec: Recording | None = session.info.get(_RECORDING)
    if rec is not None:
        rec._effects.setdefault(kind, []).append(row_id)
        if prior is not None:
            rec._priors[row_id] = prior


def undo(db: Database) -> str:
    """Put the jobs of the newest done entry back as they were; returns its label."""
    with db.write() as session:
        entry = _next_entry(session, "undo")
        rows = entry.effects.get("rows", [])
        _check_rows(session, rows, "after", f"cannot undo ({entry.label})")
        _check_made(session, entry)
        # Checked before any row goes: deleting an invoice or event the action made also
        # deletes its visits (a new invoice enters the default pipeline in the same step).
        _expect(session, entry, "undo", entry.after)
        _restore_rows(session, rows, "before", deletes=True, tables=CHILD_TABLES)
        _restore_rows(session, rows, "before", deletes=False, tables=JOB_PARENTS)
        kept = _kept_held(session, entry.effects)
        try:
            _take_back(session, entry.effects)
        except StudioflowError as exc:
            raise StudioflowError(f"cannot undo ({entry.label}): {exc}") from None
        _apply(session, entry, "undo", expect=None, target=entry.before)
        # Invoices the automations made go last: the visits restored above pointed to them.
        for invoice in entry.effects.get("invoice", []):
            session.connection().execute(delete(INVOICES).where(INVOICES.c.id == invoice["id"]))
        _restore_rows(session, rows, "before", deletes=True, tables=JOB_PARENTS)

        def children() -> None:
            _restore_rows(session, rows, "before", deletes=False, tables=CHILD_TABLES)

        gone = "the job, project or list it belonged to was deleted since"
        return _finish(session, entry, "undo", gone, children) + kept


def redo(db: Database) -> str:
    """Do again the most recently undone entry; returns its label."""
    with db.write() as session:
        entry = _next_entry(session, "redo")
        rows = entry.effects.get("rows", [])
        _check_rows(session, rows, "before", f"cannot redo ({entry.label})")
        _restore_rows(session, rows, "after", deletes=True, tables=CHILD_TABLES)
        _restore_rows(session, rows, "after", deletes=False, tables=JOB_PARENTS)
        # Invoices the automations made come first: the visits put back below point to them.
        conn = session.connection()
        for kind, table in (("invoice", INVOICES), ("invoice_line", LINES), ("invoice_tax", TAXES)):
            for row in entry.effects.get(kind, []):
                if conn.execute(select(table.c.id).where(table.c.id == row["id"])).first() is None:
                    conn.execute(insert(table).values(_decode(table, row)))
        kept = _kept_held(session, entry.effects)
        # An invoice or event the action made, that entered a pipeline in the same step, is
        # back before its visits are (the rest of the rows come after the jobs, below).
        tracked = [row for row in rows if f"{row['table']}s:{row['id']}" in entry.after]
        _restore_rows(session, tracked, "after", deletes=False, tables=("event", "invoice"))
        _apply(session, entry, "redo", expect=entry.before, target=entry.after)
        _restore_rows(session, rows, "after", deletes=True, tables=JOB_PARENTS)

        def children() -> None:
            _put_back(session, entry.effects)
            _restore_rows(session, rows, "after", deletes=False, tables=CHILD_TABLES)

        gone = "an automation, task list or job it needs was deleted since"
        return _finish(session, entry, "redo", gone, children) + kept


def _next_entry(session: Session, verb: str) -> JournalEntry:
    """The entry `undo` (the newest done one) or `redo` (the oldest undone: undone entries are
    the newest, and the oldest of them was undone last) takes."""
    undone = verb == "redo"
    order = col(JournalEntry.id) if undone else col(JournalEntry.id).desc()
    query = select(JournalEntry).where(col(JournalEntry.undone).is_(undone)).order_by(order).limit(1)
    entry = session.exec(query).first()
    if entry is None:
        raise StudioflowError(f"nothing to {verb}")
    return entry


def _finish(session: Session, entry: JournalEntry, verb: str, gone: str, children: Callable[[], None]) -> str:
    """Put the entry's child rows back (`children`), refused in one line when a row they hang
    on is `gone`; mark the entry undone or redone; return its label."""
    try:
        children()
    except IntegrityError as exc:
        raise StudioflowError(f"cannot {verb} ({entry.label}): {gone}") from exc
    entry.undone = verb == "undo"
    session.flush()
    return entry.label


def newest_entry(session: Session) -> int:
    """The id of the newest journal entry (0 when empty), to forget what came after it."""
    session.flush()
    return session.connection().execute(select(func.max(ENTRIES.c.id))).scalar_one() or 0


def forget(session: Session, after: int = 0) -> None:
    """Drop the entries newer than `after` (e.g. the demo's, which is not undone step by step)."""
    session.flush()
    session.connection().execute(delete(ENTRIES).where(ENTRIES.c.id > after))


def snapshot(session: Session, job_ids: Iterable[int | str]) -> Snapshot:
    """The current rows of these jobs and their visits (and the visits of tracked
    resources, keyed "clients:5"), as JSON-ready data."""
    session.flush()
    conn = session.connection()
    keys = {str(key) for key in job_ids}
    ids = sorted(int(key) for key in keys if ":" not in key)
    shots: Snapshot = dict.fromkeys(map(str, ids))
    for key in sorted(keys - set(shots)):
        kind, resource_id = key.split(":")
        column = VISITS.c[COLUMN[kind]]
        found = conn.execute(core_select(VISITS).where(column == int(resource_id)).order_by(VISITS.c.id)).mappings()
        shots[key] = {"visits": [_encode(row) for row in found]}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for row in conn.execute(core_select(JOBS).where(JOBS.c.id.in_(chunk))).mappings():
            shots[str(row["id"])] = {"job": _encode(row), "visits": []}
        for row in conn.execute(core_select(VISITS).where(VISITS.c.job_id.in_(chunk)).order_by(VISITS.c.id)).mappings():
            shots[str(row["job_id"])]["visits"].append(_encode(row))
    return shots


def restore(session: Session, shot: Snapshot) -> None:
    """Make the snapshot's jobs and their visits exactly as recorded in it.

    Refused (StudioflowError) when a job to delete has rows of its own, such as tasks,
    that its deletion would lose or unlink.
    """
    now = snapshot(session, shot)
    conn = session.connection()
    for key, want in shot.items():
        if want is None and now[key] is not None:
            _refuse_dependents(conn, int(key), now[key]["job"]["title"])
    # The unique "one active visit per job" index is checked row by row: every visit
    # is deleted or closed (first pass) before any is opened or inserted (second pass).
    opening: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for key, want in shot.items():
        have_visits = _by_id(now[key])
        want_visits = _by_id(want)
        gone = [i for i in have_visits if i not in want_visits]
        if gone:
            conn.execute(delete(VISITS).where(VISITS.c.id.in_(gone)))
        for visit_id, visit in want_visits.items():
            if visit_id not in have_visits:
                missing.append(visit)
            elif have_visits[visit_id] != visit:
                if visit["state"] == "active":
                    opening.append(visit)
                else:
                    conn.execute(update(VISITS).where(VISITS.c.id == visit_id).values(_decode(VISITS, visit)))
        if want is None and now[key] is not None:
            conn.execute(delete(JOBS).where(JOBS.c.id == int(key)))
    for key, want in shot.items():
        if want is None:
            continue
        if "job" not in want:
            continue  # a tracked resource: only its visits are recorded
        if now[key] is None:
            conn.execute(insert(JOBS).values(_decode(JOBS, want["job"])))
        elif now[key]["job"] != want["job"]:
            conn.execute(update(JOBS).where(JOBS.c.id == int(key)).values(_decode(JOBS, want["job"])))
    for visit in opening:
        conn.execute(update(VISITS).where(VISITS.c.id == visit["id"]).values(_decode(VISITS, visit)))
    for visit in missing:
        conn.execute(insert(VISITS).values(_decode(VISITS, visit)))
    # Rows were changed under the ORM's feet: objects loaded before must read them again.
    session.expire_all()


def _record(
    session: Session,
    label: str,
    before: Snapshot,
    noted: Effects,
    priors: dict[int, dict[str, Any]],
    watched: dict[tuple[str, int], dict[str, Any] | None],
) -> None:
    after = snapshot(session, before)
    effects: dict[str, Any] = _effect_rows(session, noted)
    for message in effects.get("cancelled", []):
        message["prior"] = priors.get(message["id"], {"state": "queued", "last_error": ""})
    rows = _changed_rows(session, watched)
    if rows:
        effects["rows"] = rows
    if after == before and not effects:
        return  # nothing changed, nothing to undo
    conn = session.connection()
    conn.execute(delete(ENTRIES).where(ENTRIES.c.undone.is_(True)))  # a new action clears the redo stack
    conn.execute(
        insert(ENTRIES).values(
            label=label, before=before, after=after, effects=effects, undone=False, created_at=utcnow()
        )
    )
    oldest_kept = select(ENTRIES.c.id).order_by(ENTRIES.c.id.desc()).offset(MAX_ENTRIES - 1).limit(1).scalar_subquery()
    conn.execute(delete(ENTRIES).where(ENTRIES.c.id < oldest_kept))


def _expect(session: Session, entry: JournalEntry, verb: str, expect: Snapshot) -> None:
    """Refuse unless the jobs and tracked resources are still exactly as the entry left them."""
    now = snapshot(session, expect)
    for key, want in expect.items():
        if now[key] != want:
            shown = now[key] or want
            title = f" {shown['job']['title']!r}" if shown and "job" in shown else ""
            what = f"job {key}" if ":" not in key else key.replace("s:", " ", 1)
            raise StudioflowError(
                f"cannot {verb} ({entry.label}): {what}{title} was changed since by something undo does not track"
            )


def _apply(session: Session, entry: JournalEntry, verb: str, expect: Snapshot | None, target: Snapshot) -> None:
    """Restore `target`, provided the jobs are still as `expect` says (None: checked already)."""
    if expect is not None:
        _expect(session, entry, verb, expect)
    try:
        restore(session, target)
    except StudioflowError as exc:
        raise StudioflowError(f"cannot {verb} ({entry.label}): {exc}") from None
    except IntegrityError as exc:
        raise StudioflowError(
            f"cannot {verb} ({entry.label}): a pipeline, stage, client or status it needs was deleted since"
        ) from exc


def _effect_rows(session: Session, noted: Effects) -> dict[str, list[dict[str, Any]]]:
    """The rows the automations made or changed, as they stand at the end of the action."""
    session.flush()
    conn = session.connection()
    rows: dict[str, list[dict[str, Any]]] = {}
    for kind, ids in noted.items():
        table = _EFFECT_TABLES[kind]
        found = conn.execute(core_select(table).where(table.c.id.in_(sorted(set(ids)))).order_by(table.c.id)).mappings()
        rows[kind] = [_encode(row) for row in found]
    if noted.get("invoice"):
        lines = conn.execute(core_select(LINES).where(LINES.c.invoice_id.in_(noted["invoice"])).order_by(LINES.c.id))
        rows["invoice_line"] = [_encode(row) for row in lines.mappings()]
        taxes = conn.execute(core_select(TAXES).where(TAXES.c.invoice_id.in_(noted["invoice"])).order_by(TAXES.c.id))
        rows["invoice_tax"] = [_encode(row) for row in taxes.mappings()]
    return {kind: found for kind, found in rows.items() if found}


def _check_made(session: Session, entry: JournalEntry) -> None:
    """Refuse to undo when an invoice the automations made was changed since (paid, edited)."""
    conn = session.connection()
    for invoice in entry.effects.get("invoice", []):
        current = conn.execute(core_select(INVOICES).where(INVOICES.c.id == invoice["id"])).mappings().first()
        if current is not None and _encode(current) != invoice:
            raise StudioflowError(f"cannot undo ({entry.label}): invoice {invoice['number']} it made was changed since")


def _take_back(session: Session, effects: dict[str, list[dict[str, Any]]]) -> None:
    """Undo what automations did. Runs before the jobs are restored, because restoring
    deletes visits and with them the ledger rows the created tasks point to."""
    conn = session.connection()
    queued = [message["id"] for message in effects.get("queued", [])]
    gone = conn.execute(
        select(MESSAGES.c.channel, MESSAGES.c.to_addr).where(
            MESSAGES.c.id.in_(queued), MESSAGES.c.state.in_(("sending", "sent"))
        )
    ).first()
    if gone is not None:
        # Taking the step back would let its automations fire again: a second message.
        raise StudioflowError(f"the {gone.channel} to {gone.to_addr} it queued has already been sent")
    for task in effects.get("task", []):
        current = conn.execute(core_select(TASKS).where(TASKS.c.id == task["id"])).mappings().first()
        if current is not None and _encode(current) == task:  # nobody touched it since
            conn.execute(delete(TASKS).where(TASKS.c.id == task["id"]))
    for run in effects.get("run", []):
        conn.execute(delete(RUNS).where(RUNS.c.id == run["id"]))
    for message in effects.get("queued", []):
        conn.execute(
            update(MESSAGES)
            .where(MESSAGES.c.id == message["id"], MESSAGES.c.state.in_(("queued", "held", "failed")))
            .where(~MAY_HAVE_GONE)
            .values(state="cancelled", last_error="cancelled by undo")
        )
    made_here = {message["id"] for message in effects.get("queued", [])}
    for message in effects.get("cancelled", []):
        if message["id"] in made_here:
            continue  # queued and cancelled by the same action: undone, it stays cancelled
        prior = message.get("prior", {"state": "queued", "last_error": ""})
        conn.execute(
            update(MESSAGES)
            .where(MESSAGES.c.id == message["id"], MESSAGES.c.state == "cancelled")
            .values(state=prior["state"], last_error=prior["last_error"])
        )
    session.expire_all()


def _kept_held(session: Session, effects: dict[str, list[dict[str, Any]]]) -> str:
    """Words for the messages of an entry that undo and redo leave held (they may have gone)."""
    ids = [message["id"] for kind in ("queued", "cancelled") for message in effects.get(kind, [])]
    if not ids:
        return ""
    session.flush()
    found = session.connection().execute(
        select(MESSAGES.c.id, MESSAGES.c.channel, MESSAGES.c.to_addr).where(MESSAGES.c.id.in_(ids), MAY_HAVE_GONE)
    )
    return "".join(
        f"; the {row.channel} to {row.to_addr} (message {row.id}) stays held: it may have gone,"
        " release or cancel it in the outbox"
        for row in found
    )


def _put_back(session: Session, effects: dict[str, list[dict[str, Any]]]) -> None:
    """Redo what automations did, once the jobs and their visits are back."""
    conn = session.connection()
    for kind, table in (("run", RUNS), ("task", TASKS)):
        for row in effects.get(kind, []):
            if conn.execute(select(table.c.id).where(table.c.id == row["id"])).first() is None:
                conn.execute(insert(table).values(_decode(table, row)))
            elif kind == "task" and row["run_id"] is not None:
                # A task kept by the undo (someone had touched it) belongs to its run again.
                conn.execute(
                    update(TASKS).where(TASKS.c.id == row["id"], TASKS.c.run_id.is_(None)).values(run_id=row["run_id"])
                )
    for kind in ("queued", "cancelled"):
        for message in effects.get(kind, []):
            values = _decode(MESSAGES, {k: message[k] for k in ("state", "last_error", "visit_id", "job_id")})
            if message["state"] == "queued":
                # A message held since may have gone: it gets its links back, never its place in the queue.
                held = {k: values[k] for k in ("visit_id", "job_id")}
                this = MESSAGES.c.id == message["id"]
                conn.execute(update(MESSAGES).where(this, MESSAGES.c.state == "held").values(held))
            states = ("cancelled", "queued", "failed") + (() if message["state"] == "queued" else ("held",))
            conn.execute(
                update(MESSAGES).where(MESSAGES.c.id == message["id"], MESSAGES.c.state.in_(states)).values(values)
            )
    session.expire_all()


def _read_rows(session: Session, table: str, ids: list[int]) -> dict[int, dict[str, Any] | None]:
    """The rows of `table` with these ids, encoded (None for an id with no row)."""
    session.flush()
    conn = session.connection()
    found: dict[int, dict[str, Any] | None] = dict.fromkeys(ids)
    source = ROW_TABLES[table]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for row in conn.execute(core_select(source).where(source.c.id.in_(chunk))).mappings():
            found[row["id"]] = _encode(row)
    return found


def _changed_rows(session: Session, watched: dict[tuple[str, int], dict[str, Any] | None]) -> list[dict[str, Any]]:
    """The watched rows as they were and as they are, for those the action changed."""
    changed = []
    for table in ROW_TABLES:
        ids = sorted(i for t, i in watched if t == table)
        if not ids:
            continue
        for row_id, now in _read_rows(session, table, ids).items():
            if now != watched[(table, row_id)]:
                changed.append({"table": table, "id": row_id, "before": watched[(table, row_id)], "after": now})
    return changed


def _check_rows(session: Session, rows: list[dict[str, Any]], side: str, refusal: str) -> None:
    """Refuse when a recorded row is no longer as the entry left it (`side`: "before"/"after")."""
    for table in ROW_TABLES:
        mine = [r for r in rows if r["table"] == table]
        if not mine:
            continue
        now = _read_rows(session, table, [r["id"] for r in mine])
        for row in mine:
            if now[row["id"]] != row[side]:
                shown = row[side] or now[row["id"]] or {}
                name = shown.get("title") or shown.get("name") or ""
                what = table.replace("_", " ")
                raise StudioflowError(f"{refusal}: {what} {row['id']} {name!r} was changed since")


def _restore_rows(
    session: Session, rows: list[dict[str, Any]], side: str, deletes: bool, tables: Iterable[str] = ROW_TABLES
) -> None:
    """Make recorded rows of `tables` as on `side`: the deletions (children first) or the rest (parents first)."""
    conn = session.connection()
    order = [t for t in ROW_TABLES if t in tables]
    for table in reversed(order) if deletes else order:
        source = ROW_TABLES[table]
        for row in rows:
            if row["table"] != table:
                continue
            want = row[side]
            if deletes:
                if want is None:
                    conn.execute(delete(source).where(source.c.id == row["id"]))
                continue
            if want is None:
                continue
            values = _decode(source, want)
            if conn.execute(update(source).where(source.c.id == row["id"]).values(values)).rowcount == 0:
                conn.execute(insert(source).values(values))
    session.expire_all()


def _refuse_dependents(conn: Connection, job_id: int, title: str) -> None:
    """Refuse to delete a job that other rows (tasks, events, invoices...) point to."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        if table is VISITS or table is MESSAGES:
            continue  # visits are in the snapshot; a message only loses its link (and undo cancelled it)
        for fk in table.foreign_keys:
            if fk.column.table is JOBS:
                count = conn.execute(select(func.count()).select_from(table).where(fk.parent == job_id)).scalar_one()
                if count:
                    found.append(f"{count} {table.name.replace('_', ' ')}(s)")
    if found:
        raise StudioflowError(
            f"job {job_id} {title!r} now has {', '.join(found)}; removing the job would lose them, delete them first"
        )


def _by_id(shot: dict[str, Any] | None) -> dict[int, dict[str, Any]]:
    return {} if shot is None else {v["id"]: v for v in shot["visits"]}


def _encode(row: RowMapping | Mapping[str, Any]) -> dict[str, Any]:
    # datetime is a date too: both become ISO strings (aware UTC keeps its +00:00).
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in row.items()}


def _decode(table: Table, data: Mapping[str, Any]) -> dict[str, Any]:
    """JSON values back to the column types (aware datetimes for UTCDateTime, dates)."""
    values = {}
    for column in table.columns:
        if column.name not in data:
            continue
        value = data[column.name]
        kind = getattr(column.type, "impl", column.type)  # a TypeDecorator's underlying type
        if value is not None and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, Date):
            value = date.fromisoformat(value)
        values[column.name] = value
    return values
