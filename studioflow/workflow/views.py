"""Plain, frozen view-models: what services hand to the CLI and the screens (never ORM rows).

They are named tuples, not frozen dataclasses: a dataclass costs some 0.8 ms to define (its
methods are compiled from source), and these load with every command and the board's first
frame. `TaskListView` stays a dataclass: its field `count` would hide the tuple method."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, TypeVar


class StageView(NamedTuple):
    id: int
    name: str
    position: int
    due_in_days: int | None
    job_count: int


class PipelineView(NamedTuple):
    id: int
    name: str
    position: int
    archived: bool
    stages: tuple[StageView, ...]
    kind: str = "jobs"  # what its cards are: jobs, clients, events or invoices
    default_for_new: bool = False  # new resources of its kind enter it by themselves


class ClientView(NamedTuple):
    id: int
    name: str
    email: str
    phone: str
    tags: tuple[str, ...]
    notes: str = ""


class ClientLinks(NamedTuple):
    """What points to a client: said before it is deleted, kept (without it) after."""

    id: int
    name: str
    jobs: int  # jobs it is the primary client of
    roles: int  # jobs it takes part in with a role
    events: int
    invoices: int
    projects: int

    def consequence(self) -> str:
        """One line: what deleting the client does to what points to it."""
        parts = [f"{self.jobs} job(s) keep going without a client"] if self.jobs else []
        if self.roles:
            parts.append(f"it leaves the {self.roles} job(s) it has a role in")
        kept = [
            f"{n} {what}"
            for n, what in ((self.events, "event(s)"), (self.invoices, "invoice(s)"), (self.projects, "project(s)"))
            if n
        ]
        if kept:
            parts.append(", ".join(kept) + " stay, without a client")
        return "; ".join(parts) or "nothing else refers to this client"


class StatusView(NamedTuple):
    id: int
    name: str
    colour: str


class VisitView(NamedTuple):
    stage_id: int | None
    stage: str
    state: str
    entered_at: datetime
    left_at: datetime | None
    automations_off: bool = False  # entered by a move made without automations


class JobView(NamedTuple):
    id: int
    title: str
    pipeline_id: int
    pipeline: str
    stage_id: int
    stage: str
    client_id: int | None
    client: str | None
    status: str | None
    status_colour: str | None
    due_on: date | None
    archived: bool
    position: int
    tasks_open: int
    tasks_total: int
    history: tuple[VisitView, ...] = ()
    fired: tuple[str, ...] = ()  # what the stage automations did during this call


class TrackView(NamedTuple):
    """A client (lead), event or invoice on one pipeline: where it stands and how it got there.

    The same shape as a job's view where they overlap (pipeline, stage, history, fired).
    """

    kind: str  # clients, events or invoices
    id: int  # the client's, event's or invoice's id
    title: str  # the client's name, the event's title, the invoice's number
    pipeline_id: int
    pipeline: str
    stage_id: int | None  # None once it has left the pipeline
    stage: str
    tracked: bool  # False once taken off the pipeline (or its work is done)
    entered_at: datetime
    due_on: date | None  # the stage's wait ("call after 2 days") counted from entering
    history: tuple[VisitView, ...] = ()
    fired: tuple[str, ...] = ()  # what the stage automations did during this call


class TaskView(NamedTuple):
    id: int
    title: str
    done: bool
    done_at: datetime | None
    due_on: date | None
    priority: int
    job_id: int | None
    job: str | None
    project_id: int | None
    project: str | None
    client: str | None = None  # the job's or the project's client
    notes: str = ""
    position: int = 0
    fired: tuple[str, ...] = ()  # what automations did when it was checked off (e.g. an auto-move)


class TaskGroup(NamedTuple):
    """The tasks of one job, one project, or those of neither ("kind" none), in a task view."""

    kind: str  # "job", "project" or "none"
    id: int | None
    name: str
    client: str | None
    done: int  # progress of the whole job or project, not only the tasks shown
    total: int
    tasks: tuple[TaskView, ...]


@dataclass(frozen=True)
class TaskListView:
    view: str  # today, overdue, upcoming, open, done or all
    today: date
    groups: tuple[TaskGroup, ...]
    count: int


class ProjectView(NamedTuple):
    id: int
    name: str
    job_id: int | None
    client: str | None
    tasks_open: int
    tasks_total: int
    job: str | None = None
    event: str | None = None
    invoice: str | None = None
    next_due: date | None = None  # the soonest due date of its open tasks


class ProjectDetailView(NamedTuple):
    """A project and its tasks (`project show`)."""

    project: ProjectView
    tasks: tuple[TaskView, ...]


class SavedItemView(NamedTuple):
    id: int
    title: str
    due_offset_days: int | None
    priority: int
    position: int


class SavedTaskListView(NamedTuple):
    id: int
    name: str
    items: tuple[SavedItemView, ...]


class OwnerChoice(NamedTuple):
    """A job or project a task can belong to (the quick add's @ completion)."""

    kind: str  # "job" or "project"
    id: int
    name: str
    detail: str  # e.g. the job's pipeline or the project's client


def first_line(text: str, width: int = 40) -> str:
    """The first line of a text, cut to `width` with an ellipsis: what a table cell shows."""
    first = (text.strip().splitlines() or [""])[0]
    return first if len(first) <= width else first[: width - 1] + "…"


def local_minute(moment: datetime | None) -> str:
    """A stored (UTC) moment in the user's time zone, to the minute; "-" for none."""
    return "-" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M")


View = TypeVar("View", bound=NamedTuple)


def from_row(view: type[View], row: object, **given: Any) -> View:
    """A view of a table row: `given` names what the row does not hold as it is (a joined name, a
    total); every other field is the row's attribute of the same name. A field with a default
    that the row does not have either keeps its default (a job's history unless asked for)."""
    if unknown := given.keys() - set(view._fields):
        raise TypeError(f"{view.__name__} has no field {', '.join(sorted(unknown))}")
    defaults = view._field_defaults

    def value(name: str) -> Any:
        if name in given:
            return given[name]
        return getattr(row, name, defaults[name]) if name in defaults else getattr(row, name)

    return view._make(map(value, view._fields))


_PLAIN = frozenset({str, int, float, bool})


def to_json(value: Any) -> Any:
    """A view (or list of views) as JSON-ready data: ISO dates, lists for tuples."""
    kind = type(value)
    if value is None or kind in _PLAIN:  # most fields: returned as they are, first
        return value
    if kind is tuple or kind is list:  # exactly: a view is a tuple too
        return [to_json(v) for v in value]
    fields = getattr(kind, "_fields", None)
    if fields is not None:  # a view; its plain fields taken as they are, not by a call each (10,000 jobs)
        pairs = zip(fields, value, strict=True)
        return {name: v if v is None or type(v) in _PLAIN else to_json(v) for name, v in pairs}
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        return {name: to_json(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class TemplateView(NamedTuple):
    id: int
    name: str
    channel: str
    subject: str
    body: str


class RenderedView(NamedTuple):
    """A template rendered against a job: what would be sent."""

    channel: str
    subject: str
    body: str


class MessageView(NamedTuple):
    """One outbox message with the job it belongs to."""

    id: int
    channel: str
    to_addr: str
    subject: str
    body: str
    state: str
    send_at: datetime
    attempts: int
    last_error: str
    reply: str  # where it went: "smtp.example.com: 250 2.0.0 OK …", "local outbox (no mail server set): …"
    message_id: str
    sent_at: datetime | None
    job_id: int | None
    job_title: str
    local_only: bool = False  # delivered only to the local stub outbox: it never left this machine

    def state_label(self, now: datetime | None = None) -> str:
        """The state as a person should read it: local delivery says so, a wait shows its countdown."""
        if self.state == "sent" and self.local_only:
            return "kept locally"
        if self.state == "queued":
            left = int((self.send_at - (now or datetime.now(UTC))).total_seconds())
            if left > 0:
                return f"queued, sends in {countdown(left)}"
        return self.state


def countdown(seconds: int) -> str:
    """1:05 under an hour, 3 h 05 min under a day, then days."""
    if seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    days = round(seconds / 86400)
    return f"{days} day{'s' if days != 1 else ''}"


class JobClientView(NamedTuple):
    """A client on a job: the primary one (the board's) first, then the others."""

    client_id: int
    name: str
    email: str
    phone: str
    role: str
    primary: bool


class EventView(NamedTuple):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    location: str
    job_id: int | None
    job: str | None
    client_id: int | None
    client: str | None


class InvoiceLineView(NamedTuple):
    description: str
    quantity: int
    unit_price_cents: int
    amount_cents: int


class InvoiceTaxView(NamedTuple):
    """One named tax of an invoice: its rate (ppm: 9.975 % = 99750), base and amount in cents."""

    name: str
    rate_ppm: int
    base_cents: int
    amount_cents: int


class InvoiceView(NamedTuple):
    """An invoice with its totals, all in integer cents (see invoices.totals for rounding)."""

    id: int
    number: str
    job_id: int | None
    job: str | None
    client_id: int | None
    client: str | None
    issued_on: date
    due_on: date | None
    status: str
    subtotal_cents: int
    tax_cents: int  # every tax together
    total_cents: int
    overdue: bool
    lines: tuple[InvoiceLineView, ...] = ()
    taxes: tuple[InvoiceTaxView, ...] = ()
    notes: str = ""
    replaces: str | None = None  # the number of the voided invoice this one corrects


class MileageView(NamedTuple):
    id: int
    job_id: int | None
    job: str | None
    event_id: int | None
    event: str | None
    trip_on: date
    distance: float
    unit: str
    purpose: str
    rate_cents: int
    amount_cents: int


class MileageTotalView(NamedTuple):
    """Trips in one unit (a log may mix mi and km when the config changed)."""

    unit: str
    trips: int
    distance: float
    amount_cents: int


class TimelineItem(NamedTuple):
    """One line of a job's timeline: a stage visit, an automation that fired, a message."""

    at: datetime
    kind: str  # "visit", "automation" or "message"
    text: str
    state: str


class AgendaItem(NamedTuple):
    """One thing on the agenda: an event (timed), a task or job due (a day), a scheduled message."""

    at: datetime
    all_day: bool
    kind: str  # "event", "task", "job", "wait" (a stage's wait ends) or "message"
    text: str
    job_id: int | None


class ClientJobView(NamedTuple):
    id: int
    title: str
    pipeline: str
    stage: str
    role: str
    archived: bool


class ClientPageView(NamedTuple):
    """Everything about one client: details, jobs (with stage and role), events, invoices, owed."""

    id: int
    name: str
    email: str
    phone: str
    tags: tuple[str, ...]
    notes: str
    jobs: tuple[ClientJobView, ...]
    events: tuple[EventView, ...]
    invoices: tuple[InvoiceView, ...]
    owed_cents: int
    pipelines: tuple[TrackView, ...] = ()  # the client pipelines (leads...) it stands or stood on
