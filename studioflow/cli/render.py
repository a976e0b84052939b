"""Output: JSON for scripts (`--json`: every result through `to_json`), and for people one text
renderer per result type, chosen by the result's type (a list by the type of its first item)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from functools import singledispatch
from typing import Any

from studioflow.cli.services import invoices, mileage, quickadd
from studioflow.workflow import values
from studioflow.workflow.views import (
    AgendaItem,
    ClientPageView,
    EventView,
    InvoiceView,
    JobView,
    MessageView,
    MileageView,
    PipelineView,
    ProjectDetailView,
    RenderedView,
    SavedItemView,
    SavedTaskListView,
    TemplateView,
    TrackView,
    first_line,
    local_minute,
    to_json,
)


def show(result: Any, as_json: bool) -> None:
    if as_json:
        # Indented for a person at a terminal; one line for a script (a pipe or a file), which
        # json's C encoder writes ~4x faster (indenting is pure Python: ~170 ms of 10,000 jobs).
        # One write of the whole text: json.dump writes each token on its own.
        indent = 2 if sys.stdout.isatty() else None
        sys.stdout.write(json.dumps(to_json(result), indent=indent, ensure_ascii=False) + "\n")
    else:
        text(result)


@singledispatch
def text(result: Any) -> None:
    """A result without a renderer of its own: a report says its summary, a view is a one-row table."""
    summary = getattr(result, "summary", None)
    print(summary() if callable(summary) else table([row(result)]))


@text.register(str)
def _message(result: str) -> None:
    print(result)


@text.register(list)
def _list(result: list[Any]) -> None:
    if result:
        listing(result[0], result)
    else:
        print("(none)")


@text.register(PipelineView)
def _pipeline(result: PipelineView) -> None:
    _headed(f"pipeline {result.id} {result.name}", result.stages, "(no stages)")


def _headed(heading: str, rows: Sequence[Any], nothing: str) -> None:
    """A record's heading line, then its rows as a table (or `nothing` when it has none)."""
    print(heading)
    print(table([row(item) for item in rows]) if rows else nothing)


@text.register(JobView)
def _job(job: JobView) -> None:
    fields = {
        "job": f"{job.id} {job.title}" + (" (archived)" if job.archived else ""),
        "pipeline": job.pipeline,
        "stage": job.stage,
        "client": job.client or "-",
        "status": job.status or "-",
        "due": job.due_on.isoformat() if job.due_on else "-",
        "tasks": f"{job.tasks_total - job.tasks_open}/{job.tasks_total} done",
    }
    _moved(fields, job)


@text.register(TrackView)
def _track(track: TrackView) -> None:
    fields = {
        track.kind[:-1]: f"{track.id} {track.title}",
        "pipeline": track.pipeline,
        "stage": track.stage + ("" if track.tracked else " (left the pipeline)"),
        "due": track.due_on.isoformat() if track.due_on else "-",
    }
    _moved(fields, track)


def _moved(fields: dict[str, str], moved: JobView | TrackView) -> None:
    """A job or tracked resource: its fields, what its automations did, its stage history."""
    _fields(fields)
    for line in moved.fired:
        print(f"{'fired':>9}  {line}")
    if moved.history:
        print("  history")
        for visit in moved.history:
            when = local_minute(visit.entered_at)
            quiet = "  (moved without automations)" if visit.automations_off else ""
            print(f"           {when}  {visit.state:<9}  {visit.stage}{quiet}")


def _fields(fields: dict[str, str]) -> None:
    for key, value in fields.items():
        print(f"{key:>9}  {value}")


@text.register(TemplateView)
def _template(result: TemplateView) -> None:
    print(f"template {result.id} {result.name} ({result.channel})")
    _message_body(result.channel, result.subject, result.body)


@text.register(RenderedView)
def _rendered(result: RenderedView) -> None:
    _message_body(result.channel, result.subject, result.body)


@text.register(MessageView)
def _outbox_message(message: MessageView) -> None:
    _fields(
        {
            "message": f"{message.id} ({message.channel}) {message.state_label()}",
            "to": message.to_addr or "-",
            "job": f"{message.job_id} {message.job_title}" if message.job_id else "-",
            "send at": local_minute(message.send_at),
            "sent at": local_minute(message.sent_at),
            "attempts": str(message.attempts),
            "went to": message.reply or "-",
            "problem": message.last_error or "-",
            "id": message.message_id or "-",
        }
    )
    print()
    _message_body(message.channel, message.subject, message.body)


def _message_body(channel: str, subject: str, body: str) -> None:
    if channel == "email":
        print(f"Subject: {subject}\n")
    print(body, end="" if body.endswith("\n") else "\n")


@text.register(ProjectDetailView)
def _project(result: ProjectDetailView) -> None:
    _headed(table([row(result.project)]), result.tasks, "(no tasks)")


@text.register(SavedTaskListView)
def _saved_list(result: SavedTaskListView) -> None:
    _headed(f"saved task list {result.id} {result.name}", result.items, "(no items)")


@text.register(InvoiceView)
def _invoice(invoice: InvoiceView) -> None:
    _fields(
        {
            "invoice": f"{invoice.number} ({invoice.status}{', overdue' if invoice.overdue else ''})",
            "client": invoice.client or "-",
            "job": invoice.job or "-",
            "issued": invoice.issued_on.isoformat(),
            "due": invoice.due_on.isoformat() if invoice.due_on else "-",
        }
    )
    for line in invoice.lines:
        each = values.quantity_times(line.quantity, line.unit_price_cents)
        print(f"           {line.description:<40} {each:>16} {invoices.money(line.amount_cents):>14}")
    print(f"{'subtotal':>9}  {invoices.money(invoice.subtotal_cents):>72}")
    for tax in invoice.taxes:
        print(f"{'tax':>9}  {invoices.tax_label(tax):<20}{invoices.money(tax.amount_cents):>52}")
    print(f"{'total':>9}  {invoices.money(invoice.total_cents):>72}")
    if invoice.replaces:
        print(f"{'replaces':>9}  {invoice.replaces} (voided)")
    if invoice.notes:
        print(f"{'notes':>9}  {invoice.notes}")


@text.register(ClientPageView)
def _client_page(page: ClientPageView) -> None:
    _fields(
        {
            "client": f"{page.id} {page.name}",
            "email": page.email or "-",
            "phone": page.phone or "-",
            "tags": ", ".join(page.tags) or "-",
            "owed": invoices.money(page.owed_cents),
        }
    )
    for job in page.jobs:
        role = f" ({job.role})" if job.role else ""
        print(f"{'job':>9}  {job.id} {job.title} — {job.pipeline} › {job.stage}{role}")
    for event in page.events:
        print(f"{'event':>9}  {local_minute(event.starts_at)}  {event.title}")
    for invoice in page.invoices:
        late = ", overdue" if invoice.overdue else ""
        print(f"{'invoice':>9}  {invoice.number}  {invoice.status}{late}  {invoices.money(invoice.total_cents)}")
    for track in page.pipelines:
        print(f"{'pipeline':>9}  {track.pipeline} › {track.stage}" + ("" if track.tracked else " (left)"))
        for visit in track.history:
            print(f"           {local_minute(visit.entered_at)}  {visit.state:<9}  {visit.stage}")


# Lists: a table of rows, chosen by the type of the first item.


@singledispatch
def listing(first: Any, items: list[Any]) -> None:
    print(table([row(item) for item in items]))


@listing.register(TrackView)
def _tracks(first: TrackView, items: list[TrackView]) -> None:
    if not first.history:  # a list of placements, not a resource's pipelines with their histories
        print(table([row(item) for item in items]))
        return
    for number, track in enumerate(items):
        if number:
            print()
        _track(track)


@listing.register(MileageView)
def _trips(first: MileageView, items: list[MileageView]) -> None:
    print(table([row(item) for item in items]))
    for total in mileage.totals(items):
        print(
            f"total: {total.trips} trip(s), {mileage.format_distance(total.distance)} {total.unit}, "
            f"{invoices.money(total.amount_cents)}"
        )


# Rows: one item as table cells.

NOISY = (
    "history",
    "fired",
    "pipeline_id",
    "stage_id",
    "client_id",
    "status_colour",
    "position",
    "project_id",
    "job_id",
    "done_at",
    "notes",
)


@singledispatch
def row(item: Any) -> dict[str, str]:
    return _cells(to_json(item), item)


def _cells(data: dict[str, Any], item: Any) -> dict[str, str]:
    """A view's fields as cells, less the ones a table has no room for; tasks as done/total."""
    for noisy in NOISY:
        data.pop(noisy, None)
    if "tasks_open" in data:
        data["tasks"] = f"{data.pop('tasks_total') - data.pop('tasks_open')}/{item.tasks_total}"
    return {key: _cell(value) for key, value in data.items()}


@row.register(PipelineView)
def _pipeline_row(item: PipelineView) -> dict[str, str]:
    data = to_json(item)
    data["stages"] = " > ".join(s.name for s in item.stages)
    return _cells(data, item)


@row.register(SavedTaskListView)
def _saved_list_row(item: SavedTaskListView) -> dict[str, str]:
    data = to_json(item)
    data["items"] = "; ".join(_item_text(i) for i in item.items)
    return _cells(data, item)


def _item_text(item: SavedItemView) -> str:
    return quickadd.saved_item_text(item.title, item.due_offset_days, item.priority)


@row.register(TemplateView)
def _template_row(item: TemplateView) -> dict[str, str]:
    data = to_json(item)
    data["body"] = first_line(item.body)  # a table cell holds the body's first line only
    return _cells(data, item)


@row.register(MessageView)
def _message_row(item: MessageView) -> dict[str, str]:
    when = item.sent_at if item.state == "sent" and item.sent_at else item.send_at
    return {
        "id": str(item.id),
        "state": item.state_label(),
        "to": item.to_addr or "-",
        "subject": first_line(item.subject if item.channel == "email" else f"(text) {item.body}"),
        "when": local_minute(when),
        "tries": str(item.attempts),
        "job": first_line(item.job_title) if item.job_title else "-",
        "problem": first_line(item.last_error) if item.last_error else "",
    }


@row.register(InvoiceView)
def _invoice_row(item: InvoiceView) -> dict[str, str]:
    data = {
        "number": item.number,
        "client": item.client,
        "job": item.job,
        "issued": item.issued_on.isoformat(),
        "due": item.due_on.isoformat() if item.due_on else None,
        "status": item.status + (" (overdue)" if item.overdue else ""),
        "total": invoices.money(item.total_cents),
    }
    return {key: _cell(value) for key, value in data.items()}


@row.register(EventView)
def _event_row(item: EventView) -> dict[str, str]:
    data = {
        "id": item.id,
        "start": local_minute(item.starts_at),
        "end": local_minute(item.ends_at) if item.ends_at else None,
        "title": item.title,
        "job": item.job,
        "client": item.client,
        "location": item.location,
    }
    return {key: _cell(value) for key, value in data.items()}


@row.register(MileageView)
def _trip_row(item: MileageView) -> dict[str, str]:
    data = {
        "id": item.id,
        "date": item.trip_on.isoformat(),
        "job": item.job,
        "event": item.event,
        "purpose": item.purpose,
        "distance": f"{mileage.format_distance(item.distance)} {item.unit}",
        "amount": invoices.money(item.amount_cents),
    }
    return {key: _cell(value) for key, value in data.items()}


@row.register(AgendaItem)
def _agenda_row(item: AgendaItem) -> dict[str, str]:
    when = item.at.astimezone()
    data = {
        "day": when.strftime("%a %Y-%m-%d"),
        "time": "" if item.all_day else when.strftime("%H:%M"),
        "what": item.kind,
        "item": item.text,
    }
    return {key: _cell(value) for key, value in data.items()}


def _cell(value: Any) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def table(rows: list[dict[str, str]]) -> str:
    headers = list(rows[0])
    widths = {h: max(len(h), *(len(r[h]) for r in rows)) for h in headers}
    lines = ["  ".join(h.ljust(widths[h]) for h in headers).rstrip()]
    lines += ["  ".join(r[h].ljust(widths[h]) for h in headers).rstrip() for r in rows]
    return "\n".join(lines)
