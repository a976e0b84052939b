"""CSV: every kind of record out to a spreadsheet, and clients and jobs in from one.

An import maps the file's headers to fields (a header named like a field maps by
itself; `{"Full name": "name"}` maps others), then runs every row through the same
services as the app, in one transaction: `plan` does it in a dry run and says what
would be made and which rows are refused and why; `apply` writes all of it or, if a
single row is refused, nothing. Imported jobs enter their stage without firing its
automations: old work sends no mail.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.choices import CSV_EXPORTS, CSV_FIELDS
from studioflow.store.text import fold
from studioflow.workflow import values
from studioflow.workflow.jobs import jobs, journal
from studioflow.workflow.money import invoices, mileage
from studioflow.workflow.people import clients
from studioflow.workflow.schedule import events
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import local_minute

EXPORTS = CSV_EXPORTS
FIELDS = CSV_FIELDS
REQUIRED = {"clients": ("name",), "jobs": ("title", "pipeline")}
MAX_ROWS = 100_000
MAX_SHOWN = 50  # refusals listed one by one; past that, counted


def export(db: Database, kind: str) -> tuple[str, int]:
    """(the CSV text, how many rows) of every record of `kind`."""
    if kind not in EXPORTS:
        raise StudioflowError(f"{kind!r} cannot be exported to CSV (one of {', '.join(EXPORTS)})")
    if kind == "invoices":
        found = invoices.list_invoices(db)
        return invoices.to_csv(found), len(found)
    if kind == "mileage":
        trips = mileage.list_trips(db)
        return mileage.to_csv(trips), len(trips)
    header, rows = _ROWS[kind](db)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue(), len(rows)


def _clients(db: Database) -> tuple[list[str], list[list[str]]]:
    rows = [[str(c.id), c.name, c.email, c.phone, ", ".join(c.tags), c.notes] for c in clients.list_clients(db)]
    return ["id", "name", "email", "phone", "tags", "notes"], rows


def _jobs(db: Database) -> tuple[list[str], list[list[str]]]:
    rows = [
        [
            str(j.id),
            j.title,
            j.pipeline,
            j.stage,
            j.client or "",
            j.status or "",
            j.due_on.isoformat() if j.due_on else "",
            "yes" if j.archived else "",
        ]
        for j in jobs.list_jobs(db, include_archived=True)
    ]
    return ["id", "title", "pipeline", "stage", "client", "status", "due", "archived"], rows


def _tasks(db: Database) -> tuple[list[str], list[list[str]]]:
    rows = [
        [
            str(t.id),
            t.title,
            t.job or "",
            t.project or "",
            t.due_on.isoformat() if t.due_on else "",
            ("", "low", "medium", "high")[t.priority],
            local_minute(t.done_at) if t.done_at else "",
            t.notes,
        ]
        for t in tasks.list_tasks(db, include_done=True, include_archived=True)
    ]
    return ["id", "title", "job", "project", "due", "priority", "done", "notes"], rows


def _events(db: Database) -> tuple[list[str], list[list[str]]]:
    rows = [
        [
            str(e.id),
            e.title,
            local_minute(e.starts_at),
            local_minute(e.ends_at) if e.ends_at else "",
            e.location,
            e.job or "",
            e.client or "",
        ]
        for e in events.list_events(db)
    ]
    return ["id", "title", "start", "end", "location", "job", "client"], rows


_ROWS: dict[str, Callable[[Database], tuple[list[str], list[list[str]]]]] = {
    "clients": _clients,
    "jobs": _jobs,
    "tasks": _tasks,
    "events": _events,
}


# Import


@dataclass(frozen=True)
class ImportPlan:
    """What an import does (or would do): the columns it reads, the records made, the rows refused."""

    kind: str
    columns: dict[str, str]  # header -> field
    ignored: tuple[str, ...]  # headers no field was mapped to
    made: tuple[str, ...]  # one line per record made
    refused: tuple[tuple[int, str], ...]  # (line of the file, why)
    applied: bool

    def summary(self) -> str:
        verb = "imported" if self.applied else "would import"
        what = f"{len(self.made)} {self.kind}" if self.kind != "clients" or len(self.made) != 1 else "1 client"
        text = f"{verb} {what}"
        if self.refused:
            text += f"; {len(self.refused)} row(s) refused"
        return text


def plan(db: Database, kind: str, text: str, mapping: Mapping[str, str] | None = None) -> ImportPlan:
    """A dry run of the import: what would be made and which rows would be refused, nothing written."""
    with db.dry_run():
        return _run(db, kind, text, mapping or {}, applied=False)


def apply(db: Database, kind: str, text: str, mapping: Mapping[str, str] | None = None) -> ImportPlan:
    """The import, in one transaction and one undo step: every row, or (when any row is refused) none."""
    with db.write() as session, journal.recording(session, f"import {kind} from CSV"):
        done = _run(db, kind, text, mapping or {}, applied=True)
        if done.refused:
            line, why = done.refused[0]
            raise StudioflowError(
                f"nothing imported: {len(done.refused)} row(s) refused (line {line}: {why}); a dry run lists each"
            )
        return done


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """["Full name=name", ...] → {"Full name": "name"}."""
    mapping = {}
    for pair in pairs:
        header, sep, field = pair.rpartition("=")
        if not sep or not header.strip() or not field.strip():
            raise StudioflowError(f"a mapping is 'Header in the file=field', not {pair!r}")
        mapping[header.strip()] = field.strip().lower()
    return mapping


def _run(db: Database, kind: str, text: str, mapping: Mapping[str, str], applied: bool) -> ImportPlan:
    if kind not in FIELDS:
        raise StudioflowError(f"only {' and '.join(FIELDS)} are imported from CSV, not {kind!r}")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))  # a spreadsheet's byte-order mark
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise StudioflowError("the file has no header line (the first line names the columns)")
    columns, ignored = _columns(kind, [h.strip() for h in header], mapping)
    made: list[str] = []
    refused: list[tuple[int, str]] = []
    add = _add_client if kind == "clients" else _add_job
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise StudioflowError(f"the file has more than {MAX_ROWS:,} rows; split it")
        if not any(cell.strip() for cell in row):
            continue
        values = {field: row[i].strip() if i < len(row) else "" for i, field in columns.items()}
        try:
            with db.write():  # a savepoint: a refused row leaves nothing behind
                made.append(add(db, values))
        except StudioflowError as exc:
            refused.append((number, str(exc)))
    named = {header[i].strip(): field for i, field in columns.items()}
    return ImportPlan(kind, named, tuple(ignored), tuple(made), tuple(refused), applied)


def _columns(kind: str, header: list[str], mapping: Mapping[str, str]) -> tuple[dict[int, str], list[str]]:
    """{column index: field} and the headers left out; refused when a field is missing or twice."""
    known = FIELDS[kind]
    wanted = {fold(h): f for h, f in mapping.items()}
    for h, f in mapping.items():
        if f not in known:
            raise StudioflowError(f"{f!r} (mapped from {h!r}) is not a field of {kind}: {', '.join(known)}")
        if fold(h) not in {fold(x) for x in header}:
            raise StudioflowError(f"the file has no column {h!r} (its columns: {', '.join(header)})")
    columns: dict[int, str] = {}
    ignored = []
    for i, h in enumerate(header):
        field = wanted.get(fold(h)) or (fold(h) if fold(h) in known else None)
        if field is None:
            if h:
                ignored.append(h)
            continue
        if field in columns.values():
            raise StudioflowError(f"two columns give the {field} ({h!r} is the second)")
        columns[i] = field
    missing = [f for f in REQUIRED[kind] if f not in columns.values()]
    if missing:
        raise StudioflowError(
            f'no column gives the {", ".join(missing)} of each of the {kind}: map one with "Header={missing[0]}"'
        )
    return columns, ignored


def _add_client(db: Database, v: Mapping[str, str]) -> str:
    tags = [t for t in v.get("tags", "").replace(";", ",").split(",") if t.strip()]
    made = clients.add_client(db, v["name"], v.get("email", ""), v.get("phone", ""), tags, v.get("notes", ""))
    return made.name + (f" <{made.email}>" if made.email else "")


def _add_job(db: Database, v: Mapping[str, str]) -> str:
    due_text = v.get("due", "")
    due = values.parse_date(due_text, "the due date") if due_text else None
    client = v.get("client") or None
    made = jobs.add_job(db, v["title"], v["pipeline"], client, v.get("stage") or None, due, fire=False)
    return f"{made.title} ({made.pipeline} › {made.stage}" + (f", {made.client})" if made.client else ")")
